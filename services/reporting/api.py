"""Reporting's HTTP API: figures and case views, folded from the consumed events."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from services.reporting.store import FactStore


def get_store(request: Request) -> FactStore:
    return request.app.state.facts  # type: ignore[no-any-return]


Store = Annotated[FactStore, Depends(get_store)]


class Statistieken(BaseModel):
    peildatum: date
    totaal: int
    per_onderwerp: dict[str, int]


def _meldingen_op(envelopes: list[dict[str, Any]], peildatum: date) -> dict[str, dict[str, Any]]:
    zaken: dict[str, dict[str, Any]] = {}
    for env in envelopes:
        if env["source"] != "intake" or env["zaak_id"] is None:
            continue
        data, zaak_id = env["data"], env["zaak_id"]
        if env["event_type"] == "gemeld":
            zaken[zaak_id] = dict(data)
        elif env["event_type"] == "gecorrigeerd" and zaak_id in zaken:
            zaken[zaak_id].update(data.get("wijzigingen") or {})
        elif env["event_type"] == "ingetrokken":
            zaken.pop(zaak_id, None)
    return {k: v for k, v in zaken.items() if date.fromisoformat(v["gemeld_op"]) <= peildatum}


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.get(
        "/statistieken",
        response_model=Statistieken,
        operation_id="statistieken",
        tags=["statistieken"],
    )
    def statistieken(store: Store, peildatum: Annotated[date, Query()]) -> Statistieken:
        """Meldingen per onderwerp as of a peildatum."""
        zaken = _meldingen_op(store.all_envelopes(), peildatum)
        per = Counter(z["onderwerp"] for z in zaken.values())
        return Statistieken(peildatum=peildatum, totaal=len(zaken), per_onderwerp=dict(per))

    @router.get("/zaken/{zaak_id}", operation_id="get_zaak", tags=["zaken"])
    def get_zaak(zaak_id: str, store: Store) -> dict[str, Any]:
        """The case as reporting knows it: the events received about it, in order."""
        envelopes = store.envelopes_of(zaak_id)
        if not envelopes:
            raise HTTPException(status_code=404, detail=f"zaak {zaak_id} is not yet known here")
        return {"zaak_id": zaak_id, "gebeurtenissen": envelopes}

    return router
