"""Reporting's use cases: the questions asked of the figures, answered from the fact index.

Each answer is computed once per index position (see index.py). Every question names its
``geheimhouding``: ``None`` for the LKHA's exact figures, or the disclosure control of
figures that leave the LKHA (figures/geheimhouding.py): the question is coarsened first and
every count published by the cell key method with a minimum cell size. Nothing here knows
HTTP, SQL or a particular year.
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
    tel,
    vorige_peildatum,
)
from services.reporting.figures.bescherming import (
    bescherm_jaarcijfers,
    beschermd_noodfonds,
    beschermde_bijstand,
    beschermde_doorlooptijden,
    beschermde_telling,
)
from services.reporting.figures.geheimhouding import Geheimhouding, GroveVraag, maak_grof
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

MINIMALE_DREMPEL = 5
"""The smallest minimum cell size figures leaving the LKHA get (docs/security.md)."""

ONTWIKKELSLEUTEL = b"knooppunt development cell key (tests)"
"""The cell key method's key of a Rapportage built without one (tests); main.py passes the
configured key (settings.ReportingSettings.cel_sleutel)."""


class ReportingFout(Exception):
    """Base of reporting's errors."""


class ZaakOnbekend(ReportingFout):
    """No fact about this case has arrived here (yet)."""


class GeenDefinitie(ReportingFout):
    """No jaarcijfers definition applies to the year asked."""


@lru_cache(maxsize=64)
def _definitie(jaar: int) -> Definitie:
    return laad_definitie(jaar)


def _blokken(gh: Geheimhouding | None) -> dict[str, Any]:
    """What an answer says about its disclosure control (None: the LKHA's exact figures)."""
    if gh is None:
        return {"onderdrukking": None, "geheimhouding": None}
    return {
        "onderdrukking": {"drempel": gh.drempel, "teken": gh.teken},
        "geheimhouding": gh.blok(),
    }


