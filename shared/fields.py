"""The values every service's HTTP edge accepts, as pydantic types shared by all schemas.

- `Text` (one line, at most 200 characters) and `FreeText` (line breaks and tabs allowed, at
  most 10,000): text that PostgreSQL (text and jsonb), NATS and every consumer can store. They
  refuse C0 and C1 control characters (NUL above all: jsonb refuses it), DEL, lone surrogates
  (no UTF-8 exists for them) and the noncharacters U+FFFE and U+FFFF. A field may be
  tightened with `Field(max_length=...)`.
- `IsoDate`: a date written as YYYY-MM-DD, nothing else (no numbers: 0 is not 1970-01-01),
  between 1900 and 2100 so that year arithmetic never leaves the calendar; `BusinessDate`: a
  date on which something happened in a case, not before 2000. Whether it lies in the future
  is the domain's rule (it knows the day).
- `IsoDateTime`: an ISO 8601 moment as a string (no numbers).
- `StrictBool`: only JSON true and false; `StrictInt`: only JSON whole numbers.

Every refusal names its rule (the error's `type`), which the error format shows as `rule`.
`storable()` makes any text safe to store by escaping what these types refuse: the audit log
uses it for what a request brings that was never validated (its path).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic import StrictBool as StrictBool
from pydantic import StrictInt as StrictInt
from pydantic_core import PydanticCustomError

#: Characters no text field accepts: C0 controls except tab, line feed and carriage return
#: (those are refused in one-line text separately), DEL and C1 controls, lone surrogates,
#: the noncharacters U+FFFE and U+FFFF.
_NEVER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\t\n\r]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?"
)

TEXT_MAX = 200
FREE_TEXT_MAX = 10_000


def _codepoint(char: str) -> str:
    return f"U+{ord(char):04X}"


def unstorable(value: str, *, multiline: bool = True) -> tuple[str, str] | None:
    """(rule, message) when `value` holds a character no text field accepts, else None."""
    found = _NEVER.search(value)
    if found is not None:
        char = found.group()
        rule = "ongeldig_teken" if ord(char) >= 0xD800 else "stuurteken"
        return rule, (
            f"contains the character {_codepoint(char)} at position {found.start()}: "
            "control characters, lone surrogates and noncharacters cannot be stored"
        )
    if not multiline:
        found = _LINE_BREAKS.search(value)
        if found is not None:
            return "een_regel", (
                f"contains a line break or tab ({_codepoint(found.group())}) at position "
                f"{found.start()}: this field is one line"
            )
    return None


def _check(multiline: bool) -> Any:
    def check(value: str) -> str:
        problem = unstorable(value, multiline=multiline)
        if problem is not None:
            raise PydanticCustomError(problem[0], problem[1])
        return value

    return check


def storable(value: str) -> str:
    """`value` with every character a text field refuses written as an escape (\\x00,
    \\ud800): safe to store anywhere, and still shows what was sent."""
    return _NEVER.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)


#: One line of text (a name, an organisation, a reason in a few words).
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX),
    AfterValidator(_check(multiline=False)),
]
#: Free text: line breaks and tabs allowed.
FreeText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=FREE_TEXT_MAX),
    AfterValidator(_check(multiline=True)),
]


def _iso_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise PydanticCustomError(
            "datum_iso", "a date is a string written as YYYY-MM-DD, e.g. 2018-03-14"
        )
    return value.strip()


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATETIME.fullmatch(value.strip()):
        raise PydanticCustomError(
            "moment_iso",
            "a moment is a string in ISO 8601, e.g. 2019-01-01 or 2019-01-01T12:00:00Z",
        )
    return value.strip()


EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
#: The first day a business date of a case may have.
BUSINESS_EARLIEST = date(2000, 1, 1)


def _in_range(value: datetime) -> datetime:
    if not EARLIEST.year <= value.year <= LATEST.year:
        raise PydanticCustomError(
            "moment_bereik",
            "a moment lies between 1900 and 2100, not in {year}",
            {"year": value.year},
        )
    return value


#: A date as YYYY-MM-DD between 1900 and 2100.
IsoDate = Annotated[date, BeforeValidator(_iso_date), Field(ge=EARLIEST, le=LATEST)]
#: A case's business date (when something happened or was decided): from 2000 to 2100.
BusinessDate = Annotated[date, BeforeValidator(_iso_date), Field(ge=BUSINESS_EARLIEST, le=LATEST)]
#: An ISO 8601 moment between 1900 and 2100.
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime), AfterValidator(_in_range)]
