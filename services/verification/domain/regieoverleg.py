"""The regieoverleg: the coordination meeting of BZ and the LKHA, a record of its own."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.verification.codes import Organisatie
from services.verification.domain.regels import (
    ActieNotFound,
    OngeldigeWaarde,
    RegelGeschonden,
    controleer_code,
    controleer_datum,
    controleer_niet_eerder,
    eerder_verwerkt,
)
from shared.idempotency import Verzoeken, onthoud_verzoek


def actie_id_voor(overleg_id: UUID, zaak_index: int, actie_index: int) -> UUID:
    """An action's id follows from its place in the regieoverleg: a retry gets the same ids."""
    return uuid5(overleg_id, f"actie:{zaak_index}:{actie_index}")


class Regieoverleg(Aggregate):
    """A regieoverleg: when it was held, who took part, and per case its besluiten and acties.

    Invariants: its datum never lies in the future; it has at least one deelnemer and
    discusses at least one case, each once; every actie has an eigenaar (an agency), an
    omschrijving and a deadline not before the overleg; an actie is marked done once, on a
    date not before the overleg and not in the future. The besluiten and omschrijvingen are
    free text and stay in verification. Every request carrying an Idempotency-Key is applied
    once (the key is stored in the event it caused).
    """

    class Gehouden(Aggregate.Created):
        datum: date
        deelnemers: list[str]
        zaken: list[dict[str, Any]]
        sleutel: str | None
        vingerafdruk: str | None

    @event(Gehouden)
    def __init__(
        self,
        *,
        datum: date,
        deelnemers: list[str],
        zaken: list[dict[str, Any]],
        sleutel: str | None,
        vingerafdruk: str | None,
    ) -> None:
        self.datum = datum
        self.deelnemers = list(deelnemers)
        self.zaken = [dict(z) for z in zaken]
        self.acties: dict[str, dict[str, Any]] = {}
        for zaak in self.zaken:
            for actie in zaak["acties"]:
                self.acties[actie["actie_id"]] = {
                    **actie,
                    "zaak_id": zaak["zaak_id"],
                    "afgerond_op": None,
                }
        self.verzoeken: Verzoeken = {}
        onthoud_verzoek(self.verzoeken, sleutel, vingerafdruk, 1)

    @classmethod
    def houd(
        cls,
        *,
        overleg_id: UUID,
        datum: date,
        deelnemers: list[str],
        zaken: list[dict[str, Any]],
        gemeld_op: Mapping[str, date],
        vandaag: date,
        sleutel: str | None = None,
        vingerafdruk: str | None = None,
    ) -> Regieoverleg:
        """Record a regieoverleg; `zaken` are {zaak_id, besluiten, acties: [{eigenaar,
        omschrijving, deadline}]}, `gemeld_op` each case's gemeld_op; actions get their ids."""
        controleer_datum("datum", datum, gemeld_op=None, vandaag=vandaag)
        if not deelnemers:
            raise OngeldigeWaarde("deelnemers", "verplicht", "a regieoverleg has deelnemers")
        if len(set(deelnemers)) != len(deelnemers):
            raise OngeldigeWaarde("deelnemers", "uniek", "each deelnemer is named once")
        for i, deelnemer in enumerate(deelnemers):
            controleer_code(f"deelnemers.{i}", deelnemer, Organisatie)
        if not zaken:
            raise OngeldigeWaarde("zaken", "verplicht", "a regieoverleg discusses a case")
        ids = [str(z["zaak_id"]) for z in zaken]
        if len(set(ids)) != len(ids):
            raise OngeldigeWaarde("zaken", "uniek", "each case is named once per regieoverleg")
        vastgelegd = []
        for i, zaak in enumerate(zaken):
            gemeld = gemeld_op[str(zaak["zaak_id"])]
            if datum < gemeld:
                raise OngeldigeWaarde(
                    "datum",
                    "niet_voor_gemeld_op",
                    f"datum {datum.isoformat()} lies before gemeld_op {gemeld.isoformat()} "
                    f"of zaak {zaak['zaak_id']}",
                )
            acties = []
            for j, actie in enumerate(zaak.get("acties") or []):
                veld = f"zaken.{i}.acties.{j}"
                controleer_code(f"{veld}.eigenaar", actie["eigenaar"], Organisatie)
                if not str(actie["omschrijving"]).strip():
                    raise OngeldigeWaarde(
                        f"{veld}.omschrijving", "verplicht", "an actie needs an omschrijving"
                    )
                controleer_niet_eerder(
                    f"{veld}.deadline", actie["deadline"], dan=datum, wat="the regieoverleg"
                )
                acties.append(
                    {
                        "actie_id": str(actie_id_voor(overleg_id, i, j)),
                        "eigenaar": str(actie["eigenaar"]),
                        "omschrijving": str(actie["omschrijving"]),
                        "deadline": actie["deadline"],
                    }
                )
            besluiten = [str(b) for b in zaak.get("besluiten") or []]
            vastgelegd.append(
                {"zaak_id": str(zaak["zaak_id"]), "besluiten": besluiten, "acties": acties}
            )
        return cls._create(
            cls.Gehouden,
            id=overleg_id,
            datum=datum,
            deelnemers=[str(d) for d in deelnemers],
            zaken=vastgelegd,
            sleutel=sleutel,
            vingerafdruk=vingerafdruk,
        )

    def eerder_verwerkt(self, sleutel: str | None, vingerafdruk: str) -> int | None:
        """The version of the first answer to this Idempotency-Key (None: a new request)."""
        return eerder_verwerkt(self.verzoeken, sleutel, vingerafdruk)

    class ActieAfgerond(Aggregate.Event):
        actie_id: str
        zaak_id: str
        datum: date
        sleutel: str | None
        vingerafdruk: str | None

    @event(ActieAfgerond)
    def _actie_afgerond(
        self,
        actie_id: str,
        zaak_id: str,
        datum: date,
        sleutel: str | None,
        vingerafdruk: str | None,
    ) -> None:
        self.acties[actie_id]["afgerond_op"] = datum
        onthoud_verzoek(self.verzoeken, sleutel, vingerafdruk, self.version + 1)

    def rond_actie_af(
        self,
        actie_id: str,
        *,
        datum: date,
        vandaag: date,
        sleutel: str | None = None,
        vingerafdruk: str | None = None,
    ) -> None:
        """Mark an action done."""
        actie = self.acties.get(actie_id)
        if actie is None:
            raise ActieNotFound(f"regieoverleg {self.id} has no actie {actie_id}")
        controleer_datum("datum", datum, gemeld_op=None, vandaag=vandaag)
        controleer_niet_eerder("datum", datum, dan=self.datum, wat="the regieoverleg")
        if actie["afgerond_op"] is not None:
            raise RegelGeschonden(
                f"actie {actie_id} was marked done already on {actie['afgerond_op'].isoformat()}"
            )
        self._actie_afgerond(
            actie_id=actie_id,
            zaak_id=actie["zaak_id"],
            datum=datum,
            sleutel=sleutel,
            vingerafdruk=vingerafdruk,
        )
