"""A visit's life as an explicit state machine (DESIGN §6 "Flow").

plan → approval (a signed office message, or "approved by phone" with who and when) →
check-out on the day (not *monitored* until the office or relay confirms the watch) →
check-in (from the app, the phone page, or recorded by the PPO) → outcome (and an incident
report when needed). Every transition is a pure function returning the new visit and the
audit event to record; an impossible step raises :class:`TransitionError` with words the
volunteer can act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .codec import encode_dict, opt_datetime
from .risk import Effects, Factor, assess
from .visits import Refusal, Rule, Slot, VenueKind, VisitPolicy, check_slot, latest_extension


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


class PlanRefused(TransitionError):
    """The plan breaks the office's rules; each refusal names its rule and quotes the handbook."""

    def __init__(self, refusals: Sequence[Refusal], blocked: str | None = None) -> None:
        words = [r.message for r in refusals] + ([blocked] if blocked else [])
        super().__init__(" ".join(words))
        self.refusals = list(refusals)
        self.blocked = blocked


@dataclass(frozen=True)
class Visit:
    visit_id: str
    slot: Slot
    grace_minutes: int
    state: State = State.PLANNED
    # The plan: "their movements (including information about place and time and expected
    # attendees) are clearly known to the PPO".
    place: str = ""                   # the venue, or the address for a home visit
    attendees: tuple[str, ...] = ()   # roles, never names
    vehicle: str = ""                 # make, colour and registration, for the overdue pack
    risk: frozenset[Factor] = field(default_factory=frozenset)   # factors answered "yes"
    ppo_called_at: datetime | None = None   # poor reception: "telephone beforehand to alert the PPO"
    approved_by: str = ""             # a role ("PPO"), or the office key that signed
    approved_how: str = ""            # "office message" | "by phone"
    approved_at: datetime | None = None
    refused_reason: str = ""
    checked_out_at: datetime | None = None
    monitored: bool = False           # the office or relay confirmed the watch
    # What the relay was last told, kept in the vault so that an extension or a check-in made
    # while it could not be reached (or before the app was restarted) is still sent.
    relay_due: datetime | None = None
    relay_checked_in: bool = False
    extended_minutes: int = 0
    checked_in_at: datetime | None = None
    check_in_route: CheckInRoute | None = None
    difficult: bool = False
    incident: bool = False
    closed_at: datetime | None = None   # outcome recorded, or refused or cancelled

    @property
    def due_at(self) -> datetime:
        return self.slot.end + timedelta(minutes=self.extended_minutes)

    @property
    def alert_at(self) -> datetime:
        return self.due_at + timedelta(minutes=self.grace_minutes)

    @property
    def needs_approval(self) -> bool:
        return self.slot.venue is VenueKind.PARENT_HOME

    @property
    def needs_ppo_call(self) -> bool:
        """Poor reception: a logged call to the PPO before leaving, and not made yet."""
        return Factor.POOR_RECEPTION in self.risk and self.ppo_called_at is None

    @property
    def finished(self) -> bool:
        return self.state in (State.CLOSED, State.REFUSED, State.CANCELLED)

    @property
    def last_contact(self) -> datetime | None:
        """The volunteer's latest word to the office, for the overdue pack."""
        times = [t for t in (self.approved_at, self.ppo_called_at, self.checked_out_at, self.checked_in_at) if t]
        return max(times) if times else None

    def text_fields(self) -> dict[str, str]:
        """What the PII guard screens. The place of a home visit is an address on purpose (the
        office must know where the volunteer is), so only names and contact details count there."""
        return {"place": self.place}

    def to_dict(self) -> dict[str, Any]:
        data = encode_dict(asdict(self))
        data["risk"] = sorted(f.value for f in self.risk)
        return data | {"type": "visit_plan", "v": 1}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Visit:
        slot = data["slot"]
        route = data.get("check_in_route")
        return cls(
            visit_id=str(data["visit_id"]),
            slot=Slot(VenueKind(slot["venue"]), datetime.fromisoformat(slot["start"]), int(slot["minutes"]),
                      bool(slot.get("ppo_agreed_home"))),
            grace_minutes=int(data["grace_minutes"]), state=State(data["state"]),
            place=str(data.get("place", "")), attendees=tuple(data.get("attendees", ())),
            vehicle=str(data.get("vehicle", "")), risk=frozenset(Factor(f) for f in data.get("risk", ())),
            ppo_called_at=opt_datetime(data.get("ppo_called_at")),
            approved_by=str(data.get("approved_by", "")), approved_how=str(data.get("approved_how", "")),
            approved_at=opt_datetime(data.get("approved_at")), refused_reason=str(data.get("refused_reason", "")),
            checked_out_at=opt_datetime(data.get("checked_out_at")), monitored=bool(data.get("monitored")),
            relay_due=opt_datetime(data.get("relay_due")), relay_checked_in=bool(data.get("relay_checked_in")),
            extended_minutes=int(data.get("extended_minutes", 0)),
            checked_in_at=opt_datetime(data.get("checked_in_at")),
            check_in_route=CheckInRoute(route) if route else None,
            difficult=bool(data.get("difficult")), incident=bool(data.get("incident")),
            closed_at=opt_datetime(data.get("closed_at")),
        )


