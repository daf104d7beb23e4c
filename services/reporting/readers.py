"""Reporting's own, tolerant reading of every producer's events: what the figures rely on.

Reporting keeps every fact as it arrived (store.py) and its figures read the facts with their
own standard-library parse (figures/envelope.py, figures/vouw.py), which these models mirror:
every field is optional and fields it does not know are ignored. On arrival a fact in a
contract version reporting does not read is refused, and parked (shared/contracts.py); an
event type it does not know is kept (the figures pass over it).
"""

from __future__ import annotations

from pydantic import Field

from shared.contracts import Reader, Readers, TolerantCode, TolerantDate, TolerantMapping
from shared.messaging import IntegrationEvent

#: The fields of a melding a correction may change that the figures apply (intake's
#: CORRIGEERBARE_VELDEN; tests/contracts checks the copy in figures/vouw.py too).
CORRIGEERBAAR = ("onderwerp", "betrokkene", "land", "gemeld_op")


class Gemeld(Reader):
    gemeld_op: TolerantDate = None
    onderwerp: TolerantCode = None
    betrokkene: TolerantMapping = Field(default_factory=dict)
    land: TolerantCode = None
    melder: TolerantMapping = Field(default_factory=dict)
    nationaliteit: TolerantCode = None
    verblijfsrecht: TolerantCode = None


class Gecorrigeerd(Reader):
    wijzigingen: TolerantMapping = Field(default_factory=dict)
    vorige: TolerantMapping = Field(default_factory=dict)
    datum: TolerantDate = None


class Datum(Reader):
    """An event that carries its business date as ``datum``."""

    datum: TolerantDate = None


class AdviesvraagOntvangen(Reader):
    ontvangen_op: TolerantDate = None
    onderwerp: TolerantCode = None


class Geverifieerd(Reader):
    uitkomst: TolerantCode = None
    reden: TolerantCode = None
    bevinding: TolerantCode = None
    onderwerp: TolerantCode = None
    besloten_op: TolerantDate = None
    reden_herziening: TolerantCode = None


class Reden(Datum):
    """afgesloten and heropend: a reden code and the date."""

    reden: TolerantCode = None


class RegieoverlegGehouden(Datum):
    overleg_id: TolerantCode = None
    deelnemers: list[str] = Field(default_factory=list)
    zaken: list[TolerantMapping] = Field(default_factory=list)


class ActieAfgerond(Datum):
    overleg_id: TolerantCode = None
    actie_id: TolerantCode = None


class BijstandVerleend(Datum):
    soort: TolerantCode = None
    post: TolerantCode = None
    document: TolerantCode = None
    doel: TolerantCode = None
    via: TolerantCode = None
    antwoord: TolerantCode = None


class AfloopVastgelegd(Datum):
    afloop: TolerantCode = None


READERS = {
    "intake": Readers(
        "intake",
        {
            ("gemeld", 1): Gemeld,
            ("gecorrigeerd", 1): Gecorrigeerd,
            ("ingetrokken", 1): Datum,
            ("adviesvraag_ontvangen", 1): AdviesvraagOntvangen,
        },
    ),
    "verification": Readers(
        "verification",
        {
            ("onderzoek_gestart", 1): Datum,
            ("geverifieerd", 1): Geverifieerd,
            ("afgesloten", 1): Reden,
            ("heropend", 1): Reden,
            ("nazorg_geregeld", 1): Datum,
            ("regieoverleg_gehouden", 1): RegieoverlegGehouden,
            ("actie_afgerond", 1): ActieAfgerond,
        },
    ),
    "consular": Readers(
        "consular",
        {("bijstand_verleend", 1): BijstandVerleend, ("afloop_vastgelegd", 1): AfloopVastgelegd},
    ),
}


def check(event: IntegrationEvent) -> None:
    """Refuse (ContractRefused) a fact in a contract version reporting does not read."""
    readers = READERS.get(event.source)
    if readers is not None:
        readers.check(event)
