"""The types of reporting's query parameters: ISO dates from 1990 to 2100, ISO 3166 countries,
the disclosure control asked for (services/reporting/schemas.py uses them)."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import pycountry
from pydantic import AfterValidator, BeforeValidator, Field

ISO_DATUM = re.compile(r"^\d{4}-\d{2}-\d{2}")
EERSTE_DAG = date(1990, 1, 1)
LAATSTE_DAG = date(2100, 12, 31)


def _iso_tekst(waarde: object) -> object:
    """Dates and moments only as ISO text: a number is no date (0 is not 1970-01-01)."""
    if not isinstance(waarde, str | date):
        raise ValueError("must be an ISO 8601 date (YYYY-MM-DD), not a number")
    if isinstance(waarde, str) and not ISO_DATUM.match(waarde):
        raise ValueError("must be an ISO 8601 date (YYYY-MM-DD)")
    return waarde


def _land(code: str) -> str:
    code = code.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code (e.g. MA, PK, SO)")
    return code


def _moment(waarde: datetime) -> datetime:
    dag = waarde.date()
    if not EERSTE_DAG <= dag <= LAATSTE_DAG:
        raise ValueError(f"must lie from {EERSTE_DAG} to {LAATSTE_DAG}")
    return waarde


Land = Annotated[str, AfterValidator(_land)]
Jaar = Annotated[int, Field(ge=1990, le=2100)]
Datum = Annotated[date, BeforeValidator(_iso_tekst), Field(ge=EERSTE_DAG, le=LAATSTE_DAG)]
"""A business date: ISO text from 1990 to 2100."""
Moment = Annotated[datetime, BeforeValidator(_iso_tekst), AfterValidator(_moment)]
Aantal = int | str
"""A count, or the suppression mark when it was suppressed."""


class Wijze(StrEnum):
    """How figures are given: exact (the LKHA only) or under disclosure control."""

    exact = "exact"
    beschermd = "beschermd"


Drempel = Annotated[
    int | None,
    Field(
        ge=5,
        le=100,
        description=(
            "Minimum cell size of figures under disclosure control (at least 5, the default): "
            "counts below it are shown as '<drempel'. Given by the LKHA, it asks for the "
            "figures as they leave the organisation."
        ),
        examples=[5],
    ),
]
