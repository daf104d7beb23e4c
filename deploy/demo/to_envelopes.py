"""Turn the demo data set into the integration-event envelopes the services would emit.

Pure and standard-library only: the unit tests of the reporting core feed these envelopes to
the projection; the end-to-end test posts the same data set through the HTTP APIs instead.
The format of the data set is described in deploy/demo/README.md.

Determinism: zaak ids, aggregate ids, regieoverleg and actie ids are UUIDv5 names under a
fixed namespace; ``event_id`` is ``"<aggregate uuid>:<aggregate version>"`` as in the
contract, with versions numbered in recorded order per aggregate (one aggregate per source
and case). ``recorded_at`` is the step's ``recorded_at`` hint when given (the melding's is
``melding_recorded_at`` on the case), else the business date at 09:00 UTC plus 7 minutes per
step, and never before the melding itself was recorded.

Free text (toelichtingen, the nazorg omschrijving, a regieoverleg's besluiten and action
omschrijvingen) stays out of the envelopes, as docs/contracts.md says.

Usage: ``python -m deploy.demo.to_envelopes [data set ...] > envelopes.jsonl``
"""

from __future__ import annotations

import json
import sys
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final

NAMESPACE: Final = uuid.UUID("6f1c2a0e-3b7d-5c1e-9a44-4b6e6b6f7070")
HIER: Final = Path(__file__).resolve().parent
STANDAARD: Final = (HIER / "jaarcijfers_2017_2018.json", HIER / "meldingen_2019.json")

ACTIES: Final[Mapping[str, tuple[str, str]]] = {
    "correctie": ("intake", "gecorrigeerd"),
    "ingetrokken": ("intake", "ingetrokken"),
    "onderzoek_gestart": ("verification", "onderzoek_gestart"),
    "regieoverleg": ("verification", "regieoverleg_gehouden"),
    "geverifieerd": ("verification", "geverifieerd"),
    "nazorg": ("verification", "nazorg_geregeld"),
    "afgesloten": ("verification", "afgesloten"),
    "heropend": ("verification", "heropend"),
    "bijstand": ("consular", "bijstand_verleend"),
    "afloop": ("consular", "afloop_vastgelegd"),
}
"""Data-set action (the users' words) -> (producing service, integration event type)."""

GEMELD_VELDEN: Final = (
    "gemeld_op",
    "onderwerp",
    "betrokkene",
    "land",
    "melder",
    "nationaliteit",
    "brp_ingeschreven",
    "verblijfsrecht",
    "bz_betrokken",
)
"""Melding fields that go into ``gemeld``; persoonsgegevens and toelichting never do."""

DOOR: Final[Mapping[str, Mapping[str, str]]] = {
    "intake": {"org": "lkha", "rol": "coordinator", "user": "demo.lkha"},
    "verification": {"org": "lkha", "rol": "coordinator", "user": "demo.lkha"},
    "consular": {"org": "bz", "rol": "consulair_medewerker", "user": "demo.bz"},
}
METADATA: Final = frozenset({"actie", "recorded_at"})
VERBLIJFSRECHT: Final[Mapping[object, str]] = {True: "ja", False: "nee", "ja": "ja", "nee": "nee"}
"""The data set's verblijfsrecht (a flag) as intake's code."""


def _id(naam: str) -> str:
    return str(uuid.uuid5(NAMESPACE, naam))


def zaak_id_voor(referentie: str) -> str:
    """The deterministic zaak_id of a data-set case."""
    return _id(f"zaak/{referentie}")


def adviesvraag_id_voor(adviesvraag_id: str) -> str:
    """The deterministic id of an adviesvraag (used as its zaak_id)."""
    return _id(f"adviesvraag/{adviesvraag_id}")


def laad_dataset(pad: Path | str) -> dict[str, Any]:
    """Read one data-set file."""
    with Path(pad).open(encoding="utf-8") as bestand:
        inhoud = json.load(bestand)
    if not isinstance(inhoud, dict) or not isinstance(inhoud.get("zaken"), list):
        raise ValueError(f"{pad}: not a data set (an object with 'zaken')")
    return inhoud


def _tijdstip(tekst: str) -> datetime:
    moment = datetime.fromisoformat(tekst)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _bedrijfsdatum(stap: Mapping[str, Any]) -> date:
    waarde = stap.get("besloten_op") or stap.get("datum")
    if not isinstance(waarde, str):
        raise ValueError(f"step without datum/besloten_op: {stap}")
    return date.fromisoformat(waarde)


