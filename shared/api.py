"""Helpers for the services' HTTP edges: ETags, If-Match, error responses."""

from __future__ import annotations

from fastapi import HTTPException, Response


def etag_for(version: int) -> str:
    return f'W/"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag_for(version)


def expected_version(if_match: str | None) -> int | None:
    """The aggregate version an If-Match header names (None if absent)."""
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise HTTPException(
            status_code=412, detail=f"If-Match {if_match!r} is not an ETag of this API"
        )
    return int(value)
