"""Annual figures (jaarcijfers) computed from the case projection and a data definition.

This module knows no year: what a table holds, how it is titled and which codes fold into
which row all come from the :class:`~.definitie.Definitie` (JSON under definitions/).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from .definitie import Definitie, TabelDefinitie, laad_definitie
from .model import ZaakStaat
from .projection import historie_per_zaak, staten
from .selectie import selecteer, voldoet
from .suppression import onderdruk_jaarcijfers

Teller = Callable[[Sequence[ZaakStaat]], int]
"""Turns the cases of a cell into its number: ``len``, or a cell key (.geheimhouding)."""


def vorige_peildatum(peildatum: date, jaren: int = 1) -> date:
    """The same relative peildatum ``jaren`` years earlier (29 February becomes 28 February)."""
    try:
        return peildatum.replace(year=peildatum.year - jaren)
    except ValueError:
        return peildatum.replace(year=peildatum.year - jaren, day=28)


def meldingen_per_jaar(
    zaken_op: Callable[[date], Sequence[ZaakStaat]],
    definitie: Definitie,
    *,
    jaar: int,
    peildatum: date,
    van_jaar: int,
    teller: Teller = len,
) -> list[dict[str, Any]]:
    """Meldingen per onderwerp in each year from ``van_jaar`` to ``jaar``, oldest first.

    Each year is taken as of the same relative peildatum (as the previous year in the
    jaarcijfers is), so the series matches what each year's report showed or would show.
    ``zaken_op(peildatum)`` gives the case projection as of a date.
    """
    reeks: list[dict[str, Any]] = []
    for eerder in range(van_jaar, jaar + 1):
        op = vorige_peildatum(peildatum, jaar - eerder)
        eigen = [z for z in selecteer(zaken_op(op), definitie.populatie) if z.jaar == eerder]
        reeks.append(
            {
                "jaar": eerder,
                "peildatum": op.isoformat(),
                "totaal": teller(eigen),
                "per_onderwerp": _per_onderwerp(eigen, definitie.onderwerpen, teller),
            }
        )
    return reeks


def _per_onderwerp(
    zaken: Sequence[ZaakStaat], onderwerpen: Sequence[str], teller: Teller = len
) -> dict[str, int]:
    return {o: teller([z for z in zaken if z.onderwerp == o]) for o in onderwerpen}


def _tabel(
    tabel: TabelDefinitie, zaken: Sequence[ZaakStaat], jaar: int, teller: Teller
) -> dict[str, Any]:
    populatie = selecteer(zaken, tabel.populatie)
    rijen = [
        {
            "label": rij.label,
            "code": rij.code,
            "aantal": teller([z for z in populatie if voldoet(z, rij.match)]),
        }
        for rij in tabel.rijen
    ]
    buiten = [z for z in populatie if not any(voldoet(z, r.match) for r in tabel.rijen)]
    return {
        "nummer": tabel.nummer,
        "titel": tabel.titel_voor(jaar, len(populatie)),
        "n": teller(populatie),
        "rijen": rijen,
        "niet_ingedeeld": teller(buiten),
    }


def bereken_jaarcijfers(
    zaken_van_jaar: Iterable[ZaakStaat],
    zaken_vorig_jaar: Iterable[ZaakStaat],
    definitie: Definitie,
    *,
    jaar: int,
    peildatum: date | None = None,
    registratie_tot: datetime | None = None,
    onderdrukking_drempel: int | None = None,
    teller: Teller = len,
) -> dict[str, Any]:
    """JSON-ready jaarcijfers for ``jaar``.

    ``zaken_van_jaar`` and ``zaken_vorig_jaar`` come from :func:`~.projection.zaken_as_of`
    (as of the peildatum and the same relative peildatum a year earlier); cases gemeld in
    another year are ignored, so passing all cases is fine. ``peildatum`` and
    ``registratie_tot`` are only echoed in the output. With ``onderdrukking_drempel`` small
    cells are suppressed (see :mod:`.suppression`); off by default.

    Output: ``{jaar, titel, definitie, peildatum, registratie_tot, totaal, per_onderwerp,
    niet_ingedeeld, vorig_jaar: {jaar, peildatum, totaal, per_onderwerp, verschil:
    {totaal, per_onderwerp}}, per_betrokkene: {categorie: {totaal, per_onderwerp}},
    tabellen: [{nummer, titel, n, rijen: [{label, code, aantal}], niet_ingedeeld}],
    onderdrukking}``. ``niet_ingedeeld`` counts cases in a population that no row (or no
    listed onderwerp) holds: 0 when the definition fits the data. With another ``teller``
    (a cell key) every number is that teller's value of the cases behind it, except the
    differences and titles, which the caller derives again (see .bescherming).
    """
    peildatum = peildatum or definitie.standaard_peildatum(jaar)
    dit_jaar = [z for z in selecteer(zaken_van_jaar, definitie.populatie) if z.jaar == jaar]
    vorig = [z for z in selecteer(zaken_vorig_jaar, definitie.populatie) if z.jaar == jaar - 1]
    onderwerpen = definitie.onderwerpen
    per_onderwerp = _per_onderwerp(dit_jaar, onderwerpen, teller)
    vorig_per_onderwerp = _per_onderwerp(vorig, onderwerpen, teller)
    per_betrokkene: dict[str, Any] = {}
    for categorie in definitie.betrokkenen:
        eigen = [z for z in dit_jaar if z.betrokkene == categorie]
        per_betrokkene[categorie] = {
            "totaal": teller(eigen),
            "per_onderwerp": _per_onderwerp(eigen, onderwerpen, teller),
        }
    buiten = [z for z in dit_jaar if z.onderwerp not in onderwerpen]
    rapport: dict[str, Any] = {
        "jaar": jaar,
        "titel": definitie.titel_voor(jaar),
        "definitie": definitie.jaar,
        "peildatum": peildatum.isoformat(),
        "registratie_tot": registratie_tot.isoformat() if registratie_tot else None,
        "totaal": teller(dit_jaar),
        "per_onderwerp": per_onderwerp,
        "niet_ingedeeld": teller(buiten),
        "vorig_jaar": {
            "jaar": jaar - 1,
            "peildatum": vorige_peildatum(peildatum).isoformat(),
            "totaal": teller(vorig),
            "per_onderwerp": vorig_per_onderwerp,
            "verschil": {
                "totaal": len(dit_jaar) - len(vorig),
                "per_onderwerp": {
                    o: per_onderwerp[o] - vorig_per_onderwerp[o] for o in onderwerpen
                },
            },
        },
        "per_betrokkene": per_betrokkene,
        "tabellen": [_tabel(t, dit_jaar, jaar, teller) for t in definitie.tabellen],
        "onderdrukking": None,
    }
    if onderdrukking_drempel is not None:
        return onderdruk_jaarcijfers(rapport, onderdrukking_drempel)
    return rapport


def jaarcijfers_uit_events(
    envelopes: Iterable[Mapping[str, Any]],
    jaar: int,
    *,
    peildatum: date | None = None,
    registratie_tot: datetime | None = None,
    definitie: Definitie | None = None,
    onderdrukking_drempel: int | None = None,
) -> dict[str, Any]:
    """Jaarcijfers straight from integration-event envelopes.

    The definition defaults to the one in force for ``jaar``, the peildatum to the
    definition's default (31 December of ``jaar``). The previous year is taken as of the same
    relative peildatum one year earlier, with the same ``registratie_tot``.
    """
    definitie = definitie or laad_definitie(jaar)
    peildatum = peildatum or definitie.standaard_peildatum(jaar)
    historie = historie_per_zaak(envelopes).values()
    dit_jaar = staten(historie, peildatum, registratie_tot)
    vorig = staten(historie, vorige_peildatum(peildatum), registratie_tot)
    return bereken_jaarcijfers(
        dit_jaar,
        vorig,
        definitie,
        jaar=jaar,
        peildatum=peildatum,
        registratie_tot=registratie_tot,
        onderdrukking_drempel=onderdrukking_drempel,
    )
