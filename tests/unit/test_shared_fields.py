"""The shared input types (shared/fields.py), If-Match parsing, and that every text field of
every service's HTTP API uses them (one type, not a check per route)."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from datetime import date
from enum import Enum
from typing import Any

import pytest
from fastapi import APIRouter
from pydantic import BaseModel, TypeAdapter, ValidationError

from services.consular.api import build_router as consular_router
from services.intake.adviesvragen.api import build_adviesvragen_router
from services.intake.api import build_router as intake_router
from services.intake.api_persoonsgegevens import build_persoonsgegevens_router
from services.reporting.api import build_router as reporting_router
from services.verification.api import build_router as verification_router
from shared.api import expected_version
from shared.fields import FreeText, IsoDate, IsoDateTime, Text, storable
from shared.problems import ProblemError
from shared.security.wiring import Security, audit_router


def _rule(adapter: TypeAdapter[Any], value: object) -> str:
    with pytest.raises(ValidationError) as fout:
        adapter.validate_python(value)
    return str(fout.value.errors()[0]["type"])


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("Leerplicht\x00Utrecht", "stuurteken"),
        ("\x1b[31m", "stuurteken"),
        ("a\x85b", "stuurteken"),  # C1: NEL
        ("a\x7fb", "stuurteken"),
        ("a\ufffeb", "ongeldig_teken"),
        ("twee\nregels", "een_regel"),
        ("tab\there", "een_regel"),
        ("x" * 201, "string_too_long"),
        ("   ", "string_too_short"),
    ],
)
def test_text_refuses_what_cannot_be_stored_naming_the_rule(value: str, rule: str) -> None:
    assert _rule(TypeAdapter(Text), value) == rule


def test_a_lone_surrogate_is_refused() -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Text).validate_python("a\ud800b")


def test_free_text_keeps_line_breaks_and_tabs_but_no_other_control_character() -> None:
    adapter = TypeAdapter(FreeText)
    assert adapter.validate_python(" regel 1\r\n\tregel 2 ") == "regel 1\r\n\tregel 2"
    assert _rule(adapter, "regel\x00") == "stuurteken"
    assert _rule(adapter, "x" * 10_001) == "string_too_long"


@pytest.mark.parametrize("value", [0, "0", 1521072000, "2018-3-14", "14-03-2018", 2018.5, True])
def test_a_date_is_only_an_iso_string(value: object) -> None:
    assert _rule(TypeAdapter(IsoDate), value) == "datum_iso"


@pytest.mark.parametrize("value", ["0001-01-01", "0005-06-30", "1899-12-31", "2101-01-01"])
def test_a_date_stays_within_years_arithmetic_can_handle(value: str) -> None:
    assert _rule(TypeAdapter(IsoDate), value) in {"greater_than_equal", "less_than_equal"}


def test_a_moment_is_only_an_iso_string_within_range() -> None:
    adapter = TypeAdapter(IsoDateTime)
    assert adapter.validate_python("2019-01-01").year == 2019
    assert _rule(adapter, 0) == "moment_iso"
    assert _rule(adapter, "0001-01-01") == "moment_bereik"
    assert TypeAdapter(IsoDate).validate_python("2018-03-14") == date(2018, 3, 14)


def test_storable_escapes_what_postgresql_cannot_hold() -> None:
    assert storable("/v1/meldingen/\x00\ud800") == "/v1/meldingen/\\x00\\ud800"
    assert storable("gewoon / normaal é") == "gewoon / normaal é"
    "x".join(storable("\x00\ud800")).encode("utf-8")  # encodable


@pytest.mark.parametrize(
    "header", ["²", 'W/"²"', "9" * 5000, 'W/"' + "9" * 19 + '"', "*", 'W/"1", W/"2"', "١"]
)
def test_if_match_that_is_no_etag_of_this_api_is_412(header: str) -> None:
    with pytest.raises(ProblemError) as fout:
        expected_version(header)
    assert fout.value.problem.status == 412
    assert len(str(fout.value.detail)) < 200


@pytest.mark.parametrize(("header", "versie"), [('W/"7"', 7), ('"7"', 7), ("7", 7), (None, None)])
def test_if_match_names_a_versie(header: str | None, versie: int | None) -> None:
    assert expected_version(header) == versie


# -- every text field of every service -------------------------------------------------------


def _routers() -> list[APIRouter]:
    def notify() -> None:
        return None

    return [
        intake_router(notify),
        build_persoonsgegevens_router(),
        build_adviesvragen_router(notify),
        verification_router(notify),
        consular_router(notify),
        reporting_router(),
        audit_router(typing.cast(Security, None)),
    ]


def _leaves(tp: Any, metadata: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """The leaf types of an annotation with the metadata around them."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        yield from _leaves(tp.__origin__, metadata + tuple(tp.__metadata__))
    elif origin in (typing.Union, types.UnionType, list, dict, tuple):
        for arg in typing.get_args(tp):
            yield from _leaves(arg, metadata)
    elif isinstance(tp, type) and issubclass(tp, BaseModel):
        for field in tp.model_fields.values():
            yield from _leaves(field.annotation, tuple(field.metadata))
    else:
        yield tp, metadata


def _shared_text(metadata: tuple[Any, ...]) -> bool:
    """The shared type's validator, or a code whose pattern admits no control character."""
    return any(
        getattr(getattr(m, "func", None), "__module__", None) == "shared.fields"
        or str(getattr(m, "pattern", None) or "").startswith("^[A-Za-z]")
        or getattr(getattr(m, "func", None), "__name__", "") == "_land"  # ISO 3166 code list
        for m in metadata
    )


def test_every_text_field_of_every_service_uses_the_shared_text_type() -> None:
    unchecked = []
    for router in _routers():
        for route in router.routes:
            dependant = getattr(route, "dependant", None)
            if dependant is None:
                continue
            fields = list(dependant.body_params) + list(dependant.query_params)
            for field in fields:
                annotation = field.field_info.annotation
                for leaf, metadata in _leaves(annotation, tuple(field.field_info.metadata)):
                    if isinstance(leaf, type) and issubclass(leaf, Enum):
                        continue
                    iso_only = leaf is date and any(
                        type(m).__name__ == "BeforeValidator" for m in metadata
                    )  # reporting's own ISO-only Datum (services/reporting/schemas.py)
                    if leaf in (str, date) and not iso_only and not _shared_text(metadata):
                        unchecked.append(f"{route.path} {field.name}: {leaf.__name__}")  # type: ignore[attr-defined]
    assert unchecked == []
