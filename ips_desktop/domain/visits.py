"""When and where a volunteer may meet a parent (DESIGN §6; handbook "Practical arrangements
for meetings with parents" and Appendix 3, "IPS Practice Guidance for Home Visiting").

Pure rules over a plan and the office policy. Each refusal names its rule and quotes the
handbook, so the volunteer knows why and what to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from .bank_holidays import is_bank_holiday
from .sun import EXETER


class VenueKind(StrEnum):
    PUBLIC = "public"          # library, café, children's centre, school
    PARENT_HOME = "parent_home"
    VOLUNTEER_HOME = "volunteer_home"


VENUE_WORDS = {VenueKind.PUBLIC: "public place", VenueKind.PARENT_HOME: "parent's home",
               VenueKind.VOLUNTEER_HOME: "volunteer's own home (never allowed)"}


class Rule(StrEnum):
    NEVER_OWN_HOME = "never_own_home"
    HOME_NEEDS_PPO = "home_needs_ppo"
    WEEKDAY = "weekday"
    BANK_HOLIDAY = "bank_holiday"
    OFFICE_CLOSED = "office_closed"
    START_WINDOW = "start_window"
    LENGTH = "length"
    HOME_ENDS_BY = "home_ends_by"
    IN_THE_PAST = "in_the_past"


HANDBOOK: dict[Rule, str] = {
    Rule.NEVER_OWN_HOME: "“In no circumstance should you arrange to meet the parent in your own home.”",
    Rule.HOME_NEEDS_PPO: "“It is DPPS policy that wherever possible a meeting with a parent will take place in a "
                         "public place. If this is not possible then a home visit can be arranged with the "
                         "agreement of the PPO.”",
    Rule.WEEKDAY: "“Arrange meeting and visit times between 9am and 3.30pm on weekdays.”",
    Rule.BANK_HOLIDAY: "Meetings are on working days, when the office can answer: not on bank holidays.",
    Rule.OFFICE_CLOSED: "The office is closed that day, so nobody could answer if the visit ran late.",
    Rule.START_WINDOW: "“Arrange meeting and visit times between 9am and 3.30pm on weekdays.”",
    Rule.LENGTH: "“Allow no more than 90 minutes for the meeting.”",
    Rule.HOME_ENDS_BY: "“No home visits are to finish after 5.00 p.m.” (the office closes at 5pm).",
    Rule.IN_THE_PAST: "A plan is for a meeting still to come.",
}


@dataclass(frozen=True)
class VisitPolicy:
    """The office's visit rules (in the signed key bundle); these defaults are the handbook's."""

    earliest_start: time = time(9, 0)
    latest_start: time = time(15, 30)
    max_minutes: int = 90
    home_ends_by: time = time(17, 0)
    closures: frozenset[date] = field(default_factory=frozenset)
    location: tuple[float, float] = EXETER   # the office's latitude and longitude, for sunset
    grace: tuple[int, int] = (15, 5)         # the ladder's grace, usual and with poor reception (minutes)

    @classmethod
    def from_policy(cls, policy: dict[str, Any]) -> VisitPolicy:
        from .escalation import LadderPolicy

        ladder = LadderPolicy.from_policy(policy)
        grace = (ladder.grace, ladder.grace_poor_reception)
        given = policy.get("visits", {})
        if not isinstance(given, dict):
            return cls(grace=grace)
        base = cls()

        def clock(name: str, default: time) -> time:
            try:
                return time.fromisoformat(str(given[name]))
            except (KeyError, ValueError):
                return default

        minutes = given.get("max_minutes", base.max_minutes)
        closures = set()
        for text in given.get("closures", []) if isinstance(given.get("closures"), list) else []:
            try:
                closures.add(date.fromisoformat(str(text)))
            except ValueError:
                continue
        location = base.location
        where = given.get("location")
        if (isinstance(where, list) and len(where) == 2 and all(isinstance(v, int | float) for v in where)
                and -90 <= where[0] <= 90 and -180 <= where[1] <= 180):
            location = (float(where[0]), float(where[1]))
        return cls(clock("earliest_start", base.earliest_start), clock("latest_start", base.latest_start),
                   minutes if isinstance(minutes, int) and not isinstance(minutes, bool) and 15 <= minutes <= 240
                   else base.max_minutes, clock("home_ends_by", base.home_ends_by), frozenset(closures), location,
                   grace)


@dataclass(frozen=True)
class Refusal:
    rule: Rule
    message: str

    @property
    def handbook(self) -> str:
        return HANDBOOK[self.rule]


@dataclass(frozen=True)
class Slot:
    venue: VenueKind
    start: datetime
    minutes: int
    ppo_agreed_home: bool = False

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


def check_slot(slot: Slot, policy: VisitPolicy, now: datetime) -> list[Refusal]:
    """Every rule the slot breaks (empty when it may go ahead)."""
    out: list[Refusal] = []
    day = slot.start.date()
    if slot.venue is VenueKind.VOLUNTEER_HOME:
        out.append(Refusal(Rule.NEVER_OWN_HOME, "Never meet a parent at your own home. Choose a public place."))
    if slot.venue is VenueKind.PARENT_HOME and not slot.ppo_agreed_home:
        out.append(Refusal(Rule.HOME_NEEDS_PPO, "A home visit needs your PPO's agreement first. Meet in a public "
                                                "place, or ask your PPO."))
    if slot.start < now:
        out.append(Refusal(Rule.IN_THE_PAST, "That time has already passed."))
    if day.weekday() >= 5:
        out.append(Refusal(Rule.WEEKDAY, f"{day:%A %d/%m/%Y} is a weekend. Choose a weekday."))
    elif is_bank_holiday(day):
        out.append(Refusal(Rule.BANK_HOLIDAY, f"{day:%d/%m/%Y} is a bank holiday. Choose another weekday."))
    elif day in policy.closures:
        out.append(Refusal(Rule.OFFICE_CLOSED, f"The office is closed on {day:%d/%m/%Y}. Choose another day."))
    start = slot.start.time()
    if not policy.earliest_start <= start <= policy.latest_start:
        out.append(Refusal(Rule.START_WINDOW, f"Start between {policy.earliest_start:%H:%M} and "
                                              f"{policy.latest_start:%H:%M}."))
    if not 0 < slot.minutes <= policy.max_minutes:
        out.append(Refusal(Rule.LENGTH, f"Plan at most {policy.max_minutes} minutes."))
    ends_by = datetime.combine(day, policy.home_ends_by)
    if slot.venue is VenueKind.PARENT_HOME and slot.end > ends_by:
        out.append(Refusal(Rule.HOME_ENDS_BY, f"A home visit must end by {policy.home_ends_by:%H:%M}; this one "
                                              f"ends at {slot.end:%H:%M}."))
    return out


def latest_extension(slot: Slot, policy: VisitPolicy) -> int:
    """Minutes a visit may still be extended by, within the 90-minute and 17:00 limits."""
    room = policy.max_minutes - slot.minutes
    if slot.venue is VenueKind.PARENT_HOME:
        until = datetime.combine(slot.start.date(), policy.home_ends_by) - slot.end
        room = min(room, int(until.total_seconds() // 60))
    return max(0, room)
