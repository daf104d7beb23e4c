"""Write the four services' OpenAPI documents, built from their create_app without servers.

    python -m deploy.openapi [DIR]     # DIR defaults to build/openapi

`make lint` runs the Logius ADR ruleset over them with Spectral (docs/api.md).
"""

from __future__ import annotations

import base64
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

#: Only to build intake's app: the document holds no key and no request is served.
_NO_KEY = base64.b64encode(bytes(32)).decode()


def documents() -> dict[str, dict[str, Any]]:
    """Each service's OpenAPI document, by service name."""
    if not (os.environ.get("JWT_PUBLIC_KEYS") or os.environ.get("JWT_JWKS_URL")):
        # The apps refuse to be built without token keys; a throwaway one does (no request).
        public = Ed25519PrivateKey.generate().public_key()
        pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        os.environ["JWT_PUBLIC_KEYS"] = pem.decode()
    from services.consular.main import create_app as consular
    from services.intake.main import create_app as intake
    from services.intake.settings import IntakeSettings
    from services.reporting.main import create_app as reporting
    from services.verification.main import create_app as verification

    builders: dict[str, Callable[[], Any]] = {
        "intake": lambda: intake(IntakeSettings(master_key=SecretStr(_NO_KEY))),
        "verification": verification,
        "consular": consular,
        "reporting": reporting,
    }
    return {name: build().openapi() for name, build in builders.items()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0] if args else "build/openapi")
    target.mkdir(parents=True, exist_ok=True)
    for name, document in documents().items():
        path = target / f"{name}.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
