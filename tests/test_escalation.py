"""The overdue ladder as pure rules: the default timeline (the README's), the acknowledgement
timeout moving within the office, the office without cover, acknowledgement stopping it,
check-in during an alert, duress, closing with a reason, the policy's bad values."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ips_desktop.domain.escalation import (
    CloseReason,
    Kind,
    LadderError,
    LadderPolicy,
    Reader,
    Watch,
    WatchState,
    acknowledge,
    advance,
    catch_up,
    check_in,
    close,
    duress,
    extend,
    next_step,
    next_step_at,
)
from ips_desktop.domain.uk_time import to_epoch

DUE = to_epoch(datetime(2026, 12, 3, 11, 0))        # a Thursday morning: the office is open
EVENING = to_epoch(datetime(2026, 12, 3, 17, 30))   # after the office closes at 5pm
SATURDAY = to_epoch(datetime(2026, 12, 5, 11, 0))
MIN = 60
LADDER = LadderPolicy()
PPO, OFFICE, MANAGER, FAMILY, POLICE = Reader.PPO, Reader.OFFICE, Reader.MANAGER, Reader.FAMILY, Reader.POLICE


def watch(grace: int = 15, due: int = DUE, drill: bool = False) -> Watch:
    return Watch("visit-1", "IPS-07", due, grace * MIN, drill)


def run(w: Watch, until: int, step: int = 10, ladder: LadderPolicy = LADDER,
        reachable: bool = True) -> tuple[Watch, list[tuple[int, tuple[Reader, ...], Kind]]]:
    sent = []
    for now in range(w.due - 5 * MIN, until + 1, step):
        w, notices = advance(w, now, ladder, reachable)
        sent += [((now - w.due) // MIN, n.readers, n.kind) for n in notices]
    return w, sent


def test_the_default_timeline_is_the_one_the_readme_states() -> None:
    _, sent = run(watch(), DUE + 60 * MIN)
    assert sent == [(15, (PPO,), Kind.ALERT), (20, (OFFICE, MANAGER), Kind.ALERT), (30, (FAMILY,), Kind.ALERT),
                    (45, (POLICE,), Kind.ALERT)]
    _, poor = run(watch(5), DUE + 60 * MIN)
    assert poor == [(5, (PPO,), Kind.ALERT), (10, (OFFICE, MANAGER), Kind.ALERT), (30, (FAMILY,), Kind.ALERT),
                    (45, (POLICE,), Kind.ALERT)]
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    said = " ".join(readme.split())
    for line in LADDER.timeline():
        assert line in said, line


def test_an_unanswered_alert_moves_within_the_office_before_the_family() -> None:
    ladder = LadderPolicy(ack_timeout=2)
    _, sent = run(watch(), DUE + 60 * MIN, ladder=ladder)
    assert sent[:2] == [(15, (PPO,), Kind.ALERT), (17, (OFFICE, MANAGER), Kind.ALERT)]
    assert sent[2] == (30, (FAMILY,), Kind.ALERT)  # the family by time, never because the PPO was busy


def test_an_acknowledged_alert_climbs_no_further_and_everyone_told_hears_who_has_it() -> None:
    w, sent = run(watch(), DUE + 15 * MIN)
    assert sent == [(15, (PPO,), Kind.ALERT)]
    w, notices = acknowledge(w, "PPO Jane", DUE + 16 * MIN)
    assert [(n.readers, n.kind) for n in notices] == [((PPO,), Kind.ACKNOWLEDGED)]
    w, later = run(w, DUE + 60 * MIN)
    assert later == []
    assert w.state is WatchState.ACKNOWLEDGED


@pytest.mark.parametrize("due", [EVENING, SATURDAY, to_epoch(datetime(2026, 12, 25, 11, 0))])
def test_without_office_cover_the_family_and_police_are_told_at_once(due: int) -> None:
    w, sent = run(watch(due=due), due + 60 * MIN)
    assert sent[0] == (15, (PPO, MANAGER, FAMILY, POLICE), Kind.ALERT)
    assert w.no_cover
    assert sent[1:] == [(20, (OFFICE,), Kind.ALERT)]


def test_with_no_office_user_to_reach_the_office_has_no_cover() -> None:
    _, sent = run(watch(), DUE + 16 * MIN, reachable=False)
    assert sent == [(15, (PPO, MANAGER, FAMILY, POLICE), Kind.ALERT)]


def test_when_the_office_closes_mid_ladder_the_rest_are_told_then() -> None:
    due = to_epoch(datetime(2026, 12, 3, 16, 40))
    _w, sent = run(watch(due=due), due + 25 * MIN)
    # 17:00: the office closes with nobody acknowledging, as the 5 minutes also run out
    assert sent == [(15, (PPO,), Kind.ALERT), (20, (MANAGER, FAMILY, POLICE), Kind.ALERT), (20, (OFFICE,), Kind.ALERT)]
    step = next_step(watch(due=due), LADDER)
    assert step is not None
    assert step.readers == (PPO,)


def test_the_next_step_says_who_and_when() -> None:
    w, _ = run(watch(), DUE + 15 * MIN)
    step = next_step(w, LADDER, DUE + 15 * MIN)
    assert step is not None
    assert (step.at, step.readers) == (DUE + 20 * MIN, (OFFICE, MANAGER))
    w, _ = run(watch(), DUE + 46 * MIN)
    assert next_step_at(w, LADDER, DUE + 46 * MIN) is None


def test_a_check_in_on_time_ends_the_watch_silently_and_late_tells_everyone_told() -> None:
    closed, notices = check_in(watch(), DUE - 60)
    assert (closed.state, notices) == (WatchState.CLOSED, [])
    w, _ = run(watch(), DUE + 21 * MIN)
    safe, notices = check_in(w, DUE + 21 * MIN, "phone page")
    assert safe.state is WatchState.SAFE
    assert [(n.readers, n.kind) for n in notices] == [((PPO, OFFICE, MANAGER), Kind.UPDATE)]
    _, more = run(safe, DUE + 60 * MIN)
    assert more == []  # safe: no more tiers, but the alert is still open until closed with a reason
    with pytest.raises(LadderError):
        check_in(close(safe, CloseReason.CHECKED_IN, "PPO", DUE + 22 * MIN)[0], DUE + 23 * MIN)


def test_closing_needs_an_alert_and_says_who_and_why() -> None:
    with pytest.raises(LadderError, match="not overdue"):
        close(watch(), CloseReason.PHONED, "PPO", DUE)
    w, _ = run(watch(), DUE + 21 * MIN)
    closed, notices = close(w, CloseReason.PHONED, "PPO Jane", DUE + 22 * MIN)
    assert (closed.closed_reason, closed.closed_by) == ("phoned the office", "PPO Jane")
    assert [(n.readers, n.kind) for n in notices] == [((PPO, OFFICE, MANAGER), Kind.ALL_CLEAR)]
    _, notices = close(w, CloseReason.INCIDENT, "PPO Jane", DUE + 22 * MIN)
    assert notices[0].kind is Kind.CLOSED  # never "all clear"
    with pytest.raises(LadderError, match="Only a drill"):
        close(w, CloseReason.DRILL, "PPO Jane", DUE + 22 * MIN)


def test_the_first_acknowledgement_wins() -> None:
    w, _ = run(watch(), DUE + 15 * MIN)
    first, _ = acknowledge(w, "PPO Jane", DUE + 15 * MIN + 30)
    with pytest.raises(LadderError, match="Already acknowledged by PPO Jane"):
        acknowledge(first, "PPO Sam", DUE + 15 * MIN + 31)


def test_duress_goes_at_once_to_the_office_the_manager_and_the_police_decision_never_the_family() -> None:
    w, notices = duress(watch(), DUE - 10 * MIN)
    assert w.state is WatchState.ALERTING
    assert w.duress
    assert [(n.readers, n.kind) for n in notices] == [((PPO, OFFICE, MANAGER, POLICE), Kind.DURESS)]
    w, later = run(w, DUE + 60 * MIN)
    assert later == []  # the family is never told automatically: their call could endanger the volunteer
    w, _ = acknowledge(w, "PPO Jane", DUE)
    assert w.duress
    assert w.state is WatchState.ACKNOWLEDGED
    with pytest.raises(LadderError, match="needs confirming"):
        close(w, CloseReason.INCIDENT, "PPO Jane", DUE + MIN)
    closed, notices = close(w, CloseReason.INCIDENT, "PPO Jane", DUE + MIN, confirmed=True)
    assert closed.duress
    assert notices[0].kind is Kind.CLOSED


def test_duress_after_escalation_keeps_everyone_told_and_a_later_check_in_does_not_end_it() -> None:
    w, _ = run(watch(), DUE + 31 * MIN)
    assert FAMILY in w.told
    w, notices = duress(w, DUE + 32 * MIN)
    assert notices[0].readers == (PPO, OFFICE, MANAGER, POLICE)
    w, notices = check_in(w, DUE + 33 * MIN, "app")
    assert w.state is WatchState.ALERTING
    assert w.duress
    assert notices[0].kind is Kind.UPDATE
    assert FAMILY in notices[0].readers


def test_drills_say_so() -> None:
    _, notices = advance(Watch("v", "IPS-07", DUE, 0, drill=True), DUE, LADDER)
    assert notices[0].text.startswith("DRILL — ")


def test_extending_only_before_the_alert() -> None:
    assert extend(watch(), DUE + 30 * MIN).due == DUE + 30 * MIN
    w, _ = run(watch(), DUE + 15 * MIN)
    with pytest.raises(LadderError, match="ring the office"):
        extend(w, DUE + 30 * MIN)


def test_office_policy_timings_and_bad_values() -> None:
    ladder = LadderPolicy.from_policy({"ladder": {"grace": 10, "ack_timeout": 4, "police_after": "soon",
                                                  "manager_after": True, "family_after": -1, "cover_until": "16:30",
                                                  "cover_days": [0, 1, 2, 3, 4, 5], "office_phone": "01392 383080"}})
    assert (ladder.grace, ladder.ack_timeout, ladder.police_after, ladder.manager_after, ladder.family_after) == \
        (10, 4, 45, 20, 30)
    assert (ladder.cover_until.hour, ladder.cover_days[-1], ladder.office_phone) == (16, 5, "01392 383080")


@pytest.mark.parametrize(("change", "reason"), [
    ({"family_after": 50, "police_after": 40}, "must come in order"),
    ({"family_after": 18}, "before the office has had its chance"),
    ({"grace_poor_reception": 20}, "poor reception must be shorter"),
    ({"cover_from": "18:00"}, "must end after it starts"),
])
def test_a_ladder_out_of_order_is_refused_with_the_reason(change: dict[str, object], reason: str) -> None:
    problems = LadderPolicy.parse({"ladder": change}).problems()
    assert any(reason in p for p in problems), problems
    assert LadderPolicy.from_policy({"ladder": change}).family_after == 30  # the relay falls back to the defaults


def test_after_an_outage_every_step_that_fell_due_is_taken_at_once() -> None:
    w, notices = catch_up(watch(), DUE + 16 * MIN, LADDER)
    assert [n.readers for n in notices] == [(PPO,)]
    w, notices = catch_up(w, DUE + 60 * MIN, LADDER)
    assert [n.readers for n in notices] == [(OFFICE, MANAGER), (FAMILY,), (POLICE,)]
    assert catch_up(w, DUE + 61 * MIN, LADDER) == (w, [])


def test_a_watch_stored_before_readers_reads_as_who_it_told() -> None:
    old = {"visit_id": "v", "device": "IPS-07", "due": DUE, "grace_s": 900, "state": "alerting", "tier": 2,
           "everyone": True, "told_at": DUE + 17 * MIN}
    w = Watch.from_dict(old)
    assert (w.told, w.alerted_at) == ((PPO, MANAGER, OFFICE), DUE + 17 * MIN)


@given(st.lists(st.integers(min_value=0, max_value=120 * MIN), min_size=1, max_size=60),
       st.sampled_from([DUE, EVENING, SATURDAY]))
def test_the_ladder_only_climbs_and_each_reader_is_told_once(offsets: list[int], due: int) -> None:
    w, told = watch(due=due), []
    for now in sorted(due + o for o in offsets):
        w, notices = catch_up(w, now, LADDER)
        assert catch_up(w, now, LADDER) == (w, [])  # idempotent: nothing is sent twice
        told += [r for n in notices for r in n.readers]
    assert len(told) == len(set(told))
    assert told == list(w.told)
    assert Watch.from_dict(w.to_dict()) == w
