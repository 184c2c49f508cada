"""Notes and letters that go to a parent or a professional through the PPO, and the parent's copy
of the agreed actions (issue 17, items 7 and 8).

Handbook: "Any notes you wish to email to parents or professionals should be sent to your PPO who
will forward them … to keep your own email address confidential", and after a meeting "The
person interviewed can have a copy of the points raised and any plans that have been agreed."
The note names its recipient by role; the PPO adds the address. It is screened like any record.
The parent's copy carries the agreed actions, who by role and by when, and the service's number:
nothing else, never a safeguarding note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .codec import opt_date
from .records import AgreedAction

RECORD_TYPE = "forward"
MOST_TEXT = 4000


@dataclass(frozen=True)
class NoteToForward:
    to_role: str  # "parent", "SENCO", …
    subject: str
    text: str
    actions: tuple[AgreedAction, ...] = ()  # the parent's copy of a record's agreed actions, if asked for
    meeting_on: date | None = None          # the contact the actions were agreed at

    def text_fields(self) -> dict[str, str]:
        fields = {"subject": self.subject, "text": self.text}
        for i, action in enumerate(self.actions):
            fields[f"action.{i}.what"] = action.what
        return fields

    def problems(self) -> list[str]:
        out = []
        if not self.to_role.strip():
            out.append("Say who it is for, by role (parent, SENCO, class teacher …).")
        if not self.subject.strip():
            out.append("Give it a subject the PPO can forward it under.")
        if not self.text.strip() and not self.actions:
            out.append("Write the note, or include the agreed actions.")
        if len(self.text) > MOST_TEXT:
            out.append(f"Keep the note under {MOST_TEXT} characters.")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"type": RECORD_TYPE, "v": 1, "to_role": self.to_role, "subject": self.subject, "text": self.text,
                "actions": [{"what": a.what, "who": a.who, "by_when": a.by_when.isoformat() if a.by_when else None}
                            for a in self.actions],
                "meeting_on": self.meeting_on.isoformat() if self.meeting_on else None,
                "summary": f"To forward to the {self.to_role}: {self.subject}"}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NoteToForward:
        return cls(str(data["to_role"]), str(data["subject"]), str(data.get("text", "")),
                   tuple(AgreedAction(str(a["what"]), str(a["who"]), opt_date(a.get("by_when")))
                         for a in data.get("actions", ()) if isinstance(a, dict)),
                   opt_date(data.get("meeting_on")))
