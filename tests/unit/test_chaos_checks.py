"""The fault campaign's checks can fail: a case twice, or missing, in reporting's timeline."""

from __future__ import annotations

import random

from deploy.chaos.campaign import Tally
from deploy.chaos.checks import Checker, Finding
from deploy.chaos.faults import FAULTS, schedule
from deploy.chaos.load import Case


def _event(source: str, event_type: str, event_id: str) -> dict[str, object]:
    return {"source": source, "event_type": event_type, "event_id": event_id}


def _case(onderzoek_acked: bool) -> Case:
    return Case(
        key="k",
        body={"gemeld_op": "2025-01-01"},
        partner="lkha",
        zaak_id="z",
        onderzoek_key="o" if onderzoek_acked else None,
        onderzoek_acked=onderzoek_acked,
    )


def _check(case: Case, tijdlijn: list[dict[str, object]]) -> Finding:
    found = Finding()
    Checker._timeline(case, tijdlijn, found)
    return found


def test_a_case_with_each_event_once_is_right() -> None:
    tijdlijn = [_event("intake", "gemeld", "a"), _event("verification", "onderzoek_gestart", "b")]
    assert _check(_case(True), tijdlijn).ok


def test_an_event_twice_is_a_duplicate() -> None:
    again = _check(_case(False), [_event("intake", "gemeld", "a"), _event("intake", "gemeld", "a")])
    assert again.duplicated and not again.missing
    second = _check(
        _case(False), [_event("intake", "gemeld", "a"), _event("intake", "gemeld", "c")]
    )
    assert second.duplicated == ["reporting: gemeld x2"]


def test_an_acknowledged_command_that_never_arrived_is_missing() -> None:
    found = _check(_case(True), [_event("intake", "gemeld", "a")])
    assert found.missing == ["reporting: onderzoek_gestart"]
    assert _check(_case(False), []).missing == ["reporting: gemeld"]


def test_every_kind_of_fault_comes_first_then_by_weight() -> None:
    names = schedule(random.Random(1), len(FAULTS) + 10)
    assert set(names[: len(FAULTS)]) == set(FAULTS)
    assert len(names) == len(FAULTS) + 10


def test_the_tally_is_one_line_and_not_ok_when_anything_is_wrong() -> None:
    assert Tally(faults=3, acked=9).ok
    assert Tally(faults=3, acked=9).line() == (
        "faults=3 acked=9 lost=0 duplicated=0 mismatched=0 stuck=0"
    )
    assert not Tally(stuck=1).ok and not Tally(lost=1).ok and not Tally(mismatched=1).ok
