"""SQLAlchemy plumbing for everything that is not the event store: read models, relay
positions, consumer positions, idempotency records."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    MetaData,
    Table,
    Text,
    create_engine,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert


def sqlalchemy_url(database_url: str) -> str:
    """postgresql://... -> postgresql+psycopg://... (psycopg 3 driver)."""
    scheme, rest = database_url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme in ("postgresql", "postgres") else database_url


def make_engine(database_url: str, schema: str, *, pool_size: int = 5) -> Engine:
    """An engine whose connections use `schema` first on the search path."""
    return create_engine(
        sqlalchemy_url(database_url),
        pool_size=pool_size,
        max_overflow=5,
        pool_pre_ping=True,
        connect_args={"options": f"-csearch_path={schema},public"},
    )


def ensure_schema(engine: Engine, schema: str) -> None:
    """Create `schema` unless it exists (an owner role may not create schemas, only use its
    own: the set-up made it, shared/dbroles.py)."""
    with engine.begin() as conn:
        query = text("SELECT 1 FROM pg_namespace WHERE nspname = :s")
        if conn.execute(query, {"s": schema}).first() is None:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


def positions_table(metadata: MetaData) -> Table:
    """How far a relay or a consumer got, by name."""
    if "positions" in metadata.tables:
        return metadata.tables["positions"]
    return Table(
        "positions",
        metadata,
        Column("name", Text, primary_key=True),
        Column("position", BigInteger, nullable=False),
    )


class PositionStore:
    """Positions kept in the service's own schema."""

    def __init__(self, engine: Engine, table: Table) -> None:
        self.engine = engine
        self.table = table

    def get(self, name: str, conn: Connection | None = None) -> int:
        query = select(self.table.c.position).where(self.table.c.name == name)
        if conn is not None:
            return int(conn.execute(query).scalar() or 0)
        with self.engine.connect() as c:
            return int(c.execute(query).scalar() or 0)

    def set(self, name: str, position: int, conn: Connection | None = None) -> None:
        stmt = insert(self.table).values(name=name, position=position)
        stmt = stmt.on_conflict_do_update(
            index_elements=[self.table.c.name],
            set_={"position": position},
            where=self.table.c.position < position,
        )
        if conn is not None:
            conn.execute(stmt)
            return
        with self.engine.begin() as c:
            c.execute(stmt)
