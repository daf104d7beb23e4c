"""Verification's own, tolerant reading of the events it consumes (intake's and consular's).

Fields it does not know are ignored; a field it needs that is missing or unusable makes the
event skipped (logged); a contract version it does not know is refused, and the consumer
parks the event (shared/contracts.py).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from shared.contracts import Reader, Readers, TolerantCode, TolerantDate, TolerantMapping, Truthy

#: The fields of a melding a correction may change that verification mirrors (intake's
#: CORRIGEERBARE_VELDEN; tests/contracts checks the copy).
CORRIGEERBAAR = ("onderwerp", "betrokkene", "land", "gemeld_op")


def _wijzigingen(data: Any) -> dict[str, Any]:
    """The corrected fields verification mirrors, each with a value it can apply."""
    if not isinstance(data, dict):
        return {}
    out = {k: v for k, v in data.items() if k in CORRIGEERBAAR and v is not None}
    if "gemeld_op" in out:
        try:
            date.fromisoformat(str(out["gemeld_op"]))
        except ValueError:
            del out["gemeld_op"]
    return out


Code = Annotated[str, Field(min_length=1)]
#: The corrected fields, read tolerantly: only those mirrored, each with a usable value.
Wijzigingen = Annotated[dict[str, Any], BeforeValidator(_wijzigingen)]


class Gemeld(Reader):
    """What verification needs of intake's gemeld to open its case."""

    referentie: Code
    onderwerp: Code
    land: Code
    gemeld_op: date
    betrokkene: TolerantMapping = Field(default_factory=dict)
    bz_betrokken: Truthy = False

    def melding(self) -> dict[str, Any]:
        """The fields as VerificationApplication.ontvang_melding takes them."""
        return self.model_dump()


class Gecorrigeerd(Reader):
    wijzigingen: Annotated[dict[str, Any], BeforeValidator(_wijzigingen)] = Field(
        default_factory=dict
    )
    vorige: TolerantMapping = Field(default_factory=dict)
    datum: TolerantDate = None


class Ingetrokken(Reader):
    pass


class PersoonsgegevensGewist(Reader):
    """Intake erased the case's personal data: verification deletes its own key of it."""


class BijstandVerleend(Reader):
    soort: TolerantCode = None
    datum: TolerantDate = None


class AfloopVastgelegd(Reader):
    afloop: TolerantCode = None
    datum: TolerantDate = None


INTAKE = Readers(
    "intake",
    {
        ("gemeld", 1): Gemeld,
        ("gecorrigeerd", 1): Gecorrigeerd,
        ("ingetrokken", 1): Ingetrokken,
        ("persoonsgegevens_gewist", 1): PersoonsgegevensGewist,
    },
)
CONSULAR = Readers(
    "consular",
    {("bijstand_verleend", 1): BijstandVerleend, ("afloop_vastgelegd", 1): AfloopVastgelegd},
)
