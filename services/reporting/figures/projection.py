"""The one well-kept case projection: integration events -> ``ZaakStaat`` as of a date.

Two kinds of "as of", both honoured by :func:`zaken_as_of`:

* ``peildatum`` (business time): the state of affairs on that date by what we know now.
  An event counts when its business date (``gemeld_op``, ``besloten_op``, ``datum``) is on or
  before the peildatum, also when it was recorded later.
* ``registratie_tot`` (technical time): additionally only events with ``recorded_at`` on or
  before this moment count, which gives the figures exactly as they could have been produced
  then, before later corrections and late registrations.

Corrections and withdrawals are retroactive. A ``gecorrigeerd`` event fixes a mistake in the
melding (onderwerp, betrokkene, land, gemeld_op): the melding was wrong from the start, so the
correction applies for every peildatum, also one before the correction's ``datum`` (which is
when the correction was decided). Corrections are therefore filtered by ``recorded_at`` only
(``registratie_tot``), never by peildatum. The same holds for ``ingetrokken`` (a melding made in
error): once recorded, it no longer counts for any peildatum. To see the figures as they stood
before a correction, use ``registratie_tot``.

Revised outcomes are not retroactive: a later ``geverifieerd`` (``herziening: true``) replaces
the earlier outcome from its own ``besloten_op`` on. ``adviesvraag_ontvangen`` is never a
melding. Events may arrive in any order and from any source; the fold sorts by business date,
then ``recorded_at``, then ``event_id``, ignores duplicates (same ``event_id``), skips unknown
event types, and a case without a ``gemeld`` event (e.g. only its verification arrived so far)
is not a melding yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from .envelope import (
    Event,
    as_utc,
    parse_bool,
    parse_date,
    parse_envelope,
    parse_int,
    parse_str,
)
from .model import (
    OPEN,
    STAGE_AFGESLOTEN,
    STAGE_LOPEND,
    STAGE_OPEN,
    Bijstand,
    ZaakStaat,
)

NOOIT_MELDING: Final = frozenset({"adviesvraag_ontvangen"})
"""Event types that never make or change a melding."""

RETROACTIEF: Final = frozenset({"gemeld", "gecorrigeerd", "ingetrokken"})
"""Intake events handled outside the business-date fold (see the module docstring)."""

CORRIGEERBAAR: Final = frozenset(
    {
        "onderwerp",
        "betrokkene",
        "land",
        "gemeld_op",
        # Not in contract v1, accepted tolerantly should intake ever correct them:
        "melder",
        "nationaliteit",
        "brp_ingeschreven",
        "verblijfsrecht",
        "bz_betrokken",
    }
)


def zaken_as_of(
    envelopes: Iterable[Mapping[str, Any]],
    peildatum: date,
    registratie_tot: datetime | None = None,
) -> list[ZaakStaat]:
    """All meldingen with ``gemeld_op <= peildatum`` and their state on the peildatum.

    ``envelopes`` are integration-event envelopes exactly as in docs/contracts.md, in any
    order. With ``registratie_tot`` only events recorded on or before it are used (naive
    datetimes are taken as UTC). Withdrawn meldingen (``ingetrokken``) and adviesvragen are
    left out. The result is sorted by gemeld_op, referentie and zaak_id.
    """
    grens = as_utc(registratie_tot) if registratie_tot is not None else None
    per_zaak = _groepeer(envelopes, grens)
    zaken: list[ZaakStaat] = []
    for zaak_id, events in per_zaak.items():
        staat = _vouw(zaak_id, events, peildatum)
        if staat is not None:
            zaken.append(staat)
    zaken.sort(key=lambda z: (z.gemeld_op, z.referentie or "", z.zaak_id))
    return zaken


def _groepeer(
    envelopes: Iterable[Mapping[str, Any]], grens: datetime | None
) -> dict[str, list[Event]]:
    gezien: set[str] = set()
    per_zaak: dict[str, list[Event]] = defaultdict(list)
    for envelope in envelopes:
        event = parse_envelope(envelope)
        if event is None or event.event_id in gezien:
            continue
        if grens is not None and event.recorded_at > grens:
            continue
        gezien.add(event.event_id)
        if event.event_type in NOOIT_MELDING:
            continue
        for zaak_id in _zaken_van(event):
            per_zaak[zaak_id].append(event)
    return per_zaak


def _zaken_van(event: Event) -> list[str]:
    """The cases an event is about; a regieoverleg lists its cases in ``data.zaken``."""
    if event.event_type == "regieoverleg_gehouden":
        zaken = event.data.get("zaken")
        if not isinstance(zaken, list):
            return []
        ids = (z.get("zaak_id") for z in zaken if isinstance(z, Mapping))
        return [str(i) for i in ids if i]
    return [event.zaak_id] if event.zaak_id else []


def _melding(events: list[Event]) -> tuple[dict[str, Any], tuple[str, ...]] | None:
    """The melding's data with all known corrections applied, or None when there is none."""
    gemeld = sorted((e for e in events if e.event_type == "gemeld"), key=lambda e: e.volgorde)
    if not gemeld or any(e.event_type == "ingetrokken" for e in events):
        return None
    melding = dict(gemeld[0].data)
    melding.setdefault("gemeld_op", gemeld[0].datum.isoformat())
    gewijzigd: list[str] = []
    correcties = sorted((e for e in events if e.event_type == "gecorrigeerd"), key=_correctie_orde)
    for correctie in correcties:
        wijzigingen = correctie.data.get("wijzigingen")
        if not isinstance(wijzigingen, Mapping):
            continue
        for veld, nieuw in wijzigingen.items():
            if veld not in CORRIGEERBAAR:
                continue
            oud = melding.get(veld)
            if isinstance(oud, Mapping) and isinstance(nieuw, Mapping):
                nieuw = {**oud, **nieuw}
            elif veld == "betrokkene" and isinstance(nieuw, str) and isinstance(oud, Mapping):
                nieuw = {**oud, "categorie": nieuw}
            melding[veld] = nieuw
            if veld not in gewijzigd:
                gewijzigd.append(veld)
    return melding, tuple(gewijzigd)


