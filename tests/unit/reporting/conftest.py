"""Fixtures for the reporting core: the reference data set as envelopes, and a tiny builder."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace
from starlette.types import ASGIApp, Receive, Scope, Send

from deploy.demo.to_envelopes import dataset_envelopes, zaak_id_voor
from services.reporting.api import build_router
from services.reporting.figures import ZaakStaat, zaken_as_of
from services.reporting.index import Feitenindex
from services.reporting.problems import PROBLEMS
from services.reporting.rapportage import Rapportage
from services.reporting.schemas import QUERY_ALIASES
from shared.apirules import QueryAliasMiddleware
from shared.context import Actor, current_actor
from shared.http import install_http_basics
from shared.problems import install_problems

Envelope = dict[str, Any]

BRON = {
    "gemeld": "intake",
    "gecorrigeerd": "intake",
    "ingetrokken": "intake",
    "adviesvraag_ontvangen": "intake",
    "afloop_vastgelegd": "consular",
    "bijstand_verleend": "consular",
}


@pytest.fixture(scope="session")
def envelopes() -> list[Envelope]:
    """All envelopes of deploy/demo (2017, 2018 and the 2019 meldingen)."""
    return dataset_envelopes()


@pytest.fixture(scope="session")
def zaken(envelopes: list[Envelope]) -> Callable[..., list[ZaakStaat]]:
    """zaken(peildatum, registratie_tot=None, jaar=None) over the reference data set."""

    def _zaken(
        peildatum: date, registratie_tot: Any = None, jaar: int | None = None
    ) -> list[ZaakStaat]:
        alle = zaken_as_of(envelopes, peildatum, registratie_tot)
        return [z for z in alle if jaar is None or z.jaar == jaar]

    return _zaken


class AlsRol:
    """Sets the acting role as the security middleware would: ``X-Rol: org:rol`` (default
    the LKHA coordinator; no header value ``-`` means no actor at all)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        waarde = headers.get(b"x-rol", b"lkha:coordinator").decode()
        actor = None if waarde == "-" else Actor(*waarde.split(":"), user="test")
        token = current_actor.set(actor)
        try:
            await self.app(scope, receive, send)
        finally:
            current_actor.reset(token)


def reporting_api(envelopes: list[Envelope]) -> FastAPI:
    index = Feitenindex()
    index.voeg_toe_alle(envelopes)
    app = FastAPI()
    app.state.rapportage = Rapportage(index, vandaag=lambda: date(2019, 12, 31))
    install_http_basics(app, tracer=trace.get_tracer("test"), max_body_bytes=10_000)
    install_problems(app, PROBLEMS)
    app.include_router(build_router())
    app.add_middleware(AlsRol)
    app.add_middleware(QueryAliasMiddleware, aliases=QUERY_ALIASES)  # as main.py does
    return app


@pytest.fixture(scope="session")
def api(envelopes: list[Envelope]) -> Iterator[TestClient]:
    """Reporting's HTTP routes over an index holding the data set, as the consumer fills it;
    the caller is the LKHA coordinator unless a test sends ``X-Rol``."""
    with TestClient(reporting_api(envelopes)) as client:
        yield client


@pytest.fixture
def zaak_id() -> Callable[[str], str]:
    """The zaak_id of a data-set referentie."""
    return zaak_id_voor


class Bouwer:
    """Builds contract envelopes for hand-made scenarios."""

    def __init__(self) -> None:
        self._teller = itertools.count(1)

    def event(
        self,
        event_type: str,
        zaak_id: str | None,
        data: dict[str, Any],
        recorded_at: str,
    ) -> Envelope:
        return {
            "event_id": f"test-{next(self._teller)}",
            "event_type": event_type,
            "contract_version": 1,
            "source": BRON.get(event_type, "verification"),
            "zaak_id": zaak_id,
            "recorded_at": recorded_at,
            "recorded_by": None,
            "data": data,
        }

    def gemeld(
        self,
        zaak_id: str,
        gemeld_op: str,
        onderwerp: str = "achterlating",
        recorded_at: str | None = None,
        **extra: Any,
    ) -> Envelope:
        data = {
            "referentie": f"T-{zaak_id}",
            "gemeld_op": gemeld_op,
            "onderwerp": onderwerp,
            "betrokkene": {"categorie": "volwassene", "geslacht": "vrouw", "geboortejaar": 1995},
            "land": "MA",
            "melder": {"type": "veilig_thuis", "organisatie": None},
            "nationaliteit": "bipatride",
            "brp_ingeschreven": True,
            "verblijfsrecht": True,
            "bz_betrokken": True,
            **extra,
        }
        return self.event("gemeld", zaak_id, data, recorded_at or f"{gemeld_op}T09:00:00+00:00")

    def geverifieerd(
        self,
        zaak_id: str,
        besloten_op: str,
        uitkomst: str = "vastgesteld",
        recorded_at: str | None = None,
        **extra: Any,
    ) -> Envelope:
        data = {"uitkomst": uitkomst, "besloten_op": besloten_op, "herziening": False, **extra}
        return self.event(
            "geverifieerd", zaak_id, data, recorded_at or f"{besloten_op}T10:00:00+00:00"
        )

    def stap(
        self, event_type: str, zaak_id: str, datum: str, recorded_at: str | None = None, **data: Any
    ) -> Envelope:
        return self.event(
            event_type, zaak_id, {"datum": datum, **data}, recorded_at or f"{datum}T11:00:00+00:00"
        )


@pytest.fixture
def bouw() -> Bouwer:
    return Bouwer()
