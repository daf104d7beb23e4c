"""The errors of consular's domain and the small rules its aggregates share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from shared.idempotency import Verzoeken
from shared.idempotency import eerder_verwerkt as _eerder_verwerkt


class ConsularError(Exception):
    """Base of every rule the consular domain enforces."""


class ZaakNotFound(ConsularError):
    """The case is not yet known here (intake's melding has not arrived yet)."""


class RegelGeschonden(ConsularError):
    """A domain rule was broken by the state of the case; the message says which."""


class OngeldigeWaarde(ConsularError):
    """A value in the request does not fit the rules: names the field and the rule."""

    def __init__(self, veld: str, regel: str, bericht: str) -> None:
        super().__init__(bericht)
        self.veld = veld
        self.regel = regel


class IdempotencyConflict(ConsularError):
    """The Idempotency-Key was used before for a different request."""


class VersieConflict(ConsularError):
    """The case changed since the version the caller named (If-Match)."""


def controleer_datum(veld: str, datum: date, *, gemeld_op: date, vandaag: date) -> None:
    """A business date may not lie in the future nor before the melding's gemeld_op."""
    if datum > vandaag:
        raise OngeldigeWaarde(
            veld, "niet_in_de_toekomst", f"{veld} {datum.isoformat()} lies in the future"
        )
    if datum < gemeld_op:
        raise OngeldigeWaarde(
            veld,
            "niet_voor_gemeld_op",
            f"{veld} {datum.isoformat()} lies before gemeld_op {gemeld_op.isoformat()}",
        )


def controleer_code(veld: str, waarde: object, codes: Iterable[str]) -> None:
    """A code must be one of its list (the HTTP edge checks this too)."""
    toegestaan = [str(c) for c in codes]
    if waarde not in toegestaan:
        raise OngeldigeWaarde(
            veld, "onbekende_code", f"{veld} must be one of: {', '.join(toegestaan)}"
        )


def eerder_verwerkt(verzoeken: Verzoeken, sleutel: str | None, vingerafdruk: str) -> int | None:
    """The version of the first answer to this key, None if the key is new; the same key
    with another request is an IdempotencyConflict (shared.idempotency)."""
    return _eerder_verwerkt(verzoeken, sleutel, vingerafdruk, IdempotencyConflict)
