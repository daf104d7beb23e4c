"""Intake's SQL adapters: the referentie counter, the ids of Idempotency-Keys and the
per-case data keys."""

from __future__ import annotations

from uuid import UUID, uuid4

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
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

metadata = MetaData()

referentie_tellers = Table(
    "referentie_tellers",
    metadata,
    Column("jaar", Integer, primary_key=True),
    Column("laatste", Integer, nullable=False),
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


class SqlReferentieTeller:
    """A counter per year; a number lost to a failed save leaves a gap, never a duplicate."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def volgende(self, jaar: int) -> int:
        stmt = (
            insert(referentie_tellers)
            .values(jaar=jaar, laatste=1)
            .on_conflict_do_update(
                index_elements=[referentie_tellers.c.jaar],
                set_={"laatste": referentie_tellers.c.laatste + 1},
            )
            .returning(referentie_tellers.c.laatste)
        )
        with self.engine.begin() as conn:
            return int(conn.execute(stmt).scalar_one())


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
