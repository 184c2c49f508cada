"""The overdue ladder (DESIGN §6; handbook Appendix 3, lone working): what happens, and to whom,
when a volunteer on a visit has not checked in.

Handbook: "If you have not contacted the office by the agreed time, the office will try to
contact you"; the service's lone-working procedure then escalates to a manager and, in the
end, to the police. Defaults, all office policy: the PPO is alerted at the due time plus the
grace (15 minutes, 5 with poor reception); the service manager at due + 20 minutes; the
nominated family contact at due + 30; the police decision, with the overdue pack, at due + 45.
An alert nobody acknowledges within 2 minutes goes at once to the next tier and to every
office user. An acknowledgement stops the automatic steps; closing needs a reason and sends an
all-clear to everyone who was told. A duress PIN raises a silent top-priority alarm.

Pure: times are epoch seconds passed in; :func:`advance` returns the new watch and the
notifications to send, and the relay stores both in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import IntEnum, StrEnum
from typing import Any

from .uk_time import from_epoch


class Tier(IntEnum):
    PPO = 1
    MANAGER = 2
    FAMILY = 3
    POLICE = 4


TIER_WORDS = {Tier.PPO: "the PPO", Tier.MANAGER: "the service manager", Tier.FAMILY: "the nominated family contact",
              Tier.POLICE: "the police decision"}


class WatchState(StrEnum):
    WATCHING = "watching"          # out on a visit, not yet due
    ALERTING = "alerting"          # overdue (or duress): the ladder is climbing
    ACKNOWLEDGED = "acknowledged"  # an office user has taken it on; no automatic steps
    SAFE = "safe"                  # checked in while alerting: waits for the office to close it
    CLOSED = "closed"              # checked in on time, or closed with a reason


class CloseReason(StrEnum):
    SAFE_FORGOT = "safe, forgot to check in"
    SAFE_LATE = "safe, running late"
    PRECAUTIONARY = "precautionary"
    INCIDENT = "incident"
    DRILL = "drill"


class Kind(StrEnum):
    ALERT = "alert"
    DURESS = "duress"
    UPDATE = "update"
    ALL_CLEAR = "all clear"


@dataclass(frozen=True)
class LadderPolicy:
    """Minutes, from the office policy; the defaults are DESIGN §6's."""

    grace: int = 15
    grace_poor_reception: int = 5
    manager_after: int = 20
    family_after: int = 30
    police_after: int = 45
    ack_timeout: int = 2

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any]) -> LadderPolicy:
        given = policy.get("ladder", {})
        base = cls()
        if not isinstance(given, Mapping):
            return base
        values = {name: given[name] for name in cls.__dataclass_fields__
                  if isinstance(given.get(name), int) and not isinstance(given.get(name), bool)
                  and 0 <= given[name] <= 240}
        return replace(base, **values)

    def scheduled(self, tier: Tier, due: int, grace_s: int) -> int:
        """When ``tier`` is told if nobody has acknowledged by then."""
        minutes = {Tier.MANAGER: self.manager_after, Tier.FAMILY: self.family_after,
                   Tier.POLICE: self.police_after}
        if tier is Tier.PPO:
            return due + grace_s
        return max(due + grace_s, due + 60 * minutes[tier])


@dataclass(frozen=True)
class Notice:
    """One notification: to a tier (and, when ``everyone``, every office user as well)."""

    tier: Tier
    kind: Kind
    text: str
    everyone: bool = False