def _correctie_orde(event: Event) -> tuple[datetime, date, str]:
    return (event.recorded_at, event.datum, event.event_id)


@dataclass
class _Verloop:
    """Mutable accumulator for the business-date fold of one case."""

    uitkomst: str = OPEN
    reden: str | None = None
    bevinding: str | None = None
    onderwerp_vastgesteld: str | None = None
    verificatie_datum: date | None = None
    uitkomst_besloten_op: date | None = None
    herzien: bool = False
    afloop: str | None = None
    afloop_datum: date | None = None
    bijstand: list[Bijstand] = field(default_factory=list)
    onderzoek_gestart_op: date | None = None
    afgesloten_op: date | None = None
    nazorg_op: date | None = None
    regieoverleggen: int = 0

    def verwerk(self, event: Event) -> None:
        data = event.data
        soort = event.event_type
        if soort == "geverifieerd":
            self._geverifieerd(event)
        elif soort == "onderzoek_gestart":
            self.onderzoek_gestart_op = self.onderzoek_gestart_op or event.datum
        elif soort == "afloop_vastgelegd":
            self.afloop = parse_str(data.get("afloop"))
            self.afloop_datum = event.datum
        elif soort == "bijstand_verleend":
            self.bijstand.append(_bijstand(event))
        elif soort == "afgesloten":
            self.afgesloten_op = event.datum
        elif soort == "heropend":
            self.afgesloten_op = None
        elif soort == "nazorg_geregeld":
            self.nazorg_op = self.nazorg_op or event.datum
        elif soort == "regieoverleg_gehouden":
            self.regieoverleggen += 1

    def _geverifieerd(self, event: Event) -> None:
        data = event.data
        uitkomst = parse_str(data.get("uitkomst"))
        if uitkomst is None:
            return
        if self.verificatie_datum is None:
            self.verificatie_datum = event.datum
        else:
            self.herzien = True
        self.uitkomst = uitkomst
        self.uitkomst_besloten_op = event.datum
        self.reden = parse_str(data.get("reden")) if uitkomst == "onbekend" else None
        self.bevinding = (
            parse_str(data.get("bevinding")) if uitkomst == "niet_vastgesteld" else None
        )
        self.onderwerp_vastgesteld = parse_str(data.get("onderwerp"))

    @property
    def stage(self) -> str:
        if self.afgesloten_op is not None:
            return STAGE_AFGESLOTEN
        return STAGE_OPEN if self.uitkomst == OPEN else STAGE_LOPEND