def review(slot: Slot, risk: frozenset[Factor], policy: VisitPolicy, now: datetime,
           location: tuple[float, float]) -> tuple[list[Refusal], Effects]:
    """The rules a plan breaks and what its risk answers do. A home visit's PPO agreement is
    the approval step that follows, so it is not a refusal here."""
    refusals = [r for r in check_slot(slot, policy, now) if r.rule is not Rule.HOME_NEEDS_PPO]
    return refusals, assess({f: True for f in risk}, slot.start, slot.end, location, policy.grace)


def plan(visit_id: str, slot: Slot, policy: VisitPolicy, now: datetime, location: tuple[float, float], *,
         place: str, attendees: Sequence[str] = (), vehicle: str = "",
         risk: frozenset[Factor] = frozenset()) -> tuple[Visit, Effects]:
    """A new plan, checked by :func:`review`. Raises :class:`PlanRefused` naming each broken
    rule, or the block from the risk assessment ("an IPS will not be allocated")."""
    if not place.strip():
        raise TransitionError("Say where the meeting is: the venue, or the address for a home visit.")
    refusals, effects = review(slot, risk, policy, now, location)
    if refusals or effects.blocked:
        raise PlanRefused(refusals, effects.blocked)
    visit = Visit(visit_id, slot, effects.grace_minutes, place=place.strip(), attendees=tuple(attendees),
                  vehicle=vehicle.strip(), risk=frozenset(risk))
    return visit, effects


def log_ppo_call(visit: Visit, at: datetime) -> tuple[Visit, str]:
    """Handbook: "In areas of known poor reception, telephone beforehand to alert the PPO that
    you will have no communication back up." Logged on the day, before check-out."""
    _require(visit, State.PLANNED, State.APPROVED, doing="log the call to your PPO")
    if at.date() != visit.slot.start.date():
        raise TransitionError(f"Log the call on the day of the visit ({visit.slot.start:%d/%m/%Y}), "
                              "just before you leave.")
    return replace(visit, ppo_called_at=at), "pre-visit call to PPO logged"


def _require(visit: Visit, *states: State, doing: str) -> None:
    if visit.state not in states:
        raise TransitionError(f"This visit is {visit.state.value}, so you cannot {doing} now.")


def approve(visit: Visit, by: str, how: str, at: datetime) -> tuple[Visit, str]:
    _require(visit, State.PLANNED, doing="record an approval")
    if not visit.needs_approval:
        raise TransitionError("A meeting in a public place needs no approval.")
    if how not in ("office message", "by phone"):
        raise TransitionError("An approval comes from the office's signed message or is recorded as by phone.")
    if not by.strip():
        raise TransitionError("Say who approved it (their role, for example “PPO”).")
    slot = replace(visit.slot, ppo_agreed_home=True)
    return replace(visit, slot=slot, state=State.APPROVED, approved_by=by.strip(), approved_how=how,
                   approved_at=at), f"visit approved {how}"


def refuse(visit: Visit, reason: str, at: datetime) -> tuple[Visit, str]:
    """The PPO: "If there is anything of concern the PPO will advise the IPS that the case is
    not suitable for their support"."""
    _require(visit, State.PLANNED, State.APPROVED, doing="record a refusal")
    return replace(visit, state=State.REFUSED, refused_reason=reason, closed_at=at), "visit refused"


def check_out(visit: Visit, at: datetime) -> tuple[Visit, str]:
    """Leaving for the visit. A home visit must be approved; only on the day itself."""
    if visit.needs_approval:
        _require(visit, State.APPROVED, doing="check out (a home visit needs your PPO's agreement first)")
    else:
        _require(visit, State.PLANNED, State.APPROVED, doing="check out")
    if at.date() != visit.slot.start.date():
        raise TransitionError(f"Check out on the day of the visit ({visit.slot.start:%d/%m/%Y}).")
    if visit.needs_ppo_call:
        raise TransitionError("Reception is poor there: phone your PPO first to say where you are and how long "
                              "you expect to be, then log the call.")
    return replace(visit, state=State.OUT, checked_out_at=at, monitored=False), "checked out"


