"""Code lists copied into consumers equal the producer's (services never import each other,
so each keeps its own copy; this is where the copies are compared)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import pytest

from services.consular import codes as consular_codes
from services.consular import readers as consular_readers
from services.intake import codes as intake_codes
from services.intake.contracts import v1 as intake_v1
from services.intake.domain import CORRIGEERBARE_VELDEN
from services.reporting import codes as reporting_codes
from services.reporting import readers as reporting_readers
from services.reporting.figures import vouw
from services.verification import codes as verification_codes
from services.verification import readers as verification_readers


def values(codes: type[StrEnum]) -> list[str]:
    return [c.value for c in codes]


@pytest.mark.parametrize(
    ("copy", "producer", "extra"),
    [
        (verification_codes.Onderwerp, intake_codes.Onderwerp, set()),
        (consular_codes.BetrokkeneCategorie, intake_codes.BetrokkeneCategorie, set()),
        (reporting_codes.Onderwerp, intake_codes.Onderwerp, set()),
        (reporting_codes.Betrokkene, intake_codes.BetrokkeneCategorie, set()),
        (reporting_codes.Geslacht, intake_codes.Geslacht, set()),
        (reporting_codes.Melder, intake_codes.MelderType, set()),
        (reporting_codes.Nationaliteit, intake_codes.Nationaliteit, set()),
        # open is a state in reporting's questions (no geverifieerd yet), never published
        (reporting_codes.Uitkomst, verification_codes.Uitkomst, {"open"}),
        (reporting_codes.Reden, verification_codes.RedenOnbekend, set()),
        (reporting_codes.Bevinding, verification_codes.Bevinding, set()),
        (reporting_codes.Afloop, consular_codes.Afloop, set()),
        (reporting_codes.Bijstandsoort, consular_codes.BijstandSoort, set()),
    ],
    ids=lambda c: c.__module__.split(".")[1] + "." + c.__name__ if isinstance(c, type) else "",
)
def test_a_copied_code_list_equals_the_producers(
    copy: type[StrEnum], producer: type[StrEnum], extra: set[str]
) -> None:
    assert sorted(values(copy)) == sorted(values(producer) + sorted(extra))


def test_consulars_established_outcome_is_verifications() -> None:
    assert consular_codes.VASTGESTELD in values(verification_codes.Uitkomst)


def test_the_correctable_fields_copied_into_consumers_are_intakes() -> None:
    assert intake_v1.CORRIGEERBAAR == CORRIGEERBARE_VELDEN
    for copy in (
        verification_readers.CORRIGEERBAAR,
        consular_readers.CORRIGEERBAAR,
        reporting_readers.CORRIGEERBAAR,
    ):
        assert copy == CORRIGEERBARE_VELDEN
    # the figures accept a wider set tolerantly, but at least intake's
    assert set(CORRIGEERBARE_VELDEN) <= vouw.CORRIGEERBAAR


def _label_tables() -> list[tuple[str, Mapping[str, str], type[StrEnum]]]:
    from services.reporting.exports import labels as exports
    from services.reporting.web import labels as web

    return [
        ("web.ONDERWERP", web.ONDERWERP, intake_codes.Onderwerp),
        ("web.BETROKKENE", web.BETROKKENE, intake_codes.BetrokkeneCategorie),
        ("web.MELDER", web.MELDER, intake_codes.MelderType),
        ("web.NATIONALITEIT", web.NATIONALITEIT, intake_codes.Nationaliteit),
        ("web.UITKOMST", web.UITKOMST, verification_codes.Uitkomst),
        ("web.REDEN", web.REDEN, verification_codes.RedenOnbekend),
        ("web.BEVINDING", web.BEVINDING, verification_codes.Bevinding),
        ("web.REDEN_AFSLUITING", web.REDEN_AFSLUITING, verification_codes.RedenAfsluiting),
        ("web.REDEN_HEROPENING", web.REDEN_HEROPENING, verification_codes.RedenHeropening),
        ("web.REDEN_HERZIENING", web.REDEN_HERZIENING, verification_codes.RedenHerziening),
        ("web.ORGANISATIE", web.ORGANISATIE, verification_codes.Organisatie),
        ("web.AFLOOP", web.AFLOOP, consular_codes.Afloop),
        ("web.BIJSTAND", web.BIJSTAND, consular_codes.BijstandSoort),
        ("exports.ONDERWERP", exports.ONDERWERP, intake_codes.Onderwerp),
        ("exports.BETROKKENE", exports.BETROKKENE, intake_codes.BetrokkeneCategorie),
    ]


def test_every_published_code_has_a_label_in_reportings_tables() -> None:
    """A new code at its producer gets its words in the label tables too."""
    for naam, tabel, codes in _label_tables():
        assert set(values(codes)) <= set(tabel), (naam, set(values(codes)) - set(tabel))
