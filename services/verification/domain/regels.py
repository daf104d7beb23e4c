"""The errors of verification's domain and the rules several aggregates share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from services.verification.codes import Bevinding, RedenOnbekend, Uitkomst
from shared.idempotency import Verzoeken
from shared.idempotency import eerder_verwerkt as _eerder_verwerkt


class VerificationError(Exception):
    """Base of every rule the verification domain enforces."""


class ZaakNotFound(VerificationError):
    """The case is not yet known here (intake's melding has not arrived yet)."""


class RegieoverlegNotFound(VerificationError):
    pass


class ActieNotFound(VerificationError):
    pass


class RegelGeschonden(VerificationError):
    """A domain rule was broken by the state of the case; the message says which."""


class OngeldigeWaarde(VerificationError):
    """A value in the request does not fit the rules: names the field and the rule."""

    def __init__(self, veld: str, regel: str, bericht: str) -> None:
        super().__init__(bericht)
        self.veld = veld
        self.regel = regel


class IdempotencyConflict(VerificationError):
    """The Idempotency-Key was used before for a different request."""


class VersieConflict(VerificationError):
    """The case changed since the version the caller named (If-Match)."""


def controleer_datum(veld: str, datum: date, *, gemeld_op: date | None, vandaag: date) -> None:
    """A business date may not lie in the future nor before the melding's gemeld_op."""
    if datum > vandaag:
        raise OngeldigeWaarde(
            veld, "niet_in_de_toekomst", f"{veld} {datum.isoformat()} lies in the future"
        )
    if gemeld_op is not None and datum < gemeld_op:
        raise OngeldigeWaarde(
            veld,
            "niet_voor_gemeld_op",
            f"{veld} {datum.isoformat()} lies before gemeld_op {gemeld_op.isoformat()}",
        )


def controleer_niet_eerder(veld: str, datum: date, *, dan: date, wat: str) -> None:
    """A step may not be dated before the step it follows."""
    if datum < dan:
        raise OngeldigeWaarde(
            veld,
            "niet_voor_vorige_stap",
            f"{veld} {datum.isoformat()} lies before {wat} {dan.isoformat()}",
        )


def eerder_verwerkt(verzoeken: Verzoeken, sleutel: str | None, vingerafdruk: str) -> int | None:
    """The version of the first answer to this key, None if the key is new; the same key
    with another request is an IdempotencyConflict (shared.idempotency)."""
    return _eerder_verwerkt(verzoeken, sleutel, vingerafdruk, IdempotencyConflict)


def controleer_code(veld: str, waarde: str, codes: type[StrEnum]) -> None:
    """A code must be one of its list (the HTTP edge checks this too)."""
    if waarde not in codes.__members__.values():
        toegestaan = ", ".join(codes.__members__.values())
        raise OngeldigeWaarde(veld, "onbekende_code", f"{veld} must be one of: {toegestaan}")


def controleer_uitkomst(uitkomst: str, reden: str | None, bevinding: str | None) -> None:
    """reden only and required with onbekend; bevinding only and required with niet_vastgesteld."""
    controleer_code("uitkomst", uitkomst, Uitkomst)
    if reden is not None:
        controleer_code("reden", reden, RedenOnbekend)
    if bevinding is not None:
        controleer_code("bevinding", bevinding, Bevinding)
    if uitkomst == Uitkomst.onbekend and reden is None:
        raise OngeldigeWaarde(
            "reden", "reden_verplicht_bij_onbekend", "uitkomst onbekend needs a reden"
        )
    if uitkomst != Uitkomst.onbekend and reden is not None:
        raise OngeldigeWaarde(
            "reden", "reden_alleen_bij_onbekend", "reden is only given with uitkomst onbekend"
        )
    if uitkomst == Uitkomst.niet_vastgesteld and bevinding is None:
        raise OngeldigeWaarde(
            "bevinding",
            "bevinding_verplicht_bij_niet_vastgesteld",
            "uitkomst niet_vastgesteld needs a bevinding",
        )
    if uitkomst != Uitkomst.niet_vastgesteld and bevinding is not None:
        raise OngeldigeWaarde(
            "bevinding",
            "bevinding_alleen_bij_niet_vastgesteld",
            "bevinding is only given with uitkomst niet_vastgesteld",
        )


def controleer_herziening(
    vorige: Mapping[str, Any] | None, reden_herziening: str | None, besloten_op: date
) -> None:
    """The first verification is no herziening; a later one is, names its reden_herziening
    and is not dated before the verification it revises."""
    if vorige is None and reden_herziening is not None:
        raise RegelGeschonden(
            "the first verification is not a herziening: leave out reden_herziening"
        )
    if vorige is not None:
        if reden_herziening is None:
            raise RegelGeschonden(
                "the case was verified already: a herziening needs a reden_herziening"
            )
        controleer_niet_eerder(
            "besloten_op", besloten_op, dan=vorige["besloten_op"], wat="the verification"
        )


def controleer_niet_ingetrokken(ingetrokken: bool, wat: str) -> None:
    """A withdrawn (ingetrokken) case takes no further steps."""
    if ingetrokken:
        raise RegelGeschonden(f"the melding was withdrawn (ingetrokken): no {wat}")


def controleer_niet_afgesloten(afgesloten_op: date | None, wat: str) -> None:
    """A closed case takes no onderzoek or verification until it is reopened."""
    if afgesloten_op is not None:
        raise RegelGeschonden(
            f"the case was closed on {afgesloten_op.isoformat()}: reopen it before {wat}"
        )


def controleer_afsluiting(
    afgesloten_op: date | None, verloop: Sequence[Mapping[str, Any]], datum: date
) -> None:
    """A case is closed once until it is reopened, not before its last heropening."""
    if afgesloten_op is not None:
        raise RegelGeschonden(f"the case was closed already on {afgesloten_op.isoformat()}")
    if verloop:
        controleer_niet_eerder("datum", datum, dan=verloop[-1]["datum"], wat="the heropening")


def controleer_heropening(afgesloten_op: date | None, datum: date) -> None:
    """Only a closed case is reopened, not before its afsluiting."""
    if afgesloten_op is None:
        raise RegelGeschonden("only a closed case can be reopened: this case is not closed")
    controleer_niet_eerder("datum", datum, dan=afgesloten_op, wat="the afsluiting")


def controleer_eenmalig_onderzoek(gestart_op: date | None) -> None:
    """The onderzoek is started once."""
    if gestart_op is not None:
        raise RegelGeschonden(f"the onderzoek already started on {gestart_op.isoformat()}")
