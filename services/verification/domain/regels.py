"""The errors of verification's domain and the rules several aggregates share."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

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
