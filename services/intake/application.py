"""Intake's use cases: record meldingen, correct and withdraw them, read them back."""

from __future__ import annotations

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
from shared.crypto import CaseKeys, KeyDestroyed
from shared.eventstore import ServiceApplication
from shared.idempotency import voer_uit

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


class PersoonsgegevensGewist(RegelGeschonden):
    """The melding's personal data and free text were erased: no new free text for it."""


class IntakeApplication(ServiceApplication):
    """The LKHA's front door."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        cipher: CaseKeys,
        referenties: Referenties,
        sleutels: Sleutels | None = None,
        vandaag: Callable[[], date] = date.today,
        trek_referentie: Callable[[int], str] = nieuwe_referentie,
    ) -> None:
        super().__init__(env)
        self.cipher = cipher
        self.referenties = referenties
        self.trek_referentie = trek_referentie
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
        self.cipher.create(case)
        vingerafdruk = self.vingerafdruk(case, verzoek)
        melder = dict(velden.pop("melder"))
        melder["organisatie"] = self.versleutel(case, melder.get("organisatie"))
        persoonlijk = {
            "persoonsgegevens": velden.pop("persoonsgegevens", None),
            "toelichting": velden.pop("toelichting", None),
        }
        token = None
        if any(v for v in persoonlijk.values()):
            token = self.cipher.encrypt(case, json.dumps(persoonlijk, default=str).encode())
        for _ in range(REFERENTIE_POGINGEN):
            referentie = self.trek_referentie(gemeld_op.year)
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
                with self.referenties.claim(referentie, zaak_id):
                    self.save(melding)
            except IntegrityError:
                bestaand = self._bestaande(zaak_id, verzoek)
                if bestaand is not None:
                    return bestaand
                continue  # the referentie drawn was taken: draw another
            return Vastgelegd(zaak_id, referentie, melding.version, nieuw=True)
        raise IntegrityError("no free referentie was drawn; retry")

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
        if not reden.strip():
            raise RegelGeschonden("a correction needs a reden")
        velden: dict[str, Any] = {"wijzigingen": wijzigingen, "reden": reden, "datum": datum}
        vinger = self._vinger(zaak_id, "corrigeer", velden)
        return self._wijzig(
            zaak_id,
            vinger,
            verwachte_versie,
            sleutel,
            lambda melding: melding.corrigeer(
                **{**velden, "reden": self._reden(zaak_id, reden)},
                vandaag=self.vandaag(),
                sleutel=sleutel,
                vingerafdruk=vinger,
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
        if not reden.strip():
            raise RegelGeschonden("a withdrawal needs a reden")
        velden: dict[str, Any] = {"reden": reden, "datum": datum}
        vinger = self._vinger(zaak_id, "trek_in", velden)
        return self._wijzig(
            zaak_id,
            vinger,
            verwachte_versie,
            sleutel,
            lambda melding: melding.trek_in(
                reden=self._reden(zaak_id, reden),
                datum=datum,
                vandaag=self.vandaag(),
                sleutel=sleutel,
                vingerafdruk=vinger,
            ),
        )

    def _vinger(self, zaak_id: UUID, opdracht: str, velden: Mapping[str, Any]) -> str:
        """A command's fingerprint under the case's key (its free text dies with the key)."""
        try:
            return self.vingerafdruk(str(zaak_id), {"opdracht": opdracht, **velden})
        except KeyDestroyed as exc:
            self.get_melding(zaak_id)  # MeldingNotFound when there is no such melding
            raise PersoonsgegevensGewist(
                "the personal data of this melding was erased: no new free text is recorded"
            ) from exc

    def _reden(self, zaak_id: UUID, reden: str) -> str:
        token = self.versleutel(str(zaak_id), reden)
        assert token is not None
        return token

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
