"""The two lone-working papers (DESIGN §6; handbook Appendix 3).

- The **overdue pack**: one page the office hands to the service manager, the family contact
  or the police when a volunteer has not checked in — who, where, meeting whom by role, due
  when, vehicle, risk flags, last contact, the steps taken so far.
- The **visit card**: what the volunteer carries — when they are due back, whom to ring, the
  exit checklist and the signs that mean "leave now". It names no parent and gives no address,
  so a lost card tells a finder nothing about the family.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from ..domain.escalation import LadderPolicy
from ..domain.risk import ADVICE, QUESTIONS, THREAT_SIGNS
from ..domain.visit_flow import Visit
from ..domain.visits import VENUE_WORDS
from .pdf_base import PAGE_WIDTH, checklist, field_table, render, styles, text


@dataclass(frozen=True)
class Step:
    at: datetime
    what: str


@dataclass(frozen=True)
class OverduePack:
    volunteer: str            # as the office knows them: name and IPS code
    volunteer_phone: str
    reference: str
    visit: Visit
    prepared_at: datetime
    steps: Sequence[Step] = ()
    vehicle: str = ""         # what the volunteer told the office (make, colour, registration)
    description: str = ""     # how to recognise them, if they gave one
    alerted_at: datetime | None = None   # when the ladder really raised the alert (the relay's time)
    duress_at: datetime | None = None    # set for a duress alarm
    duress_words: str = ""
    timeline: Sequence[str] = ()         # the office's ladder, in words


@dataclass(frozen=True)
class VisitCard:
    reference: str
    visit: Visit
    ppo_phone: str
    office_phone: str
    emergency_phone: str = ""  # the out-of-hours Emergency Duty Team


def _when(moment: datetime | None) -> str:
    return f"{moment:%H:%M on %A %d/%m/%Y}" if moment else "—"


def _last_contact(visit: Visit) -> str:
    events = [(visit.approved_at, f"approval recorded ({visit.approved_how})"),
              (visit.ppo_called_at, "phoned the PPO before leaving (poor reception)"),
              (visit.checked_out_at, "checked out for the visit" + ("" if visit.monitored else ", not confirmed as "
                                                                   "monitored")),
              (visit.checked_in_at, "checked in")]
    known = [(t, words) for t, words in events if t is not None]
    if not known:
        return "none recorded"
    at, words = max(known, key=lambda pair: pair[0])
    return f"{at:%H:%M %d/%m/%Y}: {words}"


def overdue_pack(pack: OverduePack) -> bytes:
    s = styles()
    visit = pack.visit
    flags = "\n".join(f"• {QUESTIONS[f]} Yes. {ADVICE[f]}" for f in sorted(visit.risk)) or "None recorded."
    if pack.alerted_at is not None:
        alert = f"{_when(pack.alerted_at)} ({visit.grace_minutes} min grace)"
    else:
        alert = f"not raised yet: due at {_when(visit.alert_at)} ({visit.grace_minutes} min grace)"
    vehicle = pack.vehicle or visit.vehicle or "none given (on foot or public transport)"
    rows = [
        ("Who", f"{pack.volunteer}" + (f", mobile {pack.volunteer_phone}" if pack.volunteer_phone else
                                       ", no mobile number given to the office")),
        ("Where", f"{visit.place}\n({VENUE_WORDS[visit.slot.venue]})"),
        ("Meeting whom", ", ".join(visit.attendees) or "not recorded"),
        ("Case reference", pack.reference),
        ("Visit", f"{visit.slot.start:%H:%M} to {visit.due_at:%H:%M} on {visit.slot.start:%A %d/%m/%Y}"
                  + (f" (extended by {visit.extended_minutes} min)" if visit.extended_minutes else "")),
        ("Due back", _when(visit.due_at)),
        ("Alert raised", alert),
        ("Vehicle", vehicle),
        *([("Description", pack.description)] if pack.description else []),
        ("Risk flags", flags),
        ("Last contact", _last_contact(visit)),
        ("Approval", f"approved by {visit.approved_by} ({visit.approved_how}), {_when(visit.approved_at)}"
                     if visit.approved_at else "public meeting, no approval needed"),
    ]
    if pack.duress_at is not None:
        rows.insert(6, ("Duress", f"raised {_when(pack.duress_at)}. {pack.duress_words}."))
    steps = [(f"{step.at:%H:%M}", step.what) for step in pack.steps] or [("", "No steps recorded yet.")]
    timeline = pack.timeline or LadderPolicy().timeline()
    heading = ("DURESS: DO NOT RING THE VOLUNTEER" if pack.duress_at is not None
               else "OVERDUE VOLUNTEER: NOT CHECKED IN")
    story: list[Flowable] = [
        Paragraph(heading, s["alarm"]),
        Paragraph("Lone-working overdue pack", s["title"]),
        Paragraph(text(f"Prepared {_when(pack.prepared_at)}. Confidential: for the PPO, the service manager, "
                       "the nominated family contact and the police."), s["small"]),
        Spacer(1, 3 * mm),
        field_table(rows, PAGE_WIDTH),
        Paragraph("Steps taken", s["heading"]),
        field_table(steps + [("", "")] * 3, PAGE_WIDTH, 20 * mm),
        Paragraph("What happens next", s["heading"]),
        Paragraph(text("; ".join(timeline) + ". An acknowledgement on the visit board stops the ladder; "
                       "closing the alert needs a reason and is told to everyone who was told."), s["small"]),
    ]
    return render(f"Overdue pack {pack.reference}", story, one_page=True)


def visit_card(card: VisitCard) -> bytes:
    s = styles()
    visit = card.visit
    numbers = [("PPO", card.ppo_phone or "ask your PPO for their number"), ("Office", card.office_phone)]
    if card.emergency_phone:
        numbers.append(("Out of hours (EDT)", card.emergency_phone))
    before = ["Always carry your identification badge.", "Ask yourself: “Who knows where I am?”",
              "Check out in IPS Desktop before you go in."]
    if visit.needs_ppo_call or visit.ppo_called_at:
        before.append("Reception is poor there: phone your PPO before you go in, say where you are and how "
                      "long you expect to be.")
    during = ["Be aware of exits. Try to keep yourself between the client and the door.",
              "Watch for signs of rising tension.",
              "Avoid entering a house if the person you are expecting is not there.",
              "If at any time there appears to be a risk to your health and safety, leave immediately."]
    story: list[Flowable] = [
        Paragraph(text(f"Visit card · case {card.reference}"), s["title"]),
        Paragraph(text(f"{visit.slot.start:%A %d/%m/%Y}, {VENUE_WORDS[visit.slot.venue]}, from "
                       f"{visit.slot.start:%H:%M}"), s["body"]),
        Spacer(1, 3 * mm),
        Paragraph(text(f"Back by {visit.due_at:%H:%M}"), s["big"]),
        Paragraph(text(f"Check in as soon as you leave. If you have not checked in by {visit.alert_at:%H:%M} "
                       "the office is alerted and will try to reach you."), s["body"]),
        Paragraph("Numbers", s["heading"]),
        field_table(numbers, PAGE_WIDTH, 45 * mm),
        Paragraph("Before you go in", s["heading"]),
        checklist(before, PAGE_WIDTH),
        Paragraph("During the visit", s["heading"]),
        *[Paragraph(text(f"• {line}"), s["body"]) for line in during],
        Paragraph("Leave now if you see any of these", s["heading"]),
        *[Paragraph(text(f"• {sign}"), s["small"]) for sign in THREAT_SIGNS],
        Paragraph(text("Say calmly that this is not a good time, and leave. Then tell your PPO. If you are "
                       "threatened or hurt, your PPO will help you record it on Form PO3."), s["body"]),
    ]
    if visit.risk:
        story += [Paragraph("Your risk notes", s["heading"]),
                  *[Paragraph(text(f"• {ADVICE[f]}"), s["small"]) for f in sorted(visit.risk)]]
    return render(f"Visit card {card.reference}", story, one_page=True)
