"""An advisory question (adviesvraag) as intake records it."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.intake.domain import IntakeError, controleer_datum


class AdviesvraagNotFound(IntakeError):
    pass


class Adviesvraag(Aggregate):
    """An advisory question from a professional: not a melding, and never counted as one.

    Invariants: ontvangen_op never lies in the future; the vraag is held only as a ciphertext
    token (encrypted by the application layer with a data key of its own, like personal data);
    it is recorded once per reporting organisation and Idempotency-Key.
    """

    class Ontvangen(Aggregate.Created):
        ontvangen_op: date
        onderwerp: str
        melder: dict[str, Any]
        vraag: str | None
        verzoek_vingerafdruk: str

    @event(Ontvangen)
    def __init__(
        self,
        *,
        ontvangen_op: date,
        onderwerp: str,
        melder: dict[str, Any],
        vraag: str | None,
        verzoek_vingerafdruk: str,
    ) -> None:
        self.ontvangen_op = ontvangen_op
        self.onderwerp = onderwerp
        self.melder = dict(melder)
        self.vraag = vraag
        self.verzoek_vingerafdruk = verzoek_vingerafdruk

    @classmethod
    def ontvang(
        cls,
        *,
        adviesvraag_id: UUID,
        vandaag: date,
        ontvangen_op: date,
        onderwerp: str,
        melder: dict[str, Any],
        vraag: str | None,
        verzoek_vingerafdruk: str,
    ) -> Adviesvraag:
        """Record a new adviesvraag."""
        controleer_datum("ontvangen_op", ontvangen_op, niet_voor=None, vandaag=vandaag)
        return cls._create(
            cls.Ontvangen,
            id=adviesvraag_id,
            ontvangen_op=ontvangen_op,
            onderwerp=onderwerp,
            melder=melder,
            vraag=vraag,
            verzoek_vingerafdruk=verzoek_vingerafdruk,
        )
