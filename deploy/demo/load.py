"""Load the demo data set into running services through their HTTP APIs (docs/api.md).

Every melding, adviesvraag and step is posted to the service that owns it, as the users
would: meldingen, corrections and withdrawals at intake; onderzoek, verificatie, nazorg,
afsluiting, heropening and regieoverleggen at verification; bijstand and afloop at consular.

Order: everything is posted in the order it was recorded in the data set (deploy/demo/README.md:
the ``recorded_at`` hints, else the business date), each case's steps in their listed order.
A step recorded later than its business year (a late verification, a melding registered after
New Year, a correction made while compiling the figures) therefore comes in a later pass, after
everything recorded before it. ``grenzen`` name moments of the data set's recording time; the
loader notes the real time at which each was passed, so ``registratie_tot`` at that real time
gives the figures as they were at the data set's moment.

A case is known downstream only once intake's event arrived: 404 "not yet known here" is
retried until ``geduld`` seconds passed. Every command carries an Idempotency-Key derived from
the data set (``demo-<referentie>-<step>``), so loading twice records nothing twice.

Usage: ``python -m deploy.demo.load [--intake URL ...]`` against ``knooppunt run``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as tijd
from functools import cache
from typing import Any, Final

import httpx

from deploy.demo.to_envelopes import STANDAARD, laad_dataset, opnamemomenten

Headers = Callable[[str, str], Mapping[str, str]]
"""(org, rol) -> the HTTP headers that authenticate such a caller."""

LKHA: Final = ("lkha", "coordinator")
BZ: Final = ("bz", "bz_consulair")

VERIFICATIE: Final[Mapping[str, str]] = {
    "onderzoek_gestart": "onderzoek",
    "geverifieerd": "verificatie",
    "nazorg": "nazorg",
    "afgesloten": "afsluiting",
    "heropend": "heropening",
}
CONSULAIR: Final[Mapping[str, str]] = {"bijstand": "bijstand", "afloop": "afloop"}
NIET_MEESTUREN: Final = frozenset({"actie", "recorded_at", "herziening"})
"""Step fields that are data-set bookkeeping, not part of the request."""


def geen_headers(org: str, rol: str) -> Mapping[str, str]:
    """No authentication (services without it)."""
    return {}


def bearer(token: Callable[[str, str], str]) -> Headers:
    """Headers carrying the token that ``token(org, rol)`` mints (e.g. ``Stack.token``);
    one token per org and rol."""
    getekend = cache(token)
    return lambda org, rol: {"Authorization": f"Bearer {getekend(org, rol)}"}


@dataclass(frozen=True)
class Diensten:
    """Where the services answer."""

    intake: str
    verification: str
    consular: str
    reporting: str

    @classmethod
    def van(cls, url: Callable[[str], str]) -> Diensten:
        """From a function giving a service's URL by name (e.g. ``Stack.url``)."""
        return cls(url("intake"), url("verification"), url("consular"), url("reporting"))

    @classmethod
    def lokaal(cls) -> Diensten:
        """The ports of `knooppunt run`."""
        return cls(*(f"http://127.0.0.1:{p}" for p in (8001, 8002, 8003, 8004)))


@dataclass(frozen=True, order=True)
class Stap:
    """One thing to post, at its place in the data set's recording order."""

    moment: datetime
    referentie: str
    volgnummer: int
    """0 for the melding (or adviesvraag) itself, 1.. for the case's steps."""
    actie: str = field(compare=False)
    inhoud: Mapping[str, Any] = field(compare=False)


def plan(datasets: Iterable[Mapping[str, Any]]) -> list[Stap]:
    """Every melding, adviesvraag and step, in recorded order (each case's steps in order)."""
    stappen: list[Stap] = []
    for dataset in datasets:
        for zaak in dataset["zaken"]:
            ref = str(zaak["referentie"])
            gemeld_om, momenten = opnamemomenten(zaak)
            stappen.append(Stap(gemeld_om, ref, 0, "melding", zaak["melding"]))
            vorige = gemeld_om
            for volgnummer, (stap, moment) in enumerate(
                zip(zaak.get("stappen", []), momenten, strict=True), start=1
            ):
                vorige = max(vorige, moment)
                stappen.append(Stap(vorige, ref, volgnummer, str(stap["actie"]), stap))
        for vraag in dataset.get("adviesvragen", []):
            dag = date.fromisoformat(vraag["ontvangen_op"])
            ontvangen = datetime.combine(dag, tijd(9), tzinfo=UTC)
            stappen.append(Stap(ontvangen, vraag["id"], 0, "adviesvraag", vraag))
    return sorted(stappen)


@dataclass
class Geladen:
    """What a load did: the case ids intake gave, and when each grens was passed."""

    zaak_ids: dict[str, str] = field(default_factory=dict)
    grenzen: dict[datetime, datetime] = field(default_factory=dict)
    """Data-set recording moment -> the real time at which everything before it was posted."""
    verwacht: dict[str, int] = field(default_factory=dict)
    """Per zaak_id: how many events reporting will hold about it."""
    posts: int = 0


class LaadFout(RuntimeError):
    """A service refused a step of the data set."""


