"""Helpers shared by the tests: services in-process, waiting for eventual consistency."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI

T = TypeVar("T")

MASTER_KEY = base64.b64encode(os.urandom(32)).decode()


def melding(**overrides: Any) -> dict[str, Any]:
    """A valid melding body; fields can be overridden."""
    body: dict[str, Any] = {
        "gemeld_op": "2018-03-14",
        "onderwerp": "achterlating",
        "betrokkene": {"categorie": "minderjarige", "geslacht": "vrouw", "geboortejaar": 2003},
        "land": "MA",
        "melder": {"type": "school", "organisatie": "Leerplicht Utrecht"},
        "nationaliteit": "bipatride",
        "brp_ingeschreven": True,
        "verblijfsrecht": "ja",
        "bz_betrokken": True,
        "persoonsgegevens": {"naam": "Testpersoon Zeta", "contactgegevens": "+212 600 123456"},
        "toelichting": "Niet teruggekomen na de zomervakantie.",
    }
    body.update(overrides)
    return body


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan and give an HTTP client speaking to it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def eventually(
    check: Callable[[], Awaitable[T | None]], *, within: float = 15, what: str = "condition"
) -> T:
    """Poll `check` until it returns something truthy (eventual consistency)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.1)
