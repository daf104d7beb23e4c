"""Idempotent commands: what every service's aggregates share about the Idempotency-Key.

A command that carries a key stores it, with a fingerprint of the request, in the event it
causes; the aggregate remembers key -> (fingerprint, its version right after the request).
A retry with the same key and the same request finds it and gets the first answer (the
aggregate at that version, marked Idempotent-Replayed at the HTTP edge), also after a crash
and also when its If-Match is stale by now; the same key with another request is refused
(422 at the edge). The bookkeeping (vingerafdruk, onthoud_verzoek, eerder_verwerkt) is pure
Python, for domain code; `voer_uit` is the application's loop around one command.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from eventsourcing.persistence import IntegrityError

#: Idempotency keys an aggregate processed: key -> {"vingerafdruk", "versie"} where versie is
#: the aggregate's version right after the request (its first answer).
Verzoeken = dict[str, dict[str, object]]

CONFLICT = "Idempotency-Key was already used for a different request"


def vingerafdruk(opdracht: str, velden: Mapping[str, Any], *, sleutel: bytes | None = None) -> str:
    """A fingerprint of a request, to tell a retry from another request with the same key.

    Keyed (HMAC) when the fields hold personal data or free text, so the fingerprint stored
    in the event cannot be used to guess them.
    """
    canon = json.dumps({"opdracht": opdracht, **velden}, sort_keys=True, default=str).encode()
    if sleutel is not None:
        return hmac.new(sleutel, canon, hashlib.sha256).hexdigest()
    return hashlib.sha256(canon).hexdigest()


def onthoud_verzoek(
    verzoeken: Verzoeken, sleutel: str | None, vingerafdruk: str | None, versie: int
) -> None:
    """Remember a processed request (called while applying its event)."""
    if sleutel is not None:
        verzoeken[sleutel] = {"vingerafdruk": vingerafdruk, "versie": versie}


def eerder_verwerkt(
    verzoeken: Verzoeken,
    sleutel: str | None,
    vingerafdruk: str,
    conflict: type[Exception],
) -> int | None:
    """The version of the first answer to this key, None if the key is new.

    The same key with another request raises `conflict` (the domain's own error): it is a
    client error, not a retry.
    """
    if sleutel is None or sleutel not in verzoeken:
        return None
    eerder = verzoeken[sleutel]
    if eerder["vingerafdruk"] != vingerafdruk:
        raise conflict(CONFLICT)
    versie = eerder["versie"]
    assert isinstance(versie, int)
    return versie


class Idempotent(Protocol):
    """An aggregate that remembers the requests it processed (see above)."""

    @property
    def version(self) -> int: ...

    def eerder_verwerkt(self, sleutel: str | None, vingerafdruk: str) -> int | None: ...


A = TypeVar("A", bound=Idempotent)


def voer_uit(
    *,
    laad: Callable[[], A],
    laad_versie: Callable[[int], A],
    vinger: str,
    sleutel: str | None,
    verwachte_versie: int | None,
    wijzig: Callable[[A], None],
    bewaar: Callable[[A], object],
    versie_conflict: Callable[[str], Exception],
    gelijktijdig: Callable[[str], Exception],
    pogingen: int = 3,
) -> tuple[A, bool]:
    """Run one idempotent command on one aggregate: (the aggregate after it, new?).

    Load; a retry (same key, same request) gets the aggregate as it stood right after the
    first request; otherwise check If-Match, change and save. When someone else saved in
    between (IntegrityError on the version), start again on the fresh aggregate, where the
    key and If-Match decide again.
    """
    for _ in range(pogingen):
        aggregaat = laad()
        eerder = aggregaat.eerder_verwerkt(sleutel, vinger)
        if eerder is not None:
            return laad_versie(eerder), False
        if verwachte_versie is not None and aggregaat.version != verwachte_versie:
            raise versie_conflict(
                f"it is at versie {aggregaat.version}, not {verwachte_versie} (If-Match)"
            )
        wijzig(aggregaat)
        try:
            bewaar(aggregaat)
        except IntegrityError:
            continue
        return aggregaat, True
    raise gelijktijdig("it kept changing meanwhile; reload and retry")
