"""Intake's use cases: record meldingen, correct and withdraw them, read them back."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.intake.domain import Melding, MeldingNotFound, RegelGeschonden
from shared.crypto import CaseKeys, KeyDestroyed
from shared.eventstore import ServiceApplication


class ReferentieTeller(Protocol):
    """Hands out the next number of the readable referentie per year of gemeld_op."""

    def volgende(self, jaar: int) -> int: ...


class InMemoryTeller:
    def __init__(self) -> None:
        self.tellers: dict[int, int] = {}

    def volgende(self, jaar: int) -> int:
        self.tellers[jaar] = self.tellers.get(jaar, 0) + 1
        return self.tellers[jaar]


class Sleutels(Protocol):
    """The id given to a request's Idempotency-Key: a new random one the first time, the
    same one on every retry. Ids are uuid4 (unguessable): nothing about the org or the key
    can be computed from one, or one from them."""

    def id_voor(self, soort: str, melder_org: str, idempotency_key: str) -> UUID: ...


class InMemorySleutels:
    def __init__(self) -> None:
        self.ids: dict[tuple[str, str, str], UUID] = {}

    def id_voor(self, soort: str, melder_org: str, idempotency_key: str) -> UUID:
        return self.ids.setdefault((soort, melder_org, idempotency_key), uuid4())


class IdempotencyConflict(RegelGeschonden):
    """The Idempotency-Key was used before for a different request."""


@dataclass(frozen=True)
class Vastgelegd:
    """The answer to a recorded melding; `nieuw` is False for a repeated request."""

    zaak_id: UUID
    referentie: str
    versie: int
    nieuw: bool


class PersoonsgegevensGewist(RegelGeschonden):
    """The melding's personal data and free text were erased: no new free text for it."""


