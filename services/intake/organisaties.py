"""The register of organisations that may report, and who the melder of a melding is.

The reporting agency follows from the caller's token (`org`) and this register, never from
the request's body: a partner (rol melder) files as the organisation and type the register
gives its org, so a Veilig Thuis token can not file as "politie" and the figures count what
the register says. An org that is not in the register can not report (403). The LKHA and BZ
record meldingen that reached them from others (the 24/7 line, a victim, a bystander): they
state the melder in the body, and their own org must be in the register too.

The register is data (organisaties.json, or the file ORGANISATIEREGISTER names): org code ->
melder type (codes.MelderType) and name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.intake.codes import MelderType

STANDAARD = Path(__file__).with_name("organisaties.json")


class OrganisatieOnbekend(PermissionError):
    """The caller's org is not in the register of organisations."""


class MelderOntbreekt(ValueError):
    """The LKHA or BZ recorded a melding without saying who reported it."""


@dataclass(frozen=True)
class Organisatie:
    code: str
    type: MelderType
    naam: str


class Organisatieregister:
    """Org code -> melder type and name."""

    def __init__(self, organisaties: Mapping[str, Organisatie]) -> None:
        self.organisaties = dict(organisaties)

    @classmethod
    def laad(cls, pad: str | Path | None = None) -> Organisatieregister:
        """The register from a JSON file (the shipped one by default); a wrong entry stops."""
        gegevens = json.loads(Path(pad or STANDAARD).read_text(encoding="utf-8"))
        organisaties = {}
        for code, waarde in gegevens.items():
            if code.startswith("_"):
                continue
            try:
                organisaties[code] = Organisatie(code, MelderType(waarde["type"]), waarde["naam"])
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"organisatieregister: entry {code!r} is wrong: {exc}") from exc
        return cls(organisaties)

    def get(self, org: str) -> Organisatie:
        organisatie = self.organisaties.get(org)
        if organisatie is None:
            raise OrganisatieOnbekend(f"org {org!r} is not in the register of organisations")
        return organisatie

    def melder(self, *, org: str, rol: str, opgegeven: Mapping[str, Any] | None) -> dict[str, Any]:
        """Who reported: for a partner its register entry (whatever the body says); for the
        LKHA and BZ, who record what reached them, the melder they state."""
        organisatie = self.get(org)
        if rol == "melder":
            return {"type": str(organisatie.type), "organisatie": organisatie.naam}
        if not opgegeven:
            raise MelderOntbreekt("melder: required when the LKHA or BZ records a melding")
        return dict(opgegeven)


def melder_of_refusal(register: Organisatieregister, actor: Any, opgegeven: Any) -> dict[str, Any]:
    """`Organisatieregister.melder` for the HTTP routes: an org outside the register is a 403
    (recorded as refused, `organisatie_onbekend`), a missing melder a 400 naming the field."""
    from fastapi import HTTPException
    from fastapi.exceptions import RequestValidationError

    from shared.security.audit import current_audit

    try:
        return register.melder(org=actor.org, rol=actor.rol, opgegeven=opgegeven)
    except OrganisatieOnbekend as exc:
        audit = current_audit.get()
        if audit is not None:
            audit.refuse("organisatie_onbekend")
        raise HTTPException(status_code=403, detail=str(exc)) from exc
    except MelderOntbreekt as exc:
        error = {"type": "missing", "loc": ("body", "melder"), "msg": str(exc), "input": None}
        raise RequestValidationError([error]) from exc
