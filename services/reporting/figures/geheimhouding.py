"""Statistical disclosure control for figures that leave the LKHA (docs/security.md).

Roles without access to the cases (policy, BZ for the figures over all cases, the auditor)
get every count through :class:`Geheimhouding`; the LKHA keeps exact figures. Four measures,
each from the practice of the statistical offices (CBS, Eurostat, ABS):

1. **Coarse dimensions** (:func:`grof_peildatum`, :func:`grof_criteria`, ...): ages only in
   bands (:data:`LEEFTIJDSKLASSEN`), dates only in whole months: a peildatum is rounded down
   to a month end, a registratie_tot down to the first of its month, a gemeld_op or payment
   range out to whole months. Two questions a day apart are the same question.
2. **Cell key method** (ABS TableBuilder; Eurostat's recommendation for the 2021 census;
   Fraser & Wooton 2005, Thompson, Broadfoot & Elazar 2013): every case has a secret record
   key (HMAC-SHA-256 of its zaak_id under reporting's key); a cell's key is the sum of the
   record keys of the cases in it, modulo 2^64, and picks the cell's noise from a fixed
   perturbation table (:data:`RUISTABEL`: -2..+2, mean 0, variance 1.2). The same set of
   cases gets the same noise in every table and every query (repeating a question averages
   nothing away); a set one case larger has an unrelated key, so the difference of two
   answers is the true difference plus noise of up to +-4, never the bare count.
3. **Minimum cell size** :attr:`Geheimhouding.drempel` (5, CBS's usual frequency rule): a
   cell of 1 to drempel-1 cases is never shown, only marked (``"<5"``); a shown count is at
   least the drempel even after noise. Zeros are shown (as in ABS TableBuilder).
4. **Secondary suppression** (:func:`secundair`): in a row whose total is shown, suppressed
   cells come at least two at a time and hold at least ``drempel`` cases together, else the
   next smallest cells are suppressed too, or the total when none is left.

Amounts (emergency fund) follow the cell key method for magnitudes: a sum is shown only when
its cell holds at least ``drempel`` cases and passes the (2, 85%) dominance rule (the two
largest cases hold at most 85% of it); it is perturbed by its noise times a quarter of the
largest case's share and rounded to whole euros.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any, Final

from .model import ZaakStaat

Aantal = int | str
"""A published count: a whole number, or the mark of a suppressed cell."""

METHODE: Final = "cell key method (ABS) + minimum cell size + secondary suppression"
MODULUS: Final = 2**64

RUISTABEL: Final[tuple[tuple[float, int], ...]] = (
    (0.1, -2),
    (0.3, -1),
    (0.7, 0),
    (0.9, 1),
    (1.0, 2),
)
"""The perturbation table: (upper bound of the cell key's fraction, noise added)."""
MAX_RUIS: Final = 2

DOMINANTIE_N: Final = 2
DOMINANTIE_K: Final = 85
"""The (n, k) dominance rule for amounts: the n largest contributors hold at most k%."""
BEDRAG_RUIS: Final = 0.25
"""Noise of an amount: the cell's noise times this share of its largest contributor."""

LEEFTIJDSKLASSEN: Final[tuple[tuple[str, int, int], ...]] = (
    ("0-11", 0, 11),
    ("12-17", 12, 17),
    ("18-22", 18, 22),
    ("23-29", 23, 29),
    ("30+", 30, 200),
)
"""The age bands figures outside the LKHA use instead of ages: (code, from, to)."""


def leeftijdsklasse(leeftijd: int | None) -> str | None:
    """The band of an age (None when unknown)."""
    if leeftijd is None:
        return None
    for code, van, tot in LEEFTIJDSKLASSEN:
        if van <= leeftijd <= tot:
            return code
    return None


@lru_cache(maxsize=200_000)
def _recordsleutel(sleutel: bytes, naam: str) -> int:
    digest = hmac.new(sleutel, naam.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")


def teken(drempel: int) -> str:
    """How a suppressed cell is shown."""
    return f"<{drempel}"


def secundair(
    gevoelig: Sequence[bool], omvang: Sequence[int], genoeg: Callable[[set[int]], bool]
) -> tuple[set[int], bool]:
    """Which cells of a row with a published total to suppress, and whether the total goes.

    ``gevoelig`` marks the primary suppressions; while the suppressed cells are not
    ``genoeg`` (e.g. one cell, or together fewer cases than the drempel) the smallest
    non-empty cell still shown is suppressed too; when none is left, the total goes.
    """
    onderdrukt = {i for i, g in enumerate(gevoelig) if g}
    if not onderdrukt:
        return onderdrukt, False
    while not genoeg(onderdrukt):
        rest = sorted((omvang[i], i) for i in range(len(omvang)) if i not in onderdrukt)
        rest = [(o, i) for o, i in rest if o > 0]
        if not rest:
            return onderdrukt, True
        onderdrukt.add(rest[0][1])
    return onderdrukt, False


Cel = tuple[int, int]
"""A cell before publication: (exact count, cell key)."""


@dataclass(frozen=True)
class Geheimhouding:
    """Disclosure control with one secret key and one minimum cell size."""

    sleutel: bytes = field(repr=False)
    drempel: int = 5
    grofheid: tuple[str, ...] = ()
    """What was coarsened in the question (for the response)."""

    def __post_init__(self) -> None:
        if self.drempel < 2:
            raise ValueError("drempel must be at least 2")
        if len(self.sleutel) < 16:
            raise ValueError("the key of the cell key method must have at least 16 bytes")

    @property
    def teken(self) -> str:
        return teken(self.drempel)

    def met_grofheid(self, *notities: str) -> Geheimhouding:
        return Geheimhouding(self.sleutel, self.drempel, (*self.grofheid, *notities))

    # -- keys ---------------------------------------------------------------------------
    def recordsleutel(self, naam: str) -> int:
        """The secret record key of one case (or one act), uniform on [0, 2^64)."""
        return _recordsleutel(self.sleutel, naam)

    def celsleutel(self, zaken: Iterable[ZaakStaat]) -> int:
        """The cell key of a set of cases: the sum of their record keys modulo 2^64."""
        return sum(self.recordsleutel(z.zaak_id) for z in zaken) % MODULUS

    def handelingsleutel(self, namen: Iterable[str]) -> int:
        """The cell key of a set of acts (each named uniquely by the caller)."""
        return sum(self.recordsleutel(n) for n in namen) % MODULUS

    def teller(self) -> Callable[[Sequence[ZaakStaat]], int]:
        """A count function giving cell keys instead of counts (for the figures' tellers)."""
        return self.celsleutel

    # -- publication ----------------------------------------------------------------------
    def ruis(self, celsleutel: int) -> int:
        fractie = celsleutel / MODULUS
        for grens, ruis in RUISTABEL:
            if fractie < grens:
                return ruis
        return RUISTABEL[-1][1]

    def klein(self, aantal: int) -> bool:
        """A primary suppression: 1 to drempel-1 cases."""
        return 0 < aantal < self.drempel

    def verstoor(self, aantal: int, celsleutel: int) -> int:
        """The published value of a cell that is shown: never below the drempel."""
        if aantal == 0:
            return 0
        return max(self.drempel, aantal + self.ruis(celsleutel))

    def cel(self, cel: Cel, onderdrukt: bool = False) -> Aantal:
        aantal, sleutel = cel
        if onderdrukt or self.klein(aantal):
            return self.teken
        return self.verstoor(aantal, sleutel)

    def rij(self, cellen: Sequence[Cel], totaal: Cel | None) -> tuple[list[Aantal], Aantal | None]:
        """One row of cells and its total (None: no total is published with it)."""
        aantallen = [a for a, _ in cellen]
        if totaal is None:
            return [self.cel(c) for c in cellen], None

        def genoeg(gekozen: set[int]) -> bool:
            return len(gekozen) >= 2 and sum(aantallen[i] for i in gekozen) >= self.drempel

        onderdrukt, zonder_totaal = secundair([self.klein(a) for a in aantallen], aantallen, genoeg)
        getoond = [self.cel(c, i in onderdrukt) for i, c in enumerate(cellen)]
        return getoond, self.cel(totaal, zonder_totaal)

    def rij_map(
        self, cellen: Mapping[str, Cel], totaal: Cel | None
    ) -> tuple[dict[str, Aantal], Aantal | None]:
        """:meth:`rij` over a mapping of cells."""
        getoond, som = self.rij(list(cellen.values()), totaal)
        return dict(zip(cellen, getoond, strict=True)), som

    def bedrag(self, per_zaak: Mapping[str, int], sleutel: int) -> int | str:
        """A sum of amounts over cases: suppressed unless >= drempel cases and not dominated."""
        if not per_zaak:
            return 0
        if self.gevoelig_bedrag(per_zaak):
            return self.teken
        grootste = max(per_zaak.values())
        ruis = self.ruis(sleutel) * BEDRAG_RUIS * grootste
        return max(0, round((sum(per_zaak.values()) + ruis) / 100) * 100)

    def gevoelig_bedrag(self, per_zaak: Mapping[str, int]) -> bool:
        totaal = sum(per_zaak.values())
        if len(per_zaak) < self.drempel:
            return bool(per_zaak)
        grootste = sorted(per_zaak.values(), reverse=True)[:DOMINANTIE_N]
        return totaal > 0 and sum(grootste) * 100 > DOMINANTIE_K * totaal

    def blok(self) -> dict[str, Any]:
        """What was applied, for the response's ``geheimhouding``."""
        return {
            "methode": METHODE,
            "drempel": self.drempel,
            "teken": self.teken,
            "max_ruis": MAX_RUIS,
            "bedragen": (
                f"shown when >= {self.drempel} cases and the ({DOMINANTIE_N}, {DOMINANTIE_K}%) "
                "dominance rule holds; perturbed and rounded to whole euros"
            ),
            "grofheid": list(self.grofheid),
        }


# -- coarse questions ---------------------------------------------------------------------
def maand_einde(dag: date) -> date:
    return dag.replace(day=calendar.monthrange(dag.year, dag.month)[1])


def grof_peildatum(dag: date) -> date:
    """The last month end on or before ``dag``."""
    einde = maand_einde(dag)
    if einde == dag:
        return dag
    eerste = dag.replace(day=1)
    return date.fromordinal(eerste.toordinal() - 1)


def grof_moment(moment: datetime) -> datetime:
    """The start (UTC) of the month of ``moment``: what was recorded by the month's start."""
    utc = moment.astimezone(UTC)
    return datetime.combine(utc.date().replace(day=1), time(0), tzinfo=UTC)


def grof_periode(van: date | None, tot: date | None) -> tuple[date | None, date | None]:
    """A date range widened to whole months."""
    return (
        van.replace(day=1) if van is not None else None,
        maand_einde(tot) if tot is not None else None,
    )


def grof_groepeer(groepeer: Sequence[str]) -> list[str]:
    """Dimensions as far as they may be shown outside the LKHA: ages in bands."""
    uit: list[str] = []
    for dimensie in groepeer:
        grof = "leeftijdsklasse" if dimensie == "leeftijd" else dimensie
        if grof not in uit:
            uit.append(grof)
    return uit


def _iso(waarde: object) -> date | None:
    if isinstance(waarde, date):
        return waarde
    try:
        return date.fromisoformat(str(waarde))
    except ValueError:
        return None


def grof_criteria(criteria: Mapping[str, Any]) -> dict[str, Any]:
    """Criteria coarsened: gemeld_van/gemeld_tot to whole months, open_op to a month end,
    leeftijd to the bands holding the ages asked (``niet`` likewise)."""
    uit: dict[str, Any] = {}
    for sleutel, waarde in criteria.items():
        dag = _iso(waarde) if sleutel in {"gemeld_van", "gemeld_tot", "open_op"} else None
        if sleutel == "niet" and isinstance(waarde, Mapping):
            uit[sleutel] = grof_criteria(waarde)
        elif sleutel == "gemeld_van" and dag is not None:
            uit[sleutel] = dag.replace(day=1).isoformat()
        elif sleutel == "gemeld_tot" and dag is not None:
            uit[sleutel] = maand_einde(dag).isoformat()
        elif sleutel == "open_op" and dag is not None:
            uit[sleutel] = grof_peildatum(dag).isoformat()
        elif sleutel == "leeftijd":
            leeftijden = waarde if isinstance(waarde, list | tuple) else [waarde]
            klassen = {leeftijdsklasse(a) if isinstance(a, int) else None for a in leeftijden}
            bestaand = uit.get("leeftijdsklasse", [])
            uit["leeftijdsklasse"] = sorted(
                {*bestaand, *klassen}, key=lambda k: (k is None, _klasse_volgorde(k))
            )
        elif sleutel == "leeftijdsklasse":
            bestaand = uit.get("leeftijdsklasse", [])
            nieuw = waarde if isinstance(waarde, list | tuple) else [waarde]
            uit[sleutel] = sorted(
                {*bestaand, *nieuw}, key=lambda k: (k is None, _klasse_volgorde(k))
            )
        else:
            uit[sleutel] = waarde
    return uit


def _klasse_volgorde(klasse: str | None) -> int:
    codes = [c for c, _, _ in LEEFTIJDSKLASSEN]
    return codes.index(klasse) if klasse in codes else len(codes)


@dataclass(frozen=True)
class GroveVraag:
    """A question as it is answered outside the LKHA, and the disclosure control it gets."""

    geheimhouding: Geheimhouding
    peildatum: date
    registratie_tot: datetime | None
    criteria: dict[str, Any]
    groepeer: list[str]
    van: date | None
    tot: date | None


def maak_grof(
    gh: Geheimhouding,
    *,
    peildatum: date,
    registratie_tot: datetime | None = None,
    criteria: Mapping[str, Any] | None = None,
    groepeer: Sequence[str] = (),
    van: date | None = None,
    tot: date | None = None,
) -> GroveVraag:
    """Coarsen every part of a question (see the module's measure 1), noting what changed."""
    notities: list[str] = []
    peil = grof_peildatum(peildatum)
    if peil != peildatum:
        notities.append(f"peildatum {peildatum.isoformat()} -> {peil.isoformat()} (month end)")
    grens = grof_moment(registratie_tot) if registratie_tot is not None else None
    if grens is not None and grens != registratie_tot:
        notities.append(f"registratie_tot -> {grens.isoformat()} (start of the month)")
    filters = dict(criteria or {})
    grove_filters = grof_criteria(filters)
    if grove_filters != filters:
        notities.append("filters -> whole months and age bands")
    grof_op = grof_groepeer(groepeer)
    if grof_op != list(groepeer):
        notities.append("groepeer leeftijd -> leeftijdsklasse")
    periode = grof_periode(van, tot)
    if periode != (van, tot):
        notities.append("van/tot -> whole months")
    return GroveVraag(
        gh.met_grofheid(*notities), peil, grens, grove_filters, grof_op, periode[0], periode[1]
    )
