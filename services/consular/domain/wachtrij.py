"""Verification's news about a case whose melding has not arrived here yet."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

WACHTRIJ_NAMESPACE = uuid5(NAMESPACE_URL, "https://knooppunt.lkha.nl/consular/wachtrij")


def wachtrij_id(zaak_id: UUID) -> UUID:
    """The one wachtrij of a case."""
    return uuid5(WACHTRIJ_NAMESPACE, str(zaak_id))


class Wachtrij(Aggregate):
    """Steps of verification that arrived before intake's melding (streams have no common
    order), kept until the case opens here and then handed over once.

    Invariants: it holds each verification version at most once and in increasing order;
    once handed over it takes nothing more (later steps go to the case itself).
    """

    class Geopend(Aggregate.Created):
        zaak_id: UUID

    @event(Geopend)
    def __init__(self, *, zaak_id: UUID) -> None:
        self.zaak_id = zaak_id
        self.feiten: list[dict[str, Any]] = []
        self.overgedragen = False

    @classmethod
    def open(cls, zaak_id: UUID) -> Wachtrij:
        """A new, empty wachtrij for a case."""
        return cls._create(cls.Geopend, id=wachtrij_id(zaak_id), zaak_id=zaak_id)

    class FeitVastgehouden(Aggregate.Event):
        feit: dict[str, Any]

    @event(FeitVastgehouden)
    def _feit_vastgehouden(self, feit: dict[str, Any]) -> None:
        self.feiten.append(dict(feit))

    def houd_vast(self, feit: dict[str, Any]) -> bool:
        """Keep a step for later; False if it (or a newer one) is held already."""
        if self.overgedragen:
            return False
        laatste = max((int(f["verificatie_versie"]) for f in self.feiten), default=0)
        if int(feit["verificatie_versie"]) <= laatste:
            return False
        self._feit_vastgehouden(feit=feit)
        return True

    class Overgedragen(Aggregate.Event):
        pass

    @event(Overgedragen)
    def _overgedragen(self) -> None:
        self.overgedragen = True

    def draag_over(self) -> list[dict[str, Any]]:
        """Hand the held steps over to the case that just opened, in their order."""
        if self.overgedragen:
            return []
        feiten = list(self.feiten)
        self._overgedragen()
        return feiten
