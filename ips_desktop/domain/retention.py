"""When the laptop's copy of a record is removed (DESIGN §5 "Retention and purge").

Pure rules over facts the store gathers. The one rule above all others: nothing unsent or
unverified is ever purged automatically — only a record whose latest version the office
has confirmed with a VERIFIED receipt, checked against the pinned office keys. The office
policy (in the signed key bundle) may shorten or lengthen each period; these are the
defaults, each from the handbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# Record type → retention class. A type not listed is kept until the volunteer deletes it.
RETENTION_CLASS = {
    "contact": "contact",
    "papers": "papers",
    "level1": "level1",
    "visit_plan": "visit",
    "visit_outcome": "visit",
    "incident": "incident",
    "expense_claim": "expense",
    "expense_item": "expense",
    "journey": "expense",
    "phone_log": "phone_log",
    "family_contact": "to_office",
    "ladder_profile": "to_office",
    "case_status": "to_office",
    "allocation": "from_office",
    "case_decision": "from_office",
    "referral": "to_office",
    "event": "to_office",
    "forward": "to_office",
}

HANDBOOK = {
    "contact": "“Delete your computer record as soon as you have finished your work with that family”: your "
               "notes stay while the case is open, so the whole case is there when you need it, and go when you "
               "close it (and the office has them).",
    "papers": "Papers lent by a parent are “returned (posted with proof of posting)”.",
    "level1": "Level 1 tallies are anonymous and kept only until the office has them.",
    "visit": "The lone-working record is kept for a week after the visit is closed.",
    "incident": "An incident report is kept only until the PPO has it.",
    "expense": "A claim is kept as proof until it is paid.",
    "phone_log": "“Once the enquiry or telephone bill period is finalised delete all records.”",
    "to_office": "Kept only until the office has it.",
    "from_office": "The office's brief for a case it gave you stays while the case is open, like your notes.",
}


@dataclass(frozen=True)
class RetentionPolicy:
    """Days before the laptop's copy goes, counted from the office's VERIFIED receipt (or the
    case's or visit's closing, where the name says so).

    A contact record stays while its case is open — a case can run a whole term, and the
    volunteer needs its agreed actions and consents throughout — but never more than
    ``open_case_max_days`` after the office confirmed it (a case left open by mistake); it
    goes ``closed_case_days`` after the case is closed (the handbook: "as soon as you have
    finished your work with that family", so none by default)."""

    open_case_max_days: int = 365
    closed_case_days: int = 0
    level1_days: int = 30
    visit_days_after_close: int = 7
    expense_days: int = 30
    draft_reminder_days: int = 3

    @classmethod
    def from_policy(cls, policy: dict[str, Any]) -> RetentionPolicy:
        given = policy.get("retention", {})
        defaults = cls()
        values = {}
        for name in cls.__dataclass_fields__:
            value = given.get(name, getattr(defaults, name)) if isinstance(given, dict) else getattr(defaults, name)
            values[name] = value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 3650 \
                else getattr(defaults, name)
        return cls(**values)


@dataclass(frozen=True)
class RecordFacts:
    """What the store knows about one record when deciding."""

    record_id: str
    record_type: str
    state: str  # draft | saved
    queued: bool  # saved but not yet sealed, or edited since
    verified_at: datetime | None  # VERIFIED receipt for the latest version, checked
    case_closed_at: datetime | None = None
    papers_returned: bool = False
    visit_closed_at: datetime | None = None
    incident_open: bool = False
    claim_verified_at: datetime | None = None  # for phone-log entries: the claim covering them


@dataclass(frozen=True)
class Decision:
    record_id: str
    due_at: datetime | None  # None: not scheduled (waiting for something, said in ``why``)
    why: str
    rule: str

    def due(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at <= now


def decide(facts: RecordFacts, policy: RetentionPolicy) -> Decision:
    """When this record's local copy may go, and why (shown to the volunteer as is)."""
    cls = RETENTION_CLASS.get(facts.record_type)

    def wait(why: str) -> Decision:
        return Decision(facts.record_id, None, why, cls or "keep")

    if facts.state == "draft":
        return wait("Draft: never removed automatically. Finish and save it, or discard it.")
    if cls == "from_office":  # the office wrote it and keeps its own copy: nothing to confirm
        if facts.case_closed_at is None:
            return wait("The office's brief for the case: kept while the case is open.")
        later = f" {_days(policy.closed_case_days)} after closing" if policy.closed_case_days else ""
        return Decision(facts.record_id, facts.case_closed_at + timedelta(days=policy.closed_case_days),
                        f"The case is closed: removed{later}.", cls)
    if facts.queued or facts.verified_at is None:
        return wait("Kept until the office confirms it holds the latest version.")
    verified = facts.verified_at
    if cls == "contact":
        if facts.case_closed_at is not None:
            later = f" {_days(policy.closed_case_days)} after closing" if policy.closed_case_days else ""
            return Decision(facts.record_id,
                            max(facts.case_closed_at, verified) + timedelta(days=policy.closed_case_days),
                            f"The case is closed and the office holds this record: removed{later}.", cls)
        return Decision(facts.record_id, verified + timedelta(days=policy.open_case_max_days),
                        "The office holds it; kept while the case is open, and removed when you close the case"
                        + (f" ({_days(policy.closed_case_days)} after)" if policy.closed_case_days else "")
                        + f". If the case stays open, removed {_days(policy.open_case_max_days)} after the office "
                        "confirmed it.", cls)
    if cls == "papers":
        if not facts.papers_returned:
            return wait("Kept until the papers are returned with proof of posting.")
        return Decision(facts.record_id, verified, "Papers returned and the office holds the record.", cls)
    if cls == "level1":
        return Decision(facts.record_id, verified + timedelta(days=policy.level1_days),
                        f"Removed {policy.level1_days} days after the office confirmed it.", cls)
    if cls == "visit":
        if facts.incident_open:
            return wait("Kept while an incident report is open.")
        if facts.visit_closed_at is None:
            return wait("Kept until the visit is closed.")
        return Decision(facts.record_id, max(facts.visit_closed_at, verified)
                        + timedelta(days=policy.visit_days_after_close),
                        f"Removed {policy.visit_days_after_close} days after the visit was closed.", cls)
    if cls == "incident":
        return Decision(facts.record_id, verified, "The PPO holds the incident report.", cls)
    if cls == "to_office":
        return Decision(facts.record_id, verified, "The office holds it.", cls)
    if cls == "expense":
        return Decision(facts.record_id, verified + timedelta(days=policy.expense_days),
                        f"Kept {policy.expense_days} days after the office confirmed the claim.", cls)
    if cls == "phone_log":
        if facts.claim_verified_at is None:
            return wait("Kept until the claim covering this call is confirmed by the office.")
        return Decision(facts.record_id, max(facts.claim_verified_at, verified),
                        "The claim covering it is confirmed.", cls)
    return wait("Kept: this kind of record is only removed by you.")


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def draft_needs_reminder(started: datetime, now: datetime, policy: RetentionPolicy) -> bool:
    """DESIGN §5: a draft never sent is never purged; remind from day 3."""
    return now - started >= timedelta(days=policy.draft_reminder_days)


REKEY_EVERY = timedelta(days=7)


def rekey_due(last_rekey_at: datetime | None, owed: bool, first_seen: datetime, now: datetime,
              every: timedelta = REKEY_EVERY) -> bool:
    """DESIGN §3: re-key the vault weekly and after a case is purged. A vault never re-keyed
    counts from ``first_seen`` (when it was created or first opened by this version)."""
    return owed or now - (last_rekey_at or first_seen) >= every