def opnamemomenten(zaak: Mapping[str, Any]) -> tuple[datetime, list[datetime]]:
    """When the melding and each of its steps were recorded, by the hints or by default (the
    business date at 09:00 UTC plus 7 minutes per step, never before the melding)."""
    hint = zaak.get("melding_recorded_at")
    gemeld_op = date.fromisoformat(str(zaak["melding"]["gemeld_op"]))
    gemeld_om = _tijdstip(hint) if hint else datetime.combine(gemeld_op, time(9), tzinfo=UTC)
    momenten = []
    for volgnummer, stap in enumerate(zaak.get("stappen", []), start=1):
        if stap.get("recorded_at"):
            momenten.append(_tijdstip(str(stap["recorded_at"])))
            continue
        standaard = datetime.combine(_bedrijfsdatum(stap), time(9), tzinfo=UTC)
        momenten.append(
            max(
                standaard + timedelta(minutes=7 * volgnummer),
                gemeld_om + timedelta(minutes=volgnummer),
            )
        )
    return gemeld_om, momenten


class _Zaak:
    """Builds the envelopes of one case (per-aggregate versions are assigned afterwards)."""

    def __init__(self, zaak: Mapping[str, Any]) -> None:
        self.referentie = str(zaak["referentie"])
        self.zaak_id = zaak_id_voor(self.referentie)
        melding = zaak["melding"]
        self.melding = {veld: melding.get(veld) for veld in GEMELD_VELDEN}
        # as intake publishes them: verblijfsrecht a code, nationaliteit onbekend when not given
        self.melding["verblijfsrecht"] = VERBLIJFSRECHT.get(
            melding.get("verblijfsrecht"), "onbekend"
        )
        self.melding["nationaliteit"] = melding.get("nationaliteit") or "onbekend"
        for deel in ("betrokkene", "melder"):  # fields without a value are absent
            self.melding[deel] = {
                k: v for k, v in (melding.get(deel) or {}).items() if v is not None
            }
        # the melder's organisatie is free text: intake keeps it encrypted, never publishes it
        self.melding["melder"].pop("organisatie", None)
        self.gemeld_om, momenten = opnamemomenten(zaak)
        self.events: list[tuple[str, str, str | None, datetime, dict[str, Any]]] = []
        gemeld = {"referentie": self.referentie, **self.melding}
        self.events.append(("intake", "gemeld", self.zaak_id, self.gemeld_om, gemeld))
        for volgnummer, (stap, opgenomen) in enumerate(
            zip(zaak.get("stappen", []), momenten, strict=True), start=1
        ):
            self._stap(volgnummer, stap, opgenomen)

    def _stap(self, volgnummer: int, stap: Mapping[str, Any], opgenomen: datetime) -> None:
        actie = str(stap.get("actie"))
        if actie not in ACTIES:
            raise ValueError(f"{self.referentie}: unknown actie {actie!r}")
        bron, event_type = ACTIES[actie]
        data = {k: v for k, v in stap.items() if k not in METADATA}
        zaak_id: str | None = self.zaak_id
        if actie in ("afgesloten", "heropend"):
            data = {"reden": data.get("reden"), "datum": data.get("datum")}
        elif actie in ("ingetrokken", "nazorg"):  # the reden, omschrijving: free text stays
            data = {"datum": data.get("datum")}
        elif actie == "geverifieerd":
            data = {
                "uitkomst": data.get("uitkomst"),
                "reden": data.get("reden"),
                "bevinding": data.get("bevinding"),
                # as verification publishes it: the melding's unless the verification said so
                "onderwerp": data.get("onderwerp") or self.melding.get("onderwerp"),
                "besloten_op": data.get("besloten_op"),
                "herziening": bool(data.get("herziening", False)),
                "reden_herziening": data.get("reden_herziening"),
            }
        elif actie == "correctie":
            data = self._correctie(data)
        elif actie == "regieoverleg":
            data = self._regieoverleg(volgnummer, data)
            zaak_id = None
        self.events.append((bron, event_type, zaak_id, opgenomen, data))

    def _correctie(self, data: dict[str, Any]) -> dict[str, Any]:
        wijzigingen = dict(data.get("wijzigingen") or {})
        vorige = {veld: self.melding.get(veld) for veld in wijzigingen}
        for veld, nieuw in wijzigingen.items():
            oud = self.melding.get(veld)
            self.melding[veld] = {**oud, **nieuw} if isinstance(oud, dict) else nieuw
        return {
            "wijzigingen": wijzigingen,
            "vorige": vorige,
            "datum": data.get("datum"),
        }

    def _regieoverleg(self, volgnummer: int, data: dict[str, Any]) -> dict[str, Any]:
        overleg_id = _id(f"regieoverleg/{self.referentie}/{volgnummer}")
        acties = [
            {
                "actie_id": _id(f"actie/{self.referentie}/{volgnummer}/{i}"),
                "eigenaar": actie.get("eigenaar"),
                "deadline": actie.get("deadline"),
            }
            for i, actie in enumerate(data.get("acties", []), start=1)
        ]
        return {
            "overleg_id": overleg_id,
            "datum": data.get("datum"),
            "deelnemers": list(data.get("deelnemers", [])),
            "zaken": [
                {
                    "zaak_id": self.zaak_id,
                    "aantal_besluiten": len(data.get("besluiten", [])),
                    "acties": acties,
                }
            ],
        }


