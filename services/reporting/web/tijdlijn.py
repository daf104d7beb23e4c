"""A case's history as the coordinators read it: the timeline and the regieoverleg actions.

Pure functions over integration-event envelopes (docs/contracts.md), in any order and from
any service; unknown event types are shown by their name, never dropped. The events carry
codes and dates only: the texts of a regieoverleg (besluiten, what an action is) are added
from verification's answer (`Overlegtekst`) when the page has it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from services.reporting.figures.envelope import Event, parse_date, parse_envelope, parse_str
from services.reporting.web import labels
from services.reporting.web.labels import label


@dataclass(frozen=True)
class Actie:
    """One action agreed in a regieoverleg, and whether it is done."""

    overleg_id: str
    actie_id: str
    zaak_id: str
    eigenaar: str | None
    omschrijving: str | None
    deadline: date | None
    afgesproken_op: date | None
    afgerond_op: date | None = None

    @property
    def open(self) -> bool:
        return self.afgerond_op is None

    def te_laat(self, vandaag: date) -> bool:
        """Open with a deadline before today."""
        return self.open and self.deadline is not None and self.deadline < vandaag


@dataclass(frozen=True)
class Regel:
    """One line of the timeline: what happened when, and who recorded it when."""

    event_id: str
    event_type: str
    datum: date
    wat: str
    details: tuple[str, ...]
    dienst: str
    door: str
    vastgelegd_op: datetime


@dataclass(frozen=True)
class Overlegtekst:
    """What verification holds about one regieoverleg beyond the event: its texts, its versie."""

    versie: int | None
    besluiten: Mapping[str, list[str]]
    acties: Mapping[str, str]


def overlegtekst(overleg: Mapping[str, Any]) -> Overlegtekst:
    """From verification's GET /v1/regieoverleggen/{overleg_id} answer."""
    besluiten: dict[str, list[str]] = {}
    acties: dict[str, str] = {}
    for zaak in _zaken_in_overleg(overleg):
        besluiten[str(zaak["zaak_id"])] = [
            b for b in zaak.get("besluiten") or [] if isinstance(b, str)
        ]
        for actie in zaak.get("acties") or []:
            if isinstance(actie, Mapping) and actie.get("actie_id") and actie.get("omschrijving"):
                acties[str(actie["actie_id"])] = str(actie["omschrijving"])
    versie = overleg.get("versie")
    return Overlegtekst(
        versie=versie if isinstance(versie, int) else None, besluiten=besluiten, acties=acties
    )


@dataclass
class Zaakverloop:
    """Everything the timeline of one case shows."""

    regels: list[Regel] = field(default_factory=list)
    acties: list[Actie] = field(default_factory=list)

    @property
    def open_acties(self) -> list[Actie]:
        return [a for a in self.acties if a.open]


