"""Helpers for the services' HTTP edges: ETags, If-Match, Idempotency-Key, error responses."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header, Response
from fastapi.exceptions import RequestValidationError

from shared.problems import VERSIE_VEROUDERD, ProblemError

#: An ETag of this API as If-Match may name it: W/"<versie>", "<versie>" or <versie>, in
#: ASCII digits (at most 18: a versie fits in a 64-bit integer).
_ETAG = re.compile(r'(?:W/)?"([0-9]{1,18})"|([0-9]{1,18})', re.ASCII)
#: Printable ASCII without spaces: what a key may hold (it is stored and compared as is).
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]+$"
_KEY_DESCRIPTION = (
    "A unique key per request (8 to 200 printable ASCII characters), reused on retry: a retry "
    "with the same key and body gets the first answer with Idempotent-Replayed: true; the "
    "same key with another body is 422"
)

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag (W/"<versie>") the change is based on; 412 when stale',
    ),
]
#: The Idempotency-Key of a command that may be sent without one.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=200,
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description=f"Optional. {_KEY_DESCRIPTION}",
    ),
]
#: The Idempotency-Key of a command whose duplicate would do harm (a second case, a second
#: regieoverleg, a correction refused as stale): required.
RequiredIdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=200,
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description=f"Required. {_KEY_DESCRIPTION}",
    ),
]


def etag_for(version: int) -> str:
    return f'W/"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag_for(version)


def mark_replayed(response: Response, replayed: bool) -> None:
    """Tell the client that this answer is the first answer to an earlier request."""
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"


def expected_version(if_match: str | None) -> int | None:
    """The aggregate version an If-Match header names (None if absent).

    Anything but one ETag of this API (also `*` and lists) is 412: the condition cannot hold.
    """
    if if_match is None:
        return None
    found = _ETAG.fullmatch(if_match.strip())
    if found is None:
        shown = if_match if len(if_match) <= 64 else f"{if_match[:64]}..."
        raise ProblemError(VERSIE_VEROUDERD, f"If-Match {shown!r} is not an ETag of this API")
    return int(found.group(1) or found.group(2))


def invalid(field: str, rule: str, message: str) -> RequestValidationError:
    """A 400 naming a body field (dotted for nested ones) and the rule it broke, in the same
    format as pydantic's own (shared/problems.py)."""
    return RequestValidationError(
        [{"loc": ("body", *field.split(".")), "type": rule, "msg": message}]
    )
