"""Concurrent load: partners report meldingen, coordinators start investigations.

Every command carries an Idempotency-Key and is retried with the same key until the service
acknowledges it (a 2xx answer), as a careful client would; what was acknowledged is what the
checks expect to find, exactly once.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

ONDERWERPEN = ("huwelijksdwang", "huwelijksdwang_en_achterlating", "achterlating")
CATEGORIEEN = ("minderjarige", "volwassene", "moeder_met_minderjarige_kinderen")
LANDEN = ("MA", "PK", "SO", "IQ", "TR", "GH")
PARTNERS = ("veilig_thuis_utrecht", "lkha")
"""Who reports: a partner agency, and the LKHA itself (a melding by phone)."""


@dataclass
class Case:
    """A melding the campaign sent, and what was acknowledged of it."""

    key: str
    body: dict[str, object]
    partner: str
    zaak_id: str | None = None
    onderzoek_key: str | None = None
    onderzoek_acked: bool = False

    @property
    def gemeld_op(self) -> date:
        return date.fromisoformat(str(self.body["gemeld_op"]))


@dataclass
class Ledger:
    """Everything sent and acknowledged, shared by the load and the checks."""

    cases: list[Case] = field(default_factory=list)
    acked_commands: int = 0
    refused: list[str] = field(default_factory=list)

    @property
    def acked(self) -> list[Case]:
        return [c for c in self.cases if c.zaak_id is not None]

    def unfinished(self) -> list[Case]:
        return [
            c
            for c in self.cases
            if c.zaak_id is None or (c.onderzoek_key and not c.onderzoek_acked)
        ]


def melding(rng: random.Random) -> dict[str, object]:
    gemeld_op = date.today() - timedelta(days=rng.randrange(30, 400))
    return {
        "gemeld_op": gemeld_op.isoformat(),
        "onderwerp": rng.choice(ONDERWERPEN),
        "betrokkene": {"categorie": rng.choice(CATEGORIEEN)},
        "land": rng.choice(LANDEN),
        "melder": {"type": "veilig_thuis"},
        "bz_betrokken": rng.random() < 0.5,
    }


Tokens = dict[str, str]


class Load:
    """`workers` clients sending commands until `stop` is set; `drain()` finishes them."""

    def __init__(
        self,
        urls: dict[str, str],
        tokens: Tokens,
        ledger: Ledger,
        rng: random.Random,
        pause: float = 0.2,
    ) -> None:
        self.urls = urls
        self.tokens = tokens
        self.ledger = ledger
        self.rng = rng
        self.pause = pause
        """Mean seconds a client waits between commands."""
        self.client = httpx.AsyncClient(timeout=10)

    async def close(self) -> None:
        await self.client.aclose()

    async def _send(
        self, url: str, token: str, key: str, body: dict[str, object]
    ) -> httpx.Response | None:
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
        try:
            return await self.client.post(url, json=body, headers=headers)
        except httpx.HTTPError:
            return None  # not acknowledged: sent again with the same key

    async def meld(self, case: Case) -> bool:
        url = f"{self.urls['intake']}/v1/meldingen"
        answer = await self._send(url, self.tokens[case.partner], case.key, case.body)
        if answer is None or answer.status_code >= 500:
            return False
        if answer.status_code in (200, 201):
            zaak_id = str(answer.json()["zaak_id"])
            if case.zaak_id not in (None, zaak_id):
                self.ledger.refused.append(f"{case.key}: a retry answered another zaak_id")
            case.zaak_id = zaak_id
            self.ledger.acked_commands += 1
            return True
        self.ledger.refused.append(f"meld {case.key}: {answer.status_code} {answer.text[:200]}")
        case.zaak_id = None
        self.ledger.cases.remove(case)
        return True

    async def start_onderzoek(self, case: Case) -> bool:
        assert case.zaak_id and case.onderzoek_key
        url = f"{self.urls['verification']}/v1/zaken/{case.zaak_id}/onderzoek"
        datum = min(case.gemeld_op + timedelta(days=3), date.today())
        answer = await self._send(
            url, self.tokens["lkha"], case.onderzoek_key, {"datum": datum.isoformat()}
        )
        if answer is None or answer.status_code >= 500 or answer.status_code == 404:
            return False  # 404: verification has not seen the melding yet
        if answer.status_code == 200:
            if not case.onderzoek_acked:
                self.ledger.acked_commands += 1
            case.onderzoek_acked = True
            return True
        self.ledger.refused.append(
            f"onderzoek {case.zaak_id}: {answer.status_code} {answer.text[:200]}"
        )
        case.onderzoek_key = None
        return True

    async def finish(self, case: Case) -> bool:
        """One attempt at what is still unacknowledged of a case; True when nothing is."""
        if case.zaak_id is None:
            return await self.meld(case)
        if case.onderzoek_key and not case.onderzoek_acked:
            return await self.start_onderzoek(case)
        return True

    async def worker(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            ready = [c for c in self.ledger.acked if c.onderzoek_key is None]
            if ready and self.rng.random() < 0.3:
                case = self.rng.choice(ready)
                case.onderzoek_key = f"chaos-o-{uuid.uuid4()}"
            else:
                partner = self.rng.choice(PARTNERS)
                case = Case(key=f"chaos-m-{uuid.uuid4()}", body=melding(self.rng), partner=partner)
                self.ledger.cases.append(case)
            delay = 0.2
            while not await self.finish(case):
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
            await asyncio.sleep(self.rng.uniform(0.5, 1.5) * self.pause)

    async def drain(self, within: float = 120) -> None:
        """Send every unacknowledged command again until it is acknowledged."""
        deadline = asyncio.get_running_loop().time() + within
        while unfinished := self.ledger.unfinished():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{len(unfinished)} commands never acknowledged")
            for case in unfinished:
                await self.finish(case)
            await asyncio.sleep(0.5)
