"""The pages in a real headless browser: Debian's chromium driven by Playwright, kept off the
network, over the four services as processes (deploy/stack.py) on the session's servers.

Without /usr/bin/chromium these tests are skipped ("install Debian's chromium: apt-get install
chromium"), unless KNOOPPUNT_REQUIRE_BROWSER=1 (CI), where a missing browser fails the run.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from deploy.stack import Stack
from tests.conftest import OUTPUT, _delete_streams, _with_database
from tests.helpers import NATS_SECRETS, PG_PASSWORDS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=nl-NL",
]
SCREENSHOTS = OUTPUT / "screenshots"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium, or a skip (a failure when KNOOPPUNT_REQUIRE_BROWSER=1)."""
    if not CHROMIUM.exists():
        message = "install Debian's chromium: apt-get install chromium"
        if os.environ.get("KNOOPPUNT_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
def stack(
    chromium: Path,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_admin_url: str,
    nats_server_url: str,
) -> Iterator[Stack]:
    """The four services as processes, in development (the development sign-in exists there
    only)."""
    with ThreadPoolExecutor(1) as thread:  # Playwright may run an event loop in this thread
        thread.submit(asyncio.run, _delete_streams(nats_server_url)).result()
    name = f"ui_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_with_database(postgres_admin_url, "postgres"), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    running = Stack.on_free_ports(
        tmp_path_factory.mktemp("stack"),
        database_url=_with_database(postgres_admin_url, name),
        nats_url=nats_server_url,
        environment="development",
        given_nats_secrets=dict(NATS_SECRETS),
        given_pg_passwords=dict(PG_PASSWORDS),
        extra_env={"RELAY_POLL_SECONDS": "0.1"},
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, stack: Stack) -> Iterator[BrowserContext]:
    """A fresh browser profile on a laptop-sized screen, allowed to reach only the stack."""
    context = browser.new_context(
        base_url=stack.url("reporting"),
        viewport={"width": 1366, "height": 900},
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        accept_downloads=True,
    )
    allowed = tuple(f"http://127.0.0.1:{port}/" for port in stack.ports.values())
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(allowed) else route.abort(),
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
