"""After a visit: the outcome, and Form PO3 when a volunteer was threatened or hurt.

Handbook, Appendix 3: "If the meeting has been difficult you should draw the circumstances
to the attention of your PPO so that others visiting may be suitably forewarned." "If any
IPS is threatened with, or subjected to violence, they should make a full written report to
their PPO … Form PO3 must be completed." "The PPO has a statutory duty to report appropriate
incidents to the Health and Safety Executive within 10 days."
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .codec import encode_dict, opt_datetime

HSE_DAYS = 10
MAX_TEXT = 4000


@dataclass(frozen=True)
class VisitOutcome:
    visit_id: str
    difficult: bool
    notes: str = ""

    def text_fields(self) -> dict[str, str]:
        return {"notes": self.notes}

    def to_dict(self) -> dict[str, Any]:
        return encode_dict(asdict(self)) | {"type": "visit_outcome", "v": 1}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VisitOutcome:
        return cls(str(data["visit_id"]), bool(data.get("difficult")), str(data.get("notes", "")))


@dataclass(frozen=True)
class IncidentReport:
    """Form PO3: what happened, when, where, who by role, injuries, the action taken."""

    occurred_at: datetime
    place: str
    what_happened: str
    who: tuple[str, ...] = ()          # roles, never names
    signs: tuple[str, ...] = ()        # from risk.THREAT_SIGNS, as seen
    injuries: str = ""
    action_taken: str = ""
    police_called: bool = False
    visit_id: str = ""
    reported_at: datetime | None = None

    @property
    def hse_deadline(self) -> date:
        """The last day for the PPO's report to the Health and Safety Executive."""
        return self.occurred_at.date() + timedelta(days=HSE_DAYS)

    def problems(self, now: datetime) -> list[str]:
        """What stops the report being sent, in words the volunteer can act on."""
        out = []
        if not self.what_happened.strip():
            out.append("Describe what happened: the PPO needs it for Form PO3.")
        if self.occurred_at > now + timedelta(minutes=5):
            out.append("The time it happened is in the future. Check the date and time.")
        if not self.place.strip():
            out.append("Say where it happened (the visit's place, or the venue).")
        if any(len(text) > MAX_TEXT for text in self.text_fields().values()):
            out.append(f"Keep each box under {MAX_TEXT} characters; the PPO will call you for the detail.")
        return out

    def text_fields(self) -> dict[str, str]:
        return {"what_happened": self.what_happened, "injuries": self.injuries,
                "action_taken": self.action_taken, "place": self.place}

    def to_dict(self) -> dict[str, Any]:
        return encode_dict(asdict(self)) | {"type": "incident", "v": 1}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IncidentReport:
        return cls(datetime.fromisoformat(data["occurred_at"]), str(data.get("place", "")),
                   str(data.get("what_happened", "")), tuple(data.get("who", ())), tuple(data.get("signs", ())),
                   str(data.get("injuries", "")), str(data.get("action_taken", "")),
                   bool(data.get("police_called")), str(data.get("visit_id", "")),
                   opt_datetime(data.get("reported_at")))