@dataclass(frozen=True)
class Watch:
    visit_id: str
    device: str
    due: int
    grace_s: int
    drill: bool = False
    state: WatchState = WatchState.WATCHING
    tier: int = 0                 # highest tier told so far (0: none)
    told_at: int = 0              # when that tier was told
    everyone: bool = False        # every office user has been told
    duress: bool = False
    acknowledged_by: str = ""
    acknowledged_at: int = 0
    checked_in_at: int = 0
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
        return {k: (v.value if isinstance(v, StrEnum) else v) for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Watch:
        values = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        values["state"] = WatchState(values.get("state", "watching"))
        return cls(**values)


def _prefix(watch: Watch) -> str:
    return "DRILL — " if watch.drill else ""


def _alert_text(watch: Watch, tier: Tier, now: int) -> str:
    late = max(0, (now - watch.due) // 60)
    return (f"{_prefix(watch)}Volunteer {watch.device} has not checked in from visit {watch.visit_id}: due back "
            f"{late} min ago. Escalated to {TIER_WORDS[tier]}. Acknowledge on the visit board.")


def advance(watch: Watch, now: int, ladder: LadderPolicy) -> tuple[Watch, list[Notice]]:
    """The watch at ``now`` and whatever must be sent because time has passed. Idempotent:
    calling it again at the same time sends nothing new."""
    if watch.state is WatchState.WATCHING and now >= watch.alert_at:
        watch = replace(watch, state=WatchState.ALERTING, tier=Tier.PPO, told_at=now)
        return watch, [Notice(Tier.PPO, Kind.ALERT, _alert_text(watch, Tier.PPO, now))]
    if watch.state is not WatchState.ALERTING or watch.tier >= Tier.POLICE:
        return watch, []
    nxt = Tier(watch.tier + 1)
    unacknowledged = now >= watch.told_at + 60 * ladder.ack_timeout
    if now >= ladder.scheduled(nxt, watch.due, watch.grace_s) or unacknowledged:
        everyone = watch.everyone or unacknowledged
        watch = replace(watch, tier=nxt, told_at=now, everyone=everyone)
        kind = Kind.DURESS if watch.duress else Kind.ALERT
        return watch, [Notice(nxt, kind, _alert_text(watch, nxt, now), everyone=everyone)]
    return watch, []


def catch_up(watch: Watch, now: int, ladder: LadderPolicy) -> tuple[Watch, list[Notice]]:
    """Every step due by ``now`` (after the relay was down, several may be)."""
    sent: list[Notice] = []
    while True:
        watch, notices = advance(watch, now, ladder)
        if not notices:
            return watch, sent
        sent += notices


def next_step_at(watch: Watch, ladder: LadderPolicy) -> int | None:
    """When :func:`advance` will next have something to do (for the board's countdown)."""
    if watch.state is WatchState.WATCHING:
        return watch.alert_at
    if watch.state is not WatchState.ALERTING or watch.tier >= Tier.POLICE:
        return None
    nxt = Tier(watch.tier + 1)
    return min(ladder.scheduled(nxt, watch.due, watch.grace_s), watch.told_at + 60 * ladder.ack_timeout)


class LadderError(ValueError):
    """A step that cannot be taken now; the message says why (shown to the office user)."""


def check_in(watch: Watch, now: int, route: str = "app") -> tuple[Watch, list[Notice]]:
    """The volunteer is safe. On time: the watch simply ends. During an alert: everyone told
    hears at once, and the office closes the alert with a reason."""
    if watch.state is WatchState.CLOSED:
        raise LadderError("This visit is already closed; the check-in was not needed.")
    if watch.state is WatchState.SAFE:
        return watch, []
    if watch.state is WatchState.WATCHING:
        return replace(watch, state=WatchState.CLOSED, checked_in_at=now, closed_at=now,
                       closed_reason=f"checked in ({route})", closed_by=watch.device), []
    safe = replace(watch, state=WatchState.SAFE, checked_in_at=now)
    text = (f"{_prefix(watch)}Update: volunteer {watch.device} checked in ({route}) from visit {watch.visit_id}. "
            "The office will close the alert with a reason.")
    return safe, [Notice(Tier(watch.tier), Kind.UPDATE, text, everyone=watch.everyone)]


def duress(watch: Watch, now: int, asked_for_help: bool = False) -> tuple[Watch, list[Notice]]:
    """The duress PIN: looks like a check-in to whoever is watching the volunteer, raises a
    silent top-priority alarm to the PPO and every office user, and the ladder climbs.
    "I need help" on the phone page raises the same alarm, openly."""
    if watch.state is WatchState.CLOSED:
        watch = replace(watch, closed_reason="", closed_by="", closed_at=0)
    watch = replace(watch, state=WatchState.ALERTING, duress=True, tier=max(watch.tier, Tier.PPO), told_at=now,
                    everyone=True, acknowledged_by="", acknowledged_at=0)
    if asked_for_help:
        text = (f"{_prefix(watch)}HELP: volunteer {watch.device} pressed “I need help” on visit {watch.visit_id}. "
                "Treat as an emergency.")
    else:
        text = (f"{_prefix(watch)}DURESS: volunteer {watch.device} used the duress PIN on visit {watch.visit_id}. "
                "Treat as an emergency. The volunteer's screen showed a normal check-in.")
    return watch, [Notice(Tier(watch.tier), Kind.DURESS, text, everyone=True)]


def extend(watch: Watch, new_due: int) -> Watch:
    if watch.state is not WatchState.WATCHING:
        raise LadderError("The visit is already overdue: ring the office to extend it.")
    if new_due <= watch.due:
        raise LadderError("An extension must move the due time later.")
    return replace(watch, due=new_due)


def acknowledge(watch: Watch, by: str, now: int) -> Watch:
    """First wins: a second office user is told who already has it."""
    if watch.state is WatchState.ACKNOWLEDGED:
        raise LadderError(f"Already acknowledged by {watch.acknowledged_by} at "
                          f"{_clock(watch.acknowledged_at)}.")
    if watch.state not in (WatchState.ALERTING, WatchState.SAFE):
        raise LadderError("There is no alert on this visit to acknowledge.")
    return replace(watch, state=WatchState.ACKNOWLEDGED if watch.state is WatchState.ALERTING else watch.state,
                   acknowledged_by=by, acknowledged_at=now)


def close(watch: Watch, reason: CloseReason, by: str, now: int) -> tuple[Watch, list[Notice]]:
    """No silent end state: a reason, and an all-clear to everyone who was told."""
    if watch.state is WatchState.CLOSED:
        raise LadderError("This visit is already closed.")
    if watch.state is WatchState.WATCHING:
        raise LadderError("The visit is not overdue; it closes when the volunteer checks in.")
    closed = replace(watch, state=WatchState.CLOSED, closed_reason=reason.value, closed_by=by, closed_at=now)
    text = (f"{_prefix(watch)}All clear: the alert for volunteer {watch.device} (visit {watch.visit_id}) was "
            f"closed by {by}: {reason.value}.")
    return closed, [Notice(Tier(max(watch.tier, Tier.PPO)), Kind.ALL_CLEAR, text, everyone=watch.everyone)]


def _clock(epoch: int) -> str:
    return from_epoch(epoch).strftime("%H:%M")
