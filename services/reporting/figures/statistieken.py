"""Ad-hoc statistics over the case projection: the questions parliament and policy ask.

All functions take the cases of :func:`~.projection.zaken_as_of` (so "as of" is chosen there)
and criteria in the language of :mod:`.selectie`. Results are JSON-ready.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from .model import NOODFONDS, Bijstand, ZaakStaat
from .projection import zaken_as_of
from .selectie import DIMENSIES, Criteria, met_periode, selecteer, waarde


def _sorteer_sleutel(sleutel: tuple[object, ...]) -> tuple[tuple[int, str], ...]:
    # None last; mixed types sort by their text.
    return tuple(
        (1, "") if v is None else (0, f"{v:>12}" if isinstance(v, int) else str(v)) for v in sleutel
    )


def tel(
    zaken: Iterable[ZaakStaat],
    groepeer_op: Sequence[str] = (),
    filters: Criteria | None = None,
    *,
    gemeld_van: date | None = None,
    gemeld_tot: date | None = None,
    teller: Callable[[Sequence[ZaakStaat]], int] = len,
) -> dict[str, Any]:
    """Count cases, optionally grouped by dimensions (see ``selectie.DIMENSIES``).

    Returns ``{"totaal": n, "groepen": [{"sleutel": {dim: value}, "aantal": n}]}``; groups
    are sorted by key with ``None`` (unknown) last. ``gemeld_van``/``gemeld_tot`` bound
    gemeld_op inclusively (same as the ``gemeld_van``/``gemeld_tot`` criteria).
    ``teller`` turns the cases of a cell into its number (``len``; the cell key of
    :mod:`.geheimhouding` for protected figures).
    """
    for dimensie in groepeer_op:
        if dimensie not in DIMENSIES:
            raise ValueError(f"cannot group by {dimensie!r}; known: {', '.join(DIMENSIES)}")
    gekozen = selecteer(zaken, met_periode(filters, gemeld_van, gemeld_tot))
    cellen: dict[tuple[object, ...], list[ZaakStaat]] = defaultdict(list)
    for zaak in gekozen:
        cellen[tuple(waarde(zaak, d) for d in groepeer_op)].append(zaak)
    groepen = [
        {"sleutel": dict(zip(groepeer_op, sleutel, strict=True)), "aantal": teller(zaken_)}
        for sleutel, zaken_ in sorted(cellen.items(), key=lambda kv: _sorteer_sleutel(kv[0]))
    ]
    return {"totaal": teller(gekozen), "groepen": groepen}


def aantal(zaken: Iterable[ZaakStaat], filters: Criteria | None = None) -> int:
    """The number of cases meeting the criteria."""
    return len(selecteer(zaken, filters))


def per(
    zaken: Iterable[ZaakStaat], dimensie: str, filters: Criteria | None = None
) -> dict[object, int]:
    """Counts per value of one dimension, as a plain mapping (handy for tests and charts)."""
    return {g["sleutel"][dimensie]: g["aantal"] for g in tel(zaken, [dimensie], filters)["groepen"]}


def statistiek(
    envelopes: Iterable[Mapping[str, Any]],
    peildatum: date,
    groepeer_op: Sequence[str] = (),
    filters: Criteria | None = None,
    *,
    registratie_tot: datetime | None = None,
    gemeld_van: date | None = None,
    gemeld_tot: date | None = None,
) -> dict[str, Any]:
    """:func:`tel` straight from envelopes, as of a peildatum (and registratie_tot)."""
    zaken = zaken_as_of(envelopes, peildatum, registratie_tot)
    resultaat = tel(zaken, groepeer_op, filters, gemeld_van=gemeld_van, gemeld_tot=gemeld_tot)
    resultaat["peildatum"] = peildatum.isoformat()
    resultaat["registratie_tot"] = registratie_tot.isoformat() if registratie_tot else None
    return resultaat


def _handelingen(
    zaken: Iterable[ZaakStaat],
    filters: Criteria | None,
    soorten: Iterable[str] | None,
    van: date | None,
    tot: date | None,
) -> list[tuple[ZaakStaat, Bijstand]]:
    toegestaan = set(soorten) if soorten is not None else None
    return [
        (zaak, b)
        for zaak in selecteer(zaken, filters)
        for b in zaak.bijstand
        if (toegestaan is None or b.soort in toegestaan)
        and (van is None or b.datum >= van)
        and (tot is None or b.datum <= tot)
    ]


def noodfonds(
    zaken: Iterable[ZaakStaat],
    filters: Criteria | None = None,
    *,
    van: date | None = None,
    tot: date | None = None,
) -> dict[str, Any]:
    """Emergency-fund use: payments (``noodfonds_uitgave``) dated within [van, tot].

    Returns ``{aantal_uitgaven, aantal_zaken, totaal_cent, per_doel: {doel: {aantal,
    totaal_cent}}, per_jaar: {jaar: {aantal, totaal_cent}}}`` (per_jaar by payment date).
    """
    uitgaven = _handelingen(zaken, filters, [NOODFONDS], van, tot)
    per_doel: dict[str, dict[str, int]] = defaultdict(lambda: {"aantal": 0, "totaal_cent": 0})
    per_jaar: dict[str, dict[str, int]] = defaultdict(lambda: {"aantal": 0, "totaal_cent": 0})
    for _, b in uitgaven:
        for bak in (per_doel[b.doel or "onbekend"], per_jaar[str(b.datum.year)]):
            bak["aantal"] += 1
            bak["totaal_cent"] += b.bedrag_cent or 0
    return {
        "aantal_uitgaven": len(uitgaven),
        "aantal_zaken": len({z.zaak_id for z, _ in uitgaven}),
        "totaal_cent": sum(b.bedrag_cent or 0 for _, b in uitgaven),
        "per_doel": dict(sorted(per_doel.items())),
        "per_jaar": dict(sorted(per_jaar.items())),
    }


def consulaire_bijstand_per(
    zaken: Iterable[ZaakStaat],
    per_: str = "post",
    filters: Criteria | None = None,
    *,
    soorten: Iterable[str] | None = None,
    van: date | None = None,
    tot: date | None = None,
) -> list[dict[str, Any]]:
    """Consular aid per ``post`` (embassy/consulate) or per ``land`` (the case's country).

    Returns ``[{<per_>: value, aantal_zaken, aantal_handelingen, per_soort: {soort: n}}]``
    sorted by value; only acts of the given ``soorten`` dated within [van, tot] count.
    """
    if per_ not in {"post", "land"}:
        raise ValueError("per_ must be 'post' or 'land'")
    handelingen = _handelingen(zaken, filters, soorten, van, tot)
    groepen: dict[str | None, list[tuple[ZaakStaat, Bijstand]]] = defaultdict(list)
    for zaak, b in handelingen:
        groepen[b.post if per_ == "post" else zaak.land].append((zaak, b))
    return [
        {
            per_: sleutel,
            "aantal_zaken": len({z.zaak_id for z, _ in rij}),
            "aantal_handelingen": len(rij),
            "per_soort": dict(sorted(Counter(b.soort for _, b in rij).items())),
        }
        for sleutel, rij in sorted(groepen.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    ]
