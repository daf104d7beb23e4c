"""Consular's own, tolerant reading of the events it consumes (intake's and verification's).

Fields it does not know are ignored; a field it needs that is missing or unusable makes the
event skipped (logged); a contract version it does not know is refused, and the consumer
parks the event (shared/contracts.py).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from shared.contracts import Reader, Readers, TolerantCode, TolerantMapping, Truthy

#: The fields of a melding a correction may change that consular mirrors (intake's
#: CORRIGEERBARE_VELDEN; tests/contracts checks the copy).
CORRIGEERBAAR = ("onderwerp", "betrokkene", "land", "gemeld_op")


def _wijzigingen(data: Any) -> dict[str, Any]:
    """The corrected fields consular mirrors, each with a value it can apply."""
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
    """What consular needs of intake's gemeld to open its case."""

    referentie: Code
    onderwerp: Code
    land: Code
    gemeld_op: date
    betrokkene: TolerantMapping = Field(default_factory=dict)
    bz_betrokken: Truthy = False

    def melding(self) -> dict[str, Any]:
        """The fields as ConsularApplication.ontvang_melding takes them."""
        return self.model_dump()


class Gecorrigeerd(Reader):
    wijzigingen: Annotated[dict[str, Any], BeforeValidator(_wijzigingen)] = Field(
        default_factory=dict
    )


class Ingetrokken(Reader):
    pass


class Stap(Reader):
    """A step of verification that carries only its date (onderzoek_gestart, afgesloten,
    heropend)."""

    datum: date


class Geverifieerd(Reader):
    uitkomst: Code
    besloten_op: date
    onderwerp: TolerantCode = None
    herziening: Annotated[bool, BeforeValidator(lambda v: v is True)] = False


INTAKE = Readers(
    "intake",
    {("gemeld", 1): Gemeld, ("gecorrigeerd", 1): Gecorrigeerd, ("ingetrokken", 1): Ingetrokken},
)
VERIFICATION = Readers(
    "verification",
    {
        ("onderzoek_gestart", 1): Stap,
        ("geverifieerd", 1): Geverifieerd,
        ("afgesloten", 1): Stap,
        ("heropend", 1): Stap,
    },
)


def feit(event_type: str, stap: Reader, versie: int) -> dict[str, Any] | None:
    """A verification step as the consular case applies it (None: not a step it applies)."""
    if isinstance(stap, Geverifieerd):
        return {
            "soort": event_type,
            "verificatie_versie": versie,
            "uitkomst": stap.uitkomst,
            "onderwerp": stap.onderwerp,
            "besloten_op": stap.besloten_op,
            "herziening": stap.herziening,
        }
    if isinstance(stap, Stap):
        return {"soort": event_type, "verificatie_versie": versie, "datum": stap.datum}
    return None
