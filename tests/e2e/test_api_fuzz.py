"""Property-based API fuzzing (schemathesis) of the four services' OpenAPI documents, as
every role, against the running processes: no input, valid or not, gives a server error.

FUZZ_EXAMPLES sets the examples per operation and mode (default 12 in the suite).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from deploy.stack import SERVICES, Stack

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


@pytest.fixture(scope="module")
def tokens(stack: Stack) -> dict[str, str | None]:
    return {
        name: stack.token(*who, user=f"fuzz-{name}") if who else None for name, who in ROLES.items()
    }


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("FUZZ_SEED") is None,
    database=None,
)


@pytest.mark.parametrize("service", list(SERVICES))
def test_no_input_as_any_role_gives_a_server_error(
    stack: Stack, tokens: dict[str, str | None], service: str
) -> None:
    """Valid and invalid input (schemathesis' positive and negative modes) to every operation
    of the service's OpenAPI document, each with a random role's token or none."""
    schema = schemathesis.openapi.from_url(f"{stack.url(service)}/openapi.json")
    errors: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @FUZZ
            @given(
                case=operation.as_strategy(generation_mode=mode), rol=st.sampled_from(sorted(ROLES))
            )
            def fuzz(case: schemathesis.Case, rol: str) -> None:
                nonlocal calls
                token = tokens[rol]
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                response = case.call(headers=headers, timeout=30)
                calls += 1
                if response.status_code >= 500:
                    errors.append(
                        f"{case.operation.label} as {rol}: {response.status_code} "
                        f"{response.text[:200]!r}\n  {case.as_curl_command()}"
                    )

            try:
                fuzz()
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert calls > 0
    assert not errors, f"{len(errors)} server errors in {calls} calls:\n" + "\n".join(errors[:30])
