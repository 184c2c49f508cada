"""The overdue ladder (docs/architecture.md, "The overdue ladder"; handbook Appendix 3, lone
working): what happens, and to whom, when a volunteer on a visit has not checked in.

Handbook: "If you have not contacted the office by the agreed time, the office will try to
contact you", and "The DPPS office closes at 5pm. If no-one from the DPPS is available contact
your nominated family member". So the office is asked first and the family contact is the
fallback. Defaults, all office policy (:class:`LadderPolicy`):

- the PPO at the due time plus the grace (15 minutes, 5 with poor reception);
- an alert nobody acknowledges within 5 minutes goes to every office user and the service
  manager (it moves within the office, never straight to the family);
- the service manager at due + 20 in any case, the family contact at + 30, the police decision
  at + 45;
- when the office has no cover (outside 09:00–17:00 on working days, or no office user can be
  reached) the family contact and the police decision are told at once.

An acknowledgement stops the automatic steps and is told to everyone already told; so are a
check-in and the closing, which needs a reason and who closed it. A duress PIN (or "I need
help") goes at once to the PPO, every office user, the service manager and the police
decision; never automatically to the family, whose call could endanger the volunteer.

Pure: times are epoch seconds passed in; :func:`advance` returns the new watch and the
notices to send, and the relay stores both in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import time
from enum import StrEnum
from typing import Any

from .bank_holidays import is_bank_holiday
from .uk_time import from_epoch, to_epoch


class Reader(StrEnum):
    """Who a notice is for; each has its own message (domain/alert_mail.py)."""

    PPO = "ppo"
    OFFICE = "office"        # every office user
    MANAGER = "manager"      # the service manager
    FAMILY = "family"        # the volunteer's nominated family contact
    POLICE = "police"        # whoever decides on calling the police


READER_WORDS = {Reader.PPO: "the PPO", Reader.OFFICE: "every office user", Reader.MANAGER: "the service manager",
                Reader.FAMILY: "the family contact", Reader.POLICE: "the police decision"}
LADDER_ORDER = (Reader.PPO, Reader.OFFICE, Reader.MANAGER, Reader.FAMILY, Reader.POLICE)


class WatchState(StrEnum):
    WATCHING = "watching"          # out on a visit, not yet due
    ALERTING = "alerting"          # overdue (or duress): the ladder is climbing
    ACKNOWLEDGED = "acknowledged"  # an office user has taken it on; no automatic steps
    SAFE = "safe"                  # checked in while alerting: waits for the office to close it
    CLOSED = "closed"              # checked in on time, or closed with a reason


class CloseReason(StrEnum):
    CHECKED_IN = "checked in"
    PHONED = "phoned the office"
    FALSE_ALARM = "false alarm"
    INCIDENT = "incident"
    DRILL = "drill"


class Kind(StrEnum):
    ALERT = "alert"
    DURESS = "duress"
    ACKNOWLEDGED = "acknowledged"
    UPDATE = "update"          # a check-in during the alert
    ALL_CLEAR = "all clear"
    CLOSED = "closed"          # closed as an incident: never "all clear"


DURESS_WORDS = "DURESS: do not ring the volunteer; ring the police on 999 and give them the overdue pack"
WORKING_DAYS = (0, 1, 2, 3, 4)
_NUMBERS = ("grace", "grace_poor_reception", "ack_timeout", "manager_after", "family_after", "police_after")


def _clock_value(value: object, default: time) -> time:
    try:
        return time.fromisoformat(str(value)) if value is not None else default
    except ValueError:
        return default


@dataclass(frozen=True)
class LadderPolicy:
    """The ladder's shape, from the office policy's ``ladder`` section. Minutes, clock times in
    England, weekdays 0 (Monday) to 6."""

    grace: int = 15
    grace_poor_reception: int = 5
    ack_timeout: int = 5
    manager_after: int = 20
    family_after: int = 30
    police_after: int = 45
    cover_from: time = time(9, 0)
    cover_until: time = time(17, 0)
    cover_days: tuple[int, ...] = WORKING_DAYS
    office_phone: str = ""
    duress_words: str = DURESS_WORDS
    office_name: str = "the office"   # from the key bundle, for the messages

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any], office_name: str = "") -> LadderPolicy:
        """Tolerant: a value that is missing or not sensible keeps its default, and a ladder
        whose tiers are out of order (:meth:`problems`) falls back to the default timings."""
        chosen, base = cls.parse(policy, office_name), cls()
        if chosen.problems():
            chosen = replace(chosen, **{name: getattr(base, name) for name in _NUMBERS})
        return chosen

    @classmethod
    def parse(cls, policy: Mapping[str, Any], office_name: str = "") -> LadderPolicy:
        """The ladder as written, out of order or not (the editor shows :meth:`problems`)."""
        given = policy.get("ladder", {})
        base = cls()
        if not isinstance(given, Mapping):
            return base
        values: dict[str, Any] = {name: given[name] for name in _NUMBERS
                                  if isinstance(given.get(name), int) and not isinstance(given.get(name), bool)
                                  and 0 <= given[name] <= 240}
        values["cover_from"] = _clock_value(given.get("cover_from"), base.cover_from)
        values["cover_until"] = _clock_value(given.get("cover_until"), base.cover_until)
        days = given.get("cover_days")
        if isinstance(days, list) and all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6
                                          for d in days):
            values["cover_days"] = tuple(sorted(set(days)))
        for name, most in (("office_phone", 40), ("duress_words", 300)):
            text = given.get(name)
            if isinstance(text, str) and text.strip() and len(text) <= most and text.isprintable():
                values[name] = text.strip()
        if office_name.strip() and len(office_name) <= 120 and office_name.isprintable():
            values["office_name"] = office_name.strip()
        return replace(base, **values)

    def to_policy(self) -> dict[str, Any]:
        return {**{name: getattr(self, name) for name in _NUMBERS},
                "cover_from": self.cover_from.strftime("%H:%M"), "cover_until": self.cover_until.strftime("%H:%M"),
                "cover_days": list(self.cover_days), "office_phone": self.office_phone,
                "duress_words": self.duress_words}

    def problems(self) -> list[str]:
        """Why this ladder cannot be used, in words for the policy editor (empty when fine)."""
        out = []
        if not 0 < self.grace_poor_reception <= self.grace:
            out.append("The grace with poor reception must be shorter than (or the same as) the usual grace, and "
                       "more than 0 minutes.")
        if not self.ack_timeout > 0:
            out.append("An unanswered alert must wait at least a minute before it moves on.")
        if not self.manager_after <= self.family_after <= self.police_after:
            out.append("The tiers must come in order: the service manager, then the family contact, then the "
                       "police decision.")
        office_has_had_it = self.grace + self.ack_timeout
        if self.family_after < office_has_had_it:
            out.append(f"The family contact would be told at {self.family_after} minutes, before the office has had "
                       f"its chance (the PPO at {self.grace}, every office user {self.ack_timeout} minutes later): "
                       f"make it at least {office_has_had_it} minutes.")
        if self.manager_after < self.grace:
            out.append("The service manager cannot be told before the PPO: make it at least the grace.")
        if self.cover_until <= self.cover_from:
            out.append("The office's cover must end after it starts.")
        return out

    def covered(self, epoch: int) -> bool:
        """Whether the office has someone to answer at ``epoch`` (its hours, working days only)."""
        moment = from_epoch(epoch)
        return (moment.weekday() in self.cover_days and not is_bank_holiday(moment.date())
                and self.cover_from <= moment.time() < self.cover_until)

    def cover_ends(self, epoch: int) -> int | None:
        """When the cover running at ``epoch`` ends (None if there is none now)."""
        if not self.covered(epoch):
            return None
        moment = from_epoch(epoch)
        return to_epoch(moment.replace(hour=self.cover_until.hour, minute=self.cover_until.minute, second=0,
                                       microsecond=0))

    def after(self, reader: Reader) -> int:
        return {Reader.MANAGER: self.manager_after, Reader.FAMILY: self.family_after,
                Reader.POLICE: self.police_after}[reader]

    def timeline(self) -> list[str]:
        """The ladder in words, for the README, the console and the overdue pack."""
        return [f"due + {self.grace} minutes ({self.grace_poor_reception} with poor reception): the PPO",
                f"{self.ack_timeout} minutes later if nobody has acknowledged: every office user and the service "
                "manager",
                f"due + {self.manager_after} minutes: the service manager",
                f"due + {self.family_after} minutes: the family contact",
                f"due + {self.police_after} minutes: the police decision, with the overdue pack",
                f"outside office cover ({self.cover_from:%H:%M} to {self.cover_until:%H:%M} on working days) or with "
                "no office user to reach: the family contact and the police decision at once, with the PPO"]


@dataclass(frozen=True)
class Notice:
    """One notification, to one or more readers (each gets the message written for them)."""

    readers: tuple[Reader, ...]
    kind: Kind
    text: str              # one line for the board's history and the overdue pack


@dataclass(frozen=True)
class Watch:
    visit_id: str
    device: str
    due: int
    grace_s: int
    drill: bool = False
    state: WatchState = WatchState.WATCHING
    told: tuple[Reader, ...] = ()     # everyone told so far, in the order told
    alerted_at: int = 0               # when the PPO was told
    no_cover: bool = False            # the family and police were told at once: the office had no cover
    duress: bool = False              # stays true once raised, through acknowledgement and closing
    asked_for_help: bool = False      # "I need help" on the phone page, rather than the duress PIN
    duress_at: int = 0
    poor_reception: bool = False
    risk_flags: int = 0               # how many risk answers were "yes" on the plan (the answers stay off the relay)
    acknowledged_by: str = ""
    acknowledged_at: int = 0
    checked_in_at: int = 0
    checked_in_how: str = ""
    closed_reason: str = ""
    closed_by: str = ""
    closed_at: int = 0

    @property
    def alert_at(self) -> int:
        return self.due + self.grace_s

    @property
    def open(self) -> bool:
        return self.state is not WatchState.CLOSED

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in self.__dict__.items():
            out[k] = [r.value for r in v] if k == "told" else (v.value if isinstance(v, StrEnum) else v)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Watch:
        values = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        values["state"] = WatchState(values.get("state", "watching"))
        told = d.get("told")
        if told is None and d.get("tier"):  # a watch stored before readers: tiers 1-4 and "everyone"
            told = ["ppo", "manager", "family", "police"][:int(d["tier"])] + (["office"] if d.get("everyone") else [])
            values.setdefault("alerted_at", int(d.get("told_at", 0)))
        values["told"] = tuple(Reader(r) for r in (told or ()))
        return cls(**values)


def _prefix(watch: Watch) -> str:
    return "DRILL — " if watch.drill else ""


def _late(watch: Watch, now: int) -> str:
    return f"due back {clock(watch.due)}, {max(0, (now - watch.due) // 60)} min late"


def _told(watch: Watch, readers: tuple[Reader, ...], **changes: Any) -> Watch:
    return replace(watch, told=watch.told + tuple(r for r in readers if r not in watch.told), **changes)


def _alert(watch: Watch, readers: tuple[Reader, ...], now: int, why: str) -> tuple[Watch, list[Notice]]:
    kind = Kind.DURESS if watch.duress else Kind.ALERT
    text = (f"{_prefix(watch)}{'Duress' if watch.duress else 'Not checked in'} ({_late(watch, now)}): told "
            + ", ".join(READER_WORDS[r] for r in readers) + f" ({why}).")
    return watch, [Notice(readers, kind, text)]


def advance(watch: Watch, now: int, ladder: LadderPolicy, reachable: bool = True) -> tuple[Watch, list[Notice]]:
    """The watch at ``now`` and whatever must be sent because time has passed. Idempotent:
    calling it again at the same time sends nothing new. ``reachable``: whether any office user
    has an address to be told at (without one the office has no cover)."""
    cover = reachable and ladder.covered(now)
    if watch.state is WatchState.WATCHING and now >= watch.alert_at:
        if cover:
            watch = replace(watch, state=WatchState.ALERTING, told=(Reader.PPO,), alerted_at=now)
            return _alert(watch, (Reader.PPO,), now, "due back plus the grace")
        everyone: tuple[Reader, ...] = (Reader.PPO, Reader.MANAGER, Reader.FAMILY, Reader.POLICE)
        watch = replace(watch, state=WatchState.ALERTING, told=everyone, alerted_at=now, no_cover=True)
        return _alert(watch, everyone, now, "the office has no cover now")
    if watch.state is not WatchState.ALERTING:
        return watch, []
    if not cover and not watch.duress:
        missing = tuple(r for r in (Reader.MANAGER, Reader.FAMILY, Reader.POLICE) if r not in watch.told)
        if missing:
            return _alert(_told(watch, missing, no_cover=True), missing, now, "the office's cover has ended")
    if Reader.OFFICE not in watch.told and now >= watch.alerted_at + 60 * ladder.ack_timeout:
        readers = tuple(r for r in (Reader.OFFICE, Reader.MANAGER) if r not in watch.told)
        return _alert(_told(watch, readers), readers, now, f"nobody acknowledged in {ladder.ack_timeout} min")
    for reader in (Reader.MANAGER, Reader.FAMILY, Reader.POLICE):
        if reader in watch.told or (watch.duress and reader is Reader.FAMILY):
            continue
        if now < watch.due + 60 * ladder.after(reader):
            break
        return _alert(_told(watch, (reader,)), (reader,), now, f"due + {ladder.after(reader)} min")
    return watch, []


def catch_up(watch: Watch, now: int, ladder: LadderPolicy, reachable: bool = True) -> tuple[Watch, list[Notice]]:
    """Every step due by ``now`` (after the relay was down, several may be)."""
    sent: list[Notice] = []
    while True:
        watch, notices = advance(watch, now, ladder, reachable)
        if not notices:
            return watch, sent
        sent += notices


@dataclass(frozen=True)
class NextStep:
    at: int
    readers: tuple[Reader, ...]
    why: str = ""


def next_step(watch: Watch, ladder: LadderPolicy, now: int | None = None) -> NextStep | None:
    """What :func:`advance` will do next if nobody acts, and when (the board's countdown and
    every message's "what happens next")."""
    if watch.state is WatchState.WATCHING:
        return NextStep(watch.alert_at, (Reader.PPO,), "if there is no check-in")
    if watch.state is not WatchState.ALERTING:
        return None
    steps: list[NextStep] = []
    if Reader.OFFICE not in watch.told:
        steps.append(NextStep(watch.alerted_at + 60 * ladder.ack_timeout,
                              tuple(r for r in (Reader.OFFICE, Reader.MANAGER) if r not in watch.told),
                              "if nobody acknowledges"))
    for reader in (Reader.MANAGER, Reader.FAMILY, Reader.POLICE):
        if reader in watch.told or (watch.duress and reader is Reader.FAMILY):
            continue
        steps.append(NextStep(watch.due + 60 * ladder.after(reader), (reader,), "if nobody acknowledges"))
        break
    ends = ladder.cover_ends(now if now is not None else watch.alerted_at)
    missing = tuple(r for r in (Reader.MANAGER, Reader.FAMILY, Reader.POLICE) if r not in watch.told)
    if ends is not None and missing and not watch.duress:
        steps.append(NextStep(ends, missing, "when the office closes, if nobody acknowledges"))
    if not steps:
        return None
    first = min(steps, key=lambda s: s.at)
    together = {r for s in steps if s.at < first.at + 60 for r in s.readers}  # the same minute: one step
    return NextStep(first.at, tuple(r for r in LADDER_ORDER if r in together), first.why)


def next_step_at(watch: Watch, ladder: LadderPolicy, now: int | None = None) -> int | None:
    step = next_step(watch, ladder, now)
    return step.at if step else None


class LadderError(ValueError):
    """A step that cannot be taken now; the message says why (shown to the office user)."""


def _everyone_told(watch: Watch) -> tuple[Reader, ...]:
    return watch.told or (Reader.PPO,)


def check_in(watch: Watch, now: int, route: str = "app") -> tuple[Watch, list[Notice]]:
    """The volunteer is safe. On time: the watch simply ends. During an alert: everyone told
    hears at once, and the office closes the alert with a reason. After a duress alarm a
    check-in proves nothing (it may be forced too): it is told, and the alarm stands."""
    if watch.state is WatchState.CLOSED:
        raise LadderError("This visit is already closed; the check-in was not needed.")
    if watch.state is WatchState.SAFE:
        return watch, []
    if watch.state is WatchState.WATCHING:
        return replace(watch, state=WatchState.CLOSED, checked_in_at=now, checked_in_how=route, closed_at=now,
                       closed_reason=f"checked in ({route})", closed_by=watch.device), []
    if watch.duress:
        changed = replace(watch, checked_in_at=now, checked_in_how=route)
        text = f"{_prefix(watch)}A check-in came ({route}) after the duress alarm; the alarm stands."
        return changed, [Notice(_everyone_told(watch), Kind.UPDATE, text)]
    safe = replace(watch, state=WatchState.SAFE, checked_in_at=now, checked_in_how=route)
    text = f"{_prefix(watch)}Checked in ({route}) at {clock(now)}; the office will close the alert."
    return safe, [Notice(_everyone_told(watch), Kind.UPDATE, text)]


DURESS_READERS = (Reader.PPO, Reader.OFFICE, Reader.MANAGER, Reader.POLICE)


def duress(watch: Watch, now: int, asked_for_help: bool = False) -> tuple[Watch, list[Notice]]:
    """The duress PIN: looks like a check-in to whoever is with the volunteer, and raises a silent
    top-priority alarm to the PPO, every office user, the service manager and the police
    decision at once. "I need help" on the phone page raises the same alarm, openly."""
    if watch.state is WatchState.CLOSED:
        watch = replace(watch, closed_reason="", closed_by="", closed_at=0)
    readers = DURESS_READERS
    watch = replace(watch, state=WatchState.ALERTING, duress=True,
                    asked_for_help=watch.asked_for_help or asked_for_help,
                    duress_at=watch.duress_at or now, alerted_at=watch.alerted_at or now,
                    told=watch.told + tuple(r for r in readers if r not in watch.told),
                    acknowledged_by="", acknowledged_at=0)
    how = "pressed “I need help” on the phone page" if asked_for_help else "used the duress PIN"
    text = f"{_prefix(watch)}DURESS: the volunteer {how} at {clock(now)}; told " + \
        ", ".join(READER_WORDS[r] for r in readers) + "."
    return watch, [Notice(readers, Kind.DURESS, text)]


def extend(watch: Watch, new_due: int) -> Watch:
    if watch.state is not WatchState.WATCHING:
        raise LadderError("The visit is already overdue: ring the office to extend it.")
    if new_due <= watch.due:
        raise LadderError("An extension must move the due time later.")
    return replace(watch, due=new_due)


def acknowledge(watch: Watch, by: str, now: int) -> tuple[Watch, list[Notice]]:
    """First wins: a second office user is told who already has it. Everyone told hears who
    has taken it on."""
    if watch.state is WatchState.ACKNOWLEDGED:
        raise LadderError(f"Already acknowledged by {watch.acknowledged_by} at "
                          f"{clock(watch.acknowledged_at)}.")
    if watch.state not in (WatchState.ALERTING, WatchState.SAFE):
        raise LadderError("There is no alert on this visit to acknowledge.")
    changed = replace(watch, state=WatchState.ACKNOWLEDGED if watch.state is WatchState.ALERTING else watch.state,
                      acknowledged_by=by, acknowledged_at=now)
    text = f"{_prefix(watch)}Acknowledged by {by} at {clock(now)}."
    return changed, [Notice(_everyone_told(watch), Kind.ACKNOWLEDGED, text)]


def close(watch: Watch, reason: CloseReason, by: str, now: int, confirmed: bool = False) -> tuple[Watch, list[Notice]]:
    """No silent end state: a reason and who, told to everyone who was told. An incident is
    "Closed: incident", never an all-clear; a duress alarm is only closed when confirmed."""
    if watch.state is WatchState.CLOSED:
        raise LadderError("This visit is already closed.")
    if watch.state is WatchState.WATCHING:
        raise LadderError("The visit is not overdue; it closes when the volunteer checks in.")
    if watch.duress and not confirmed:
        raise LadderError("This is a duress alarm: closing it needs confirming, after you have spoken to the "
                          "volunteer yourself or the police have.")
    if reason is CloseReason.DRILL and not watch.drill:
        raise LadderError("Only a drill can be closed as a drill.")
    closed = replace(watch, state=WatchState.CLOSED, closed_reason=reason.value, closed_by=by, closed_at=now)
    kind = Kind.CLOSED if reason is CloseReason.INCIDENT else Kind.ALL_CLEAR
    words = "Closed: incident" if kind is Kind.CLOSED else "All clear"
    text = f"{_prefix(watch)}{words}, closed by {by} at {clock(now)}: {reason.value}."
    return closed, [Notice(_everyone_told(watch), kind, text)]


def clock(epoch: int) -> str:
    """A time of day in England, as the messages and the board give it."""
    return from_epoch(epoch).strftime("%H:%M")


def day_and_clock(epoch: int) -> str:
    moment = from_epoch(epoch)
    return f"{moment:%H:%M} on {moment:%A} {moment.day} {moment:%B}"

