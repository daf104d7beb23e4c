"""The status of a melding for the partner who reported it: the stage only, never content.

- `ontvangen`: received, no investigation yet;
- `in_onderzoek`: verification started its onderzoek or decided (geverifieerd), not closed;
- `afgerond`: verification closed the case (afgesloten);
- `heropend`: verification reopened a closed case (until its next step);
- `ingetrokken`: the melding was withdrawn (it counts nowhere).

With it: whether intake still holds personal data of the melding (false after erasure), when
the status last changed (the latest of the melding's own events, verification's last step and
the erasure), and an ETag that changes whenever any of these does.

Intake learns the stage from verification's events (consumers.py). It keeps only the stage
per case, in a small table in intake's schema, written in the same transaction as the stream
position; verification's version ('<zaak>:<version>' event ids) makes an event republished
after JetStream's duplicate window harmless. What verification decided never reaches intake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import BigInteger, Column, DateTime, Engine, MetaData, Table, Text, select
from sqlalchemy.dialects.postgresql import insert

from services.intake.application import IntakeApplication
from services.intake.bewaring import bewaring_tables
from services.intake.domain import Melding
from shared.db import PositionStore, positions_table
from shared.eventstore import metadata_of


class Stadium(StrEnum):
    ontvangen = "ontvangen"
    in_onderzoek = "in_onderzoek"
    afgerond = "afgerond"
    heropend = "heropend"
    ingetrokken = "ingetrokken"


#: The stage each of verification's events brings a case to (other events change nothing).
STADIUM_NA = {
    "onderzoek_gestart": Stadium.in_onderzoek,
    "geverifieerd": Stadium.in_onderzoek,
    "afgesloten": Stadium.afgerond,
    "heropend": Stadium.heropend,
}


def stadium(*, ingetrokken: bool, verificatie: Stadium | None) -> Stadium:
    """A withdrawn melding is ingetrokken; otherwise verification's last step decides."""
    if ingetrokken:
        return Stadium.ingetrokken
    return verificatie or Stadium.ontvangen


@dataclass(frozen=True)
class Voortgang:
    """One step of verification as intake records it: which case, which stage, which version."""

    zaak_id: str
    stadium: Stadium
    versie: int
    recorded_at: datetime


class StatusStore(Protocol):
    """Where intake keeps verification's stage per case, with the stream position."""

    def record(self, position_name: str, sequence: int, voortgang: Voortgang | None) -> bool:
        """Apply one delivery (None: nothing to change); False if processed before."""
        ...

    def voortgang(self, zaak_id: str) -> Voortgang | None:
        """Verification's last step of the case as intake recorded it."""
        ...

    def gewist_op(self, zaak_id: str) -> datetime | None:
        """When the case's personal data was erased (None: not erased)."""
        ...


class InMemoryStatusStore:
    """A status store in dicts, for unit tests."""

    def __init__(self) -> None:
        self.stappen: dict[str, Voortgang] = {}
        self.positions: dict[str, int] = {}
        self.wissingen: dict[str, datetime] = {}

    def record(self, position_name: str, sequence: int, voortgang: Voortgang | None) -> bool:
        if sequence <= self.positions.get(position_name, 0):
            return False
        if voortgang is not None:
            eerder = self.stappen.get(voortgang.zaak_id)
            if eerder is None or eerder.versie < voortgang.versie:
                self.stappen[voortgang.zaak_id] = voortgang
        self.positions[position_name] = sequence
        return True

    def voortgang(self, zaak_id: str) -> Voortgang | None:
        return self.stappen.get(zaak_id)

    def gewist_op(self, zaak_id: str) -> datetime | None:
        return self.wissingen.get(zaak_id)


def melding_status_table(metadata: MetaData) -> Table:
    """The stage per case as verification last reported it."""
    if "melding_status" in metadata.tables:
        return metadata.tables["melding_status"]
    return Table(
        "melding_status",
        metadata,
        Column("zaak_id", Text, primary_key=True),
        Column("stadium", Text, nullable=False),
        Column("verificatie_versie", BigInteger, nullable=False),
        Column("bijgewerkt_op", DateTime(timezone=True), nullable=False),
    )


