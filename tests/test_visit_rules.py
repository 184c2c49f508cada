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


@pytest.mark.parametrize(("start", "minutes", "venue", "broken"), [
    (time(9, 0), 60, VenueKind.PUBLIC, set()),
    (time(8, 59), 60, VenueKind.PUBLIC, {Rule.START_WINDOW}),
    (time(15, 30), 60, VenueKind.PUBLIC, set()),
    (time(15, 31), 60, VenueKind.PUBLIC, {Rule.START_WINDOW}),
    (time(10, 0), 90, VenueKind.PUBLIC, set()),
    (time(10, 0), 91, VenueKind.PUBLIC, {Rule.LENGTH}),
    (time(10, 0), 0, VenueKind.PUBLIC, {Rule.LENGTH}),
    (time(10, 0), 600, VenueKind.PUBLIC, {Rule.LENGTH}),
    (time(15, 30), 90, VenueKind.PARENT_HOME, set()),                  # ends at 17:00 exactly
    (time(15, 30), 91, VenueKind.PARENT_HOME, {Rule.LENGTH, Rule.HOME_ENDS_BY}),
    (time(15, 29), 90, VenueKind.PARENT_HOME, set()),
    (time(23, 30), 60, VenueKind.PUBLIC, {Rule.START_WINDOW}),         # across midnight
])
def test_every_boundary(start: time, minutes: int, venue: VenueKind, broken: set[Rule]) -> None:
    slot = Slot(venue, datetime.combine(date(2026, 11, 24), start), minutes, ppo_agreed_home=True)
    assert rules(slot) == broken


ENGLAND_AND_WALES = [
    "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
    "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
]


@pytest.mark.parametrize("day", ENGLAND_AND_WALES)
def test_no_meeting_on_any_bank_holiday_of_2026_or_2027(day: str) -> None:
    when = datetime.combine(date.fromisoformat(day), time(10, 0))
    refusals = check_slot(Slot(VenueKind.PUBLIC, when, 60), POLICY, datetime(2025, 12, 1, 9, 0))
    assert [r.rule for r in refusals] == [Rule.BANK_HOLIDAY]
    assert "bank holiday" in refusals[0].message


def test_the_working_days_around_them_are_open() -> None:
    later = datetime(2025, 12, 1, 9, 0)
    for day in ("2026-12-24", "2026-12-29", "2027-03-25", "2027-03-30", "2026-04-07"):
        when = datetime.combine(date.fromisoformat(day), time(10, 0))
        assert check_slot(Slot(VenueKind.PUBLIC, when, 60), POLICY, later) == [], day


@pytest.mark.parametrize("day", ["2026-03-29", "2026-10-25", "2027-03-28", "2027-10-31"])
def test_clock_change_days_are_sundays_and_the_monday_after_keeps_wall_clock_rules(day: str) -> None:
    change = date.fromisoformat(day)
    before = datetime(2025, 12, 1, 9, 0)
    assert Rule.WEEKDAY in {r.rule for r in check_slot(Slot(VenueKind.PUBLIC, datetime.combine(change, time(10)), 60),
                                                        POLICY, before)}
    after = 2 if day == "2027-03-28" else 1  # Easter Monday 2027 follows that change
    monday = datetime.combine(date.fromordinal(change.toordinal() + after), time(15, 30))
    # Times are the volunteer's wall clock: 15:30 + 90 min is 17:00 whatever the offset.
    assert check_slot(Slot(VenueKind.PARENT_HOME, monday, 90, True), POLICY, before) == []
    assert latest_extension(Slot(VenueKind.PARENT_HOME, monday, 60, True), POLICY) == 30
