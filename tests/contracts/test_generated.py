"""The published documents are generated from the payload models, and kept so."""

from __future__ import annotations

import shutil
from pathlib import Path

from deploy.contracts import PRODUCERS, ROOT, render, stale


def test_the_checked_in_contract_documents_are_what_the_code_generates() -> None:
    assert stale() == [], "run `make contracts` and commit the result"


def test_a_hand_edited_or_left_over_document_is_found(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    assert stale(tmp_path) == []
    schema = tmp_path / "docs/contracts/intake/gemeld.v1.json"
    schema.write_text(schema.read_text().replace('"referentie"', '"kenmerk"'))
    (tmp_path / "docs/contracts/intake/gemeld.v0.json").write_text("{}")
    contracts_md = tmp_path / "docs/contracts.md"
    contracts_md.write_text(contracts_md.read_text() + "\n- `gecorrigeerd`: `{reden}`\n")
    assert stale(tmp_path) == [
        "docs/contracts.md",
        "docs/contracts/intake/gemeld.v0.json",
        "docs/contracts/intake/gemeld.v1.json",
    ]


def test_every_published_event_type_has_a_schema_and_a_section() -> None:
    files = render()
    for source, payloads in PRODUCERS.items():
        for payload in payloads:
            name = f"docs/contracts/{source}/{payload.event_type}.v{payload.contract_version}.json"
            assert name in files
            assert (
                f"### `{payload.event_type}` (v{payload.contract_version})"
                in files["docs/contracts.md"]
            )


def test_no_free_text_reden_is_documented_for_a_correction_or_a_withdrawal() -> None:
    """The code leaves the free-text reden out; so do the docs (they are generated)."""
    text = render()["docs/contracts.md"]
    section = text[text.index("### `gecorrigeerd`") : text.index("### `adviesvraag_ontvangen`")]
    assert "`reden`" not in section
