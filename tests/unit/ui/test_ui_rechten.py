"""Need to know: the pages offer what the APIs behind them give the same role."""

from __future__ import annotations

import pytest

from services.reporting.web.rechten import Rechten, rechten_van
from shared.context import Actor


def _rechten(org: str, rol: str) -> Rechten:
    return rechten_van(Actor(org=org, rol=rol, user="x"))


@pytest.mark.parametrize("rol", ["coordinator", "lkha_medewerker"])
def test_the_lkha_works_on_cases_and_may_read_personal_data_for_a_purpose(rol: str) -> None:
    rechten = _rechten("lkha", rol)
    assert rechten.zaken and rechten.cijfers and rechten.persoonsgegevens
    assert {"verificatie", "contact_slachtoffer", "terugkeer"} <= dict(rechten.doelen).keys()


@pytest.mark.parametrize(
    ("org", "rol"), [("bz", "bz_consulair"), ("bz", "beleid"), ("lkha", "auditor")]
)
def test_bz_policy_and_the_auditor_see_the_figures_only(org: str, rol: str) -> None:
    rechten = _rechten(org, rol)
    assert rechten.cijfers and not rechten.zaken and not rechten.persoonsgegevens


def test_a_reporting_partner_sees_nothing_here() -> None:
    rechten = _rechten("veilig_thuis", "melder")
    assert not (rechten.zaken or rechten.cijfers or rechten.persoonsgegevens)
