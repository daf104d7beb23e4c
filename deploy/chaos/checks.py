"""What the campaign expects after every fault: each acknowledged command present exactly
once in every service and in reporting."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

import httpx

from deploy.chaos.load import Case

#: Events that happen once in the life of the campaign's cases.
ONCE = (("intake", "gemeld"), ("verification", "onderzoek_gestart"))


@dataclass
class Finding:
    """What is wrong with one case, per kind: missing somewhere, or there twice."""

    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicated)


class Checker:
    def __init__(self, urls: dict[str, str], token: str) -> None:
        self.urls = urls
        self.client = httpx.AsyncClient(timeout=10, headers={"Authorization": f"Bearer {token}"})

    async def close(self) -> None:
        await self.client.aclose()

    async def _get(self, service: str, path: str) -> httpx.Response | None:
        try:
            return await self.client.get(f"{self.urls[service]}{path}")
        except httpx.HTTPError:
            return None

    async def case(self, case: Case) -> Finding:
        assert case.zaak_id
        found = Finding()
        paths = {
            "intake": f"/v1/meldingen/{case.zaak_id}",
            "verification": f"/v1/zaken/{case.zaak_id}",
            "consular": f"/v1/zaken/{case.zaak_id}",
            "reporting": f"/v1/zaken/{case.zaak_id}",
        }
        answers = dict(
            zip(
                paths,
                await asyncio.gather(*(self._get(s, p) for s, p in paths.items())),
                strict=True,
            )
        )
        for service, answer in answers.items():
            if answer is None or answer.status_code != 200:
                found.missing.append(f"{service}: {answer.status_code if answer else 'down'}")
        verification = answers["verification"]
        started = (
            verification is not None
            and verification.status_code == 200
            and verification.json().get("onderzoek_gestart_op") is not None
        )
        if case.onderzoek_acked and verification is not None and not started:
            found.missing.append("verification: onderzoek_gestart")
        reporting = answers["reporting"]
        if reporting is not None and reporting.status_code == 200:
            self._timeline(case, reporting.json().get("tijdlijn", []), found)
        return found

    @staticmethod
    def _timeline(case: Case, tijdlijn: list[dict[str, object]], found: Finding) -> None:
        ids = Counter(str(e["event_id"]) for e in tijdlijn)
        found.duplicated += [f"reporting: event {i} x{n}" for i, n in ids.items() if n > 1]
        kinds = Counter((str(e["source"]), str(e["event_type"])) for e in tijdlijn)
        for kind in ONCE:
            got = kinds.get(kind, 0)
            want = 1 if kind == ONCE[0] or case.onderzoek_acked else 0
            if got > 1:
                found.duplicated.append(f"reporting: {kind[1]} x{got}")
            elif got < want:
                found.missing.append(f"reporting: {kind[1]}")

    async def total(self) -> int | None:
        """The number of meldingen reporting counts (exact, as the LKHA sees it)."""
        answer = await self._get("reporting", "/v1/statistieken")
        if answer is None or answer.status_code != 200:
            return None
        return int(answer.json()["totaal"])

    async def cases(self, cases: list[Case]) -> dict[str, Finding]:
        findings: dict[str, Finding] = {}
        for start in range(0, len(cases), 20):
            batch = cases[start : start + 20]
            for case, finding in zip(
                batch, await asyncio.gather(*map(self.case, batch)), strict=True
            ):
                if not finding.ok:
                    findings[str(case.zaak_id)] = finding
        return findings