def _envelopes(
    events: Iterable[tuple[str, str, str | None, datetime, dict[str, Any]]],
    aggregaat: str,
) -> list[dict[str, Any]]:
    """Number events per (source, aggregate) in recorded order and wrap them."""
    per_aggregaat: dict[str, list[tuple[str, str, str | None, datetime, dict[str, Any]]]]
    per_aggregaat = defaultdict(list)
    for event in events:
        bron, event_type = event[0], event[1]
        sleutel = f"{bron}/{aggregaat}"
        if event_type == "regieoverleg_gehouden":
            sleutel = f"regieoverleg/{event[4]['overleg_id']}"
        per_aggregaat[sleutel].append(event)
    uit: list[dict[str, Any]] = []
    for sleutel, reeks in per_aggregaat.items():
        aggregaat_id = _id(sleutel)
        reeks.sort(key=lambda e: e[3])  # stable: step order breaks ties
        for versie, (bron, event_type, zaak_id, opgenomen, data) in enumerate(reeks, start=1):
            uit.append(
                {
                    "event_id": f"{aggregaat_id}:{versie}",
                    "event_type": event_type,
                    "contract_version": 1,
                    "source": bron,
                    "zaak_id": zaak_id,
                    "recorded_at": opgenomen.isoformat(),
                    "recorded_by": dict(DOOR[bron]),
                    "data": data,
                }
            )
    return uit


def _adviesvraag(vraag: Mapping[str, Any]) -> dict[str, Any]:
    ontvangen_op = date.fromisoformat(str(vraag["ontvangen_op"]))
    aggregaat_id = _id(f"intake/adviesvraag/{vraag['id']}")
    return {
        "event_id": f"{aggregaat_id}:1",
        "event_type": "adviesvraag_ontvangen",
        "contract_version": 1,
        "source": "intake",
        "zaak_id": adviesvraag_id_voor(str(vraag["id"])),
        "recorded_at": datetime.combine(ontvangen_op, time(9), tzinfo=UTC).isoformat(),
        "recorded_by": dict(DOOR["intake"]),
        "data": {
            "ontvangen_op": vraag["ontvangen_op"],
            "onderwerp": vraag.get("onderwerp"),
            "melder": {"type": (vraag.get("melder") or {}).get("type")},  # no organisatie
        },
    }


def naar_envelopes(*datasets: Mapping[str, Any]) -> list[dict[str, Any]]:
    """All envelopes of the given data sets, in recorded order (then event_id)."""
    uit: list[dict[str, Any]] = []
    referenties: set[str] = set()
    for dataset in datasets:
        for zaak in dataset["zaken"]:
            bouwer = _Zaak(zaak)
            if bouwer.referentie in referenties:
                raise ValueError(f"duplicate referentie {bouwer.referentie}")
            referenties.add(bouwer.referentie)
            uit.extend(_envelopes(bouwer.events, bouwer.referentie))
        uit.extend(_adviesvraag(v) for v in dataset.get("adviesvragen", []))
    uit.sort(key=lambda e: (e["recorded_at"], e["event_id"]))
    return uit


def dataset_envelopes(paden: Sequence[Path | str] = STANDAARD) -> list[dict[str, Any]]:
    """Envelopes of the standard data set (2017, 2018 and the 2019 meldingen)."""
    return naar_envelopes(*(laad_dataset(p) for p in paden))


def main(argv: Sequence[str] | None = None) -> int:
    """Write the envelopes as JSON lines to stdout."""
    gekozen = list(argv if argv is not None else sys.argv[1:])
    paden: list[Path | str] = list(gekozen) if gekozen else list(STANDAARD)
    for envelope in dataset_envelopes(paden):
        sys.stdout.write(json.dumps(envelope, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
