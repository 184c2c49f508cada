"""A family's referral, passed to the office on the same working day (issue 17, item 5).

Handbook: "If approached for support by a family, Devon Parent Partnership Service must be
informed on the same working day using the recognised route of referral; phone 01392 383080
with parent's name and telephone number."

The referral is the one record allowed to carry a name and a telephone number, and only in its
two fields. What the family wants help with is screened like any record. It has no case
reference (the office gives one when it allocates the case). It goes to the office at once and
leaves the laptop as soon as the office's receipt arrives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any

from .bank_holidays import is_working_day
from .codec import opt_datetime

RECORD_TYPE = "referral"
END_OF_DAY = time(17, 0)  # the office's day: "between 9am and 5pm weekdays"
_PHONE = re.compile(r"(?:\+44|0)\d{9,10}")
_NAME = re.compile(r"[^\W\d_][\w'’.\- ]{0,78}[\w.]")


class Approach(StrEnum):
    EVENT = "at an event or drop-in"
    PHONE = "by telephone"
    MEETING = "at a meeting"
    OTHER = "another way"


@dataclass(frozen=True)
class Referral:
    parent_name: str
    phone: str
    approached_at: datetime
    approach: Approach
    need: str  # what the family wants help with: screened, no names
    parent_agreed: bool  # the parent agreed their name and number go to the office
    sent_at: datetime | None = None  # saved and queued for the office

    def text_fields(self) -> dict[str, str]:
        """What the PII guard screens: everything but the two fields meant for the name and number."""
        return {"need": self.need}

    def problems(self) -> list[str]:
        out = []
        if not _NAME.fullmatch(self.parent_name.strip()):
            out.append("Type the parent's name as they gave it.")
        if not _PHONE.fullmatch(re.sub(r"[\s()-]", "", self.phone)):
            out.append("Type the parent's telephone number, like 01392 383080 or 07700 900123.")
        if not self.parent_agreed:
            out.append("Ask the parent whether their name and number may go to the office, and tick it when they "
                       "agree. Without that, give them the office's number to ring instead.")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"type": RECORD_TYPE, "v": 1, "parent_name": self.parent_name.strip(),
                "phone": " ".join(self.phone.split()), "approached_at": self.approached_at.isoformat(),
                "approach": self.approach.value, "need": self.need, "parent_agreed": self.parent_agreed,
                "sent_at": self.sent_at.isoformat() if self.sent_at else None,
                "summary": f"Referral: a family approached the volunteer {self.approach.value} on "
                           f"{self.approached_at:%d/%m/%Y at %H:%M}."}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Referral:
        return cls(str(data["parent_name"]), str(data["phone"]), datetime.fromisoformat(data["approached_at"]),
                   Approach(data["approach"]), str(data.get("need", "")), data.get("parent_agreed") is True,
                   opt_datetime(data.get("sent_at")))


def deadline(approached_at: datetime) -> datetime:
    """When the office must have it: 17:00 that day if it is a working day and it is not yet
    17:00; otherwise 17:00 on the next working day."""
    day = approached_at.date()
    if not (is_working_day(day) and approached_at.time() < END_OF_DAY):
        day += timedelta(days=1)
        while not is_working_day(day):
            day += timedelta(days=1)
    return datetime.combine(day, END_OF_DAY, tzinfo=approached_at.tzinfo)


def deadline_words(due: datetime, now: datetime) -> str:
    """ "by 17:00 today", "by 17:00 tomorrow", "by 17:00 on Monday 14 December"; "overdue" past it."""
    if now > due:
        return f"it was due by {due:%H:%M} on {due:%A} {due.day} {due:%B}: send it now and ring the office"
    if due.date() == now.date():
        return f"by {due:%H:%M} today"
    if due.date() == now.date() + timedelta(days=1):
        return f"by {due:%H:%M} tomorrow"
    return f"by {due:%H:%M} on {due:%A} {due.day} {due:%B}"
