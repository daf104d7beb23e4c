"""Reporting's use cases: the questions asked of the figures, answered from the fact index.

Each answer is computed once per index position (see index.py) and suppressed on the way out
when asked; nothing here knows HTTP, SQL or a particular year.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from services.reporting.exports import als_csv, als_html, als_pdf, als_xlsx
from services.reporting.figures import (
    Definitie,
    DefinitieFout,
    ZaakStaat,
    bereken_jaarcijfers,
    consulaire_bijstand_per,
    doorlooptijden,
    laad_definitie,
    meldingen_per_jaar,
    noodfonds,
    onderdruk_jaarcijfers,
    onderdruk_rij,
    onderdruk_telling,
    tel,
    vorige_peildatum,
)
from services.reporting.figures.suppression import onderdruk_doorlooptijden
from services.reporting.index import Feitenindex

Criteria = Mapping[str, Any]

BESTANDEN: dict[str, Callable[[Mapping[str, Any]], str | bytes]] = {
    "csv": als_csv,
    "xlsx": als_xlsx,
    "html": als_html,
    "pdf": als_pdf,
}
"""The file formats of the annual figures."""

JAREN_IN_REEKS = 10
"""How many years the series of meldingen per year goes back at most."""


class ReportingFout(Exception):
    """Base of reporting's errors."""


class ZaakOnbekend(ReportingFout):
    """No fact about this case has arrived here (yet)."""


class GeenDefinitie(ReportingFout):
    """No jaarcijfers definition applies to the year asked."""


@lru_cache(maxsize=64)
def _definitie(jaar: int) -> Definitie:
    return laad_definitie(jaar)


