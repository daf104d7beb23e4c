"""A coordinator prepares and holds the regieoverleg in the browser, as the issue describes it.

Each step keeps a screenshot in test-output/screenshots/.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from deploy.stack import Stack
from tests.browser.cases import Cases, load_cases

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def cases(stack: Stack) -> Cases:
    return load_cases(stack)


def sign_in(page: Page, als: str = "lkha:coordinator", user: str = "j.jansen") -> None:
    """The development sign-in page, reached by asking for the agenda."""
    page.goto("/ui/agenda")
    expect(page).to_have_url(re.compile(r"/ui/aanmelden\?volgende=/ui/agenda"))
    page.get_by_label("Aanmelden als").select_option(als)
    page.get_by_label("Gebruikersnaam").fill(user)
    page.get_by_role("button", name="Aanmelden", exact=True).click()
    expect(page).not_to_have_url(re.compile("/ui/aanmelden"))
    page.wait_for_load_state()


def test_a_coordinator_records_a_decision_and_an_action_and_marks_it_done(
    page: Page, cases: Cases, screenshots: Path
) -> None:
    page.goto("/ui/agenda")
    page.screenshot(path=screenshots / "01-aanmelden.png", full_page=True)
    sign_in(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Agenda regieoverleg")
    nieuw = page.locator("section", has=page.get_by_role("heading", name=re.compile("Nieuw en")))
    expect(nieuw.get_by_role("link", name=cases.new.referentie)).to_be_visible()
    verlopen = page.locator("section", has=page.get_by_role("heading", name=re.compile("deadline")))
    expect(verlopen).to_contain_text("Post legt contact met betrokkene")
    expect(verlopen.get_by_text("te laat")).to_be_visible()
    page.screenshot(path=screenshots / "02-agenda.png", full_page=True)

    verlopen.get_by_role("link", name=cases.overdue.referentie).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Zaak {cases.overdue.referentie}")
    tijdlijn = page.locator("#tijdlijn")
    expect(tijdlijn).to_contain_text("Melding ontvangen")
    expect(tijdlijn).to_contain_text("Besluit: BZ verifieert nationaliteit")
    expect(tijdlijn).to_contain_text("Vastgelegd door")
    page.screenshot(path=screenshots / "03-zaak.png", full_page=True)

    deadline = date.today() + timedelta(days=7)
    page.get_by_label("Besluiten").fill("De post zoekt opnieuw contact via de lokale ngo")
    page.get_by_label("Eigenaar").first.select_option("bz")
    page.get_by_label("Actie 1").fill("Post belt de lokale ngo")
    page.get_by_label("Deadline").first.fill(deadline.isoformat())
    page.get_by_role("button", name="Regieoverleg vastleggen").click()

    expect(page.get_by_role("status").first).to_contain_text("vastgelegd")
    expect(tijdlijn).to_contain_text("Besluit: De post zoekt opnieuw contact via de lokale ngo")
    expect(tijdlijn).to_contain_text("Actie voor BZ: Post belt de lokale ngo")
    acties = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("Open acties"))
    )
    rij = acties.locator("tr", has_text="Post belt de lokale ngo")
    expect(rij).to_contain_text(deadline.strftime("%d-%m-%Y"))
    page.screenshot(path=screenshots / "04-regieoverleg-vastgelegd.png", full_page=True)

    rij.get_by_role("button", name=re.compile("als afgerond")).click()
    expect(page.get_by_role("status").first).to_contain_text("afgerond")
    expect(acties.locator("tr", has_text="Post belt de lokale ngo")).to_have_count(0)
    expect(acties.locator("details")).to_contain_text("Post belt de lokale ngo")
    expect(tijdlijn).to_contain_text("Actie afgerond")
    expect(tijdlijn).to_contain_text("Actie: Post belt de lokale ngo")
    page.screenshot(path=screenshots / "05-actie-afgerond.png", full_page=True)


def test_the_case_list_filters_and_finds_by_referentie(
    page: Page, cases: Cases, screenshots: Path
) -> None:
    sign_in(page)
    page.get_by_role("link", name="Zaken", exact=True).click()
    tabel = page.get_by_role("table")
    for zaak in (cases.new, cases.overdue, cases.verified):
        expect(tabel.get_by_role("link", name=zaak.referentie)).to_be_visible()
    page.get_by_label("Onderwerp").select_option("huwelijksdwang")
    page.get_by_role("button", name="Filteren").click()
    expect(tabel.get_by_role("link", name=cases.overdue.referentie)).to_be_visible()
    expect(tabel.get_by_role("link", name=cases.new.referentie)).to_have_count(0)
    page.screenshot(path=screenshots / "06-zaken-gefilterd.png", full_page=True)

    page.get_by_role("link", name="Wis filters").click()
    page.get_by_label("Referentie").fill(cases.verified.referentie.lower())
    page.keyboard.press("Enter")
    expect(page.locator("#aantal")).to_have_text(re.compile("1–1 van 1 zaken"))
    expect(tabel).to_contain_text("geverifieerd, loopt")


def test_the_figures_page_shows_charts_and_downloads_csv_xlsx_and_pdf(
    page: Page, cases: Cases, screenshots: Path, tmp_path: Path
) -> None:
    sign_in(page)
    page.get_by_role("link", name="Cijfers").click()
    page.get_by_label("Jaar", exact=True).select_option("2018")
    page.get_by_label("Peildatum").fill("2018-12-31")
    page.get_by_role("button", name="Toon cijfers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jaarcijfers 2018")
    grafiek = page.get_by_role("img", name="Meldingen per onderwerp per jaar")
    expect(grafiek).to_be_visible()
    expect(grafiek.locator("rect")).to_have_count(2)
    page.screenshot(path=screenshots / "07-cijfers.png", full_page=True)

    for soort, naam in (("csv", "CSV"), ("xlsx", "Excel"), ("pdf", "PDF")):
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile(naam)).click()
        bestand = tmp_path / download.value.suggested_filename
        download.value.save_as(bestand)
        assert bestand.name == f"jaarcijfers-2018-peildatum-2018-12-31.{soort}"
        inhoud = bestand.read_bytes()
        assert inhoud.startswith({"csv": b"", "xlsx": b"PK", "pdf": b"%PDF"}[soort]) and inhoud
        if soort == "csv":
            assert "achterlating" in inhoud.decode("utf-8-sig")


def test_a_form_sent_twice_records_one_regieoverleg(page: Page, cases: Cases) -> None:
    sign_in(page)
    page.goto(f"/ui/zaken/{cases.new.zaak_id}")
    formulier = page.locator("form", has=page.get_by_role("button", name="Regieoverleg vastleggen"))
    velden = {
        naam: formulier.locator(f"input[name={naam}]").input_value() for naam in ("csrf", "sleutel")
    }
    body = {
        **velden,
        "datum": date.today().isoformat(),
        "deelnemers": "lkha",
        "besluiten": "Tweemaal verstuurd, eenmaal vastgelegd",
    }
    url = f"/ui/zaken/{cases.new.zaak_id}/regieoverleg"
    first = page.request.post(url, form=body, max_redirects=0)
    again = page.request.post(url, form=body, max_redirects=0)
    assert first.status == again.status == 303
    page.goto(f"/ui/zaken/{cases.new.zaak_id}")
    expect(page.locator("#tijdlijn").get_by_text("Tweemaal verstuurd")).to_have_count(1)
