"""The jaarcijfers as files: CSV (one row per number), XLSX (as laid out for people), HTML.

All take the JSON report of ``Rapportage.jaarcijfers`` and nothing else, so every format shows
exactly the same numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from services.reporting.exports import tekst
from services.reporting.exports.grafieken import (
    als_svg,
    figuur_meldingen_per_jaar,
    figuur_tabel,
)
from services.reporting.exports.labels import BETROKKENE, ONDERWERP, label

TEMPLATES = Path(__file__).parent / "templates"

CSV_KOLOMMEN = (
    "jaar",
    "peildatum",
    "registratie_tot",
    "onderdeel",
    "nummer",
    "titel",
    "label",
    "code",
    "aantal",
)


def _csv_rijen(r: Mapping[str, Any]) -> Iterator[tuple[object, ...]]:
    vorig = r["vorig_jaar"]
    yield ("meldingen", "", f"Meldingen {r['jaar']}", "totaal", "totaal", r["totaal"])
    for code, aantal in r["per_onderwerp"].items():
        yield ("meldingen", "", f"Meldingen {r['jaar']}", label(ONDERWERP, code), code, aantal)
    titel = f"Meldingen {vorig['jaar']} (peildatum {vorig['peildatum']})"
    yield ("vorig_jaar", "", titel, "totaal", "totaal", vorig["totaal"])
    for code, aantal in vorig["per_onderwerp"].items():
        yield ("vorig_jaar", "", titel, label(ONDERWERP, code), code, aantal)
    titel = f"Verschil {r['jaar']} ten opzichte van {vorig['jaar']}"
    yield ("verschil", "", titel, "totaal", "totaal", vorig["verschil"]["totaal"])
    for code, aantal in vorig["verschil"]["per_onderwerp"].items():
        yield ("verschil", "", titel, label(ONDERWERP, code), code, aantal)
    for categorie, regel in r["per_betrokkene"].items():
        titel = f"Meldingen {r['jaar']}: {label(BETROKKENE, categorie)}"
        yield (f"betrokkene:{categorie}", "", titel, "totaal", "totaal", regel["totaal"])
        for code, aantal in regel["per_onderwerp"].items():
            yield (f"betrokkene:{categorie}", "", titel, label(ONDERWERP, code), code, aantal)
    for t in r["tabellen"]:
        for rij in t["rijen"]:
            yield ("tabel", t["nummer"], t["titel"], rij["label"], rij["code"], rij["aantal"])
        yield ("tabel", t["nummer"], t["titel"], "Totaal", "totaal", t["n"])


def als_csv(rapport: Mapping[str, Any]) -> str:
    """One row per published number (tidy: year, peildatum, part, table, label, code, count)."""
    uit = io.StringIO()
    schrijver = csv.writer(uit, lineterminator="\r\n")
    schrijver.writerow(CSV_KOLOMMEN)
    vast = (rapport["jaar"], rapport["peildatum"], rapport.get("registratie_tot") or "")
    for rij in _csv_rijen(rapport):
        schrijver.writerow((*vast, *rij))
    return uit.getvalue()


_VET = Font(bold=True)
_TITEL = Font(bold=True, size=14, color="154273")
_BOVENLIJN = Border(top=Side(style="thin"))


def _blok(blad: Worksheet, titel: str, kop: tuple[str, ...], rijen: list[tuple[Any, ...]]) -> None:
    blad.append(())
    blad.append((titel,))
    blad.cell(blad.max_row, 1).font = _VET
    blad.append(kop)
    for cel in blad[blad.max_row]:
        cel.font = _VET
    for rij in rijen:
        blad.append(rij)


def als_xlsx(rapport: Mapping[str, Any]) -> bytes:
    """A workbook: the report laid out as published, and the series per year with a chart."""
    r = rapport
    boek = Workbook()
    blad = boek.active
    assert blad is not None
    blad.title = "Jaarcijfers"
    blad.append((r["titel"],))
    blad["A1"].font = _TITEL
    blad.append((tekst.kop(r),))
    vorig = r["vorig_jaar"]
    _blok(
        blad,
        f"Meldingen per onderwerp, {vorig['jaar']} en {r['jaar']}",
        ("Onderwerp", str(vorig["jaar"]), str(r["jaar"]), "verschil"),
        [
            (
                label(ONDERWERP, o),
                vorig["per_onderwerp"][o],
                a,
                vorig["verschil"]["per_onderwerp"][o],
            )
            for o, a in r["per_onderwerp"].items()
        ]
        + [("Totaal", vorig["totaal"], r["totaal"], vorig["verschil"]["totaal"])],
    )
    onderwerpen = list(r["per_onderwerp"])
    _blok(
        blad,
        f"Meldingen {r['jaar']} per betrokkene",
        ("Betrokkene", *(label(ONDERWERP, o) for o in onderwerpen), "Totaal"),
        [
            (label(BETROKKENE, c), *(g["per_onderwerp"][o] for o in onderwerpen), g["totaal"])
            for c, g in r["per_betrokkene"].items()
        ],
    )
    for t in r["tabellen"]:
        eerste = t is r["tabellen"][0]
        _blok(
            blad,
            f"Tabel {t['nummer']} {t['titel']}",
            ("Onderwerp" if eerste else "Uitkomsten", str(r["jaar"]) if eerste else "Aantal"),
            [(rij["label"], rij["aantal"]) for rij in t["rijen"]] + [("Totaal", t["n"])],
        )
        blad.cell(blad.max_row, 1).font = _VET
        for cel in blad[blad.max_row]:
            cel.border = _BOVENLIJN
    blad.column_dimensions["A"].width = 58
    for kolom in "BCDEFG":
        blad.column_dimensions[kolom].width = 14

    reeks = boek.create_sheet("Per jaar")
    reeks.append(("Jaar", *(label(ONDERWERP, o) for o in onderwerpen), "Totaal", "Peildatum"))
    for cel in reeks[1]:
        cel.font = _VET
    for regel in r["meldingen_per_jaar"]:
        reeks.append(
            (
                regel["jaar"],
                *(regel["per_onderwerp"][o] for o in onderwerpen),
                regel["totaal"],
                regel["peildatum"],
            )
        )
    grafiek = BarChart()
    grafiek.title = "Meldingen per onderwerp per jaar"
    grafiek.y_axis.title = "meldingen"
    aantal_jaren = len(r["meldingen_per_jaar"])
    grafiek.add_data(
        Reference(
            reeks, min_col=2, max_col=1 + len(onderwerpen), min_row=1, max_row=1 + aantal_jaren
        ),
        titles_from_data=True,
    )
    grafiek.set_categories(Reference(reeks, min_col=1, min_row=2, max_row=1 + aantal_jaren))
    grafiek.width, grafiek.height = 18, 9
    reeks.add_chart(grafiek, f"A{aantal_jaren + 4}")
    reeks.column_dimensions["A"].width = 10
    uit = io.BytesIO()
    boek.save(uit)
    return uit.getvalue()


@cache
def _omgeving() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def als_html(rapport: Mapping[str, Any]) -> str:
    """A printable page in the layout of the published report, with charts as inline SVG."""
    tabellen = rapport["tabellen"]
    return (
        _omgeving()
        .get_template("jaarcijfers.html")
        .render(
            r=rapport,
            kop=tekst.kop(rapport),
            totaal_zin=tekst.totaal_zin(rapport),
            onderwerp_zin=tekst.onderwerp_zin(rapport),
            betrokkene_zinnen=tekst.betrokkene_zinnen(rapport),
            eerste=tabellen[0] if tabellen else None,
            grafiek_per_jaar=als_svg(figuur_meldingen_per_jaar(rapport)),
            overige=[(t, als_svg(figuur_tabel(t))) for t in tabellen[1:]],
            voetnoot=tekst.VOETNOOT,
        )
    )
