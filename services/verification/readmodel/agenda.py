"""The regieoverleg agenda, read from the agenda tables, and consular developments into them.

Which cases the agenda lists (for a meeting on `datum`; the previous regieoverleg is the
last one held before `datum`):
- niet_geverifieerd: not verified yet and not closed (new and unverified);
- actie_verlopen: an action of an earlier regieoverleg is open past its deadline;
- recente_ontwikkeling: a dated step after the previous regieoverleg, up to `datum`
  (verification's own steps and consular aid or afloop; every step when there was none).
Withdrawn cases and cases reported after `datum` are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, and_, case, exists, literal, or_, select, true
from sqlalchemy.dialects.postgresql import insert

from services.verification.readmodel.projection import lock_position, set_position
from services.verification.readmodel.tables import acties, ontwikkelingen, overleggen, zaken


@dataclass(frozen=True)
class OpenActie:
    overleg_id: str
    actie_id: str
    eigenaar: str
    omschrijving: str
    deadline: date
    verlopen: bool


@dataclass(frozen=True)
class Ontwikkeling:
    soort: str
    datum: date
    bron: str


@dataclass
class AgendaPunt:
    zaak_id: str
    referentie: str
    stage: str
    gemeld_op: date
    leeftijd_dagen: int
    onderwerp: str
    land: str
    redenen: list[str]
    open_acties: list[OpenActie] = field(default_factory=list)
    ontwikkelingen: list[Ontwikkeling] = field(default_factory=list)


@dataclass(frozen=True)
class Agenda:
    datum: date
    vorig_overleg_id: str | None
    vorig_overleg_datum: date | None
    zaken: list[AgendaPunt]


class AgendaStore:
    """Queries the agenda; records consular developments with their stream position."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record_ontwikkeling(
        self,
        *,
        position_name: str,
        sequence: int,
        event_id: str,
        zaak_id: str,
        bron: str,
        soort: str,
        datum: date,
    ) -> None:
        """Store another service's development once, moving its position in one transaction."""
        with self.engine.begin() as conn:
            if sequence <= lock_position(conn, position_name):
                return  # redelivered
            conn.execute(
                insert(ontwikkelingen)
                .values(event_id=event_id, zaak_id=zaak_id, bron=bron, soort=soort, datum=datum)
                .on_conflict_do_nothing()  # republished after the duplicate window
            )
            set_position(conn, position_name, sequence)

    def skip(self, position_name: str, sequence: int) -> None:
        """Record that a delivery needed no change."""
        with self.engine.begin() as conn:
            if sequence > lock_position(conn, position_name):
                set_position(conn, position_name, sequence)

    def agenda(self, datum: date) -> Agenda:
        """The cases to discuss at a regieoverleg on `datum`, most urgent first.

        One snapshot (repeatable read) for all its queries: the projection may write meanwhile.
        """
        snapshot = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with self.engine.connect().execution_options(**snapshot) as conn, conn.begin():
            vorig = conn.execute(
                select(overleggen.c.overleg_id, overleggen.c.datum)
                .where(overleggen.c.datum < datum)
                .order_by(overleggen.c.datum.desc(), overleggen.c.overleg_id.desc())
                .limit(1)
            ).first()
            sinds = vorig.datum if vorig is not None else None
            recent = and_(
                ontwikkelingen.c.datum <= datum,
                ontwikkelingen.c.datum > sinds if sinds is not None else true(),
            )
            niet_geverifieerd = and_(~zaken.c.geverifieerd, ~zaken.c.afgesloten)
            verlopen = exists().where(
                acties.c.zaak_id == zaken.c.zaak_id,
                acties.c.afgerond_op.is_(None),
                acties.c.deadline < datum,
            )
            ontwikkeld = exists().where(ontwikkelingen.c.zaak_id == zaken.c.zaak_id, recent)
            stage = case(
                (zaken.c.afgesloten, literal("afgesloten")),
                (zaken.c.geverifieerd, literal("lopend")),
                else_=literal("open"),
            )
            kandidaten = (
                select(
                    zaken,
                    stage.label("stage"),
                    niet_geverifieerd.label("niet_geverifieerd"),
                    verlopen.label("actie_verlopen"),
                    ontwikkeld.label("recente_ontwikkeling"),
                )
                .where(
                    ~zaken.c.ingetrokken,
                    zaken.c.gemeld_op <= datum,
                    or_(niet_geverifieerd, verlopen, ontwikkeld),
                )
                .cte("kandidaten")
            )
            punten: dict[str, AgendaPunt] = {}
            for rij in conn.execute(select(kandidaten)):
                redenen = [
                    r
                    for r in ("actie_verlopen", "niet_geverifieerd", "recente_ontwikkeling")
                    if getattr(rij, r)
                ]
                punten[rij.zaak_id] = AgendaPunt(
                    zaak_id=rij.zaak_id,
                    referentie=rij.referentie,
                    stage=rij.stage,
                    gemeld_op=rij.gemeld_op,
                    leeftijd_dagen=(datum - rij.gemeld_op).days,
                    onderwerp=rij.onderwerp,
                    land=rij.land,
                    redenen=redenen,
                )
            open_acties = (
                select(acties)
                .join(kandidaten, kandidaten.c.zaak_id == acties.c.zaak_id)
                .where(acties.c.afgerond_op.is_(None))
                .order_by(acties.c.deadline, acties.c.actie_id)
            )
            for actie in conn.execute(open_acties):
                punten[actie.zaak_id].open_acties.append(
                    OpenActie(
                        overleg_id=actie.overleg_id,
                        actie_id=actie.actie_id,
                        eigenaar=actie.eigenaar,
                        omschrijving=actie.omschrijving,
                        deadline=actie.deadline,
                        verlopen=actie.deadline < datum,
                    )
                )
            recente = (
                select(ontwikkelingen)
                .join(kandidaten, kandidaten.c.zaak_id == ontwikkelingen.c.zaak_id)
                .where(recent)
                .order_by(ontwikkelingen.c.datum, ontwikkelingen.c.event_id)
            )
            for stap in conn.execute(recente):
                punten[stap.zaak_id].ontwikkelingen.append(
                    Ontwikkeling(soort=stap.soort, datum=stap.datum, bron=stap.bron)
                )
        volgorde = sorted(
            punten.values(),
            key=lambda p: (
                "actie_verlopen" not in p.redenen,
                "niet_geverifieerd" not in p.redenen,
                -p.leeftijd_dagen,
                p.referentie,
            ),
        )
        return Agenda(
            datum=datum,
            vorig_overleg_id=vorig.overleg_id if vorig is not None else None,
            vorig_overleg_datum=sinds,
            zaken=volgorde,
        )