class Rapportage:
    """Answers figures questions from the facts that reporting consumed."""

    def __init__(
        self,
        index: Feitenindex,
        *,
        sleutel: bytes = ONTWIKKELSLEUTEL,
        vandaag: Callable[[], date] = date.today,
    ) -> None:
        self.index = index
        self.vandaag = vandaag
        self._sleutel = sleutel

    def geheimhouding(self, drempel: int = MINIMALE_DREMPEL) -> Geheimhouding:
        """The disclosure control of figures leaving the LKHA, with reporting's own key."""
        return Geheimhouding(self._sleutel, max(drempel, MINIMALE_DREMPEL))

    def _zaken(self, peildatum: date | None, grens: datetime | None) -> list[ZaakStaat]:
        return self.index.zaken(peildatum or self.vandaag(), grens)

    def _grof(
        self, gh: Geheimhouding, peildatum: date | None, grens: datetime | None, **rest: Any
    ) -> GroveVraag:
        return maak_grof(gh, peildatum=peildatum or self.vandaag(), registratie_tot=grens, **rest)

    def statistiek(
        self,
        *,
        geheimhouding: Geheimhouding | None,
        peildatum: date | None = None,
        registratie_tot: datetime | None = None,
        groepeer: Sequence[str] = (),
        criteria: Criteria | None = None,
    ) -> dict[str, Any]:
        """Counts grouped by ``groepeer``, of the meldingen meeting ``criteria``."""
        gh = geheimhouding
        if gh is not None:
            vraag = self._grof(gh, peildatum, registratie_tot, criteria=criteria, groepeer=groepeer)
            gh, peildatum, registratie_tot = (
                vraag.geheimhouding,
                vraag.peildatum,
                vraag.registratie_tot,
            )
            criteria, groepeer = vraag.criteria, vraag.groepeer
        peildatum = peildatum or self.vandaag()
        filters = dict(criteria or {})
        sleutel = ("statistiek", peildatum, registratie_tot, tuple(groepeer), repr(filters), gh)

        def bereken() -> dict[str, Any]:
            zaken = self._zaken(peildatum, registratie_tot)
            if gh is not None:
                telling = beschermde_telling(zaken, groepeer, filters, gh)
            else:
                telling = tel(zaken, groepeer, filters)
                telling["per_onderwerp"] = {
                    str(g["sleutel"]["onderwerp"]): g["aantal"]
                    for g in tel(zaken, ["onderwerp"], filters)["groepen"]
                }
            return {
                "peildatum": peildatum.isoformat(),
                "registratie_tot": registratie_tot.isoformat() if registratie_tot else None,
                "groepeer": list(groepeer),
                "filters": filters,
                "totaal": telling["totaal"],
                "per_onderwerp": telling["per_onderwerp"],
                "groepen": telling["groepen"],
                **_blokken(gh),
            }

        return self.index.onthoud(sleutel, bereken)

    def jaarcijfers(
        self,
        jaar: int,
        *,
        geheimhouding: Geheimhouding | None,
        peildatum: date | None = None,
        registratie_tot: datetime | None = None,
    ) -> dict[str, Any]:
        """The annual figures of ``jaar`` as its definition lays them out."""
        try:
            definitie = _definitie(jaar)
        except DefinitieFout as fout:
            raise GeenDefinitie(str(fout)) from fout
        peildatum = peildatum or definitie.standaard_peildatum(jaar)
        gh = geheimhouding
        if gh is not None:
            vraag = self._grof(gh, peildatum, registratie_tot)
            gh, peildatum, registratie_tot = (
                vraag.geheimhouding,
                vraag.peildatum,
                vraag.registratie_tot,
            )

        def rapport(teller: Callable[[Sequence[ZaakStaat]], int]) -> dict[str, Any]:
            dit_jaar = self._zaken(peildatum, registratie_tot)
            vorig = self._zaken(vorige_peildatum(peildatum), registratie_tot)
            uit = bereken_jaarcijfers(
                dit_jaar,
                vorig,
                definitie,
                jaar=jaar,
                peildatum=peildatum,
                registratie_tot=registratie_tot,
                teller=teller,
            )
            eerste = min((z.jaar for z in dit_jaar), default=jaar)
            uit["meldingen_per_jaar"] = meldingen_per_jaar(
                lambda op: self._zaken(op, registratie_tot),
                definitie,
                jaar=jaar,
                peildatum=peildatum,
                van_jaar=max(eerste, jaar - JAREN_IN_REEKS + 1),
                teller=teller,
            )
            return {**uit, **_blokken(None)}

        exact = self.index.onthoud(
            ("jaarcijfers", jaar, peildatum, registratie_tot), lambda: rapport(len)
        )
        if gh is None:
            return exact
        beschermd = gh

        def publiceer() -> dict[str, Any]:
            uit = bescherm_jaarcijfers(exact, rapport(beschermd.teller()), beschermd)
            return {**uit, **_blokken(beschermd)}

        return self.index.onthoud(
            ("jaarcijfers beschermd", jaar, peildatum, registratie_tot, gh), publiceer
        )

    def jaarcijfers_als(
        self,
        formaat: str,
        jaar: int,
        *,
        geheimhouding: Geheimhouding | None,
        peildatum: date | None = None,
        registratie_tot: datetime | None = None,
    ) -> str | bytes:
        """The annual figures as a file: ``csv``, ``xlsx``, ``html`` or ``pdf``."""
        maak = BESTANDEN[formaat]
        rapport = self.jaarcijfers(
            jaar,
            geheimhouding=geheimhouding,
            peildatum=peildatum,
            registratie_tot=registratie_tot,
        )
        sleutel = (formaat, jaar, rapport["peildatum"], rapport["registratie_tot"], geheimhouding)
        return self.index.onthoud(sleutel, lambda: maak(rapport))

    def doorlooptijden(
        self,
        *,
        geheimhouding: Geheimhouding | None,
        peildatum: date | None = None,
        registratie_tot: datetime | None = None,
        criteria: Criteria | None = None,
    ) -> dict[str, Any]:
        """Median days from melding to verification and to return, per year of gemeld_op."""
        gh = geheimhouding
        if gh is not None:
            vraag = self._grof(gh, peildatum, registratie_tot, criteria=criteria)
            gh, peildatum, registratie_tot = (
                vraag.geheimhouding,
                vraag.peildatum,
                vraag.registratie_tot,
            )
            criteria = vraag.criteria
        peildatum = peildatum or self.vandaag()
        zaken = self._zaken(peildatum, registratie_tot)
        return {
            "peildatum": peildatum.isoformat(),
            "registratie_tot": registratie_tot.isoformat() if registratie_tot else None,
            "filters": dict(criteria or {}),
            "per_jaar": doorlooptijden(zaken, criteria)
            if gh is None
            else beschermde_doorlooptijden(zaken, criteria, gh),
            **_blokken(gh),
        }

    def noodfonds(
        self,
        *,
        geheimhouding: Geheimhouding | None,
        peildatum: date | None = None,
        registratie_tot: datetime | None = None,
        criteria: Criteria | None = None,
        van: date | None = None,
        tot: date | None = None,
    ) -> dict[str, Any]:
        """Emergency-fund payments of the meldingen meeting ``criteria``."""
        gh = geheimhouding
        if gh is not None:
            vraag = self._grof(gh, peildatum, registratie_tot, criteria=criteria, van=van, tot=tot)
            gh, peildatum, registratie_tot = (
                vraag.geheimhouding,
                vraag.peildatum,
                vraag.registratie_tot,
            )
            criteria, van, tot = vraag.criteria, vraag.van, vraag.tot
        peildatum = peildatum or self.vandaag()
        zaken = self._zaken(peildatum, registratie_tot)
        gebruik = (
            noodfonds(zaken, criteria, van=van, tot=tot)
            if gh is None
            else beschermd_noodfonds(zaken, criteria, gh, van=van, tot=tot)
        )
        return {
            "peildatum": peildatum.isoformat(),
            "registratie_tot": registratie_tot.isoformat() if registratie_tot else None,
            **gebruik,
            **_blokken(gh),
        }

    def consulaire_bijstand(
        self,
        *,
        geheimhouding: Geheimhouding | None,
        per: str = "post",
        soorten: Sequence[str] = (),
        peildatum: date | None = None,
        registratie_tot: datetime | None = None,
        criteria: Criteria | None = None,
        van: date | None = None,
        tot: date | None = None,
    ) -> dict[str, Any]:
        """Consular aid per post or per country."""
        gh = geheimhouding
        if gh is not None:
            vraag = self._grof(gh, peildatum, registratie_tot, criteria=criteria, van=van, tot=tot)
            gh, peildatum, registratie_tot = (
                vraag.geheimhouding,
                vraag.peildatum,
                vraag.registratie_tot,
            )
            criteria, van, tot = vraag.criteria, vraag.van, vraag.tot
        peildatum = peildatum or self.vandaag()
        zaken = self._zaken(peildatum, registratie_tot)
        if gh is None:
            rijen = consulaire_bijstand_per(
                zaken, per, criteria, soorten=soorten or None, van=van, tot=tot
            )
        else:
            rijen = beschermde_bijstand(
                zaken, per, criteria, gh, soorten=soorten or None, van=van, tot=tot
            )
        return {
            "peildatum": peildatum.isoformat(),
            "registratie_tot": registratie_tot.isoformat() if registratie_tot else None,
            "per": per,
            "rijen": [{"waarde": rij.pop(per), **rij} for rij in rijen],
            **_blokken(gh),
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