def _bijstand(event: Event) -> Bijstand:
    data = event.data
    return Bijstand(
        soort=parse_str(data.get("soort")) or "onbekend",
        datum=event.datum,
        post=parse_str(data.get("post")),
        bedrag_cent=parse_int(data.get("bedrag_cent")),
        doel=parse_str(data.get("doel")),
        document=parse_str(data.get("document")),
        via=parse_str(data.get("via")),
        antwoord=parse_str(data.get("antwoord")),
    )


def _vouw(zaak_id: str, events: list[Event], peildatum: date) -> ZaakStaat | None:
    gevonden = _melding(events)
    if gevonden is None:
        return None
    melding, gecorrigeerd = gevonden
    gemeld_op = parse_date(melding.get("gemeld_op"))
    if gemeld_op is None or gemeld_op > peildatum:
        return None
    verloop = _Verloop()
    for event in sorted(events, key=lambda e: e.volgorde):
        if event.event_type not in RETROACTIEF and event.datum <= peildatum:
            verloop.verwerk(event)
    return _staat(zaak_id, melding, gemeld_op, gecorrigeerd, verloop)


def _staat(
    zaak_id: str,
    melding: Mapping[str, Any],
    gemeld_op: date,
    gecorrigeerd: tuple[str, ...],
    verloop: _Verloop,
) -> ZaakStaat:
    betrokkene = melding.get("betrokkene")
    persoon: Mapping[str, Any] = betrokkene if isinstance(betrokkene, Mapping) else {}
    categorie = parse_str(betrokkene) if isinstance(betrokkene, str) else None
    melder = melding.get("melder")
    door: Mapping[str, Any] = melder if isinstance(melder, Mapping) else {}
    geboortejaar = parse_int(persoon.get("geboortejaar"))
    leeftijd = parse_int(persoon.get("leeftijd"))
    if leeftijd is None and geboortejaar is not None:
        leeftijd = gemeld_op.year - geboortejaar
    land = parse_str(melding.get("land"))
    return ZaakStaat(
        zaak_id=zaak_id,
        referentie=parse_str(melding.get("referentie")),
        gemeld_op=gemeld_op,
        onderwerp=parse_str(melding.get("onderwerp")),
        betrokkene=categorie or parse_str(persoon.get("categorie")),
        geslacht=parse_str(persoon.get("geslacht")),
        geboortejaar=geboortejaar,
        leeftijd=leeftijd,
        aantal_kinderen=parse_int(persoon.get("aantal_kinderen")),
        land=land.upper() if land else None,
        melder=parse_str(door.get("type")) or (melder if isinstance(melder, str) else None),
        melder_organisatie=parse_str(door.get("organisatie")),
        nationaliteit=parse_str(melding.get("nationaliteit")),
        brp_ingeschreven=parse_bool(melding.get("brp_ingeschreven")),
        verblijfsrecht=parse_bool(melding.get("verblijfsrecht")),
        bz_betrokken=parse_bool(melding.get("bz_betrokken")),
        uitkomst=verloop.uitkomst,
        reden=verloop.reden,
        bevinding=verloop.bevinding,
        onderwerp_vastgesteld=verloop.onderwerp_vastgesteld,
        verificatie_datum=verloop.verificatie_datum,
        uitkomst_besloten_op=verloop.uitkomst_besloten_op,
        herzien=verloop.herzien,
        afloop=verloop.afloop,
        afloop_datum=verloop.afloop_datum,
        bijstand=tuple(verloop.bijstand),
        consulaire_bijstand=bool(verloop.bijstand),
        stage=verloop.stage,
        onderzoek_gestart_op=verloop.onderzoek_gestart_op,
        afgesloten_op=verloop.afgesloten_op,
        nazorg_op=verloop.nazorg_op,
        regieoverleggen=verloop.regieoverleggen,
        gecorrigeerd=gecorrigeerd,
    )