def melding_verzoek(melding: Mapping[str, Any]) -> dict[str, Any]:
    """The intake request of a data-set melding (verblijfsrecht as intake's ja/nee code)."""
    verzoek = dict(melding)
    recht = verzoek.pop("verblijfsrecht", None)
    if isinstance(recht, bool):
        verzoek["verblijfsrecht"] = "ja" if recht else "nee"
    elif recht is not None:
        verzoek["verblijfsrecht"] = recht
    return verzoek


class Lader:
    """Posts a data set to running services (see the module docstring)."""

    def __init__(
        self,
        diensten: Diensten,
        *,
        headers: Headers = geen_headers,
        client: httpx.Client | None = None,
        geduld: float = 30.0,
    ) -> None:
        self.diensten = diensten
        self.headers = headers
        self.client = client or httpx.Client(timeout=30)
        self.geduld = geduld
        self._meldingen: dict[str, dict[str, Any]] = {}
        self._verificatie: dict[str, dict[str, Any]] = {}
        self._consulair_bij: set[str] = set()

    def laad(
        self, datasets: Sequence[Mapping[str, Any]], *, grenzen: Sequence[datetime] = ()
    ) -> Geladen:
        """Post every melding, adviesvraag and step; note when each grens was passed."""
        geladen = Geladen()
        open_grenzen = sorted(grenzen)
        for stap in plan(datasets):
            while open_grenzen and stap.moment > open_grenzen[0]:
                geladen.grenzen[open_grenzen.pop(0)] = datetime.now(UTC)
            self._post_stap(stap, geladen)
        for grens in open_grenzen:
            geladen.grenzen[grens] = datetime.now(UTC)
        return geladen

    def _post_stap(self, stap: Stap, geladen: Geladen) -> None:
        sleutel = f"demo-{stap.referentie}-{stap.volgnummer}"
        if stap.actie == "melding":
            antwoord = self._post(
                f"{self.diensten.intake}/v1/meldingen", melding_verzoek(stap.inhoud), LKHA, sleutel
            )
            zaak_id = str(antwoord["zaak_id"])
            geladen.zaak_ids[stap.referentie] = zaak_id
            geladen.verwacht[zaak_id] = 1
            self._meldingen[stap.referentie] = dict(stap.inhoud)
        elif stap.actie == "adviesvraag":
            verzoek = {k: v for k, v in stap.inhoud.items() if k != "id"}
            self._post(f"{self.diensten.intake}/v1/adviesvragen", verzoek, LKHA, sleutel)
        else:
            zaak_id = geladen.zaak_ids[stap.referentie]
            if stap.actie in CONSULAIR:
                self._wacht_op_consulair(stap.referentie, zaak_id)
            url, verzoek, wie = self._verzoek(stap, zaak_id)
            self._post(url, verzoek, wie, sleutel)
            self._onthoud_voor_consulair(stap)
            geladen.verwacht[zaak_id] += 1
        geladen.posts += 1

    def _onthoud_voor_consulair(self, stap: Stap) -> None:
        """What consular must have learnt (through the events) before its next step: what its
        rules look at (outcome, closing, whether the case is about a minor)."""
        gevolg = {
            "geverifieerd": {
                "uitkomst": stap.inhoud.get("uitkomst"),
                "besloten_op": stap.inhoud.get("besloten_op"),
            },
            "afgesloten": {"afgesloten_op": stap.inhoud.get("datum")},
            "heropend": {"afgesloten_op": None},
        }.get(stap.actie)
        if gevolg is not None:
            self._verificatie.setdefault(stap.referentie, {}).update(gevolg)
            self._consulair_bij.discard(stap.referentie)
        elif stap.actie == "correctie":
            self._consulair_bij.discard(stap.referentie)

    def _wacht_op_consulair(self, referentie: str, zaak_id: str) -> None:
        """Wait until consular's view of the case (docs/api.md: classification and
        verificatie) shows every earlier step: its rules depend on them."""
        if referentie in self._consulair_bij:
            return
        verwacht = {
            **self._verificatie.get(referentie, {}),
            "categorie": self._meldingen[referentie]["betrokkene"]["categorie"],
        }
        gezien: dict[str, Any] = {}

        def bijgewerkt() -> bool:
            response = self.client.get(
                f"{self.diensten.consular}/v1/zaken/{zaak_id}", headers=self.headers(*BZ)
            )
            gezien.clear()
            if response.status_code != 200:
                gezien["status"] = response.status_code
                return False
            zaak = response.json()
            gezien.update(zaak["verificatie"], categorie=zaak["betrokkene"].get("categorie"))
            return all(gezien.get(veld) == waarde for veld, waarde in verwacht.items())

        self._wacht_tot(
            bijgewerkt, f"consular's view of {referentie}", lambda: f"{gezien}, not {verwacht}"
        )
        self._consulair_bij.add(referentie)

    def _wacht_tot(
        self, voorwaarde: Callable[[], bool], wat: str, stand: Callable[[], str] = str
    ) -> None:
        tot = time.monotonic() + self.geduld
        wacht = 0.02
        while not voorwaarde():
            if time.monotonic() > tot:
                raise LaadFout(f"timed out after {self.geduld} s waiting for {wat}: {stand()}")
            time.sleep(wacht)
            wacht = min(wacht * 2, 0.5)

    def _verzoek(self, stap: Stap, zaak_id: str) -> tuple[str, dict[str, Any], tuple[str, str]]:
        inhoud = {k: v for k, v in stap.inhoud.items() if k not in NIET_MEESTUREN}
        d = self.diensten
        if stap.actie == "correctie":
            return f"{d.intake}/v1/meldingen/{zaak_id}/correcties", self._correctie(stap), LKHA
        if stap.actie == "ingetrokken":
            return f"{d.intake}/v1/meldingen/{zaak_id}/intrekking", inhoud, LKHA
        if stap.actie in VERIFICATIE:
            pad = VERIFICATIE[stap.actie]
            return f"{d.verification}/v1/zaken/{zaak_id}/{pad}", inhoud, LKHA
        if stap.actie in CONSULAIR:
            return f"{d.consular}/v1/zaken/{zaak_id}/{CONSULAIR[stap.actie]}", inhoud, BZ
        if stap.actie == "regieoverleg":
            zaak = {k: inhoud.pop(k, []) for k in ("besluiten", "acties")}
            inhoud["zaken"] = [{"zaak_id": zaak_id, **zaak}]
            return f"{d.verification}/v1/regieoverleggen", inhoud, LKHA
        raise LaadFout(f"{stap.referentie}: unknown actie {stap.actie!r}")

    def _correctie(self, stap: Stap) -> dict[str, Any]:
        """A correction as intake takes it: the corrected fields whole (a betrokkene keeps
        what the correction does not change), with reden and datum."""
        melding = self._meldingen[stap.referentie]
        verzoek: dict[str, Any] = {}
        for veld, nieuw in stap.inhoud["wijzigingen"].items():
            oud = melding.get(veld)
            verzoek[veld] = {**oud, **nieuw} if isinstance(oud, Mapping) else nieuw
            melding[veld] = verzoek[veld]
        return {**verzoek, "reden": stap.inhoud["reden"], "datum": stap.inhoud["datum"]}

    def _post(
        self, url: str, verzoek: Mapping[str, Any], wie: tuple[str, str], sleutel: str
    ) -> dict[str, Any]:
        """POST, retrying while the case is not yet known there (404) or changed meanwhile."""
        tot = time.monotonic() + self.geduld
        wacht = 0.02
        while True:
            response = self.client.post(
                url, json=verzoek, headers={"Idempotency-Key": sleutel, **self.headers(*wie)}
            )
            if response.status_code in (200, 201):
                antwoord = response.json()
                return antwoord if isinstance(antwoord, dict) else {}
            opnieuw = response.status_code == 404 or (
                response.status_code == 409 and "meanwhile" in response.text
            )
            if not opnieuw or time.monotonic() > tot:
                raise LaadFout(f"POST {url} ({sleutel}): {response.status_code} {response.text}")
            time.sleep(wacht)
            wacht = min(wacht * 2, 0.5)

    def wacht_op_reporting(self, geladen: Geladen) -> None:
        """Wait until reporting holds every event the load caused (about every case)."""
        tot = time.monotonic() + self.geduld
        open_ = dict(geladen.verwacht)
        gezien: dict[str, list[str]] = {}
        while open_:
            for zaak_id, aantal in list(open_.items()):
                response = self.client.get(
                    f"{self.diensten.reporting}/v1/zaken/{zaak_id}", headers=self.headers(*LKHA)
                )
                if response.status_code != 200:
                    continue
                gezien[zaak_id] = [g["event_type"] for g in response.json()["tijdlijn"]]
                if len(gezien[zaak_id]) >= aantal:
                    del open_[zaak_id]
            if open_ and time.monotonic() > tot:
                voorbeeld = {z: (a, gezien.get(z)) for z, a in list(open_.items())[:3]}
                raise LaadFout(f"reporting misses events of {len(open_)} cases; e.g. {voorbeeld}")
            if open_:
                time.sleep(0.2)


def main(argv: Sequence[str] | None = None) -> int:
    """Load the standard data set into `knooppunt run` (its development keys sign the tokens)."""
    from pathlib import Path

    from deploy.stack import Stack

    lokaal = Diensten.lokaal()
    parser = argparse.ArgumentParser(description="Load the demo data set through the APIs.")
    for naam in ("intake", "verification", "consular", "reporting"):
        parser.add_argument(f"--{naam}", default=getattr(lokaal, naam))
    parser.add_argument("--data-dir", default=".data", help="where `knooppunt run` keeps keys")
    args = parser.parse_args(argv)
    stack = Stack(data_dir=Path(args.data_dir).resolve())
    lader = Lader(
        Diensten(args.intake, args.verification, args.consular, args.reporting),
        headers=bearer(stack.token),
    )
    geladen = lader.laad([laad_dataset(p) for p in STANDAARD])
    lader.wacht_op_reporting(geladen)
    print(f"{len(geladen.zaak_ids)} cases, {geladen.posts} requests; reporting has them all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
