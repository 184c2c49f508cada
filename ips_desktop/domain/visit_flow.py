"""A visit's life as an explicit state machine (DESIGN §6 "Flow").

plan → approval (a signed office message, or "approved by phone" with who and when) →
check-out on the day (not *monitored* until the office or relay confirms the watch) →
check-in (from the app, the phone page, or recorded by the PPO) → outcome (and an incident
report when needed). Every transition is a pure function returning the new visit and the
audit event to record; an impossible step raises :class:`TransitionError` with words the
volunteer can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .visits import Slot, VenueKind, VisitPolicy, latest_extension


class State(StrEnum):
    PLANNED = "planned"
    APPROVED = "approved"
    REFUSED = "refused"
    OUT = "out"                # checked out, on the visit
    IN = "in"                  # checked in safely
    CLOSED = "closed"          # outcome recorded
    CANCELLED = "cancelled"


class CheckInRoute(StrEnum):
    APP = "app"
    PHONE_PAGE = "phone_page"
    PPO_RECORDED = "ppo_recorded"


class TransitionError(ValueError):
    """A step that cannot be taken now; the message says why and what to do."""


@dataclass(frozen=True)
class Visit:
    visit_id: str
    slot: Slot
    grace_minutes: int
    state: State = State.PLANNED
    approved_by: str = ""             # a role ("PPO"), or the office key that signed
    approved_how: str = ""            # "office message" | "by phone"
    approved_at: datetime | None = None
    refused_reason: str = ""
    checked_out_at: datetime | None = None
    monitored: bool = False           # the office or relay confirmed the watch
    extended_minutes: int = 0
    checked_in_at: datetime | None = None
    check_in_route: CheckInRoute | None = None
    difficult: bool = False
    incident: bool = False
    closed_at: datetime | None = None

    @property
    def due_at(self) -> datetime:
        return self.slot.end + timedelta(minutes=self.extended_minutes)

    @property
    def alert_at(self) -> datetime:
        return self.due_at + timedelta(minutes=self.grace_minutes)

    @property
    def needs_approval(self) -> bool:
        return self.slot.venue is VenueKind.PARENT_HOME


def _require(visit: Visit, *states: State, doing: str) -> None:
    if visit.state not in states:
        raise TransitionError(f"This visit is {visit.state.value}, so you cannot {doing} now.")


def approve(visit: Visit, by: str, how: str, at: datetime) -> tuple[Visit, str]:
    _require(visit, State.PLANNED, doing="record an approval")
    if how not in ("office message", "by phone"):
        raise TransitionError("An approval comes from the office's signed message or is recorded as by phone.")
    if not by.strip():
        raise TransitionError("Say who approved it (their role, for example “PPO”).")
    return replace(visit, state=State.APPROVED, approved_by=by.strip(), approved_how=how, approved_at=at), \
        f"visit approved {how}"


def refuse(visit: Visit, reason: str) -> tuple[Visit, str]:
    _require(visit, State.PLANNED, State.APPROVED, doing="record a refusal")
    return replace(visit, state=State.REFUSED, refused_reason=reason), "visit refused"


def check_out(visit: Visit, at: datetime) -> tuple[Visit, str]:
    """Leaving for the visit. A home visit must be approved; only on the day itself."""
    if visit.needs_approval:
        _require(visit, State.APPROVED, doing="check out (a home visit needs your PPO's agreement first)")
    else:
        _require(visit, State.PLANNED, State.APPROVED, doing="check out")
    if at.date() != visit.slot.start.date():
        raise TransitionError(f"Check out on the day of the visit ({visit.slot.start:%d/%m/%Y}).")
    return replace(visit, state=State.OUT, checked_out_at=at, monitored=False), "checked out"


def confirm_watch(visit: Visit) -> tuple[Visit, str]:
    _require(visit, State.OUT, doing="confirm monitoring")
    return replace(visit, monitored=True), "watch confirmed"


def extend(visit: Visit, minutes: int, policy: VisitPolicy) -> tuple[Visit, str]:
    """More time, within the 90-minute and 17:00 limits."""
    _require(visit, State.OUT, doing="extend")
    longer = replace(visit.slot, minutes=visit.slot.minutes + visit.extended_minutes)
    room = latest_extension(longer, policy)
    if minutes <= 0 or minutes > room:
        raise TransitionError(f"You can extend by at most {room} more minutes (90 minutes in all, "
                              "and a home visit ends by 17:00). Phone the office if you need longer.")
    return replace(visit, extended_minutes=visit.extended_minutes + minutes), f"extended {minutes} min"


def check_in(visit: Visit, at: datetime, route: CheckInRoute) -> tuple[Visit, str]:
    _require(visit, State.OUT, doing="check in")
    return replace(visit, state=State.IN, checked_in_at=at, check_in_route=route), f"checked in ({route.value})"


def close(visit: Visit, at: datetime, difficult: bool, incident: bool) -> tuple[Visit, str]:
    """The outcome. A difficult visit is flagged to the PPO "so that others visiting may be
    suitably forewarned"; an incident needs Form PO3."""
    _require(visit, State.IN, doing="record the outcome")
    return replace(visit, state=State.CLOSED, closed_at=at, difficult=difficult, incident=incident), \
        "visit closed" + (" (incident)" if incident else " (difficult)" if difficult else "")


def cancel(visit: Visit) -> tuple[Visit, str]:
    _require(visit, State.PLANNED, State.APPROVED, doing="cancel")
    return replace(visit, state=State.CANCELLED), "visit cancelled"


class Alarm(StrEnum):
    NONE = "none"
    REMIND_15 = "remind_15"   # T−15: "due back in 15 minutes"
    REMIND_5 = "remind_5"     # T−5
    DUE = "due"               # past the due time, within the grace period
    OVERDUE = "overdue"       # past due + grace: the office is alerted


def alarm(visit: Visit, now: datetime) -> Alarm:
    if visit.state is not State.OUT:
        return Alarm.NONE
    if now >= visit.alert_at:
        return Alarm.OVERDUE
    if now >= visit.due_at:
        return Alarm.DUE
    if now >= visit.due_at - timedelta(minutes=5):
        return Alarm.REMIND_5
    if now >= visit.due_at - timedelta(minutes=15):
        return Alarm.REMIND_15
    return Alarm.NONE
