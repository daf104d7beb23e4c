"""Personal data only for a stated purpose (and every view logged), need to know per role,
and the pages by keyboard alone."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Page, expect

from deploy.stack import Stack
from tests.browser.cases import Cases, load_cases
from tests.browser.test_regieoverleg_pages import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def cases(stack: Stack) -> Cases:
    return load_cases(stack)


def _reads_of_personal_data(stack: Stack, zaak_id: str) -> list[tuple[str, str]]:
    """intake's audit log: (user, doel) of every read of the case's personal data."""
    assert stack.database_url is not None
    with psycopg.connect(stack.database_url) as conn:
        rows = conn.execute(
            "SELECT actor_user, doel FROM intake.audit_log "
            "WHERE zaak_id = %s AND personal_data ORDER BY position",
            (zaak_id,),
        ).fetchall()
    return [(str(u), str(d)) for u, d in rows]


def test_personal_data_is_shown_for_a_stated_purpose_and_each_view_is_logged(
    page: Page, stack: Stack, cases: Cases, screenshots: Path
) -> None:
    sign_in(page, user="p.privacy")
    page.goto(f"/ui/zaken/{cases.new.zaak_id}")
    sectie = page.locator("section", has=page.get_by_role("heading", name="Persoonsgegevens"))
    expect(sectie).not_to_contain_text("Testpersoon Zeta")
    assert _reads_of_personal_data(stack, cases.new.zaak_id) == []

    sectie.get_by_label("Doel van de inzage").select_option("contact_slachtoffer")
    sectie.get_by_role("button", name="Persoonsgegevens tonen").click()
    expect(sectie).to_contain_text("Testpersoon Zeta")
    expect(sectie).to_contain_text("+212 600 123456")
    expect(sectie).to_contain_text("Contact opnemen met de betrokkene")
    page.screenshot(path=screenshots / "08-persoonsgegevens.png", full_page=True)
    assert _reads_of_personal_data(stack, cases.new.zaak_id) == [
        ("p.privacy", "contact_slachtoffer")
    ]

    page.goto(f"/ui/zaken/{cases.new.zaak_id}")
    expect(page.locator("body")).not_to_contain_text("Testpersoon Zeta")


def test_policy_sees_the_figures_and_no_case(page: Page, cases: Cases, screenshots: Path) -> None:
    sign_in(page, als="bz:beleid", user="b.beleid")
    expect(page).to_have_url(re.compile("/ui/cijfers"))
    expect(page.get_by_role("navigation", name="Hoofdmenu")).not_to_contain_text("Zaken")
    page.goto(f"/ui/zaken/{cases.new.zaak_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    expect(page.locator("body")).not_to_contain_text(cases.new.referentie)
    page.screenshot(path=screenshots / "09-beleid-geen-zaken.png", full_page=True)


def test_the_pages_work_by_keyboard_alone(page: Page, cases: Cases) -> None:
    sign_in(page)
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Naar de inhoud")
    page.keyboard.press("Enter")
    expect(page.locator(":focus")).to_have_id("inhoud")
    link = page.get_by_role("link", name=cases.overdue.referentie).first
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == cases.overdue.referentie:
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Zaak {cases.overdue.referentie}")


def test_a_form_without_its_csrf_token_is_refused(page: Page, cases: Cases) -> None:
    sign_in(page)
    response = page.request.post(
        f"/ui/zaken/{cases.overdue.zaak_id}/regieoverleg",
        form={"datum": "2018-05-01", "deelnemers": "lkha", "besluiten": "zonder csrf"},
    )
    assert response.status == 403
    assert "Formulier verlopen" in response.text()
