"""Intake's SQL adapters: the referenties, the ids of Idempotency-Keys and the per-case
data keys."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID, uuid4

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert

from shared.eventstore import Claim, claiming

metadata = MetaData()

referenties = Table(
    "referenties",
    metadata,
    Column("referentie", Text, primary_key=True),
    Column("zaak_id", Text, nullable=False, unique=True),
)

sleutel_ids = Table(
    "sleutel_ids",
    metadata,
    Column("soort", Text, nullable=False),  # melding | adviesvraag
    Column("melder_org", Text, nullable=False),
    Column("idempotency_key", Text, nullable=False),
    Column("id", Uuid, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    PrimaryKeyConstraint("soort", "melder_org", "idempotency_key"),
)

data_keys = Table(
    "data_keys",
    metadata,
    Column("zaak_id", Text, primary_key=True),
    Column("wrapped", LargeBinary, nullable=True),  # NULL: destroyed (personal data erased)
    Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    Column("destroyed_at", DateTime(timezone=True), nullable=True),
)


class SqlReferenties:
    """Every referentie once, claimed in the transaction that stores the melding's event
    (shared.eventstore.claiming): a refused or failed melding claims nothing."""

    CLAIM = (
        "INSERT INTO {schema}.referenties (referentie, zaak_id) VALUES (%s, %s) "
        "ON CONFLICT DO NOTHING RETURNING referentie"
    )

    @contextmanager
    def claim(self, referentie: str, zaak_id: UUID) -> Iterator[None]:
        with claiming(Claim(self.CLAIM, (referentie, str(zaak_id)))):
            yield


class SqlSleutels:
    """The random id given to an (org, Idempotency-Key) the first time, kept for its retries.

    The id is reserved before the melding is saved: a save that fails leaves the reservation,
    and the retry saves under the same id (never two cases for one key)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def id_voor(self, soort: str, melder_org: str, idempotency_key: str) -> UUID:
        waarden = {"soort": soort, "melder_org": melder_org, "idempotency_key": idempotency_key}
        stmt = (
            insert(sleutel_ids)
            .values(**waarden, id=uuid4())
            .on_conflict_do_nothing(index_elements=["soort", "melder_org", "idempotency_key"])
            .returning(sleutel_ids.c.id)
        )
        bestaand = select(sleutel_ids.c.id).where(
            *(sleutel_ids.c[k] == v for k, v in waarden.items())
        )
        with self.engine.begin() as conn:
            nieuw = conn.execute(stmt).scalar()
            return UUID(str(nieuw if nieuw is not None else conn.execute(bestaand).scalar_one()))


class SqlKeyStore:
    """Wrapped data keys in intake's schema (see shared.crypto.KeyStore)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self, case_id: str) -> bytes | None:
        with self.engine.connect() as conn:
            row = conn.execute(data_keys.select().where(data_keys.c.zaak_id == case_id)).first()
        if row is None:
            return None
        return bytes(row.wrapped) if row.wrapped is not None else b""

    def save_new(self, case_id: str, wrapped: bytes) -> bytes:
        stmt = (
            insert(data_keys)
            .values(zaak_id=case_id, wrapped=wrapped)
            .on_conflict_do_nothing()
            .returning(data_keys.c.wrapped)
        )
        with self.engine.begin() as conn:
            inserted = conn.execute(stmt).first()
        if inserted is not None:
            return bytes(inserted.wrapped)
        stored = self.load(case_id)  # another request made the case's key first
        assert stored is not None
        return stored

    def destroy(self, case_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                data_keys.update()
                .where(data_keys.c.zaak_id == case_id)
                .values(wrapped=None, destroyed_at=func.now())
            )
