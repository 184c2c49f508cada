"""The visit state machine: each step allowed only from the right state, and the alarms."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ips_desktop.domain.visit_flow import (
    Alarm,
    CheckInRoute,
    State,
    TransitionError,
    Visit,
    alarm,
    approve,
    cancel,
    check_in,
    check_out,
    close,
    confirm_watch,
    extend,
    refuse,
)
from ips_desktop.domain.visits import Slot, VenueKind, VisitPolicy

DAY = datetime(2026, 11, 24, 14, 0)
POLICY = VisitPolicy()


def home(minutes: int = 60) -> Visit:
    return Visit("v1", Slot(VenueKind.PARENT_HOME, DAY, minutes, ppo_agreed_home=True), grace_minutes=15)


def test_a_home_visit_from_plan_to_close() -> None:
    visit = home()
    with pytest.raises(TransitionError, match="PPO's agreement"):
        check_out(visit, DAY - timedelta(minutes=20))
    visit, event = approve(visit, "PPO", "by phone", DAY - timedelta(days=1))
    assert event == "visit approved by phone"
    with pytest.raises(TransitionError, match="day of the visit"):
        check_out(visit, DAY - timedelta(days=1))
    visit, _ = check_out(visit, DAY - timedelta(minutes=20))
    assert (visit.state, visit.monitored) == (State.OUT, False)  # not monitored until confirmed
    visit, _ = confirm_watch(visit)
    assert visit.monitored
    visit, _ = check_in(visit, DAY + timedelta(minutes=55), CheckInRoute.APP)
    visit, event = close(visit, DAY + timedelta(minutes=70), difficult=True, incident=False)
    assert visit.state is State.CLOSED
    assert event == "visit closed (difficult)"
    with pytest.raises(TransitionError, match="closed"):
        check_in(visit, DAY, CheckInRoute.APP)


def test_public_meetings_need_no_approval_and_refusals_end_a_plan() -> None:
    public = Visit("v2", Slot(VenueKind.PUBLIC, DAY, 60), grace_minutes=15)
    assert check_out(public, DAY)[0].state is State.OUT
    refused, _ = refuse(home(), "case not suitable for a home visit")
    with pytest.raises(TransitionError):
        approve(refused, "PPO", "by phone", DAY)
    assert cancel(home())[0].state is State.CANCELLED
    with pytest.raises(TransitionError, match="who approved"):
        approve(home(), " ", "by phone", DAY)


def test_extend_within_the_limits_only() -> None:
    visit, _ = approve(home(60), "PPO", "office message", DAY)
    visit, _ = check_out(visit, DAY)
    visit, _ = extend(visit, 20, POLICY)
    assert visit.due_at == DAY + timedelta(minutes=80)
    with pytest.raises(TransitionError, match="at most 10 more minutes"):
        extend(visit, 15, POLICY)
    late = Visit("v3", Slot(VenueKind.PARENT_HOME, datetime(2026, 11, 24, 15, 30), 80, True), 15,
                 state=State.OUT)
    with pytest.raises(TransitionError, match="at most 10"):
        extend(late, 20, POLICY)


def test_reminders_then_due_then_overdue_after_the_grace() -> None:
    visit, _ = check_out(Visit("v4", Slot(VenueKind.PUBLIC, DAY, 60), grace_minutes=5), DAY)
    due = DAY + timedelta(minutes=60)
    assert alarm(visit, due - timedelta(minutes=20)) is Alarm.NONE
    assert alarm(visit, due - timedelta(minutes=15)) is Alarm.REMIND_15
    assert alarm(visit, due - timedelta(minutes=4)) is Alarm.REMIND_5
    assert alarm(visit, due + timedelta(minutes=2)) is Alarm.DUE
    assert alarm(visit, due + timedelta(minutes=5)) is Alarm.OVERDUE
    assert alarm(check_in(visit, due, CheckInRoute.PPO_RECORDED)[0], due + timedelta(hours=1)) is Alarm.NONE