class SqlStatusStore:
    """The stage per case and the stream position, in one transaction (intake's schema)."""

    def __init__(self, engine: Engine, metadata: MetaData) -> None:
        self.engine = engine
        self.table = melding_status_table(metadata)
        self.wissingen = bewaring_tables(metadata)[1]
        self.positions = PositionStore(engine, positions_table(metadata))

    def record(self, position_name: str, sequence: int, voortgang: Voortgang | None) -> bool:
        positions = self.positions.table
        with self.engine.begin() as conn:
            done = conn.execute(
                select(positions.c.position)
                .where(positions.c.name == position_name)
                .with_for_update()
            ).scalar()
            if done is not None and sequence <= done:
                return False
            if voortgang is not None:
                values: dict[str, Any] = {
                    "zaak_id": voortgang.zaak_id,
                    "stadium": str(voortgang.stadium),
                    "verificatie_versie": voortgang.versie,
                    "bijgewerkt_op": voortgang.recorded_at,
                }
                stmt = insert(self.table).values(**values)
                conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=[self.table.c.zaak_id],
                        set_={k: stmt.excluded[k] for k in values if k != "zaak_id"},
                        where=self.table.c.verificatie_versie < stmt.excluded.verificatie_versie,
                    )
                )
            self.positions.set(position_name, sequence, conn)
        return True

    def voortgang(self, zaak_id: str) -> Voortgang | None:
        t = self.table
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.zaak_id == zaak_id)).first()
        if row is None:
            return None
        return Voortgang(zaak_id, Stadium(row.stadium), row.verificatie_versie, row.bijgewerkt_op)

    def gewist_op(self, zaak_id: str) -> datetime | None:
        w = self.wissingen
        with self.engine.connect() as conn:
            value = conn.execute(select(w.c.gewist_op).where(w.c.zaak_id == zaak_id)).scalar()
        return value if isinstance(value, datetime) else None


@dataclass(frozen=True)
class MeldingStatus:
    """The status of one melding."""

    zaak_id: UUID
    referentie: str
    stadium: Stadium
    heeft_persoonsgegevens: bool
    gewijzigd_op: datetime
    etag: str


class MeldingStatussen:
    """Answers "how far is my melding?" from the melding and verification's last step."""

    def __init__(self, intake: IntakeApplication, store: StatusStore) -> None:
        self.intake = intake
        self.store = store

    def status(self, zaak_id: UUID) -> MeldingStatus:
        """The status of a melding (MeldingNotFound for an unknown one)."""
        melding = self.intake.get_melding(zaak_id)
        voortgang = self.store.voortgang(str(zaak_id))
        gewist_op = self.store.gewist_op(str(zaak_id))
        momenten = [melding.modified_on]
        if voortgang is not None:
            momenten.append(voortgang.recorded_at)
        if gewist_op is not None:
            momenten.append(gewist_op)
        versie = voortgang.versie if voortgang is not None else 0
        return MeldingStatus(
            zaak_id=zaak_id,
            referentie=melding.referentie,
            stadium=stadium(
                ingetrokken=melding.ingetrokken,
                verificatie=voortgang.stadium if voortgang is not None else None,
            ),
            heeft_persoonsgegevens=melding.persoonsgegevens is not None and gewist_op is None,
            gewijzigd_op=max(momenten),
            # every change of the status is a new melding version, verification version or
            # the erasure: the three together name the status
            etag=f'W/"{melding.version}.{versie}.{int(gewist_op is not None)}"',
        )

    def gemeld_door_org(self, melding: Melding) -> str | None:
        """The organisation that reported the melding (the actor stored with its Gemeld
        event), for the check per case (policy.py)."""
        for gemeld in self.intake.repository.event_store.get(melding.id, lte=1):
            actor = metadata_of(gemeld).get("actor")
            if isinstance(actor, dict) and isinstance(actor.get("org"), str):
                return str(actor["org"])
        return None
