"""The visit state machine: each step allowed only from the right state, and the alarms."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ips_desktop.domain.risk import Factor
from ips_desktop.domain.sun import EXETER
from ips_desktop.domain.visit_flow import (
    Alarm,
    CheckInRoute,
    PlanRefused,
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
    log_ppo_call,
    plan,
    refuse,
)
from ips_desktop.domain.visits import Rule, Slot, VenueKind, VisitPolicy

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
    with pytest.raises(TransitionError, match="already checked in at 14:55"):
        check_in(visit, DAY, CheckInRoute.APP)
    with pytest.raises(TransitionError, match="closed"):
        extend(visit, 5, POLICY)


def test_public_meetings_need_no_approval_and_refusals_end_a_plan() -> None:
    public = Visit("v2", Slot(VenueKind.PUBLIC, DAY, 60), grace_minutes=15)
    assert check_out(public, DAY)[0].state is State.OUT
    with pytest.raises(TransitionError, match="needs no approval"):
        approve(public, "PPO", "by phone", DAY)
    refused, _ = refuse(home(), "case not suitable for a home visit", DAY)
    assert refused.closed_at == DAY
    assert refused.finished
    with pytest.raises(TransitionError):
        approve(refused, "PPO", "by phone", DAY)
    assert cancel(home(), DAY)[0].state is State.CANCELLED
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


# Every step from every state: the allowed ones succeed, the rest refuse with words.
STEPS = {
    "approve": lambda v: approve(v, "PPO", "by phone", DAY - timedelta(hours=2)),
    "refuse": lambda v: refuse(v, "not suitable", DAY - timedelta(hours=2)),
    "log_ppo_call": lambda v: log_ppo_call(v, DAY - timedelta(minutes=30)),
    "check_out": lambda v: check_out(v, DAY - timedelta(minutes=20)),
    "confirm_watch": confirm_watch,
    "extend": lambda v: extend(v, 10, POLICY),
    "check_in": lambda v: check_in(v, DAY + timedelta(minutes=50), CheckInRoute.APP),
    "close": lambda v: close(v, DAY + timedelta(minutes=70), difficult=False, incident=False),
    "cancel": lambda v: cancel(v, DAY - timedelta(hours=1)),
}
ALLOWED = {
    State.PLANNED: {"approve", "refuse", "log_ppo_call", "cancel"},
    State.APPROVED: {"refuse", "log_ppo_call", "check_out", "cancel"},
    State.REFUSED: set(),
    State.OUT: {"confirm_watch", "extend", "check_in"},
    State.IN: {"close"},
    State.CLOSED: set(),
    State.CANCELLED: set(),
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("step", list(STEPS))
def test_every_step_from_every_state(state: State, step: str) -> None:
    visit = Visit("v9", Slot(VenueKind.PARENT_HOME, DAY, 60, ppo_agreed_home=True), 15, state=state,
                  checked_in_at=DAY + timedelta(minutes=50) if state in (State.IN, State.CLOSED) else None)
    if step in ALLOWED[state]:
        after, event = STEPS[step](visit)
        assert event
        assert after != visit
    else:
        with pytest.raises(TransitionError) as caught:
            STEPS[step](visit)
        assert len(str(caught.value)) > 20  # a sentence, not a code


def test_check_in_before_check_out_and_twice_are_explained() -> None:
    with pytest.raises(TransitionError, match="not checked out"):
        check_in(home(), DAY, CheckInRoute.APP)
    out, _ = check_out(Visit("v5", Slot(VenueKind.PUBLIC, DAY, 60), 15), DAY)
    back, _ = check_in(out, DAY + timedelta(minutes=40), CheckInRoute.APP)
    with pytest.raises(TransitionError, match="already checked in at 14:40"):
        check_in(back, DAY + timedelta(minutes=41), CheckInRoute.APP)


def test_poor_reception_needs_the_logged_call_before_check_out() -> None:
    visit, effects = plan("v6", Slot(VenueKind.PARENT_HOME, DAY, 60), POLICY, DAY - timedelta(days=2), EXETER,
                          place="12 High Street, Exeter", risk=frozenset({Factor.POOR_RECEPTION}))
    assert effects.call_ppo_before
    assert visit.grace_minutes == 5
    assert visit.needs_ppo_call
    visit, _ = approve(visit, "PPO", "by phone", DAY - timedelta(days=1))
    assert visit.slot.ppo_agreed_home
    with pytest.raises(TransitionError, match="phone your PPO first"):
        check_out(visit, DAY - timedelta(minutes=10))
    with pytest.raises(TransitionError, match="on the day"):
        log_ppo_call(visit, DAY - timedelta(days=1))
    visit, event = log_ppo_call(visit, DAY - timedelta(minutes=15))
    assert event == "pre-visit call to PPO logged"
    assert visit.last_contact == DAY - timedelta(minutes=15)
    assert check_out(visit, DAY - timedelta(minutes=10))[0].state is State.OUT


def test_a_plan_names_every_broken_rule_and_a_known_aggressive_occupant_blocks_it() -> None:
    sunday = datetime(2026, 11, 29, 16, 0)
    with pytest.raises(PlanRefused) as caught:
        plan("v7", Slot(VenueKind.PARENT_HOME, sunday, 120), POLICY, DAY, EXETER, place="flat 3")
    assert {r.rule for r in caught.value.refusals} == {Rule.WEEKDAY, Rule.START_WINDOW, Rule.LENGTH,
                                                        Rule.HOME_ENDS_BY}
    with pytest.raises(PlanRefused, match="will not be allocated") as blocked:
        plan("v8", Slot(VenueKind.PARENT_HOME, DAY, 60), POLICY, DAY - timedelta(days=1), EXETER,
             place="flat 3", risk=frozenset({Factor.AGGRESSIVE_OCCUPANT}))
    assert blocked.value.refusals == []
    with pytest.raises(TransitionError, match="where the meeting is"):
        plan("v9", Slot(VenueKind.PUBLIC, DAY, 60), POLICY, DAY - timedelta(days=1), EXETER, place=" ")


def test_a_visit_survives_its_record_form_exactly() -> None:
    visit, _ = plan("v10", Slot(VenueKind.PARENT_HOME, DAY, 45), POLICY, DAY - timedelta(days=1), EXETER,
                    place="4 Mill Lane, Crediton", attendees=("parent", "interpreter"), vehicle="blue Fiesta",
                    risk=frozenset({Factor.ANIMALS, Factor.POOR_RECEPTION}))
    visit, _ = approve(visit, "PPO", "by phone", DAY - timedelta(hours=20))
    visit, _ = log_ppo_call(visit, DAY - timedelta(minutes=30))
    visit, _ = check_out(visit, DAY - timedelta(minutes=20))
    visit, _ = extend(visit, 15, POLICY)
    visit, _ = check_in(visit, DAY + timedelta(minutes=58), CheckInRoute.PPO_RECORDED)
    data = visit.to_dict()
    assert data["type"] == "visit_plan"
    assert data["risk"] == ["animals", "poor_reception"]
    assert Visit.from_dict(data) == visit