def confirm_watch(visit: Visit, due: datetime | None = None) -> tuple[Visit, str]:
    """The relay (or the office) is watching, with ``due`` as the time it holds."""
    _require(visit, State.OUT, doing="confirm monitoring")
    return replace(visit, monitored=True, relay_due=due or visit.due_at), "watch confirmed"


class RelayStep(StrEnum):
    WATCH = "watch"
    EXTENSION = "extension"
    CHECK_IN = "check-in"


def relay_owed(visit: Visit) -> RelayStep | None:
    """What the relay has not been told yet about this visit, from what the vault holds (so a
    restart never loses an extension or a check-in): a watch for a visit out and not monitored,
    the new due time after an extension, a check-in made in the app."""
    if visit.state is State.OUT and not visit.monitored:
        return RelayStep.WATCH
    if visit.state is State.OUT and visit.relay_due != visit.due_at:
        return RelayStep.EXTENSION
    if (visit.state in (State.IN, State.CLOSED) and visit.monitored and not visit.relay_checked_in
            and visit.check_in_route is CheckInRoute.APP):
        return RelayStep.CHECK_IN
    return None


def relay_told(visit: Visit, step: RelayStep, due: datetime | None = None) -> Visit:
    """Note that the relay holds ``step`` now (its due time after an extension)."""
    if step is RelayStep.CHECK_IN:
        return replace(visit, relay_checked_in=True)
    return replace(visit, relay_due=due or visit.due_at)


def extend(visit: Visit, minutes: int, policy: VisitPolicy) -> tuple[Visit, str]:
    """More time, within the 90-minute and 17:00 limits."""
    _require(visit, State.OUT, doing="extend")
    longer = replace(visit.slot, minutes=visit.slot.minutes + visit.extended_minutes)
    room = latest_extension(longer, policy)
    if room == 0:
        raise TransitionError("This visit cannot be extended: it is already at 90 minutes, or a home visit "
                              "would end after 17:00. Leave now, or phone the office.")
    if minutes <= 0 or minutes > room:
        raise TransitionError(f"You can extend by at most {room} more minutes (90 minutes in all, "
                              "and a home visit ends by 17:00). Phone the office if you need longer.")
    return replace(visit, extended_minutes=visit.extended_minutes + minutes), f"extended {minutes} min"


def check_in(visit: Visit, at: datetime, route: CheckInRoute) -> tuple[Visit, str]:
    if visit.state is State.IN or visit.state is State.CLOSED:
        when = f" at {visit.checked_in_at:%H:%M}" if visit.checked_in_at else ""
        raise TransitionError(f"You already checked in{when}; nothing more is needed.")
    if visit.state in (State.PLANNED, State.APPROVED):
        raise TransitionError("You have not checked out for this visit yet, so there is nothing to check in "
                              "from. Check out when you leave for it.")
    _require(visit, State.OUT, doing="check in")
    return replace(visit, state=State.IN, checked_in_at=at, check_in_route=route), f"checked in ({route.value})"


def close(visit: Visit, at: datetime, difficult: bool, incident: bool) -> tuple[Visit, str]:
    """The outcome. A difficult visit is flagged to the PPO "so that others visiting may be
    suitably forewarned"; an incident needs Form PO3."""
    _require(visit, State.IN, doing="record the outcome")
    return replace(visit, state=State.CLOSED, closed_at=at, difficult=difficult, incident=incident), \
        "visit closed" + (" (incident)" if incident else " (difficult)" if difficult else "")


def cancel(visit: Visit, at: datetime) -> tuple[Visit, str]:
    _require(visit, State.PLANNED, State.APPROVED, doing="cancel")
    return replace(visit, state=State.CANCELLED, closed_at=at), "visit cancelled"


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


@dataclass(frozen=True)
class PlanDraft:
    """A plan being typed: kept in the vault as a draft so a crash loses nothing. Never sent;
    removed when the plan is saved or the volunteer cancels it."""

    venue: str = VenueKind.PUBLIC.value
    place: str = ""
    day: str = ""          # ISO date
    start: str = ""        # HH:MM
    minutes: int = 60
    attendees: str = ""
    vehicle: str = ""
    risk: tuple[str, ...] = ()

    def text_fields(self) -> dict[str, str]:
        return {"place": self.place}

    def to_dict(self) -> dict[str, Any]:
        return encode_dict(asdict(self)) | {"type": "visit_draft", "v": 1}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanDraft:
        minutes = data.get("minutes", 60)
        return cls(str(data.get("venue", VenueKind.PUBLIC.value)), str(data.get("place", "")),
                   str(data.get("day", "")), str(data.get("start", "")),
                   minutes if isinstance(minutes, int) else 60, str(data.get("attendees", "")),
                   str(data.get("vehicle", "")), tuple(str(f) for f in data.get("risk", ())))
