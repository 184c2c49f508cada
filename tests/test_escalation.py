"""The overdue ladder as pure rules: when each tier is told, the 2-minute acknowledgement
timeout, acknowledgement stopping it, check-in during an alert, duress, closing with a reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ips_desktop.domain.escalation import (
    CloseReason,
    Kind,
    LadderError,
    LadderPolicy,
    Tier,
    Watch,
    WatchState,
    acknowledge,
    advance,
    catch_up,
    check_in,
    close,
    duress,
    extend,
    next_step_at,
)

DUE = 1_800_000_000
MIN = 60
LADDER = LadderPolicy()


def watch(grace: int = 15) -> Watch:
    return Watch("visit-1", "IPS-07", DUE, grace * MIN)


def run(w: Watch, until: int, step: int = 10) -> tuple[Watch, list[tuple[int, Tier, Kind, bool]]]:
    sent = []
    for now in range(DUE - 5 * MIN, until + 1, step):
        w, notices = advance(w, now, LADDER)
        sent += [(now, n.tier, n.kind, n.everyone) for n in notices]
    return w, sent


def test_nothing_is_sent_before_due_plus_grace() -> None:
    w, sent = run(watch(), DUE + 15 * MIN - 10)
    assert sent == []
    assert w.state is WatchState.WATCHING


def test_an_acknowledged_alert_climbs_no_further() -> None:
    w, sent = run(watch(), DUE + 15 * MIN)
    assert sent == [(DUE + 15 * MIN, Tier.PPO, Kind.ALERT, False)]
    w = acknowledge(w, "PPO Jane", DUE + 16 * MIN)
    w, later = run(w, DUE + 60 * MIN)
    assert later == []
    assert w.state is WatchState.ACKNOWLEDGED


def test_an_unacknowledged_alert_goes_to_the_next_tier_and_everyone_after_2_minutes() -> None:
    _, sent = run(watch(), DUE + 60 * MIN)
    assert sent == [
        (DUE + 15 * MIN, Tier.PPO, Kind.ALERT, False),
        (DUE + 17 * MIN, Tier.MANAGER, Kind.ALERT, True),
        (DUE + 19 * MIN, Tier.FAMILY, Kind.ALERT, True),
        (DUE + 21 * MIN, Tier.POLICE, Kind.ALERT, True),
    ]


def test_with_a_slow_acknowledgement_timeout_the_scheduled_tiers_come_on_time() -> None:
    ladder = LadderPolicy(ack_timeout=60)
    w, sent = watch(5), []
    for now in range(DUE, DUE + 50 * MIN, 30):
        w, notices = advance(w, now, ladder)
        sent += [(now, n.tier) for n in notices]
    assert sent == [(DUE + 5 * MIN, Tier.PPO), (DUE + 20 * MIN, Tier.MANAGER), (DUE + 30 * MIN, Tier.FAMILY),
                    (DUE + 45 * MIN, Tier.POLICE)]
    assert next_step_at(w, ladder) is None


def test_a_check_in_on_time_ends_the_watch_silently_and_late_tells_everyone_told() -> None:
    closed, notices = check_in(watch(), DUE - 60)
    assert (closed.state, notices) == (WatchState.CLOSED, [])
    w, _ = run(watch(), DUE + 18 * MIN)
    safe, notices = check_in(w, DUE + 18 * MIN, "phone page")
    assert safe.state is WatchState.SAFE
    assert [(n.tier, n.kind, n.everyone) for n in notices] == [(Tier.MANAGER, Kind.UPDATE, True)]
    _, more = run(safe, DUE + 60 * MIN)
    assert more == []  # safe: no more tiers, but the alert is still open until closed with a reason
    with pytest.raises(LadderError):
        check_in(close(safe, CloseReason.SAFE_LATE, "PPO", DUE + 20 * MIN)[0], DUE + 21 * MIN)


def test_closing_needs_an_alert_and_sends_the_all_clear() -> None:
    with pytest.raises(LadderError, match="not overdue"):
        close(watch(), CloseReason.SAFE_LATE, "PPO", DUE)
    w, _ = run(watch(), DUE + 17 * MIN)
    closed, notices = close(w, CloseReason.SAFE_FORGOT, "PPO Jane", DUE + 18 * MIN)
    assert closed.closed_reason == "safe, forgot to check in"
    assert [(n.tier, n.kind, n.everyone) for n in notices] == [(Tier.MANAGER, Kind.ALL_CLEAR, True)]
    assert "closed by PPO Jane" in notices[0].text


def test_the_first_acknowledgement_wins() -> None:
    w, _ = run(watch(), DUE + 15 * MIN)
    first = acknowledge(w, "PPO Jane", DUE + 15 * MIN + 30)
    with pytest.raises(LadderError, match="Already acknowledged by PPO Jane"):
        acknowledge(first, "PPO Sam", DUE + 15 * MIN + 31)


def test_duress_is_top_priority_to_everyone_and_keeps_climbing() -> None:
    w, notices = duress(watch(), DUE - 10 * MIN)
    assert w.state is WatchState.ALERTING
    assert [(n.tier, n.kind, n.everyone) for n in notices] == [(Tier.PPO, Kind.DURESS, True)]
    assert "duress PIN" in notices[0].text
    w, later = advance(w, DUE - 8 * MIN, LADDER)
    assert [(n.tier, n.kind) for n in later] == [(Tier.MANAGER, Kind.DURESS)]


def test_drills_say_so() -> None:
    _, notices = advance(Watch("v", "IPS-07", DUE, 0, drill=True), DUE, LADDER)
    assert notices[0].text.startswith("DRILL — ")


def test_extending_only_before_the_alert() -> None:
    assert extend(watch(), DUE + 30 * MIN).due == DUE + 30 * MIN
    w, _ = run(watch(), DUE + 15 * MIN)
    with pytest.raises(LadderError, match="ring the office"):
        extend(w, DUE + 30 * MIN)


def test_office_policy_timings_and_bad_values() -> None:
    ladder = LadderPolicy.from_policy({"ladder": {"grace": 10, "ack_timeout": 5, "police_after": "soon",
                                                  "manager_after": True, "family_after": -1}})
    assert (ladder.grace, ladder.ack_timeout, ladder.police_after, ladder.manager_after, ladder.family_after) == \
        (10, 5, 45, 20, 30)


def test_after_an_outage_every_step_that_fell_due_is_taken_at_once() -> None:
    w, notices = catch_up(watch(), DUE + 16 * MIN, LADDER)
    assert [n.tier for n in notices] == [Tier.PPO]
    w, notices = catch_up(w, DUE + 60 * MIN, LADDER)
    assert [n.tier for n in notices] == [Tier.MANAGER, Tier.FAMILY, Tier.POLICE]
    assert catch_up(w, DUE + 61 * MIN, LADDER) == (w, [])


@given(st.lists(st.integers(min_value=0, max_value=120 * MIN), min_size=1, max_size=60))
def test_the_ladder_only_climbs_and_each_tier_is_told_once(offsets: list[int]) -> None:
    w, told = watch(), []
    for now in sorted(DUE + o for o in offsets):
        w, notices = catch_up(w, now, LADDER)
        assert catch_up(w, now, LADDER) == (w, [])  # idempotent: nothing is sent twice
        told += [n.tier for n in notices]
    assert told == sorted(told)
    assert len(told) == len(set(told))
    assert Watch.from_dict(w.to_dict()) == w
