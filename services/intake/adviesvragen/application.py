"""Adviesvragen's use cases, on intake's event store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.intake.adviesvragen.domain import Adviesvraag, AdviesvraagNotFound
from services.intake.application import IntakeApplication
from services.intake.domain import IdempotencyConflict


@dataclass(frozen=True)
class AdviesvraagVastgelegd:
    """The answer to a recorded adviesvraag; `nieuw` is False for a repeated request."""

    adviesvraag_id: UUID
    versie: int
    nieuw: bool


class Adviesvragen:
    """Records advisory questions in intake's event store; intake's relay publishes them."""

    def __init__(self, intake: IntakeApplication) -> None:
        self.intake = intake

    def _vingerafdruk(self, adviesvraag_id: UUID, verzoek: Mapping[str, Any]) -> str:
        return self.intake.vingerafdruk(str(adviesvraag_id), {"adviesvraag": verzoek})

    def ontvang(
        self, *, melder_org: str, idempotency_key: str, verzoek: Mapping[str, Any]
    ) -> AdviesvraagVastgelegd:
        """Record an adviesvraag; the same key and request again returns the first answer."""
        adviesvraag_id = self.intake.sleutels.id_voor("adviesvraag", melder_org, idempotency_key)
        if self._bestaat(adviesvraag_id):
            return self._bestaande(adviesvraag_id, self._vingerafdruk(adviesvraag_id, verzoek))
        self.intake.cipher.create(str(adviesvraag_id))
        vingerafdruk = self._vingerafdruk(adviesvraag_id, verzoek)
        vraag = verzoek.get("vraag")
        token = self.intake.versleutel(str(adviesvraag_id), str(vraag) if vraag else None)
        melder = dict(verzoek["melder"])
        if melder.get("organisatie"):
            melder["organisatie"] = self.intake.versleutel(
                str(adviesvraag_id), str(melder["organisatie"])
            )
        adviesvraag = Adviesvraag.ontvang(
            adviesvraag_id=adviesvraag_id,
            vandaag=self.intake.vandaag(),
            ontvangen_op=verzoek["ontvangen_op"],
            onderwerp=verzoek["onderwerp"],
            melder=melder,
            vraag=token,
            verzoek_vingerafdruk=vingerafdruk,
        )
        try:
            self.intake.save(adviesvraag)
        except IntegrityError:
            return self._bestaande(adviesvraag_id, vingerafdruk)
        return AdviesvraagVastgelegd(adviesvraag_id, adviesvraag.version, nieuw=True)

    def _bestaat(self, adviesvraag_id: UUID) -> bool:
        try:
            self.get(adviesvraag_id)
        except AdviesvraagNotFound:
            return False
        return True

    def _bestaande(self, adviesvraag_id: UUID, vingerafdruk: str) -> AdviesvraagVastgelegd:
        adviesvraag = self.get(adviesvraag_id)
        if adviesvraag.verzoek_vingerafdruk != vingerafdruk:
            raise IdempotencyConflict("Idempotency-Key was already used for a different request")
        return AdviesvraagVastgelegd(adviesvraag_id, adviesvraag.version, nieuw=False)

    def get(self, adviesvraag_id: UUID) -> Adviesvraag:
        """One adviesvraag (its vraag still encrypted)."""
        try:
            adviesvraag: object = self.intake.repository.get(adviesvraag_id)
        except AggregateNotFoundError as exc:
            raise AdviesvraagNotFound(f"adviesvraag {adviesvraag_id} not found") from exc
        if not isinstance(adviesvraag, Adviesvraag):
            raise AdviesvraagNotFound(f"adviesvraag {adviesvraag_id} not found")
        return adviesvraag

    def lees_vraag(self, adviesvraag_id: UUID) -> str | None:
        """Decrypt the vraag (the caller authorises and logs the read)."""
        adviesvraag = self.get(adviesvraag_id)
        if adviesvraag.vraag is None:
            return None
        return self.intake.cipher.decrypt(str(adviesvraag_id), adviesvraag.vraag).decode()

    def organisatie(self, adviesvraag: Adviesvraag) -> str | None:
        """The melder's organisatie (free text, decrypted; the caller authorises the read)."""
        token = adviesvraag.melder.get("organisatie")
        if not token:
            return None
        return self.intake.ontsleutel(str(adviesvraag.id), [str(token)])[0]