class IntakeApplication(ServiceApplication):
    """The LKHA's front door."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        cipher: CaseKeys,
        teller: ReferentieTeller,
        sleutels: Sleutels | None = None,
        vandaag: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(env)
        self.cipher = cipher
        self.teller = teller
        self.sleutels = sleutels or InMemorySleutels()
        self.vandaag = vandaag

    def vingerafdruk(self, case_id: str, verzoek: Mapping[str, Any]) -> str:
        """A fingerprint of a request: an HMAC under the case's own key, so that it tells
        nothing about the personal data in it once the key is deleted."""
        canon = json.dumps(verzoek, sort_keys=True, default=str).encode()
        return self.cipher.fingerprint(case_id, canon)

    def versleutel(self, case_id: str, tekst: str | None) -> str | None:
        """Free text as a ciphertext token under the case's key (None stays None)."""
        if tekst is None:
            return None
        try:
            return self.cipher.encrypt(case_id, tekst.encode())
        except KeyDestroyed as exc:
            raise PersoonsgegevensGewist(
                "the personal data of this melding was erased: no new free text is recorded"
            ) from exc

    def ontsleutel(self, case_id: str, tokens: list[str | None]) -> list[str | None]:
        """The free text of tokens (None stays None); KeyDestroyed once erased."""
        present = [t for t in tokens if t is not None]
        plain = iter(p.decode() for p in self.cipher.decrypt_many(case_id, present))
        return [next(plain) if t is not None else None for t in tokens]

    def meld(
        self, *, melder_org: str, idempotency_key: str, verzoek: Mapping[str, Any]
    ) -> Vastgelegd:
        """Record a melding; the same key and request again returns the first answer."""
        zaak_id = self.sleutels.id_voor("melding", melder_org, idempotency_key)
        case = str(zaak_id)
        bestaand = self._bestaande(zaak_id, verzoek)
        if bestaand is not None:
            return bestaand
        self.cipher.create(case)
        vingerafdruk = self.vingerafdruk(case, verzoek)
        velden = dict(verzoek)
        melder = dict(velden.pop("melder"))
        melder["organisatie"] = self.versleutel(case, melder.get("organisatie"))
        persoonlijk = {
            "persoonsgegevens": velden.pop("persoonsgegevens", None),
            "toelichting": velden.pop("toelichting", None),
        }
        token = None
        if any(v for v in persoonlijk.values()):
            token = self.cipher.encrypt(case, json.dumps(persoonlijk, default=str).encode())
        gemeld_op: date = velden["gemeld_op"]
        referentie = f"LKHA-{gemeld_op.year}-{self.teller.volgende(gemeld_op.year):04d}"
        melding = Melding.meld(
            zaak_id=zaak_id,
            vandaag=self.vandaag(),
            referentie=referentie,
            persoonsgegevens=token,
            verzoek_vingerafdruk=vingerafdruk,
            melder={k: v for k, v in melder.items() if v is not None},
            **velden,
        )
        try:
            self.save(melding)
        except IntegrityError:
            bestaand = self._bestaande(zaak_id, verzoek)
            if bestaand is None:
                raise
            return bestaand
        return Vastgelegd(zaak_id, referentie, melding.version, nieuw=True)

    def _bestaande(self, zaak_id: UUID, verzoek: Mapping[str, Any]) -> Vastgelegd | None:
        try:
            melding: Melding = self.repository.get(zaak_id)
        except AggregateNotFoundError:
            return None
        try:
            vingerafdruk = self.vingerafdruk(str(zaak_id), verzoek)
        except KeyDestroyed as exc:
            raise IdempotencyConflict(
                "Idempotency-Key was used for a melding whose personal data was erased"
            ) from exc
        if melding.verzoek_vingerafdruk != vingerafdruk:
            raise IdempotencyConflict("Idempotency-Key was already used for a different melding")
        return Vastgelegd(zaak_id, melding.referentie, melding.version, nieuw=False)

    def get_melding(self, zaak_id: UUID) -> Melding:
        try:
            melding: object = self.repository.get(zaak_id)
        except AggregateNotFoundError as exc:
            raise MeldingNotFound(f"melding {zaak_id} not found") from exc
        if not isinstance(melding, Melding):  # an adviesvraag shares the event store
            raise MeldingNotFound(f"melding {zaak_id} not found")
        return melding

    def corrigeer(
        self,
        zaak_id: UUID,
        *,
        wijzigingen: dict[str, Any],
        reden: str,
        datum: date,
        verwachte_versie: int | None = None,
    ) -> Melding:
        """Correct onderwerp, betrokkene, land or gemeld_op, with a reden."""
        melding = self._voor_wijziging(zaak_id, verwachte_versie)
        if not reden.strip():
            raise RegelGeschonden("a correction needs a reden")
        token = self.versleutel(str(zaak_id), reden)
        assert token is not None
        melding.corrigeer(wijzigingen=wijzigingen, reden=token, datum=datum, vandaag=self.vandaag())
        self.save(melding)
        return melding

    def trek_in(
        self, zaak_id: UUID, *, reden: str, datum: date, verwachte_versie: int | None = None
    ) -> Melding:
        """Withdraw a melding made in error."""
        melding = self._voor_wijziging(zaak_id, verwachte_versie)
        if not reden.strip():
            raise RegelGeschonden("a withdrawal needs a reden")
        token = self.versleutel(str(zaak_id), reden)
        assert token is not None
        melding.trek_in(reden=token, datum=datum, vandaag=self.vandaag())
        self.save(melding)
        return melding

    def _voor_wijziging(self, zaak_id: UUID, verwachte_versie: int | None) -> Melding:
        melding = self.get_melding(zaak_id)
        if verwachte_versie is not None and melding.version != verwachte_versie:
            raise VersieConflict(f"melding is at versie {melding.version}, not {verwachte_versie}")
        return melding

    def persoonsgegevens(self, zaak_id: UUID) -> dict[str, Any]:
        """Decrypt a melding's personal data (the caller logs the read)."""
        melding = self.get_melding(zaak_id)
        if melding.persoonsgegevens is None:
            return {"persoonsgegevens": None, "toelichting": None}
        return dict(json.loads(self.cipher.decrypt(str(zaak_id), melding.persoonsgegevens)))


class VersieConflict(RegelGeschonden):
    """If-Match named an older version than the current one."""
