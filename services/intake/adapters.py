"""Intake's SQL adapters: the referentie counter and the ids of Idempotency-Keys (the case
keys are in the key service, shared/crypto.py)."""

from __future__ import annotations

from uuid import UUID, uuid4

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
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
