"""Service users' feedback, the handbook's Appendix 4 questionnaire (issue 17, item 13).

"Following parent support being provided by an IPS the PPO will contact the service user by
phone to check that the parent is happy with the service provided." The answers are kept by case
reference; the parent's name, which the paper form asks for, is never kept. The two free-text
answers are screened like a record, so the Steering Group report can quote them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

SUPPORT = ("Support by telephone", "Researching information", "Preparation for meetings", "Support at meetings",
           "Sent information", "Support with letters/forms")
RATINGS = ("Excellent", "Good", "Fair", "Poor")
YES_NO = ("yes", "no", "not asked")
MOST_TEXT = 600


@dataclass(frozen=True)
class Feedback:
    asked_on: date
    support: tuple[str, ...] = ()          # from SUPPORT
    leaflet: str = "not asked"             # YES_NO: received the leaflet about IPS
    office_hours: str = "not asked"        # YES_NO: contacted during office working hours
    office_hours_when: str = ""            # if not, when
    offered_babysitting: str = "not asked"  # YES_NO: "It is important that IPS do not offer"
    unbiased: str = "not asked"            # YES_NO
    rating: str = ""                       # RATINGS, or "" when not given
    helpful: str = ""
    improve: str = ""
    early: bool = False                    # asked while the case was still open
    extra: dict[str, Any] = field(default_factory=dict)

    def text_fields(self) -> dict[str, str]:
        return {"helpful": self.helpful, "improve": self.improve, "office_hours_when": self.office_hours_when}

    def problems(self, today: date) -> list[str]:
        out = []
        if self.asked_on > today:
            out.append("The date of the call cannot be later than today.")
        if any(s not in SUPPORT for s in self.support):
            out.append("Choose how the IPS supported them from the list.")
        for name in ("leaflet", "office_hours", "offered_babysitting", "unbiased"):
            if getattr(self, name) not in YES_NO:
                out.append("Answer yes, no or not asked.")
                break
        if self.rating and self.rating not in RATINGS:
            out.append("The rating is excellent, good, fair or poor.")
        if any(len(v) > MOST_TEXT for v in self.text_fields().values()):
            out.append(f"Keep each answer under {MOST_TEXT} characters.")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"asked_on": self.asked_on.isoformat(), "support": list(self.support), "leaflet": self.leaflet,
                "office_hours": self.office_hours, "office_hours_when": self.office_hours_when,
                "offered_babysitting": self.offered_babysitting, "unbiased": self.unbiased, "rating": self.rating,
                "helpful": self.helpful, "improve": self.improve, "early": self.early}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Feedback:
        return cls(date.fromisoformat(d["asked_on"]), tuple(str(s) for s in d.get("support", ())),
                   str(d.get("leaflet", "not asked")), str(d.get("office_hours", "not asked")),
                   str(d.get("office_hours_when", "")), str(d.get("offered_babysitting", "not asked")),
                   str(d.get("unbiased", "not asked")), str(d.get("rating", "")), str(d.get("helpful", "")),
                   str(d.get("improve", "")), bool(d.get("early")))
