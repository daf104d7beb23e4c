"""Need to know: what each role is offered on the pages."""

from __future__ import annotations

from datetime import date

from services.reporting.figures import zaken_as_of
from services.reporting.web.rechten import rechten_van
from shared.context import Actor
from tests.unit.ui.conftest import Envelopes


def _rechten(org: str, rol: str):  # type: ignore[no-untyped-def]
    return rechten_van(Actor(org=org, rol=rol, user="x"))


def test_lkha_sees_every_case_records_and_may_read_personal_data_for_a_purpose(
    maak: Envelopes,
) -> None:
    rechten = _rechten("lkha", "coordinator")
    (zaak,) = zaken_as_of([maak.gemeld("z", "R", "2018-03-14", bz_betrokken=False)], date.today())
    assert rechten.zaken and rechten.vastleggen and rechten.cijfers and rechten.ziet(zaak)
    assert "verificatie" in dict(rechten.doelen)


def test_bz_sees_only_cases_with_a_consular_question(maak: Envelopes) -> None:
    rechten = _rechten("bz", "bz_consulair")
    zonder, met = zaken_as_of(
        [
            maak.gemeld("z-1", "R-1", "2018-03-14", bz_betrokken=False),
            maak.gemeld("z-2", "R-2", "2018-03-15", bz_betrokken=True),
        ],
        date.today(),
    )
    assert not rechten.ziet(zonder) and rechten.ziet(met)
    assert dict(rechten.doelen).keys() == {
        "consulaire_bijstand",
        "contact_slachtoffer",
        "terugkeer",
    }


def test_policy_and_auditors_see_figures_only_and_partners_nothing() -> None:
    for rol in ("beleid", "auditor"):
        rechten = _rechten("bz", rol)
        assert rechten.cijfers and not rechten.zaken and not rechten.persoonsgegevens
    melder = _rechten("veilig_thuis", "melder")
    assert not (melder.zaken or melder.cijfers or melder.vastleggen or melder.persoonsgegevens)
