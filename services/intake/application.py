"""Intake's use cases: record meldingen, correct and withdraw them, read them back."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.intake.domain import (
    IdempotencyConflict,
    Melding,
    MeldingNotFound,
    RegelGeschonden,
    controleer_geboortedatum,
)
from shared.crypto import CaseCipher
from shared.eventstore import ServiceApplication
from shared.idempotency import vingerafdruk, voer_uit

#: Crockford's base32 without the letters one mishears or misreads (I, L, O, U).
REFERENTIE_TEKENS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: How often a melding draws a new referentie when the one it drew was taken.
REFERENTIE_POGINGEN = 5


def nieuwe_referentie(jaar: int) -> str:
    """A readable referentie: LKHA-<year of gemeld_op>-XXXX-XXXX, 40 random bits.

    Random rather than counted: a number would tell a partner how many meldingen others made
    (and a refused melding would leave a gap that looks like a deleted case to an auditor).
    """
    tekens = "".join(secrets.choice(REFERENTIE_TEKENS) for _ in range(8))
    return f"LKHA-{jaar}-{tekens[:4]}-{tekens[4:]}"


class Referenties(Protocol):
    """Keeps every referentie unique: the claim is made in the transaction of the save."""

    def claim(self, referentie: str, zaak_id: UUID) -> AbstractContextManager[None]:
        """Claim `referentie` for the case in the save made inside this block; the save
        fails with IntegrityError when it is taken."""
        ...


class InMemoryReferenties:
    def __init__(self) -> None:
        self.zaken: dict[str, UUID] = {}

    @contextmanager
    def claim(self, referentie: str, zaak_id: UUID) -> Iterator[None]:
        if self.zaken.get(referentie, zaak_id) != zaak_id:
            raise IntegrityError(f"referentie {referentie} is taken")
        yield
        self.zaken[referentie] = zaak_id


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


@dataclass(frozen=True)
class Vastgelegd:
    """The answer to a recorded melding; `nieuw` is False for a repeated request."""

    zaak_id: UUID
    referentie: str
    versie: int
    nieuw: bool


class IntakeApplication(ServiceApplication):
    """The LKHA's front door."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        cipher: CaseCipher,
        referenties: Referenties,
        vingerafdruk_sleutel: bytes,
        sleutels: Sleutels | None = None,
        vandaag: Callable[[], date] = date.today,
        trek_referentie: Callable[[int], str] = nieuwe_referentie,
    ) -> None:
        super().__init__(env)
        self.cipher = cipher
        self.referenties = referenties
        self.trek_referentie = trek_referentie
        self.sleutels = sleutels or InMemorySleutels()
        self.vingerafdruk_sleutel = vingerafdruk_sleutel
        self.vandaag = vandaag

    def _vingerafdruk(self, verzoek: Mapping[str, Any]) -> str:
        canon = json.dumps(verzoek, sort_keys=True, default=str).encode()
        return hmac.new(self.vingerafdruk_sleutel, canon, hashlib.sha256).hexdigest()

    def meld(
        self, *, melder_org: str, idempotency_key: str, verzoek: Mapping[str, Any]
    ) -> Vastgelegd:
        """Record a melding; the same key and request again returns the first answer."""
        zaak_id = self.sleutels.id_voor("melding", melder_org, idempotency_key)
        vingerafdruk = self._vingerafdruk(verzoek)
        bestaand = self._bestaande(zaak_id, vingerafdruk)
        if bestaand is not None:
            return bestaand
        velden = dict(verzoek)
        gemeld_op: date = velden["gemeld_op"]
        geboortedatum = (velden.get("persoonsgegevens") or {}).get("geboortedatum")
        if geboortedatum is not None:
            controleer_geboortedatum(
                date.fromisoformat(str(geboortedatum)),
                velden["betrokkene"],
                gemeld_op,
                vandaag=self.vandaag(),
            )
        persoonlijk = {
            "persoonsgegevens": velden.pop("persoonsgegevens", None),
            "toelichting": velden.pop("toelichting", None),
        }
        token = None
        if any(v for v in persoonlijk.values()):
            token = self.cipher.encrypt(str(zaak_id), json.dumps(persoonlijk, default=str).encode())
        for _ in range(REFERENTIE_POGINGEN):
            referentie = self.trek_referentie(gemeld_op.year)
            melding = Melding.meld(
                zaak_id=zaak_id,
                vandaag=self.vandaag(),
                referentie=referentie,
                persoonsgegevens=token,
                verzoek_vingerafdruk=vingerafdruk,
                **velden,
            )
            try:
                with self.referenties.claim(referentie, zaak_id):
                    self.save(melding)
            except IntegrityError:
                bestaand = self._bestaande(zaak_id, vingerafdruk)
                if bestaand is not None:
                    return bestaand
                continue  # the referentie drawn was taken: draw another
            return Vastgelegd(zaak_id, referentie, melding.version, nieuw=True)
        raise IntegrityError("no free referentie was drawn; retry")

    def _bestaande(self, zaak_id: UUID, vingerafdruk: str) -> Vastgelegd | None:
        try:
            melding: Melding = self.repository.get(zaak_id)
        except AggregateNotFoundError:
            return None
        if melding.verzoek_vingerafdruk != vingerafdruk:
            raise IdempotencyConflict("Idempotency-Key was already used for a different melding")
        return Vastgelegd(zaak_id, melding.referentie, melding.version, nieuw=False)

    def get_melding(self, zaak_id: UUID, versie: int | None = None) -> Melding:
        """The melding (as it stood at `versie`, if given)."""
        try:
            melding: object = self.repository.get(zaak_id, version=versie)
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
        sleutel: str | None = None,
    ) -> Uitslag:
        """Correct onderwerp, betrokkene, land or gemeld_op, with a reden."""
        velden: dict[str, Any] = {"wijzigingen": wijzigingen, "reden": reden, "datum": datum}
        vinger = vingerafdruk("corrigeer", velden, sleutel=self.vingerafdruk_sleutel)
        return self._wijzig(
            zaak_id,
            vinger,
            verwachte_versie,
            sleutel,
            lambda melding: melding.corrigeer(
                **velden, vandaag=self.vandaag(), sleutel=sleutel, vingerafdruk=vinger
            ),
        )

    def trek_in(
        self,
        zaak_id: UUID,
        *,
        reden: str,
        datum: date,
        verwachte_versie: int | None = None,
        sleutel: str | None = None,
    ) -> Uitslag:
        """Withdraw a melding made in error."""
        velden: dict[str, Any] = {"reden": reden, "datum": datum}
        vinger = vingerafdruk("trek_in", velden, sleutel=self.vingerafdruk_sleutel)
        return self._wijzig(
            zaak_id,
            vinger,
            verwachte_versie,
            sleutel,
            lambda melding: melding.trek_in(
                **velden, vandaag=self.vandaag(), sleutel=sleutel, vingerafdruk=vinger
            ),
        )

    def _wijzig(
        self,
        zaak_id: UUID,
        vinger: str,
        verwachte_versie: int | None,
        sleutel: str | None,
        wijzig: Callable[[Melding], None],
    ) -> Uitslag:
        melding, nieuw = voer_uit(
            laad=lambda: self.get_melding(zaak_id),
            laad_versie=lambda versie: self.get_melding(zaak_id, versie),
            vinger=vinger,
            sleutel=sleutel,
            verwachte_versie=verwachte_versie,
            wijzig=wijzig,
            bewaar=self.save,
            versie_conflict=VersieConflict,
            gelijktijdig=GelijktijdigGewijzigd,
        )
        return Uitslag(melding, nieuw)

    def persoonsgegevens(self, zaak_id: UUID) -> dict[str, Any]:
        """Decrypt a melding's personal data (the caller logs the read)."""
        melding = self.get_melding(zaak_id)
        if melding.persoonsgegevens is None:
            return {"persoonsgegevens": None, "toelichting": None}
        return dict(json.loads(self.cipher.decrypt(str(zaak_id), melding.persoonsgegevens)))


class VersieConflict(RegelGeschonden):
    """If-Match named an older version than the current one."""


class GelijktijdigGewijzigd(RegelGeschonden):
    """The melding kept changing while the command was applied; retry."""


@dataclass(frozen=True)
class Uitslag:
    """The answer to a command: the melding right after it; `nieuw` is False for a retry."""

    melding: Melding
    nieuw: bool
