"""The pages' forms: parsed and validated at the edge, errors per field in Dutch.

A form that does not validate is shown again with what was filled in and a message at each
field; nothing is sent on. The rules of the domain stay with the service the form goes to.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.datastructures import FormData

from services.reporting.web.labels import Organisatie

Tekst = Annotated[str, Field(min_length=1, max_length=2000)]

SLEUTEL = re.compile(r"ui-[0-9a-f-]{36}")
"""The Idempotency-Key a form carries (`ui-<uuid>`, made by the page)."""


def formuliersleutel(waarde: str) -> str:
    """The form's Idempotency-Key as sent on; anything else than the page made gets a new
    one (a header may carry no other characters, and a key of one's own choosing has no use)."""
    return waarde if SLEUTEL.fullmatch(waarde) else f"ui-{uuid.uuid4()}"


class _Strikt(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ActieInvoer(_Strikt):
    eigenaar: Organisatie
    omschrijving: Annotated[str, Field(min_length=1, max_length=500)]
    deadline: date


class OverlegInvoer(_Strikt):
    """A regieoverleg about one case, as the form on the case page records it."""

    datum: date
    deelnemers: list[Organisatie] = Field(min_length=1, max_length=20)
    besluiten: list[Tekst] = Field(default_factory=list, max_length=50)
    acties: list[ActieInvoer] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _iets_besloten(self) -> OverlegInvoer:
        if not self.besluiten and not self.acties:
            raise ValueError("vul ten minste één besluit of één actie in")
        return self

    def verzoek(self, zaak_id: str) -> dict[str, Any]:
        """The body of verification's POST /v1/regieoverleggen."""
        return {
            "datum": self.datum.isoformat(),
            "deelnemers": [str(d) for d in self.deelnemers],
            "zaken": [
                {
                    "zaak_id": zaak_id,
                    "besluiten": list(self.besluiten),
                    "acties": [
                        {
                            "eigenaar": str(a.eigenaar),
                            "omschrijving": a.omschrijving,
                            "deadline": a.deadline.isoformat(),
                        }
                        for a in self.acties
                    ],
                }
            ],
        }


class AfrondingInvoer(_Strikt):
    datum: date
    versie: int | None = None


_BERICHTEN = {
    "missing": "vul dit in",
    "date_from_datetime_parsing": "vul een datum in",
    "date_parsing": "vul een datum in",
    "date_type": "vul een datum in",
    "enum": "kies een van de genoemde organisaties",
    "string_too_short": "vul dit in",
    "string_too_long": "deze tekst is te lang",
    "too_short": "kies er ten minste één",
    "too_long": "dat zijn er te veel",
    "int_parsing": "vul een getal in",
}


def _bericht(fout: Any) -> str:
    soort = str(fout.get("type", ""))
    if soort in _BERICHTEN:
        return _BERICHTEN[soort]
    return str(fout.get("msg", "ongeldig")).removeprefix("Value error, ")


_ACTIEVELDEN = {"eigenaar": "Eigenaar", "omschrijving": "Actie", "deadline": "Deadline"}


def fouten_van(exc: ValidationError) -> dict[str, str]:
    """Field path -> Dutch message; an action row's errors are on 'acties.<n>', naming the
    field ('Deadline: vul een datum in')."""
    fouten: dict[str, str] = {}
    for fout in exc.errors():
        pad = [str(p) for p in fout.get("loc", ())]
        bericht = _bericht(fout)
        if pad[:1] == ["acties"] and len(pad) > 2:
            bericht = f"{_ACTIEVELDEN.get(pad[2], pad[2])}: {bericht}"
            pad = pad[:2]
        sleutel = ".".join(pad) or "formulier"
        fouten[sleutel] = f"{fouten[sleutel]}; {bericht}" if sleutel in fouten else bericht
    return fouten


@dataclass
class Overlegformulier:
    """What the regieoverleg form shows: the values, the errors and its idempotency key."""

    sleutel: str
    datum: str
    deelnemers: list[str] = field(default_factory=lambda: ["lkha", "bz"])
    besluiten: str = ""
    acties: list[dict[str, str]] = field(default_factory=list)
    fouten: dict[str, str] = field(default_factory=dict)

    @classmethod
    def leeg(cls, sleutel: str, vandaag: date) -> Overlegformulier:
        return cls(sleutel=sleutel, datum=vandaag.isoformat(), acties=[_lege_actie()] * 3)


def _lege_actie() -> dict[str, str]:
    return {"eigenaar": "", "omschrijving": "", "deadline": ""}


def _tekst(form: FormData, naam: str) -> str:
    waarde = form.get(naam)
    return waarde.strip() if isinstance(waarde, str) else ""


def _alle(form: FormData, naam: str) -> list[str]:
    return [w.strip() if isinstance(w, str) else "" for w in form.getlist(naam)]


def lees_overleg(form: FormData) -> tuple[Overlegformulier, OverlegInvoer | None]:
    """The form as filled in, and the validated request (None when a field is wrong)."""
    eigenaren = _alle(form, "actie_eigenaar")
    omschrijvingen = _alle(form, "actie_omschrijving")
    deadlines = _alle(form, "actie_deadline")
    rijen = [
        {"eigenaar": e, "omschrijving": o, "deadline": d}
        for e, o, d in zip(eigenaren, omschrijvingen, deadlines, strict=False)
    ]
    ingevuld = [r for r in rijen if any(r.values())]
    ingevoerd = Overlegformulier(
        sleutel=formuliersleutel(_tekst(form, "sleutel")),
        datum=_tekst(form, "datum"),
        deelnemers=[d for d in _alle(form, "deelnemers") if d],
        besluiten=_tekst(form, "besluiten"),
        acties=ingevuld + [_lege_actie()] * max(1, 3 - len(ingevuld)),
    )
    try:
        invoer = OverlegInvoer.model_validate(
            {
                "datum": ingevoerd.datum,
                "deelnemers": ingevoerd.deelnemers,
                "besluiten": [b for b in ingevoerd.besluiten.splitlines() if b.strip()],
                "acties": [{k: v for k, v in r.items() if v} for r in ingevuld],
            }
        )
    except ValidationError as exc:
        ingevoerd.fouten = fouten_van(exc)
        return ingevoerd, None
    return ingevoerd, invoer


def lees_afronding(form: FormData) -> AfrondingInvoer | None:
    """The date an action was done (and the overleg's versie the page showed)."""
    try:
        return AfrondingInvoer.model_validate(
            {"datum": _tekst(form, "datum"), "versie": _tekst(form, "versie") or None}
        )
    except ValidationError:
        return None


def dienstfouten(velden: list[dict[str, Any]]) -> dict[str, str]:
    """A service's 400 field errors on the form's fields ('zaken.0.acties.1.deadline')."""
    fouten: dict[str, str] = {}
    for fout in velden:
        pad = str(fout.get("field", "")).split(".")
        if pad[:2] == ["zaken", "0"]:
            pad = pad[2:]
        if pad[:1] == ["acties"]:
            pad = pad[:2]
        fouten.setdefault(".".join(pad) or "formulier", str(fout.get("message") or "ongeldig"))
    return fouten
