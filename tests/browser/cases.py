"""A few cases loaded through the partners' APIs, as the browser tests find them."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from deploy.stack import Stack
from tests.helpers import melding


@dataclass(frozen=True)
class Zaak:
    zaak_id: str
    referentie: str


@dataclass(frozen=True)
class Cases:
    """new: reported, not verified; overdue: an action of a 2018 regieoverleg still open;
    verified: established and verified in 2019."""

    new: Zaak
    overdue: Zaak
    verified: Zaak
    overleg_id: str


def wait_for(check: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    """Poll until `check` returns something truthy (eventual consistency between services)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _post(stack: Stack, url: str, body: dict[str, Any], key: str) -> dict[str, Any]:
    headers = {"Idempotency-Key": key, **auth(stack)}
    response = httpx.post(url, json=body, headers=headers, timeout=10)
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def auth(stack: Stack, org: str = "lkha", rol: str = "coordinator") -> dict[str, str]:
    """The Authorization header of a development token (an LKHA coordinator by default)."""
    return {"Authorization": f"Bearer {stack.token(org, rol, 'testdata')}"}


def signed_in(stack: Stack, als: str = "lkha:coordinator") -> httpx.Client:
    """An HTTP client signed in to the pages through the development sign-in form."""
    client = httpx.Client(base_url=stack.url("reporting"), timeout=10, follow_redirects=True)
    form = client.get("/ui/aanmelden")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf, form.text
    response = client.post(
        "/ui/aanmelden",
        data={"csrf": csrf[1], "volgende": "/ui/zaken", "als": als, "user": "t.test"},
    )
    assert response.status_code == 200 and "/ui/zaken" in str(response.url), response.text
    return client


def _meld(stack: Stack, pages: httpx.Client, key: str, **overrides: Any) -> Zaak:
    body = _post(stack, f"{stack.url('intake')}/v1/meldingen", melding(**overrides), key)
    zaak = Zaak(zaak_id=body["zaak_id"], referentie=body["referentie"])
    wait_for(
        lambda: (
            httpx.get(
                f"{stack.url('verification')}/v1/zaken/{zaak.zaak_id}", headers=auth(stack)
            ).status_code
            == 200
        ),
        f"{zaak.referentie} at verification",
    )
    wait_for(
        lambda: pages.get(f"/ui/zaken/{zaak.zaak_id}").status_code == 200,
        f"{zaak.referentie} on the case page",
    )
    return zaak


def load_cases(stack: Stack) -> Cases:
    """Three cases in different stages, through intake and verification."""
    pages = signed_in(stack)
    new = _meld(stack, pages, "ui-new-0001", gemeld_op="2018-03-14")
    overdue = _meld(
        stack,
        pages,
        "ui-overdue-0001",
        gemeld_op="2018-04-09",
        onderwerp="huwelijksdwang",
        betrokkene={"categorie": "volwassene", "geslacht": "vrouw", "geboortejaar": 1996},
        land="PK",
        melder={"type": "ngo", "organisatie": "Femmes for Freedom"},
    )
    verified = _meld(
        stack,
        pages,
        "ui-verified-0001",
        gemeld_op="2019-01-07",
        onderwerp="huiselijk_geweld_buitenland",
        betrokkene={"categorie": "moeder_met_minderjarige_kinderen", "aantal_kinderen": 2},
        land="TR",
        melder={"type": "veilig_thuis", "organisatie": "Veilig Thuis Rotterdam Rijnmond"},
    )
    verification = stack.url("verification")
    _post(
        stack,
        f"{verification}/v1/zaken/{overdue.zaak_id}/onderzoek",
        {"datum": "2018-04-10"},
        "ui-onderzoek-0001",
    )
    overleg = _post(
        stack,
        f"{verification}/v1/regieoverleggen",
        {
            "datum": "2018-04-16",
            "deelnemers": ["lkha", "bz"],
            "zaken": [
                {
                    "zaak_id": overdue.zaak_id,
                    "besluiten": ["BZ verifieert nationaliteit en verblijfplaats via de post"],
                    "acties": [
                        {
                            "eigenaar": "bz",
                            "omschrijving": "Post legt contact met betrokkene",
                            "deadline": "2018-04-19",
                        }
                    ],
                }
            ],
        },
        "ui-overleg-0001",
    )
    _post(
        stack,
        f"{verification}/v1/zaken/{verified.zaak_id}/verificatie",
        {"uitkomst": "vastgesteld", "besloten_op": "2019-02-04"},
        "ui-verified-verificatie",
    )
    return Cases(new=new, overdue=overdue, verified=verified, overleg_id=overleg["overleg_id"])
