"""The other services' HTTP APIs, as the pages use them: the signed-in user's token is sent on.

The pages record nothing themselves. Decisions and actions go to verification, personal
data comes from intake, through the same APIs the partners use, so every rule and audit
record of those APIs applies to the pages too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from shared.context import trace_headers


@dataclass
class DienstFout(Exception):
    """Another service said no (or did not answer): status, its detail and per-field errors."""

    dienst: str
    status: int
    detail: str
    velden: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.dienst} answered {self.status}: {self.detail}"

    @property
    def onbereikbaar(self) -> bool:
        return self.status == 0


def _fout(dienst: str, response: httpx.Response) -> DienstFout:
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = body.get("detail") if isinstance(body, Mapping) else None
    errors = body.get("errors") if isinstance(body, Mapping) else None
    return DienstFout(
        dienst=dienst,
        status=response.status_code,
        detail=str(detail or response.reason_phrase),
        velden=[e for e in errors or [] if isinstance(e, dict)],
    )


class Dienst:
    """One service's API, called with the user's bearer token and the current trace."""

    def __init__(self, naam: str, client: httpx.Client) -> None:
        self.naam = naam
        self.client = client

    def _headers(self, token: str, extra: Mapping[str, str | None]) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token}", **trace_headers()}
        headers.update({k: v for k, v in extra.items() if v})
        return headers

    def verzoek(
        self,
        methode: str,
        pad: str,
        token: str,
        *,
        params: Mapping[str, str] | None = None,
        json: object = None,
        headers: Mapping[str, str | None] | None = None,
    ) -> httpx.Response:
        """Call the service; a refusal or no answer raises DienstFout."""
        try:
            response = self.client.request(
                methode,
                pad,
                params=params,
                json=json,
                headers=self._headers(token, headers or {}),
            )
        except httpx.HTTPError as exc:
            raise DienstFout(self.naam, 0, f"{self.naam} is not reachable: {exc}") from exc
        if response.status_code >= 400:
            raise _fout(self.naam, response)
        return response


class Verificatie(Dienst):
    """Verification: the agenda, the regieoverleg records and their actions (with texts)."""

    def agenda(self, token: str, datum: date) -> dict[str, Any]:
        """The cases to discuss at the regieoverleg of `datum`."""
        response = self.verzoek(
            "GET", "/v1/regieoverleggen/agenda", token, params={"datum": datum.isoformat()}
        )
        return dict(response.json())

    def overleg(self, token: str, overleg_id: str) -> dict[str, Any]:
        """One regieoverleg with its actions and their state."""
        return dict(self.verzoek("GET", f"/v1/regieoverleggen/{overleg_id}", token).json())

    def leg_overleg_vast(self, token: str, body: Mapping[str, Any], sleutel: str) -> dict[str, Any]:
        """Record a regieoverleg; the same key again returns the first answer."""
        response = self.verzoek(
            "POST", "/v1/regieoverleggen", token, json=body, headers={"Idempotency-Key": sleutel}
        )
        return dict(response.json())

    def rond_actie_af(
        self,
        token: str,
        overleg_id: str,
        actie_id: str,
        datum: date,
        sleutel: str,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        """Mark an action done on `datum`."""
        response = self.verzoek(
            "POST",
            f"/v1/regieoverleggen/{overleg_id}/acties/{actie_id}/afgerond",
            token,
            json={"datum": datum.isoformat()},
            headers={"Idempotency-Key": sleutel, "If-Match": if_match},
        )
        return dict(response.json()) if response.content else {}


class Intake(Dienst):
    """Intake: the only holder of personal data; every read is authorised and audited there."""

    def persoonsgegevens(self, token: str, zaak_id: str, doel: str) -> dict[str, Any]:
        """The personal data of a case, read for the stated purpose (logged by intake)."""
        response = self.verzoek(
            "GET", f"/v1/meldingen/{zaak_id}/persoonsgegevens", token, params={"doel": doel}
        )
        return dict(response.json())


@dataclass
class Partners:
    """The services the pages talk to."""

    verificatie: Verificatie
    intake: Intake

    @classmethod
    def verbind(
        cls, *, intake_url: str, verification_url: str, timeout: float = 5.0
    ) -> tuple[Partners, list[httpx.Client]]:
        """Clients for the given base URLs; the caller closes the returned clients."""
        clients = [
            httpx.Client(base_url=url, timeout=timeout) for url in (verification_url, intake_url)
        ]
        return cls(Verificatie("verificatie", clients[0]), Intake("intake", clients[1])), clients
