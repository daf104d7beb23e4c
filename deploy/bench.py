"""`make bench`: Knooppunt's write path against the raw speed of its PostgreSQL and NATS.

Measured on this machine, in the same run, each part bounded in count and in time:

1. PostgreSQL: durable inserts per second (psycopg, one row per commit, fsync on);
2. NATS JetStream: acknowledged publishes per second (file storage, sync_interval always);
3. Knooppunt: POST /v1/meldingen per second at intake (a process), and the latency from the
   POST until reporting counts the melding in /v1/statistieken;
4. reporting's read path over 10,000 synthetic cases (no servers needed): the fact index, the
   first and a repeated projection, statistics, jaarcijfers and the printable page.

It starts its own PostgreSQL and NATS from the wheels (deploy/servers.py) unless DATABASE_URL
and NATS_URL are set (then NATS needs the shipped users, and KNOOPPUNT_NATS_SECRETS names
the JSON file of their secrets, as .data/keys/nats.json).

Usage: ``python -m deploy.bench [--aantal 200] [--seconden 15] [--zaken 10000] [--alleen ...]``
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import nats
import psycopg
from nats.js.api import StorageType, StreamConfig
from psycopg import sql

from deploy.servers import LocalNats, LocalPostgres
from deploy.stack import Stack

ONDERDELEN = ("postgres", "nats", "knooppunt", "reporting")


@dataclass
class Meting:
    """How many operations in how many seconds (and their latencies, when measured)."""

    aantal: int
    seconden: float
    latenties: list[float] | None = None

    @property
    def per_seconde(self) -> float:
        return self.aantal / self.seconden if self.seconden else 0.0

    def regel(self, wat: str) -> str:
        tekst = f"{wat:<46}{self.per_seconde:>9.0f} /s   ({self.aantal} in {self.seconden:.1f} s)"
        if self.latenties:
            ms = sorted(x * 1000 for x in self.latenties)
            p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
            tekst += f"\n{'':<46}latency p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms"
        return tekst


def _herhaal(aantal: int, seconden: float, stap: Callable[[int], object]) -> Meting:
    """Run ``stap(i)`` up to ``aantal`` times or until ``seconden`` have passed."""
    begin = time.perf_counter()
    gedaan = 0
    while gedaan < aantal and time.perf_counter() - begin < seconden:
        stap(gedaan)
        gedaan += 1
    return Meting(gedaan, time.perf_counter() - begin)


@dataclass
class Servers:
    database_url: str
    nats_url: str
    """With the admin's credentials when we started NATS ourselves."""
    nats_secrets: dict[str, str] | None


@contextmanager
def servers(werkmap: Path) -> Iterator[Servers]:
    """DATABASE_URL and NATS_URL when set, else PostgreSQL and NATS started from the wheels."""
    with ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL")
        if database_url is None:
            postgres = LocalPostgres(werkmap / "postgres").start()
            stack.callback(postgres.stop)
            database_url = postgres.create_database("bench")
        nats_url = os.environ.get("NATS_URL")
        geheimen: dict[str, str] | None = None
        if nats_url is None:
            server = LocalNats(werkmap / "nats").start()
            stack.callback(server.stop)
            nats_url, geheimen = server.url_for("admin"), server.secrets
        elif bestand := os.environ.get("KNOOPPUNT_NATS_SECRETS"):
            geheimen = {str(u): str(w) for u, w in json.loads(Path(bestand).read_text()).items()}
        yield Servers(database_url, nats_url, geheimen)


def meet_postgres(database_url: str, aantal: int, seconden: float) -> Meting:
    """Durable single-row commits (what every event store write costs at least)."""
    schema = sql.Identifier(f"bench_{uuid.uuid4().hex[:8]}")
    invoegen = sql.SQL("INSERT INTO {}.rij (inhoud) VALUES (%s)").format(schema)
    with psycopg.connect(database_url) as conn:
        fsync = conn.execute("SHOW fsync").fetchone()
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
        conn.execute(
            sql.SQL("CREATE TABLE {}.rij (id bigserial PRIMARY KEY, inhoud text)").format(schema)
        )
        conn.commit()
        try:

            def stap(i: int) -> None:
                conn.execute(invoegen, (f"rij {i}",))
                conn.commit()

            meting = _herhaal(aantal, seconden, stap)
        finally:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(schema))
            conn.commit()
    print(f"  (PostgreSQL fsync = {fsync[0] if fsync else '?'})")
    return meting


