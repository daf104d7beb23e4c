"""One campaign: start the stack, load it, inject faults, check after each, tally."""

from __future__ import annotations

import asyncio
import contextlib
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deploy.chaos.checks import Checker, Finding
from deploy.chaos.faults import FAULTS, schedule
from deploy.chaos.load import Case, Ledger, Load
from deploy.stack import SERVICES, Stack
from services.reporting.rebuild import REBUILD_USER
from shared import dbroles

Report = Callable[[str], None]
KNOOPPUNT = str(Path(sys.executable).parent / "knooppunt")
VERIFY_EVERY = 10
"""Every chain is verified after every tenth fault, and at the end."""


@dataclass
class Tally:
    faults: int = 0
    acked: int = 0
    lost: int = 0
    duplicated: int = 0
    mismatched: int = 0
    stuck: int = 0

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.mismatched or self.stuck)

    def line(self) -> str:
        return (
            f"faults={self.faults} acked={self.acked} lost={self.lost} "
            f"duplicated={self.duplicated} mismatched={self.mismatched} stuck={self.stuck}"
        )


async def _settle(checker: Checker, cases: list[Case], within: float) -> dict[str, Finding]:
    """Check `cases` until all are right or `within` seconds passed; what is still wrong."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        findings = await checker.cases(cases)
        if not findings or asyncio.get_running_loop().time() > deadline:
            return findings
        cases = [c for c in cases if str(c.zaak_id) in findings]
        await asyncio.sleep(0.5)


def _describe(findings: dict[str, Finding]) -> str:
    zaak_id, finding = next(iter(findings.items()))
    return f"{len(findings)} cases wrong, e.g. {zaak_id}: {finding.missing + finding.duplicated}"


def _cli(stack: Stack, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {**stack.service_env("reporting"), **extra_env}
    return subprocess.run(
        [KNOOPPUNT, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _rebuild_differs(stack: Stack, report: Report) -> bool:
    """Stop reporting, rebuild its facts from the streams, compare, start it again."""
    stack.stop_service("reporting")
    try:
        owner = stack.role_url(dbroles.owner_role("reporting"))  # a rebuild drops the facts
        done = _cli(
            stack,
            "reporting",
            "rebuild",
            "--data-dir",
            str(stack.data_dir),
            DATABASE_OWNER_URL=owner,
            # the rebuild logs in to NATS as its own user (deploy/nats), not as reporting
            **stack.nats_login(REBUILD_USER),
        )
    finally:
        stack.start_service("reporting")
        stack.wait_ready("reporting")
    if done.returncode != 0:
        report(f"rebuild: exit {done.returncode}: {(done.stdout + done.stderr)[-800:]}")
    return done.returncode != 0


def _chains_broken(stack: Stack, report: Report) -> bool:
    """Sign every chain's head now (the campaign is the holder outside the database: its
    earlier checkpoints show any rewrite since), then verify every chain and checkpoint."""
    assert stack.database_url
    where = ("--data-dir", str(stack.data_dir), "--database-url", stack.database_url)
    for args in (("audit", "checkpoint", "--sign", *where), ("audit", "verify", *where)):
        done = _cli(stack, *args)
        if done.returncode != 0:
            output = (done.stdout + done.stderr)[-800:]
            report(f"{' '.join(args[:2])}: exit {done.returncode}: {output}")
            return True
    return False


async def campaign(
    data_dir: Path,
    *,
    faults: int,
    seed: int = 1,
    workers: int = 3,
    pause: float = 0.2,
    settle: float = 60,
    only: list[str] | None = None,
    minutes: float | None = None,
    report: Report = print,
) -> Tally:
    """Run `faults` faults under load on a stack of its own in `data_dir` (fewer when
    `minutes` have passed first: the tally says how many)."""
    rng = random.Random(seed)
    tally = Tally()
    stack = Stack.on_free_ports(data_dir)
    await asyncio.to_thread(stack.start)
    urls = {service: stack.url(service) for service in SERVICES}
    tokens = {
        "veilig_thuis_utrecht": stack.token("veilig_thuis_utrecht", "melder"),
        "lkha": stack.token("lkha", "coordinator"),
    }
    ledger = Ledger()
    load = Load(urls, tokens, ledger, rng, pause)
    checker = Checker(urls, tokens["lkha"])
    stop = asyncio.Event()
    tasks = [asyncio.create_task(load.worker(stop)) for _ in range(workers)]
    try:
        checked = 0
        until = None if minutes is None else time.monotonic() + 60 * minutes
        for number, name in enumerate(schedule(rng, faults, only), start=1):
            if until is not None and time.monotonic() > until:
                report(f"time is up after {number - 1} faults")
                break
            await asyncio.sleep(rng.uniform(0.3, 1.5))
            what = await FAULTS[name](stack, rng)
            tally.faults += 1
            acked = ledger.acked
            recent, checked = acked[checked:], len(acked)
            older = rng.sample(acked[: len(acked) - len(recent)], min(10, len(acked) - len(recent)))
            findings = await _settle(checker, recent + older, settle)
            if findings:
                tally.stuck += 1
            outcome = _describe(findings) if findings else "recovered"
            if number % VERIFY_EVERY == 0 and await asyncio.to_thread(
                _chains_broken, stack, report
            ):
                tally.mismatched += 1
                outcome += "; a chain is broken"
            report(f"fault {number}/{faults}: {what}: {outcome}")
        stop.set()
        await asyncio.gather(*tasks)
        await load.drain()
        findings = await _settle(checker, ledger.acked, settle * 2)
        tally.lost = sum(1 for f in findings.values() if f.missing)
        tally.duplicated = sum(1 for f in findings.values() if f.duplicated)
        if findings:
            report("after the campaign: " + _describe(findings))
        total = await checker.total()
        if total is None or total != len(ledger.acked):
            report(f"reporting counts {total} meldingen, {len(ledger.acked)} were acknowledged")
            if total is not None and total > len(ledger.acked):
                tally.duplicated += total - len(ledger.acked)
        tally.mismatched += await asyncio.to_thread(_rebuild_differs, stack, report)
        tally.mismatched += await asyncio.to_thread(_chains_broken, stack, report)
        for refused in ledger.refused[:5]:
            report(f"refused: {refused}")
        tally.mismatched += len(ledger.refused)
        tally.acked = ledger.acked_commands
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(*tasks, return_exceptions=True)
        await load.close()
        await checker.close()
        await asyncio.to_thread(stack.stop)
    return tally
