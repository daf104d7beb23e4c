"""The faults: each takes the running stack, does one harmful thing and repairs what an
operator's supervisor would (restart what was killed); the checks then expect the system to
have recovered on its own."""

from __future__ import annotations

import asyncio
import os
import random
import signal
from collections.abc import Awaitable, Callable

import nats

from deploy.stack import SERVICES, Stack
from shared.messaging import stream_name

Fault = Callable[[Stack, random.Random], Awaitable[str]]
PRODUCERS = ("intake", "verification", "consular")


async def kill_service(stack: Stack, rng: random.Random) -> str:
    """kill -9 of one service, then start it again."""
    service = rng.choice(list(SERVICES))
    proc = stack.processes[service]
    proc.kill()
    proc.wait()

    def restart() -> None:
        stack.start_service(service)
        stack.wait_ready(service)

    await asyncio.to_thread(restart)
    return f"kill -9 {service}"


async def kill_nats(stack: Stack, rng: random.Random) -> str:
    """kill -9 of nats-server, then start it again on the same store."""
    assert stack.nats and stack.nats.proc
    stack.nats.proc.kill()
    stack.nats.proc.wait()
    await asyncio.sleep(rng.uniform(0, 1.5))
    await asyncio.to_thread(stack.nats.start)
    return "kill -9 nats-server"


async def pause_nats(stack: Stack, rng: random.Random) -> str:
    """SIGSTOP nats-server for a few seconds (a hung server), then SIGCONT."""
    assert stack.nats and stack.nats.proc
    pause = rng.uniform(0.5, 4)
    os.kill(stack.nats.proc.pid, signal.SIGSTOP)
    try:
        await asyncio.sleep(pause)
    finally:
        os.kill(stack.nats.proc.pid, signal.SIGCONT)
    return f"pause nats-server {pause:.1f} s"


async def restart_postgres(stack: Stack, rng: random.Random) -> str:
    """PostgreSQL's immediate shutdown (SIGQUIT: no checkpoint, crash recovery at start)."""
    assert stack.postgres and stack.postgres.proc
    proc = stack.postgres.proc
    proc.send_signal(signal.SIGQUIT)
    await asyncio.to_thread(proc.wait)
    await asyncio.sleep(rng.uniform(0, 1.5))
    await asyncio.to_thread(stack.postgres.start)
    return "restart PostgreSQL (immediate)"


async def _republish(stack: Stack, rng: random.Random, *, keep_id: bool, reorder: bool) -> str:
    assert stack.nats
    nc = await nats.connect(stack.nats.url_for("admin"))
    try:
        js = nc.jetstream()
        producer = rng.choice(PRODUCERS)
        stream = stream_name(producer)
        info = await js.stream_info(stream)
        last = info.state.last_seq
        if last == 0:
            return f"redeliver: {stream} is empty"
        first = max(info.state.first_seq, 1)
        count = min(rng.randint(1, 5), last - first + 1)
        start = rng.randint(first, last - count + 1)
        batch = [await js.get_msg(stream, seq) for seq in range(start, start + count)]
        if reorder:
            batch.reverse()
        for msg in batch:
            headers = dict(msg.headers or {})
            if not keep_id:
                headers.pop("Nats-Msg-Id", None)
            assert msg.subject
            await js.publish(msg.subject, msg.data or b"", headers=headers or None, stream=stream)
    finally:
        await nc.close()
    how = "reordered" if reorder else "redelivered"
    with_id = "with" if keep_id else "without"
    return f"{how} {count} of {stream} {with_id} Nats-Msg-Id"


async def redeliver_with_id(stack: Stack, rng: random.Random) -> str:
    return await _republish(stack, rng, keep_id=True, reorder=False)


async def redeliver_without_id(stack: Stack, rng: random.Random) -> str:
    return await _republish(stack, rng, keep_id=False, reorder=False)


async def reorder(stack: Stack, rng: random.Random) -> str:
    return await _republish(stack, rng, keep_id=rng.random() < 0.5, reorder=True)


FAULTS: dict[str, Fault] = {
    "kill_service": kill_service,
    "kill_nats": kill_nats,
    "pause_nats": pause_nats,
    "restart_postgres": restart_postgres,
    "redeliver_with_id": redeliver_with_id,
    "redeliver_without_id": redeliver_without_id,
    "reorder": reorder,
}
WEIGHTS = {
    "kill_service": 4,
    "kill_nats": 1,
    "pause_nats": 1,
    "restart_postgres": 1,
    "redeliver_with_id": 1,
    "redeliver_without_id": 1,
    "reorder": 1,
}


def schedule(rng: random.Random, count: int, only: list[str] | None = None) -> list[str]:
    """`count` fault names: every kind once first (in random order), then by weight."""
    names = list(only or FAULTS)
    first = rng.sample(names, len(names))[:count]
    rest = rng.choices(names, weights=[WEIGHTS[n] for n in names], k=count - len(first))
    return first + rest