async def _meet_nats(nats_url: str, aantal: int, seconden: float) -> Meting:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    naam = f"BENCH_{uuid.uuid4().hex[:8].upper()}"
    await js.add_stream(StreamConfig(name=naam, subjects=[f"{naam}.>"], storage=StorageType.FILE))
    try:
        begin = time.perf_counter()
        gedaan = 0
        while gedaan < aantal and time.perf_counter() - begin < seconden:
            await js.publish(f"{naam}.x", b'{"event_type":"bench"}' * 10)
            gedaan += 1
        return Meting(gedaan, time.perf_counter() - begin)
    finally:
        await js.delete_stream(naam)
        await nc.close()


def meet_nats(nats_url: str, aantal: int, seconden: float) -> Meting:
    """Acknowledged JetStream publishes, one at a time (what the relay does per event)."""
    return asyncio.run(_meet_nats(nats_url, aantal, seconden))


MELDING = {
    "gemeld_op": "2018-03-14",
    "onderwerp": "achterlating",
    "betrokkene": {"categorie": "minderjarige", "geslacht": "vrouw", "geboortejaar": 2003},
    "land": "MA",
    "melder": {"type": "school", "organisatie": "Leerplicht (bench)"},
    "bz_betrokken": True,
    "persoonsgegevens": {"naam": "Testpersoon Bench", "contactgegevens": "+00 000 000"},
}


def meet_knooppunt(
    bron: Servers, werkmap: Path, aantal: int, seconden: float
) -> tuple[Meting, Meting]:
    """POST /v1/meldingen at intake, and the POST-to-counted latency at reporting."""
    stack = Stack.on_free_ports(
        werkmap / "stack",
        database_url=bron.database_url,
        nats_url=bron.nats_url,
        environment="test",
        given_nats_secrets=bron.nats_secrets,
    )
    stack.start()
    try:
        lkha = {"Authorization": f"Bearer {stack.token('lkha', 'coordinator')}"}
        beleid = {"Authorization": f"Bearer {stack.token('beleid', 'beleid')}"}
        intake, reporting = stack.url("intake"), stack.url("reporting")
        with httpx.Client(timeout=30) as client:

            def meld(i: int) -> str:
                response = client.post(
                    f"{intake}/v1/meldingen",
                    json=MELDING,
                    headers={"Idempotency-Key": f"bench-{uuid.uuid4().hex}", **lkha},
                )
                response.raise_for_status()
                return str(response.json()["zaak_id"])

            schrijven = _herhaal(aantal, seconden, meld)

            def geteld() -> int:
                response = client.get(
                    f"{reporting}/v1/statistieken",
                    params={"peildatum": "2018-12-31"},
                    headers=beleid,
                )
                response.raise_for_status()
                return int(response.json()["totaal"])

            grens = time.monotonic() + 60
            while geteld() < schrijven.aantal and time.monotonic() < grens:
                time.sleep(0.05)
            latenties: list[float] = []

            def tot_geteld(i: int) -> None:
                voor = geteld()
                begin = time.perf_counter()
                meld(i)
                while geteld() <= voor:
                    if time.perf_counter() - begin > 10:
                        raise RuntimeError("reporting did not count a melding within 10 s")
                latenties.append(time.perf_counter() - begin)

            keten = _herhaal(min(aantal, 50), seconden, tot_geteld)
            keten.latenties = latenties
        return schrijven, keten
    finally:
        stack.stop()


def synthetische_envelopes(zaken: int) -> list[dict[str, Any]]:
    """The demo data set copied with fresh ids until it holds ``zaken`` cases (about)."""
    from deploy.demo.to_envelopes import dataset_envelopes

    basis = dataset_envelopes()
    per_kopie = len({e["zaak_id"] for e in basis if e["event_type"] == "gemeld"})
    uit: list[dict[str, Any]] = []
    for kopie in range(max(1, round(zaken / per_kopie))):
        for envelope in basis:
            nieuw = dict(envelope, event_id=f"{kopie}-{envelope['event_id']}")
            if envelope["zaak_id"]:
                nieuw["zaak_id"] = f"{kopie}-{envelope['zaak_id']}"
            if envelope["event_type"] == "regieoverleg_gehouden":
                nieuw["data"] = copy.deepcopy(envelope["data"])
                for zaak in nieuw["data"]["zaken"]:
                    zaak["zaak_id"] = f"{kopie}-{zaak['zaak_id']}"
            uit.append(nieuw)
    return uit


