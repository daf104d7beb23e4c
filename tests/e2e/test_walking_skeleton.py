"""One case from gemeld to the figures, through the four services as real processes."""

from __future__ import annotations

import time

import httpx
import pytest

from deploy.stack import SERVICES, Stack
from tests.helpers import melding

pytestmark = pytest.mark.e2e


def bearer(stack: Stack) -> dict[str, str]:
    """An LKHA coordinator's token from the stack's development key."""
    return {"Authorization": f"Bearer {stack.token('lkha', 'coordinator')}"}


def wait_for(check: object, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_every_service_is_live_and_ready(stack: Stack) -> None:
    for service in SERVICES:
        assert httpx.get(f"{stack.url(service)}/health").json() == {"status": "ok"}
        ready = httpx.get(f"{stack.url(service)}/ready")
        assert ready.status_code == 200, ready.text
        assert httpx.get(f"{stack.url(service)}/openapi.json").status_code == 200


def test_a_melding_is_counted_by_reporting(stack: Stack) -> None:
    before = httpx.get(
        f"{stack.url('reporting')}/v1/statistieken",
        params={"peildatum": "2018-12-31"},
        headers=bearer(stack),
    ).json()
    response = httpx.post(
        f"{stack.url('intake')}/v1/meldingen",
        json=melding(onderwerp="huwelijksdwang"),
        headers={"Idempotency-Key": "e2e-melding-0001", **bearer(stack)},
    )
    assert response.status_code == 201, response.text
    zaak_id = response.json()["zaak_id"]
    assert response.json()["referentie"].startswith("LKHA-2018-")

    def counted() -> bool:
        stats = httpx.get(
            f"{stack.url('reporting')}/v1/statistieken",
            params={"peildatum": "2018-12-31"},
            headers=bearer(stack),
        ).json()
        return bool(stats["totaal"] == before["totaal"] + 1)

    wait_for(counted)
    for service in ("verification", "consular", "reporting"):
        wait_for(
            lambda s=service: (
                httpx.get(f"{stack.url(s)}/v1/zaken/{zaak_id}", headers=bearer(stack)).status_code
                == 200
            )
        )


def test_a_retry_with_the_same_idempotency_key_returns_the_first_answer(stack: Stack) -> None:
    url = f"{stack.url('intake')}/v1/meldingen"
    headers = {"Idempotency-Key": "e2e-retry-0001", **bearer(stack)}
    first = httpx.post(url, json=melding(), headers=headers)
    second = httpx.post(url, json=melding(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    other = httpx.post(url, json=melding(land="PK"), headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (melding(onderwerp="ontvoering"), "onderwerp", "huwelijksdwang"),
        (melding(land="XX"), "land", "ISO 3166"),
        (melding(gemeld_op="2018-13-01"), "gemeld_op", "date"),
        (melding(extra="veld"), "extra", "Extra inputs"),
        (melding(betrokkene={"categorie": "kind"}), "betrokkene.categorie", "minderjarige"),
    ],
)
def test_bad_input_names_the_field_and_the_rule(
    stack: Stack, body: dict[str, object], field: str, words: str
) -> None:
    response = httpx.post(
        f"{stack.url('intake')}/v1/meldingen",
        json=body,
        headers={"Idempotency-Key": f"bad-{field}-0001", **bearer(stack)},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e["field"] == field and words in e["message"] for e in errors), errors
    replay = httpx.post(
        f"{stack.url('intake')}/v1/meldingen",
        json=melding(),
        headers={"Idempotency-Key": f"bad-{field}-0001", **bearer(stack)},
    )
    assert replay.status_code == 201 and "Idempotent-Replayed" not in replay.headers


def test_malformed_json_is_400_and_oversized_body_is_413(stack: Stack) -> None:
    url = f"{stack.url('intake')}/v1/meldingen"
    broken = httpx.post(
        url,
        content=b'{"gemeld_op": ',
        headers={
            "Idempotency-Key": "broken-0001",
            "Content-Type": "application/json",
            **bearer(stack),
        },
    )
    assert broken.status_code == 400
    huge = melding(toelichting="x" * 300_000)
    too_big = httpx.post(url, json=huge, headers={"Idempotency-Key": "huge-0001", **bearer(stack)})
    assert too_big.status_code == 413


def test_missing_idempotency_key_is_refused(stack: Stack) -> None:
    response = httpx.post(
        f"{stack.url('intake')}/v1/meldingen", json=melding(), headers=bearer(stack)
    )
    assert response.status_code == 400
    assert any("idempotency-key" in e["field"].lower() for e in response.json()["errors"])
