"""A short fault campaign in the suite (deploy/chaos): real PostgreSQL, NATS and the four
services as processes, under concurrent load; every kind of fault at least once.

`make chaos ARGS="--faults 1000"` runs a long one. CHAOS_FAULTS and CHAOS_SEED change this one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deploy.chaos.campaign import campaign


@pytest.mark.timeout(1800)
async def test_no_fault_loses_doubles_or_stalls_an_acknowledged_command(
    servers_dir: Path,
) -> None:
    faults = int(os.environ.get("CHAOS_FAULTS", "30"))  # every kind once, the rest by weight
    seed = int(os.environ.get("CHAOS_SEED", "7"))
    lines: list[str] = []
    tally = await campaign(
        servers_dir / "chaos", faults=faults, seed=seed, workers=2, pause=0.5, report=lines.append
    )
    log = "\n".join(lines)
    assert tally.faults == faults, log
    assert tally.acked > faults, log
    assert tally.ok, f"{tally.line()}\n{log}"