class Rapportage:
    """Answers figures questions from the facts that reporting consumed."""

    def __init__(self, index: Feitenindex, *, vandaag: Callable[[], date] = date.today) -> None:
        self.index = index
        self.vandaag = vandaag

    def _zaken(self, peildatum: date | None, grens: datetime | None) -> list[ZaakStaat]:
        return self.index.zaken(peildatum or self.vandaag(), grens)

    def statistiek(
        self,
        *,
        peildatum: date | None = None,
        registratie_tot: datetime | None = None,
        groepeer: Sequence[str] = (),
        criteria: Criteria | None = None,
        drempel: int | None = None,
    ) -> dict[str, Any]:
        """Counts grouped by ``groepeer``, of the meldingen meeting ``criteria``."""
        peildatum = peildatum or self.vandaag()
        filters = dict(criteria or {})
        sleutel = ("statistiek", peildatum, registratie_tot, tuple(groepeer), repr(filters))

        def bereken() -> dict[str, Any]:
            zaken = self._zaken(peildatum, registratie_tot)
            telling = tel(zaken, groepeer, filters)
            per_onderwerp = tel(zaken, ["onderwerp"], filters)["groepen"]
            return {
                "peildatum": peildatum.isoformat(),
                "registratie_tot": registratie_tot.isoformat() if registratie_tot else None,
                "groepeer": list(groepeer),
                "filters": filters,
                "totaal": telling["totaal"],
                "per_onderwerp": {
                    str(g["sleutel"]["onderwerp"]): g["aantal"] for g in per_onderwerp
                },
                "groepen": telling["groepen"],
                "onderdrukking": None,
            }

        antwoord = self.index.onthoud(sleutel, bereken)
        if drempel is None:
            return antwoord
        onderdrukt = onderdruk_telling(antwoord, drempel)
        onderdrukt["per_onderwerp"], _ = onderdruk_rij(
            antwoord["per_onderwerp"], antwoord["totaal"], drempel
        )
        return onderdrukt

    def jaarcijfers(
        self,
        jaar: int,
        *,
        peildatum: date | None = None,
        registratie_tot: datetime | None = None,
        drempel: int | None = None,
    ) -> dict[str, Any]:
        """The annual figures of ``jaar`` as its definition lays them out."""
        try:
            definitie = _definitie(jaar)
        except DefinitieFout as fout:
            raise GeenDefinitie(str(fout)) from fout
        peildatum = peildatum or definitie.standaard_peildatum(jaar)

        def bereken() -> dict[str, Any]:
            dit_jaar = self._zaken(peildatum, registratie_tot)
            vorig = self._zaken(vorige_peildatum(peildatum), registratie_tot)
            rapport = bereken_jaarcijfers(
                dit_jaar,
                vorig,
                definitie,
                jaar=jaar,
                peildatum=peildatum,
                registratie_tot=registratie_tot,
            )
            eerste = min((z.jaar for z in dit_jaar), default=jaar)
            rapport["meldingen_per_jaar"] = meldingen_per_jaar(
                lambda op: self._zaken(op, registratie_tot),
                definitie,
                jaar=jaar,
                peildatum=peildatum,
                van_jaar=max(eerste, jaar - JAREN_IN_REEKS + 1),
            )
            return rapport

        rapport = self.index.onthoud(("jaarcijfers", jaar, peildatum, registratie_tot), bereken)
        if drempel is None:
            return rapport
        onderdrukt = onderdruk_jaarcijfers(rapport, drempel)
        for regel in onderdrukt["meldingen_per_jaar"]:
            regel["per_onderwerp"], regel["totaal"] = onderdruk_rij(
                regel["per_onderwerp"], regel["totaal"], drempel
            )
        return onderdrukt

    def jaarcijfers_als(
        self,
        formaat: str,
        jaar: int,
        *,
        peildatum: date | None = None,
        registratie_tot: datetime | None = None,
        drempel: int | None = None,
    ) -> str | bytes:
        """The annual figures as a file: ``csv``, ``xlsx``, ``html`` or ``pdf``."""
        maak = BESTANDEN[formaat]
        rapport = self.jaarcijfers(
            jaar, peildatum=peildatum, registratie_tot=registratie_tot, drempel=drempel
        )
        sleutel = (formaat, jaar, rapport["peildatum"], registratie_tot, drempel)
        return self.index.onthoud(sleutel, lambda: maak(rapport))

    def doorlooptijden(
        self,
        *,
        peildatum: date | None = None,
        registratie_tot: datetime | None = None,
        criteria: Criteria | None = None,
        drempel: int | None = None,
    ) -> dict[str, Any]:
        """Median days from melding to verification and to return, per year of gemeld_op."""
        peildatum = peildatum or self.vandaag()
        per_jaar = doorlooptijden(self._zaken(peildatum, registratie_tot), criteria)
        antwoord = {
            "peildatum": peildatum.isoformat(),
            "registratie_tot": registratie_tot.isoformat() if registratie_tot else None,
            "filters": dict(criteria or {}),
            "per_jaar": per_jaar,
            "onderdrukking": None,
        }
        return onderdruk_doorlooptijden(antwoord, drempel) if drempel is not None else antwoord

    def noodfonds(
        self,
        *,
        peildatum: date | None = None,
        registratie_tot: datetime | None = None,
        criteria: Criteria | None = None,
        van: date | None = None,
        tot: date | None = None,
    ) -> dict[str, Any]:
        """Emergency-fund payments of the meldingen meeting ``criteria``."""
        peildatum = peildatum or self.vandaag()
        gebruik = noodfonds(self._zaken(peildatum, registratie_tot), criteria, van=van, tot=tot)
        return {
            "peildatum": peildatum.isoformat(),
            "registratie_tot": registratie_tot.isoformat() if registratie_tot else None,
            **gebruik,
        }

    def consulaire_bijstand(
        self,
        *,
        per: str = "post",
        soorten: Sequence[str] = (),
        peildatum: date | None = None,
        registratie_tot: datetime | None = None,
        criteria: Criteria | None = None,
        van: date | None = None,
        tot: date | None = None,
    ) -> dict[str, Any]:
        """Consular aid per post or per country."""
        peildatum = peildatum or self.vandaag()
        rijen = consulaire_bijstand_per(
            self._zaken(peildatum, registratie_tot),
            per,
            criteria,
            soorten=soorten or None,
            van=van,
            tot=tot,
        )
        return {
            "peildatum": peildatum.isoformat(),
            "registratie_tot": registratie_tot.isoformat() if registratie_tot else None,
            "per": per,
            "rijen": [{"waarde": rij.pop(per), **rij} for rij in rijen],
        }

    def zaak(self, zaak_id: str, *, peildatum: date | None = None) -> dict[str, Any]:
        """One case: its state on the peildatum and every fact about it, in recorded order."""
        feiten = self.index.feiten_van(zaak_id)
        if not feiten:
            raise ZaakOnbekend(f"zaak {zaak_id} is not yet known here")
        peildatum = peildatum or self.vandaag()
        staat = self.index.zaak(zaak_id, peildatum)
        return {
            "zaak_id": zaak_id,
            "peildatum": peildatum.isoformat(),
            "staat": dataclasses.asdict(staat) if staat is not None else None,
            "tijdlijn": [
                {
                    "event_id": f["event_id"],
                    "event_type": f["event_type"],
                    "source": f["source"],
                    "recorded_at": f["recorded_at"],
                    "recorded_by": f.get("recorded_by"),
                    "data": f.get("data") or {},
                }
                for f in feiten
            ],
        }
