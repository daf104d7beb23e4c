"""Signing in: no open redirect, and a CSRF token bound to the session."""

from __future__ import annotations

import pytest

from services.reporting.web.aanmelding import Sessie, veilig_volgende
from shared.context import Actor


@pytest.mark.parametrize(
    ("volgende", "naar"),
    [
        ("/ui/zaken?onderwerp=achterlating", "/ui/zaken?onderwerp=achterlating"),
        ("/ui/zaken/123", "/ui/zaken/123"),
        ("https://elders.example/ui/", "/ui/agenda"),
        ("//elders.example/ui/", "/ui/agenda"),
        ("/ui//elders.example", "/ui/agenda"),
        ("/v1/statistieken", "/ui/agenda"),
        ("/ui/\\elders", "/ui/agenda"),
        ("", "/ui/agenda"),
        (None, "/ui/agenda"),
    ],
)
def test_only_a_path_within_the_pages_follows_a_sign_in(volgende: str | None, naar: str) -> None:
    assert veilig_volgende(volgende) == naar


def test_the_csrf_token_belongs_to_one_session() -> None:
    actor = Actor(org="lkha", rol="coordinator", user="j.jansen")
    een, ander = Sessie(actor, "token-een"), Sessie(actor, "token-twee")
    assert een.csrf_klopt(een.csrf)
    assert not een.csrf_klopt(ander.csrf)
    assert not een.csrf_klopt(None) and not een.csrf_klopt("")
