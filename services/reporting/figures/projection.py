"""The one well-kept case projection: integration events -> ``ZaakStaat`` as of a date.

Two kinds of "as of", both honoured by :func:`zaken_as_of`:

* ``peildatum`` (business time): the state of affairs on that date by what we know now.
  An event counts when its business date (``gemeld_op``, ``besloten_op``, ``datum``) is on or
  before the peildatum, also when it was recorded later.
* ``registratie_tot`` (technical time): additionally only events with ``recorded_at`` on or
  before this moment count, which gives the figures exactly as they could have been produced
  then, before later corrections and late registrations.

Corrections and withdrawals are retroactive. A ``gecorrigeerd`` event fixes a mistake in the
melding (onderwerp, betrokkene, land, gemeld_op): the melding was wrong from the start, so the
correction applies for every peildatum, also one before the correction's ``datum`` (which is
when the correction was decided). Corrections are therefore filtered by ``recorded_at`` only
(``registratie_tot``), never by peildatum. The same holds for ``ingetrokken`` (a melding made in
error): once recorded, it no longer counts for any peildatum. To see the figures as they stood
before a correction, use ``registratie_tot``.

Revised outcomes are not retroactive: a later ``geverifieerd`` (``herziening: true``) replaces
the earlier outcome from its own ``besloten_op`` on. ``adviesvraag_ontvangen`` is never a
melding. Events may arrive in any order and from any source; the fold sorts by business date,
then ``recorded_at``, then ``event_id``, ignores duplicates (same source and ``event_id``: ids
are unique per producer only), skips unknown event types, and a case without a ``gemeld``
event (e.g. only its verification arrived so far) is not a melding yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from .envelope import Event, parse_envelope
from .historie import Zaakhistorie
from .model import ZaakStaat
from .vouw import NOOIT_MELDING


def zaken_as_of(
    envelopes: Iterable[Mapping[str, Any]],
    peildatum: date,
    registratie_tot: datetime | None = None,
) -> list[ZaakStaat]:
    """All meldingen with ``gemeld_op <= peildatum`` and their state on the peildatum.

    ``envelopes`` are integration-event envelopes exactly as in docs/contracts.md, in any
    order. With ``registratie_tot`` only events recorded on or before it are used (naive
    datetimes are taken as UTC). Withdrawn meldingen (``ingetrokken``) and adviesvragen are
    left out. The result is sorted by gemeld_op, referentie and zaak_id.
    """
    return staten(historie_per_zaak(envelopes).values(), peildatum, registratie_tot)


def staten(
    historie: Iterable[Zaakhistorie], peildatum: date, registratie_tot: datetime | None = None
) -> list[ZaakStaat]:
    """The cases of :func:`zaken_as_of` from histories kept elsewhere (e.g. an index)."""
    zaken = [
        staat for zaak in historie if (staat := zaak.staat(peildatum, registratie_tot)) is not None
    ]
    zaken.sort(key=lambda z: (z.gemeld_op, z.referentie or "", z.zaak_id))
    return zaken


def historie_per_zaak(envelopes: Iterable[Mapping[str, Any]]) -> dict[str, Zaakhistorie]:
    """Every case's history from envelopes (duplicates and unusable envelopes skipped)."""
    per_zaak: dict[str, list[Event]] = defaultdict(list)
    for envelope in envelopes:
        event = parse_envelope(envelope)
        if event is None:
            continue
        for zaak_id in zaken_van(event):
            per_zaak[zaak_id].append(event)
    historie: dict[str, Zaakhistorie] = {}
    for zaak_id, events in per_zaak.items():
        historie[zaak_id] = Zaakhistorie(zaak_id)
        historie[zaak_id].voeg_toe_alle(events)
    return historie


def zaken_van(event: Event) -> list[str]:
    """The cases an event is about; a regieoverleg lists its cases in ``data.zaken``.

    Adviesvragen are about no melding at all.
    """
    if event.event_type in NOOIT_MELDING:
        return []
    if event.event_type == "regieoverleg_gehouden":
        zaken = event.data.get("zaken")
        if not isinstance(zaken, list):
            return []
        ids = (z.get("zaak_id") for z in zaken if isinstance(z, Mapping))
        return [str(i) for i in ids if i]
    return [event.zaak_id] if event.zaak_id else []
