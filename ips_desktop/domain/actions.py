"""Agreed actions followed up, and the parent's consent checked against them (issue 17, item 2).

Handbook, on the telephone: "Type the agreed actions, responsibilities, timescales and
permission", and the parent's permission is "to discuss their child with a specified
professional or agency". So an action that involves a professional (by its "who", or named in
its words: "ring the SENCO") should have the parent's consent for that professional recorded
somewhere in the case. The check points the gap out; it never stops a save.

Pure functions: the caller passes today's date and the records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .records import AgreedAction, Consent, ContactRecord

# "This week" for a volunteer who looks once or twice a week: today and the six days after,
# and anything already late.
DUE_WITHIN_DAYS = 7

# The people an action can involve without a consent: the family, and the service itself.
NO_CONSENT_NEEDED = frozenset({"parent", "carer", "child", "PPO", "IPS", "other family member"})

# Other words for the roles in records.ROLES, as volunteers write them. Abbreviations match
# in capitals only ("OT", not "ot"); the rest match whole words in any case.
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "class teacher": ("class teacher", "form teacher", "teacher"),
    "SENCO": ("SENCO", "SENCo"),
    "head teacher": ("head teacher", "headteacher", "head of school"),
    "teaching assistant": ("teaching assistant", "TA"),
    "Educational Psychologist": ("Educational Psychologist", "EP", "psychologist"),
    "speech and language therapist": ("speech and language therapist", "SALT", "SLT"),
    "occupational therapist": ("occupational therapist", "OT"),
    "social worker": ("social worker", "social services", "children's services"),
    "health visitor": ("health visitor",),
    "school nurse": ("school nurse",),
    "paediatrician": ("paediatrician",),
    "LA SEN officer": ("LA SEN officer", "SEN officer", "SEND officer", "SEN team", "SEND team"),
    "caseworker": ("caseworker", "case worker"),
    "interpreter": ("interpreter",),
}

# A consent given "with the school" covers the school's staff.
SCHOOL_ROLES = frozenset({"class teacher", "SENCO", "head teacher", "teaching assistant", "school nurse"})


def _pattern(words: Iterable[str]) -> re.Pattern[str]:
    parts = []
    for word in words:
        body = re.escape(word).replace(r"\ ", r"\s+")
        if word == "teacher":
            body = r"(?<!head\s)teacher"  # "head teacher" is the head's, not the class teacher's
        parts.append(body if word.isupper() and len(word) <= 4 else f"(?i:{body})")
    return re.compile(r"(?<![\w'])(?:" + "|".join(parts) + r")(?![\w'])")


_ROLE_PATTERNS = {role: _pattern(words) for role, words in ROLE_WORDS.items()}
_SCHOOL = re.compile(r"(?i)(?<!\w)school(?!\w)")


def roles_involved(action: AgreedAction) -> list[str]:
    """The professionals an action involves: its "who", and any role named in its words."""
    found = []
    who = action.who.strip()
    for role, pattern in _ROLE_PATTERNS.items():
        if who.lower() == role.lower() or pattern.search(action.what) or pattern.search(who):
            found.append(role)
    return found


def consent_covers(consent: Consent, role: str) -> bool:
    """Whether a recorded consent is for this role (by any of its names), or for the school
    when the role is one of the school's staff."""
    with_whom = consent.with_whom
    if _ROLE_PATTERNS[role].search(with_whom) or with_whom.strip().lower() == role.lower():
        return True
    names_a_role = any(p.search(with_whom) for p in _ROLE_PATTERNS.values())
    return role in SCHOOL_ROLES and not names_a_role and _SCHOOL.search(with_whom) is not None


@dataclass(frozen=True)
class ConsentGap:
    action: str  # the action's words
    role: str

    def sentence(self) -> str:
        return (f"“{_short(self.action)}” involves the {self.role}, but no consent to discuss the child "
                f"with the {self.role} is recorded for this case.")


def _short(text: str, most: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def consent_gaps(actions: Iterable[AgreedAction], consents: Iterable[Consent]) -> list[ConsentGap]:
    """Each action's professional with no consent among ``consents`` (this record's and the
    case's other records'). Actions already done are not checked."""
    given = list(consents)
    gaps = []
    for action in actions:
        if action.done or not action.what.strip():
            continue
        for role in roles_involved(action):
            if role in NO_CONSENT_NEEDED:
                continue
            if not any(consent_covers(c, role) for c in given):
                gaps.append(ConsentGap(action.what, role))
    return gaps


@dataclass(frozen=True)
class ActionToDo:
    """One agreed action not yet done, and where it lives."""

    record_id: str
    case_id: str
    reference: str
    index: int  # its place in the record's agreed_actions
    action: AgreedAction

    def late(self, today: date) -> bool:
        return self.action.by_when is not None and self.action.by_when < today


def actions_to_do(records: Iterable[tuple[str, str, str, ContactRecord]]) -> list[ActionToDo]:
    """Every undone action in (record id, case id, reference, record), soonest "by when" first;
    actions with no date last."""
    out = [ActionToDo(record_id, case_id, reference, i, action)
           for record_id, case_id, reference, record in records
           for i, action in enumerate(record.agreed_actions) if not action.done and action.what.strip()]
    return sorted(out, key=lambda a: (a.action.by_when is None, a.action.by_when or date.max, a.reference))


def due_by(actions: Iterable[ActionToDo], last: date) -> list[ActionToDo]:
    """Undone actions with a "by when" on or before ``last``, late ones included."""
    return [a for a in actions if a.action.by_when is not None and a.action.by_when <= last]


def due_this_week(actions: Iterable[ActionToDo], today: date) -> list[ActionToDo]:
    """Undone actions due by the sixth day after today, late ones included."""
    return due_by(actions, week_end(today))


def week_end(today: date) -> date:
    return today + timedelta(days=DUE_WITHIN_DAYS - 1)


def short_day(day: date) -> str:
    """ "Tue 1 Dec": a day as the lists and Today write it."""
    return f"{day:%a} {day.day} {day:%b}"


def when_due(by_when: date, today: date) -> str:
    """Plain words: "late, was due Tue 1 Dec", "due today", "due tomorrow", "due Fri 11 Dec"."""
    if by_when < today:
        return f"late, was due {short_day(by_when)}"
    if by_when == today:
        return "due today"
    if by_when == today + timedelta(days=1):
        return "due tomorrow"
    return f"due {short_day(by_when)}"


def action_line(todo: ActionToDo, today: date, with_case: bool = False) -> str:
    """One action in plain words, as a list or a screen reader gives it."""
    due = when_due(todo.action.by_when, today) if todo.action.by_when else "no date set"
    case = f" · case {todo.reference}" if with_case else ""
    return f"{due[0].upper()}{due[1:]}: {todo.action.what} ({todo.action.who or 'no one named'}){case}"
