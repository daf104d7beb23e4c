"""Who reads the free text of a case (toelichtingen, omschrijvingen, besluiten, redenen).

Free text is personal data too: it is stored encrypted under the case's key and shown
- to the LKHA in full;
- to the auditor masked, unless a reden is given: then in full, and the request's audit
  record says that personal data was read, with doel `audit` and the reden;
- to anyone else (BZ, a reporting partner) not at all: BZ gets what the LKHA shares with it
  through intake's personal data for a doel, never the LKHA's notes.
"""

from __future__ import annotations

from enum import StrEnum

from shared.context import Actor
from shared.security.audit import RequestAudit
from shared.security.policy import LKHA, Rol

MASKED = "[afgeschermd]"
ERASED = "[gewist]"


class Inzage(StrEnum):
    """How a caller sees free text."""

    volledig = "volledig"
    afgeschermd = "afgeschermd"
    geen = "geen"


def inzage(actor: Actor, audit: RequestAudit, reden: str | None) -> Inzage:
    """The caller's view of free text; an auditor's reden is logged as a read."""
    if actor.rol in LKHA:
        return Inzage.volledig
    if actor.rol == Rol.auditor:
        if reden:
            audit.personal_data(doel="audit", reden=reden)
            return Inzage.volledig
        return Inzage.afgeschermd
    return Inzage.geen
