"""Intake's SQL adapters: the referenties and the ids of Idempotency-Keys (the case keys
are in the key service, shared/crypto.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID, uuid4

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
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
