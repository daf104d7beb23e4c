"""The figures of every question as they may leave the LKHA (see .geheimhouding).

Each function answers the same question as its exact counterpart (statistieken, jaarcijfers,
timings) in the same shape, with every count published by a :class:`Geheimhouding`: the
exact figures and the cell keys are computed by the same code (a different ``teller``), then
published cell by cell and row by row. Questions are coarsened by the caller first
(:func:`.geheimhouding.grof_criteria` and friends).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from statistics import median
from typing import Any

from .geheimhouding import Aantal, Cel, Geheimhouding, secundair
from .model import NOODFONDS, Bijstand, ZaakStaat
from .selectie import Criteria, selecteer
from .statistieken import tel
from .timings import dagen_tot_terugkeer, dagen_tot_verificatie


def beschermde_telling(
    zaken: Sequence[ZaakStaat],
    groepeer: Sequence[str],
    filters: Criteria | None,
    gh: Geheimhouding,
) -> dict[str, Any]:
    """:func:`.statistieken.tel` published: ``{totaal, groepen, per_onderwerp}``."""
    exact = tel(zaken, groepeer, filters)
    sleutels = tel(zaken, groepeer, filters, teller=gh.teller())
    totaal: Cel = (exact["totaal"], sleutels["totaal"])
    cellen = [
        (e["aantal"], s["aantal"])
        for e, s in zip(exact["groepen"], sleutels["groepen"], strict=True)
    ]
    getoond, som = gh.rij(cellen, totaal)
    groepen = [
        {"sleutel": g["sleutel"], "aantal": a}
        for g, a in zip(exact["groepen"], getoond, strict=True)
    ]
    onderwerpen = tel(zaken, ["onderwerp"], filters)["groepen"]
    onderwerp_sleutels = tel(zaken, ["onderwerp"], filters, teller=gh.teller())["groepen"]
    per_onderwerp, _ = gh.rij_map(
        {
            str(e["sleutel"]["onderwerp"]): (e["aantal"], s["aantal"])
            for e, s in zip(onderwerpen, onderwerp_sleutels, strict=True)
        },
        totaal,
    )
    return {"totaal": som, "groepen": groepen, "per_onderwerp": per_onderwerp}


def _verschil(a: Aantal, b: Aantal, gh: Geheimhouding) -> Aantal:
    if isinstance(a, str) or isinstance(b, str):
        return gh.teken
    return a - b


def _regel(exact: dict[str, Any], sleutel: Mapping[str, Any], gh: Geheimhouding) -> None:
    """A ``{totaal, per_onderwerp}`` line, in place."""
    cellen = {
        o: (exact["per_onderwerp"][o], sleutel["per_onderwerp"][o]) for o in exact["per_onderwerp"]
    }
    exact["per_onderwerp"], exact["totaal"] = gh.rij_map(
        cellen, (exact["totaal"], sleutel["totaal"])
    )


def bescherm_jaarcijfers(
    exact: Mapping[str, Any], sleutels: Mapping[str, Any], gh: Geheimhouding
) -> dict[str, Any]:
    """The published jaarcijfers from the exact report and the report of cell keys (both of
    :func:`.jaarcijfers.bereken_jaarcijfers` over the same cases)."""
    uit = copy.deepcopy(dict(exact))
    _regel(uit, sleutels, gh)
    uit["niet_ingedeeld"] = gh.cel((exact["niet_ingedeeld"], sleutels["niet_ingedeeld"]))
    vorig = uit["vorig_jaar"]
    _regel(vorig, sleutels["vorig_jaar"], gh)
    vorig["verschil"] = {
        "totaal": _verschil(uit["totaal"], vorig["totaal"], gh),
        "per_onderwerp": {
            o: _verschil(uit["per_onderwerp"][o], vorig["per_onderwerp"][o], gh)
            for o in uit["per_onderwerp"]
        },
    }
    for categorie, regel in uit["per_betrokkene"].items():
        _regel(regel, sleutels["per_betrokkene"][categorie], gh)
    for regel, sleutel in zip(
        uit["meldingen_per_jaar"], sleutels["meldingen_per_jaar"], strict=True
    ):
        _regel(regel, sleutel, gh)
    for tabel, sleutel in zip(uit["tabellen"], sleutels["tabellen"], strict=True):
        n = tabel["n"]
        cellen = [
            (r["aantal"], s["aantal"])
            for r, s in zip(tabel["rijen"], sleutel["rijen"], strict=True)
        ]
        getoond, som = gh.rij(cellen, (n, sleutel["n"]))
        for rij, aantal in zip(tabel["rijen"], getoond, strict=True):
            rij["aantal"] = aantal
        tabel["n"] = som
        tabel["titel"] = str(tabel["titel"]).replace(f"n={n}", f"n={som}")
        tabel["niet_ingedeeld"] = gh.cel((tabel["niet_ingedeeld"], sleutel["niet_ingedeeld"]))
    return uit


def _mediaan(dagen: list[tuple[ZaakStaat, int]], gh: Geheimhouding) -> dict[str, Any]:
    """Count and median of a cell; no minimum or maximum (one case's own lead time)."""
    aantal = gh.cel((len(dagen), gh.celsleutel(z for z, _ in dagen)))
    mediaan = round(median(d for _, d in dagen)) if len(dagen) >= gh.drempel else None
    return {"aantal": aantal, "mediaan_dagen": mediaan, "min_dagen": None, "max_dagen": None}


def beschermde_doorlooptijden(
    zaken: Iterable[ZaakStaat], filters: Criteria | None, gh: Geheimhouding
) -> list[dict[str, Any]]:
    """:func:`.timings.doorlooptijden` published: counts protected, medians (in whole days)
    only over at least ``drempel`` cases, never a minimum or maximum."""
    per_jaar: dict[int, list[ZaakStaat]] = defaultdict(list)
    for zaak in selecteer(zaken, filters):
        per_jaar[zaak.jaar].append(zaak)
    uit = []
    for jaar in sorted(per_jaar):
        eigen = per_jaar[jaar]
        verificatie = [(z, d) for z in eigen if (d := dagen_tot_verificatie(z)) is not None]
        terugkeer = [(z, d) for z in eigen if (d := dagen_tot_terugkeer(z)) is not None]
        uit.append(
            {
                "jaar": jaar,
                "meldingen": gh.cel((len(eigen), gh.celsleutel(eigen))),
                "verificatie": _mediaan(verificatie, gh),
                "terugkeer": _mediaan(terugkeer, gh),
            }
        )
    return uit


Handeling = tuple[ZaakStaat, Bijstand, str]
"""An act of consular aid with its unique name (for its record key)."""


def _handelingen(
    zaken: Iterable[ZaakStaat],
    filters: Criteria | None,
    soorten: Iterable[str] | None,
    van: date | None,
    tot: date | None,
) -> list[Handeling]:
    toegestaan = set(soorten) if soorten is not None else None
    return [
        (zaak, b, naam)
        for zaak in selecteer(zaken, filters)
        for b, naam in _namen(zaak)
        if (toegestaan is None or b.soort in toegestaan)
        and (van is None or b.datum >= van)
        and (tot is None or b.datum <= tot)
    ]


def _namen(zaak: ZaakStaat) -> list[tuple[Bijstand, str]]:
    """Each act of a case with a name of its own (its record key's input): what it is, and
    how many such acts came before it, so a late record elsewhere renames nothing."""
    gezien: dict[str, int] = defaultdict(int)
    uit = []
    for b in zaak.bijstand:
        inhoud = f"{zaak.zaak_id}|{b.soort}|{b.datum.isoformat()}|{b.post}|{b.bedrag_cent}|{b.doel}"
        uit.append((b, f"{inhoud}|{gezien[inhoud]}"))
        gezien[inhoud] += 1
    return uit


class _Handelingrij:
    """A row of cells of acts whose unit of disclosure is the case behind them."""

    def __init__(self, gh: Geheimhouding, cellen: Mapping[str, list[Handeling]]) -> None:
        self.gh = gh
        self.cellen = cellen
        self.zaken = {k: {z.zaak_id for z, _, _ in v} for k, v in cellen.items()}

    def _onderdrukt(
        self, gevoelig: list[bool], omvang: list[int], met_totaal: bool, bedragen: bool = False
    ) -> set[int]:
        sleutels = list(self.cellen)

        def genoeg(gekozen: set[int]) -> bool:
            samen: dict[str, int] = defaultdict(int)
            for i in gekozen:
                for zaak_id, bedrag in self._per_zaak(sleutels[i]).items():
                    samen[zaak_id] += bedrag
            if bedragen:
                return len(gekozen) >= 2 and not self.gh.gevoelig_bedrag(samen)
            return len(gekozen) >= 2 and len(samen) >= self.gh.drempel

        if not met_totaal:
            return {i for i, g in enumerate(gevoelig) if g}
        return secundair(gevoelig, omvang, genoeg)[0]

    def _per_zaak(self, sleutel: str) -> dict[str, int]:
        per_zaak: dict[str, int] = defaultdict(int)
        for z, b, _ in self.cellen[sleutel]:
            per_zaak[z.zaak_id] += b.bedrag_cent or 0
        return per_zaak

    def aantallen(self, met_totaal: bool) -> dict[str, Aantal]:
        """The number of acts per cell, suppressed by the number of cases behind them (with
        secondary suppression when the row's total is published as well)."""
        gevallen = [len(self.zaken[k]) for k in self.cellen]
        onderdrukt = self._onderdrukt([self.gh.klein(n) for n in gevallen], gevallen, met_totaal)
        return {
            k: self.gh.teken
            if i in onderdrukt
            else self.gh.verstoor(len(v), self.gh.handelingsleutel(n for *_, n in v))
            for i, (k, v) in enumerate(self.cellen.items())
        }

    def bedragen(self, met_totaal: bool) -> dict[str, Aantal]:
        """The amounts per cell, each a magnitude cell (see Geheimhouding.bedrag) whose noise
        the payments choose: two periods with the same cases but other payments differ by
        more than the payments in between."""
        per_zaak = {k: self._per_zaak(k) for k in self.cellen}
        gevoelig = [self.gh.gevoelig_bedrag(per_zaak[k]) for k in self.cellen]
        omvang = [sum(per_zaak[k].values()) for k in self.cellen]
        onderdrukt = self._onderdrukt(gevoelig, omvang, met_totaal, bedragen=True)
        return {
            k: self.gh.teken
            if i in onderdrukt
            else self.gh.bedrag(
                per_zaak[k], self.gh.handelingsleutel(n for *_, n in self.cellen[k])
            )
            for i, k in enumerate(self.cellen)
        }


def beschermd_noodfonds(
    zaken: Iterable[ZaakStaat],
    filters: Criteria | None,
    gh: Geheimhouding,
    *,
    van: date | None = None,
    tot: date | None = None,
) -> dict[str, Any]:
    """:func:`.statistieken.noodfonds` published."""
    uitgaven = _handelingen(zaken, filters, [NOODFONDS], van, tot)
    alles = _Handelingrij(gh, {"": uitgaven})
    per_doel: dict[str, list[Handeling]] = defaultdict(list)
    per_jaar: dict[str, list[Handeling]] = defaultdict(list)
    for handeling in uitgaven:
        per_doel[handeling[1].doel or "onbekend"].append(handeling)
        per_jaar[str(handeling[1].datum.year)].append(handeling)
    betrokken = _uniek(uitgaven)
    uit: dict[str, Any] = {
        "aantal_uitgaven": alles.aantallen(met_totaal=False)[""],
        "aantal_zaken": gh.cel((len(betrokken), gh.celsleutel(betrokken))),
        "totaal_cent": alles.bedragen(met_totaal=False)[""],
    }
    for naam, cellen in (("per_doel", per_doel), ("per_jaar", per_jaar)):
        rij = _Handelingrij(gh, dict(sorted(cellen.items())))
        aantallen, bedragen = rij.aantallen(met_totaal=True), rij.bedragen(met_totaal=True)
        uit[naam] = {k: {"aantal": aantallen[k], "totaal_cent": bedragen[k]} for k in rij.cellen}
    return uit


def _uniek(handelingen: Iterable[Handeling]) -> list[ZaakStaat]:
    gezien: dict[str, ZaakStaat] = {}
    for z, _, _ in handelingen:
        gezien.setdefault(z.zaak_id, z)
    return list(gezien.values())


def beschermde_bijstand(
    zaken: Iterable[ZaakStaat],
    per: str,
    filters: Criteria | None,
    gh: Geheimhouding,
    *,
    soorten: Iterable[str] | None = None,
    van: date | None = None,
    tot: date | None = None,
) -> list[dict[str, Any]]:
    """:func:`.statistieken.consulaire_bijstand_per` published: per post (or land) the cases,
    the acts and the acts per kind, each suppressed by the number of cases behind it."""
    if per not in {"post", "land"}:
        raise ValueError("per must be 'post' or 'land'")
    groepen: dict[str | None, list[Handeling]] = defaultdict(list)
    for handeling in _handelingen(zaken, filters, soorten, van, tot):
        zaak, b, _ = handeling
        groepen[b.post if per == "post" else zaak.land].append(handeling)
    rijen = []
    for waarde, handelingen in sorted(groepen.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        eigen = _uniek(handelingen)
        klein = gh.klein(len(eigen))
        per_soort: dict[str, list[Handeling]] = defaultdict(list)
        for handeling in handelingen:
            per_soort[handeling[1].soort].append(handeling)
        soorten_rij = _Handelingrij(gh, dict(sorted(per_soort.items())))
        rijen.append(
            {
                per: waarde,
                "aantal_zaken": gh.cel((len(eigen), gh.celsleutel(eigen))),
                "aantal_handelingen": gh.teken
                if klein
                else _Handelingrij(gh, {"": handelingen}).aantallen(met_totaal=False)[""],
                "per_soort": {k: gh.teken for k in soorten_rij.cellen}
                if klein
                else soorten_rij.aantallen(met_totaal=True),
            }
        )
    return rijen