def _zaken_in_overleg(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    zaken = data.get("zaken")
    if not isinstance(zaken, list):
        return []
    return [z for z in zaken if isinstance(z, Mapping) and z.get("zaak_id")]


def acties_per_zaak(envelopes: Iterable[Mapping[str, Any]]) -> dict[str, list[Actie]]:
    """Every regieoverleg action per case, with its afgerond_op when it was marked done."""
    afgesproken: dict[tuple[str, str], Actie] = {}
    afgerond: dict[tuple[str, str], date] = {}
    for envelope in envelopes:
        soort = envelope.get("event_type")
        data = envelope.get("data")
        if not isinstance(data, Mapping):
            continue
        if soort == "regieoverleg_gehouden":
            for actie in _acties_uit_overleg(data):
                afgesproken[(actie.overleg_id, actie.actie_id)] = actie
        elif soort == "actie_afgerond":
            sleutel = (str(data.get("overleg_id")), str(data.get("actie_id")))
            datum = parse_date(data.get("datum"))
            if datum is not None:
                afgerond[sleutel] = min(datum, afgerond.get(sleutel, datum))
    per_zaak: dict[str, list[Actie]] = {}
    for sleutel, actie in afgesproken.items():
        if sleutel in afgerond:
            actie = Actie(**{**actie.__dict__, "afgerond_op": afgerond[sleutel]})
        per_zaak.setdefault(actie.zaak_id, []).append(actie)
    for acties in per_zaak.values():
        acties.sort(
            key=lambda a: (a.deadline or date.max, a.afgesproken_op or date.min, a.actie_id)
        )
    return per_zaak


def _acties_uit_overleg(data: Mapping[str, Any]) -> list[Actie]:
    overleg_id = str(data.get("overleg_id") or "")
    datum = parse_date(data.get("datum")) or date.min
    acties = []
    for zaak in _zaken_in_overleg(data):
        for ruw in zaak.get("acties") or []:
            if not isinstance(ruw, Mapping) or not ruw.get("actie_id"):
                continue
            acties.append(
                Actie(
                    overleg_id=overleg_id,
                    actie_id=str(ruw["actie_id"]),
                    zaak_id=str(zaak["zaak_id"]),
                    eigenaar=parse_str(ruw.get("eigenaar")),
                    omschrijving=parse_str(ruw.get("omschrijving")),
                    deadline=parse_date(ruw.get("deadline")),
                    afgesproken_op=datum,
                )
            )
    return acties


def gaat_over(envelope: Mapping[str, Any], zaak_id: str) -> bool:
    """Whether an event is about the case (a regieoverleg names its cases in data.zaken)."""
    if envelope.get("zaak_id") == zaak_id:
        return True
    data = envelope.get("data")
    if envelope.get("event_type") != "regieoverleg_gehouden" or not isinstance(data, Mapping):
        return False
    return any(str(z["zaak_id"]) == zaak_id for z in _zaken_in_overleg(data))


def door(recorded_by: object) -> str:
    """Who recorded an event: 'LKHA · j.jansen (coördinator)', or 'onbekend'."""
    if not isinstance(recorded_by, Mapping):
        return "onbekend"
    org = labels.organisatie(recorded_by.get("org"))
    user = parse_str(recorded_by.get("user"))
    rol = parse_str(recorded_by.get("rol"))
    tekst = f"{org} · {user}" if user else org
    return f"{tekst} ({label(labels.ROL, rol)})" if rol else tekst


def overleg_ids(envelopes: Iterable[Mapping[str, Any]]) -> list[str]:
    """The regieoverleggen among the events, in order of appearance."""
    ids: list[str] = []
    for envelope in envelopes:
        data = envelope.get("data")
        if envelope.get("event_type") == "regieoverleg_gehouden" and isinstance(data, Mapping):
            overleg_id = str(data.get("overleg_id") or "")
            if overleg_id and overleg_id not in ids:
                ids.append(overleg_id)
    return ids


def _met_tekst(actie: Actie, teksten: Mapping[str, Overlegtekst]) -> Actie:
    tekst = teksten.get(actie.overleg_id)
    omschrijving = tekst.acties.get(actie.actie_id) if tekst else None
    if not omschrijving or omschrijving == actie.omschrijving:
        return actie
    return Actie(**{**actie.__dict__, "omschrijving": omschrijving})


def historie(
    envelopes: Iterable[Mapping[str, Any]],
    zaak_id: str,
    teksten: Mapping[str, Overlegtekst] | None = None,
) -> Zaakverloop:
    """The timeline (business date, then recorded_at) and the actions of one case."""
    teksten = teksten or {}
    eigen = [e for e in envelopes if gaat_over(e, zaak_id)]
    regels: list[Regel] = []
    gezien: set[tuple[str, str]] = set()
    acties = [_met_tekst(a, teksten) for a in acties_per_zaak(eigen).get(zaak_id, [])]
    omschrijving = {(a.overleg_id, a.actie_id): a.omschrijving for a in acties}
    for envelope in eigen:
        event = parse_envelope(envelope)
        if event is None or event.sleutel in gezien:
            continue
        gezien.add(event.sleutel)
        regels.append(
            Regel(
                event_id=event.event_id,
                event_type=event.event_type,
                datum=event.datum,
                wat=label(labels.GEBEURTENIS, event.event_type),
                details=tuple(_details(event, zaak_id, omschrijving, teksten)),
                dienst=label(labels.DIENST, envelope.get("source")),
                door=door(envelope.get("recorded_by")),
                vastgelegd_op=event.recorded_at,
            )
        )
    regels.sort(key=lambda r: (r.datum, r.vastgelegd_op, r.event_id))
    return Zaakverloop(regels=regels, acties=acties)


def _details(
    event: Event,
    zaak_id: str,
    omschrijving: Mapping[tuple[str, str], str | None],
    teksten: Mapping[str, Overlegtekst],
) -> Sequence[str]:
    data = event.data
    soort = event.event_type
    if soort == "gemeld":
        return _gemeld(data)
    if soort == "gecorrigeerd":
        return _gecorrigeerd(data)
    if soort == "geverifieerd":
        return _geverifieerd(data)
    if soort == "regieoverleg_gehouden":
        return _overleg(data, zaak_id, teksten.get(str(data.get("overleg_id"))))
    if soort == "actie_afgerond":
        tekst = omschrijving.get((str(data.get("overleg_id")), str(data.get("actie_id"))))
        return [f"Actie: {tekst}"] if tekst else []
    if soort == "bijstand_verleend":
        return _bijstand(data)
    if soort == "afloop_vastgelegd":
        return [label(labels.AFLOOP, data.get("afloop"))]
    if soort in _REDENEN and parse_str(data.get("reden")):
        return [f"Reden: {label(_REDENEN[soort], data['reden'])}"]
    return [str(data[k]) for k in ("reden", "omschrijving") if parse_str(data.get(k))]


_REDENEN = {
    "afgesloten": labels.REDEN_AFSLUITING,
    "heropend": labels.REDEN_HEROPENING,
    "ingetrokken": {},
}


def _gemeld(data: Mapping[str, Any]) -> list[str]:
    betrokkene = data.get("betrokkene")
    categorie = betrokkene.get("categorie") if isinstance(betrokkene, Mapping) else betrokkene
    melder = data.get("melder")
    melder_type = melder.get("type") if isinstance(melder, Mapping) else melder
    organisatie = parse_str(melder.get("organisatie")) if isinstance(melder, Mapping) else None
    return [
        f"{label(labels.ONDERWERP, data.get('onderwerp'))}, "
        f"{label(labels.BETROKKENE, categorie)}, {labels.land(data.get('land'))}",
        f"Gemeld door: {label(labels.MELDER, melder_type)}"
        + (f" ({organisatie})" if organisatie else ""),
    ]


_VELD_LIJST = {"onderwerp": labels.ONDERWERP, "betrokkene": labels.BETROKKENE}


def _waarde(veld: str, waarde: object) -> str:
    if isinstance(waarde, Mapping):
        waarde = waarde.get("categorie")
    if veld == "land":
        return labels.land(waarde)
    if veld in _VELD_LIJST:
        return label(_VELD_LIJST[veld], waarde)
    return "—" if waarde is None else str(waarde)


def _gecorrigeerd(data: Mapping[str, Any]) -> list[str]:
    wijzigingen = data.get("wijzigingen")
    vorige = data.get("vorige")
    oud: Mapping[str, Any] = vorige if isinstance(vorige, Mapping) else {}
    regels = [
        f"{veld}: {_waarde(veld, oud.get(veld))} → {_waarde(veld, nieuw)}"
        for veld, nieuw in (wijzigingen.items() if isinstance(wijzigingen, Mapping) else [])
    ]
    if parse_str(data.get("reden")):
        regels.append(f"Reden: {data['reden']}")
    return regels


def _geverifieerd(data: Mapping[str, Any]) -> list[str]:
    regels = [f"Uitkomst: {label(labels.UITKOMST, data.get('uitkomst'))}"]
    if parse_str(data.get("bevinding")):
        regels.append(f"Bevinding: {label(labels.BEVINDING, data['bevinding'])}")
    if parse_str(data.get("reden")):
        regels.append(f"Reden: {label(labels.REDEN, data['reden'])}")
    if data.get("herziening"):
        reden = data.get("reden_herziening")
        regels.append(f"Herziening: {label(labels.REDEN_HERZIENING, reden) if reden else 'ja'}")
    return regels


def _overleg(data: Mapping[str, Any], zaak_id: str, tekst: Overlegtekst | None) -> list[str]:
    deelnemers = data.get("deelnemers")
    regels = []
    if isinstance(deelnemers, list) and deelnemers:
        regels.append("Deelnemers: " + ", ".join(labels.organisatie(d) for d in deelnemers))
    for zaak in _zaken_in_overleg(data):
        if str(zaak["zaak_id"]) != zaak_id:
            continue
        besluiten = tekst.besluiten.get(zaak_id) if tekst else None
        if besluiten is None:
            besluiten = [b for b in zaak.get("besluiten") or [] if isinstance(b, str)]
        regels += [f"Besluit: {b}" for b in besluiten]
        aantal = zaak.get("aantal_besluiten")
        if not besluiten and isinstance(aantal, int) and aantal:
            regels.append(f"{aantal} besluit(en); de tekst staat bij verificatie")
        for actie in zaak.get("acties") or []:
            if isinstance(actie, Mapping):
                deadline = parse_date(actie.get("deadline"))
                tot = f", uiterlijk {deadline:%d-%m-%Y}" if deadline else ""
                wat = (tekst.acties.get(str(actie.get("actie_id"))) if tekst else None) or (
                    actie.get("omschrijving") or "—"
                )
                regels.append(f"Actie voor {labels.organisatie(actie.get('eigenaar'))}: {wat}{tot}")
    return regels


def _bijstand(data: Mapping[str, Any]) -> list[str]:
    regels = [label(labels.BIJSTAND, data.get("soort"))]
    if parse_str(data.get("post")):
        regels.append(f"Post: {data['post']}")
    bedrag = data.get("bedrag_cent")
    if isinstance(bedrag, int) and not isinstance(bedrag, bool):
        regels.append(f"Bedrag: € {bedrag / 100:,.2f}".replace(",", " ").replace(".", ","))
    for veld in ("doel", "document", "via", "antwoord"):
        if parse_str(data.get(veld)):
            regels.append(f"{veld.capitalize()}: {str(data[veld]).replace('_', ' ')}")
    return regels