def meet_reporting(zaken: int) -> list[tuple[str, float]]:
    """Reporting's read path in process: what a page over many cases costs."""
    from services.reporting.index import Feitenindex
    from services.reporting.rapportage import Rapportage

    envelopes = synthetische_envelopes(zaken)
    tijden: list[tuple[str, float]] = []

    def tijd(wat: str, doe: Callable[[], object]) -> object:
        begin = time.perf_counter()
        uitkomst = doe()
        tijden.append((wat, time.perf_counter() - begin))
        return uitkomst

    index = Feitenindex()
    tijd(f"index of {len(envelopes)} facts (at start-up)", lambda: index.voeg_toe_alle(envelopes))
    rapportage = Rapportage(index, vandaag=lambda: date(2019, 12, 31))
    aantal = len(index.zaken(date(2019, 12, 31)))
    tijden[-1] = (f"index of {len(envelopes)} facts, {aantal} cases (at start-up)", tijden[-1][1])
    vraag: dict[str, Any] = {
        "groepeer": ["jaar", "onderwerp", "uitkomst"],
        "peildatum": date(2018, 12, 31),
        "geheimhouding": None,
    }
    tijd("statistieken, a new peildatum (first fold)", lambda: rapportage.statistiek(**vraag))
    tijd("statistieken, the same question again", lambda: rapportage.statistiek(**vraag))
    tijd(
        "statistieken, other filters, same peildatum",
        lambda: rapportage.statistiek(
            geheimhouding=None, peildatum=date(2018, 12, 31), criteria={"stage": ["open", "lopend"]}
        ),
    )
    tijd("jaarcijfers 2018 (first)", lambda: rapportage.jaarcijfers(2018, geheimhouding=None))
    tijd(
        "jaarcijfers 2018 as of 2019-06-30",
        lambda: rapportage.jaarcijfers(2018, geheimhouding=None, peildatum=date(2019, 6, 30)),
    )
    tijd("jaarcijfers 2018 (again)", lambda: rapportage.jaarcijfers(2018, geheimhouding=None))
    tijd(
        "jaarcijfers 2018 as printable HTML",
        lambda: rapportage.jaarcijfers_als("html", 2018, geheimhouding=None),
    )
    tijd("one new fact, then statistieken again", lambda: _een_feit_erbij(index, rapportage, vraag))
    return tijden


def _een_feit_erbij(index: Any, rapportage: Any, vraag: dict[str, Any]) -> object:
    index.voeg_toe(
        {
            "event_id": "bench:1",
            "event_type": "gemeld",
            "source": "intake",
            "zaak_id": "bench-nieuw",
            "recorded_at": "2018-06-01T09:00:00+00:00",
            "data": {**MELDING, "referentie": "BENCH-1"},
        }
    )
    return rapportage.statistiek(**vraag)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Knooppunt's write path against raw speed.")
    parser.add_argument("--aantal", type=int, default=200, help="operations per measurement")
    parser.add_argument("--seconden", type=float, default=15, help="time cap per measurement")
    parser.add_argument("--zaken", type=int, default=10_000, help="cases for the read path")
    parser.add_argument("--alleen", choices=ONDERDELEN, action="append", help="only these")
    args = parser.parse_args(argv)
    gekozen = set(args.alleen or ONDERDELEN)
    print(f"Knooppunt bench on this machine ({os.cpu_count()} CPUs)")
    resultaten: dict[str, Meting] = {}
    if gekozen & {"postgres", "nats", "knooppunt"}:
        with (
            tempfile.TemporaryDirectory(prefix="knooppunt-bench-") as map_,
            servers(Path(map_)) as bron,
        ):
            if "postgres" in gekozen:
                resultaten["pg"] = meet_postgres(bron.database_url, args.aantal * 5, args.seconden)
                print(resultaten["pg"].regel("PostgreSQL: durable single-row commits"))
            if "nats" in gekozen:
                resultaten["nats"] = meet_nats(bron.nats_url, args.aantal * 5, args.seconden)
                print(resultaten["nats"].regel("JetStream: acknowledged publishes"))
            if "knooppunt" in gekozen:
                schrijven, keten = meet_knooppunt(bron, Path(map_), args.aantal, args.seconden)
                resultaten["meld"] = schrijven
                print(schrijven.regel("Knooppunt: POST /v1/meldingen at intake"))
                print(keten.regel("Knooppunt: POST until reporting counts it"))
    if "meld" in resultaten:
        meld = resultaten["meld"].per_seconde
        for sleutel, naam in (("pg", "PostgreSQL commits"), ("nats", "JetStream publishes")):
            if sleutel in resultaten and resultaten[sleutel].per_seconde:
                ratio = meld / resultaten[sleutel].per_seconde
                print(f"  meldingen per second = {ratio:.2f} x raw {naam}")
    if "reporting" in gekozen:
        print(f"Reporting read path over {args.zaken} synthetic cases (in process):")
        for wat, seconden in meet_reporting(args.zaken):
            print(f"  {wat:<56}{seconden * 1000:>9.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
