"""Property-based API fuzzing (schemathesis) of the four services' OpenAPI documents, as
every role, against the running processes: no input, valid or not, gives a server error.

FUZZ_EXAMPLES sets the examples per operation (default 12 in the suite; `make fuzz` runs more).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
import schemathesis.pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from deploy.stack import Stack

#: A token per role (docs/security.md): the LKHA, BZ, a partner, a statistician, an auditor,
#: and no token at all.
ROLES = {
    "coordinator": ("lkha", "coordinator"),
    "lkha_medewerker": ("lkha", "lkha_medewerker"),
    "bz_consulair": ("bz", "bz_consulair"),
    "melder": ("veilig_thuis_utrecht", "melder"),
    "beleid": ("ministerie_vws", "beleid"),
    "auditor": ("adr", "auditor"),
    "geen": None,
}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))


def _schema(stack: Stack, service: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{stack.url(service)}/openapi.json")


@pytest.fixture(scope="module")
def intake_api(stack: Stack) -> schemathesis.BaseSchema:
    return _schema(stack, "intake")


@pytest.fixture(scope="module")
def verification_api(stack: Stack) -> schemathesis.BaseSchema:
    return _schema(stack, "verification")


@pytest.fixture(scope="module")
def consular_api(stack: Stack) -> schemathesis.BaseSchema:
    return _schema(stack, "consular")


@pytest.fixture(scope="module")
def reporting_api(stack: Stack) -> schemathesis.BaseSchema:
    return _schema(stack, "reporting")


@pytest.fixture(scope="module")
def tokens(stack: Stack) -> dict[str, str | None]:
    return {
        name: stack.token(*who, user=f"fuzz-{name}") if who else None for name, who in ROLES.items()
    }


def _call(case: schemathesis.Case, rol: str, tokens: dict[str, str | None]) -> None:
    token = tokens[rol]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    case.call_and_validate(headers=headers, checks=[not_a_server_error], timeout=30)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("FUZZ_SEED") is None,
)
ROL = st.sampled_from(sorted(ROLES))

intake = schemathesis.pytest.from_fixture("intake_api")
verification = schemathesis.pytest.from_fixture("verification_api")
consular = schemathesis.pytest.from_fixture("consular_api")
reporting = schemathesis.pytest.from_fixture("reporting_api")


@intake.parametrize()
@intake.given(rol=ROL)
@FUZZ
def test_intake_gives_no_server_error(
    case: schemathesis.Case, rol: str, tokens: dict[str, str | None]
) -> None:
    _call(case, rol, tokens)


@verification.parametrize()
@verification.given(rol=ROL)
@FUZZ
def test_verification_gives_no_server_error(
    case: schemathesis.Case, rol: str, tokens: dict[str, str | None]
) -> None:
    _call(case, rol, tokens)


@consular.parametrize()
@consular.given(rol=ROL)
@FUZZ
def test_consular_gives_no_server_error(
    case: schemathesis.Case, rol: str, tokens: dict[str, str | None]
) -> None:
    _call(case, rol, tokens)


@reporting.parametrize()
@reporting.given(rol=ROL)
@FUZZ
def test_reporting_gives_no_server_error(
    case: schemathesis.Case, rol: str, tokens: dict[str, str | None]
) -> None:
    _call(case, rol, tokens)
