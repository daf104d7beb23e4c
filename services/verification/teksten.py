"""Verification's free text: toelichtingen, nazorg omschrijvingen, besluiten, actions.

Free text is personal data: it is stored only as ciphertext under the case's own key in
verification's own Transit engine (shared/crypto.py; a key per case, made when the melding
arrives here, deleted when intake publishes `persoonsgegevens_gewist`). A request's
fingerprint sees the text only as an HMAC under the same key, so nothing in the event store
tells anything about the text once the key is gone. Application plumbing: the domain sees
the ciphertext tokens as opaque strings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from services.verification.domain import RegelGeschonden
from shared.context import SYSTEM
from shared.crypto import TOKEN_PREFIX, CaseKeys, KeyDestroyed
from shared.security.audit import ALLOWED, AuditEntry
from shared.security.free_text import ERASED, MASKED, Inzage

#: The free-text fields of verification's commands on a case.
VRIJE_VELDEN = ("toelichting", "omschrijving")


class TekstGewist(RegelGeschonden):
    """The case's personal data was erased: no new free text is recorded for it."""


def wis_record(zaak_id: str) -> AuditEntry:
    """The audit record of deleting the key of a case's free text here (on intake's erasure)."""
    return AuditEntry(
        service="verification",
        action="persoonsgegevens_gewist",
        decision=ALLOWED,
        object=f"zaak:{zaak_id}",
        zaak_id=zaak_id,
        result="key_deleted",
        actor=SYSTEM,
    )


def is_token(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX)


def _tekst(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())  # a blank one: the domain refuses


class Teksten:
    """Seals free text under the case's key and opens it for those who may read it."""

    def __init__(self, keys: CaseKeys) -> None:
        self.keys = keys

    def nieuw(self, zaak_id: str) -> None:
        """Make the case's key (when its melding arrives; nothing happens if it exists)."""
        self.keys.create(zaak_id)

    def wis(self, zaak_id: str) -> None:
        """Delete the case's key for good (idempotent)."""
        self.keys.destroy(zaak_id)

    def _seal(self, zaak_id: str, tekst: str) -> str:
        try:
            return self.keys.encrypt(zaak_id, tekst.encode())
        except KeyDestroyed as exc:
            raise TekstGewist(
                f"the personal data of zaak {zaak_id} was erased: no free text is recorded"
            ) from exc

    def _blind(self, zaak_id: str, teksten: Any) -> str:
        canon = json.dumps(teksten, sort_keys=True, default=str).encode()
        try:
            return self.keys.fingerprint(zaak_id, canon)
        except KeyDestroyed as exc:
            raise TekstGewist(
                f"the personal data of zaak {zaak_id} was erased: no free text is recorded"
            ) from exc

    def verzegel(
        self, zaak_id: str, velden: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A command's fields (1) for its fingerprint, the free text as an HMAC, and (2) to
        store, the free text as ciphertext."""
        teksten = {k: velden[k] for k in VRIJE_VELDEN if _tekst(velden.get(k))}
        if not teksten:
            return dict(velden), dict(velden)
        blind = self._blind(zaak_id, teksten)
        sealed = {k: self._seal(zaak_id, v) for k, v in teksten.items()}
        return {**velden, **dict.fromkeys(teksten, blind)}, {**velden, **sealed}

    def verzegel_overleg(
        self, zaken: Sequence[Mapping[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """A regieoverleg's cases, each case's besluiten and action omschrijvingen under that
        case's own key: (1) for the fingerprint, (2) to store."""
        blind, sealed = [], []
        for zaak in zaken:
            zaak_id = str(zaak["zaak_id"])
            besluiten = [str(b) for b in zaak.get("besluiten") or []]
            acties = [dict(a) for a in zaak.get("acties") or []]
            teksten = [b for b in besluiten if _tekst(b)] + [
                a.get("omschrijving") for a in acties if _tekst(a.get("omschrijving"))
            ]
            if not teksten:
                blind.append(dict(zaak))
                sealed.append(dict(zaak))
                continue
            blind.append(
                {
                    **zaak,
                    "besluiten": [],
                    "acties": [],
                    "teksten": self._blind(zaak_id, {"besluiten": besluiten, "acties": acties}),
                }
            )
            sealed.append(
                {
                    **zaak,
                    "besluiten": [self._seal(zaak_id, b) if _tekst(b) else b for b in besluiten],
                    "acties": [
                        {**a, "omschrijving": self._seal(zaak_id, str(a["omschrijving"]))}
                        if _tekst(a.get("omschrijving"))
                        else a
                        for a in acties
                    ],
                }
            )
        return blind, sealed

    def lees(self, zaak_id: str, waarden: Sequence[Any], zicht: Inzage) -> list[Any]:
        """Free text as the caller may see it: in full, masked or not at all (None)."""
        if zicht == Inzage.geen:
            return [None for _ in waarden]
        if zicht == Inzage.afgeschermd:
            return [MASKED if w not in (None, "") else w for w in waarden]
        tokens = [w for w in waarden if is_token(w)]
        try:
            plain = iter(p.decode() for p in self.keys.decrypt_many(zaak_id, tokens))
        except KeyDestroyed:
            plain = iter(ERASED for _ in tokens)
        return [next(plain) if is_token(w) else w for w in waarden]
