"""Visit rules (DESIGN §6): each refusal names its rule and quotes the handbook."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from ips_desktop.domain.visits import Rule, Slot, VenueKind, VisitPolicy, check_slot, latest_extension

NOW = datetime(2026, 11, 23, 8, 0)  # a Monday
POLICY = VisitPolicy()


def rules(slot: Slot, policy: VisitPolicy = POLICY) -> set[Rule]:
    return {r.rule for r in check_slot(slot, policy, NOW)}


def test_a_weekday_public_meeting_in_hours_is_fine() -> None:
    assert rules(Slot(VenueKind.PUBLIC, datetime(2026, 11, 24, 10, 0), 90)) == set()
    assert rules(Slot(VenueKind.PUBLIC, datetime(2026, 11, 24, 15, 30), 60)) == set()


@pytest.mark.parametrize(("slot", "rule"), [
    (Slot(VenueKind.VOLUNTEER_HOME, datetime(2026, 11, 24, 10, 0), 60), Rule.NEVER_OWN_HOME),
    (Slot(VenueKind.PARENT_HOME, datetime(2026, 11, 24, 10, 0), 60), Rule.HOME_NEEDS_PPO),
    (Slot(VenueKind.PUBLIC, datetime(2026, 11, 28, 10, 0), 60), Rule.WEEKDAY),
    (Slot(VenueKind.PUBLIC, datetime(2026, 12, 28, 10, 0), 60), Rule.BANK_HOLIDAY),  # Boxing Day substitute
    (Slot(VenueKind.PUBLIC, datetime(2026, 11, 24, 8, 45), 60), Rule.START_WINDOW),
    (Slot(VenueKind.PUBLIC, datetime(2026, 11, 24, 15, 45), 30), Rule.START_WINDOW),
    (Slot(VenueKind.PUBLIC, datetime(2026, 11, 24, 10, 0), 95), Rule.LENGTH),
    (Slot(VenueKind.PUBLIC, datetime(2026, 11, 20, 10, 0), 60), Rule.IN_THE_PAST),
])
def test_each_rule_refuses_with_the_handbook_words(slot: Slot, rule: Rule) -> None:
    refusals = check_slot(slot, POLICY, NOW)
    assert rule in {r.rule for r in refusals}
    found = next(r for r in refusals if r.rule is rule)
    assert found.message
    assert found.handbook


def test_a_home_visit_ends_by_five_even_when_the_office_allows_longer_meetings() -> None:
    policy = VisitPolicy(max_minutes=120)
    assert rules(Slot(VenueKind.PARENT_HOME, datetime(2026, 11, 24, 15, 30), 90, True), policy) == set()
    late = check_slot(Slot(VenueKind.PARENT_HOME, datetime(2026, 11, 24, 15, 30), 100, True), policy, NOW)
    assert [r.rule for r in late] == [Rule.HOME_ENDS_BY]
    assert "5.00 p.m." in late[0].handbook
    assert rules(Slot(VenueKind.PUBLIC, datetime(2026, 11, 24, 15, 30), 100), policy) == set()


def test_office_closures_and_policy_overrides() -> None:
    policy = VisitPolicy.from_policy({"visits": {"closures": ["2026-11-24", "nonsense"], "max_minutes": 60,
                                                 "latest_start": "14:00"}})
    assert Rule.OFFICE_CLOSED in rules(Slot(VenueKind.PUBLIC, datetime(2026, 11, 24, 10, 0), 30), policy)
    assert Rule.LENGTH in rules(Slot(VenueKind.PUBLIC, datetime(2026, 11, 25, 10, 0), 75), policy)
    assert Rule.START_WINDOW in rules(Slot(VenueKind.PUBLIC, datetime(2026, 11, 25, 14, 30), 30), policy)
    assert VisitPolicy.from_policy({"visits": {"max_minutes": True}}).max_minutes == 90
    assert VisitPolicy.from_policy({"visits": "x"}) == VisitPolicy()
    assert policy.closures == frozenset({date(2026, 11, 24)})
    assert policy.earliest_start == time(9, 0)


def test_extensions_respect_90_minutes_and_five_oclock() -> None:
    assert latest_extension(Slot(VenueKind.PUBLIC, datetime(2026, 11, 24, 10, 0), 60), POLICY) == 30
    assert latest_extension(Slot(VenueKind.PARENT_HOME, datetime(2026, 11, 24, 15, 30), 60, True), POLICY) == 30
    assert latest_extension(Slot(VenueKind.PARENT_HOME, datetime(2026, 11, 24, 15, 0), 60, True), POLICY) == 30
    assert latest_extension(Slot(VenueKind.PARENT_HOME, datetime(2026, 11, 24, 15, 30), 90, True), POLICY) == 0
