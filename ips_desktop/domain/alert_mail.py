"""The overdue ladder's messages, each written for its reader (docs/architecture.md, "The
overdue ladder"): the PPO, every office user, the service manager, the family contact and
whoever makes the police decision. Plain text, HTML and a short SMS from one structure, so the
three never disagree.

Every message says who (first name and IPS code), when they were due back (a clock time in
England), what is known (the grace, poor reception, how many risk answers were "yes"), what to
do now (whom to ring, on which number) and what happens next and when. The relay holds only what
these need: the volunteer's first name and mobile, the office's phone number, and the family
contact's address; never the place, a surname, a case reference or the risk answers themselves.

Pure: :func:`render` takes the stored facts of one notice and a reader.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .addresses import display_mobile
from .escalation import (
    READER_WORDS,
    Kind,
    LadderPolicy,
    NextStep,
    Reader,
    Watch,
    clock,
    day_and_clock,
)


@dataclass(frozen=True)
class Volunteer:
    """What the relay knows of a volunteer, for the messages: set by the office."""

    code: str
    first_name: str = ""
    mobile: str = ""

    @property
    def called(self) -> str:
        return f"{self.first_name} ({self.code})" if self.first_name else self.code

    @property
    def first(self) -> str:
        return self.first_name or f"the volunteer ({self.code})"


@dataclass(frozen=True)
class Alert:
    """The facts of one notice, as the relay stores them beside it (so a retried message says
    exactly what the first try said)."""

    kind: Kind
    watch: Watch
    at: int
    volunteer: Volunteer
    next: NextStep | None = None

    def to_dict(self) -> dict[str, Any]:
        nxt = None if self.next is None else {"at": self.next.at, "readers": [r.value for r in self.next.readers],
                                              "why": self.next.why}
        return {"kind": self.kind.value, "watch": self.watch.to_dict(), "at": self.at, "next": nxt,
                "volunteer": {"code": self.volunteer.code, "first_name": self.volunteer.first_name,
                              "mobile": self.volunteer.mobile}}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Alert:
        n = d.get("next")
        nxt = NextStep(int(n["at"]), tuple(Reader(r) for r in n["readers"]), str(n.get("why", ""))) if n else None
        v = d.get("volunteer", {})
        return cls(Kind(d["kind"]), Watch.from_dict(d["watch"]), int(d["at"]),
                   Volunteer(str(v.get("code", "")), str(v.get("first_name", "")), str(v.get("mobile", ""))), nxt)


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str
    sms: str


@dataclass
class _Draft:
    heading: str
    intro: list[str] = field(default_factory=list)
    known: list[tuple[str, str]] = field(default_factory=list)
    todo: list[str] = field(default_factory=list)
    then: str = ""


def _ring_office(ladder: LadderPolicy) -> str:
    return f"the office on {ladder.office_phone}" if ladder.office_phone else "the office"


def _ring_volunteer(v: Volunteer, office_side: bool) -> str:
    if v.mobile:
        return f"Ring {v.first} on {display_mobile(v.mobile)}."
    where = " (the number is in the overdue pack on the visit board)" if office_side else ""
    return f"Ring {v.first}{where}."


def _known(w: Watch, a: Alert) -> list[tuple[str, str]]:
    rows = [("Due back", day_and_clock(w.due)),
            ("Alert raised", f"{clock(w.alerted_at)}, after {w.grace_s // 60} minutes' grace" if w.alerted_at
             else "not yet")]
    rows.append(("Reception", "poor where the visit is: the volunteer was to ring the PPO before going in"
                 if w.poor_reception else "no problem expected"))
    rows.append(("Risk answers", f"{w.risk_flags} flagged on the plan (see the overdue pack)" if w.risk_flags
                 else "none flagged on the plan"))
    if w.told:
        rows.append(("Told so far", ", ".join(READER_WORDS[r] for r in w.told)))
    if w.acknowledged_by:
        rows.append(("Acknowledged", f"by {w.acknowledged_by} at {clock(w.acknowledged_at)}"))
    return rows


def _then(a: Alert) -> str:
    if a.next is None:
        return ("Nobody else is told automatically now. The alert stays on the visit board until someone in the "
                "office closes it with a reason.")
    who = " and ".join(READER_WORDS[r] for r in a.next.readers)
    return f"At {clock(a.next.at)}, {a.next.why}: {who} will be told."


def _alert(a: Alert, reader: Reader, ladder: LadderPolicy) -> _Draft:
    w, v = a.watch, a.volunteer
    late = max(0, (a.at - w.due) // 60)
    d = _Draft(f"OVERDUE: {v.called} has not checked in")
    office_side = reader is not Reader.FAMILY
    if reader is Reader.FAMILY:
        d.heading = f"{v.first} has not checked in after a visit"
        d.intro = [f"{v.first} volunteers with {ladder.office_name} and named you as the person to contact if they "
                   f"do not get back in touch after a visit. {v.first} was due back at {clock(w.due)} and has not "
                   "checked in."]
        if w.no_cover:
            d.intro.append("The office is closed at the moment, so you are being told straight away.")
        d.todo = [_ring_volunteer(v, False),
                  f"If you reach {v.first}, ask them to ring {_ring_office(ladder)}"
                  + (" (or, if the office is closed, to check in on their phone or laptop)." if w.no_cover else "."),
                  f"If you cannot reach {v.first} and you are worried for their safety, ring 999, say a lone worker "
                  f"has not come back from a visit, and that {ladder.office_name} has the details of where they "
                  "went."]
        d.known = [("Due back", day_and_clock(w.due))]
        if w.no_cover:
            d.then = (f"The office is closed, so do not wait for it: if you cannot reach {v.first}, ring 999 as "
                      "above. You will get another message when someone takes the alert on and when it is closed.")
        else:
            d.then = ("Someone from the office will be in touch. You will get another message when the alert is "
                      "taken on and when it is closed.")
        return d
    if reader is Reader.POLICE:
        d.heading = f"POLICE DECISION: {v.called} is {late} minutes overdue"
        d.intro = [f"{v.called} is {late} minutes overdue from a visit and nobody has acknowledged the alert."]
        d.todo = ["Decide now whether to call the police.",
                  _ring_volunteer(v, True) + " If there is no answer:",
                  "Ring 999, say a lone worker has not come back from a visit, and give them the overdue pack "
                  "(IPS Office ▸ Visit board ▸ Overdue pack…): where, whom by role, the vehicle, the risk answers "
                  "and every step taken.",
                  "Acknowledge on the visit board, so everyone knows who is dealing with it."]
    else:
        if reader is Reader.OFFICE:
            d.intro = [f"Nobody has acknowledged the alert for {v.called}. They were due back at {clock(w.due)}."]
        elif reader is Reader.MANAGER:
            d.intro = [f"{v.called} has not checked in from a visit and is {late} minutes overdue. The PPO was told "
                       f"at {clock(w.alerted_at)}" + ("; nobody has acknowledged yet." if not w.acknowledged_by
                                                      else ".")]
        else:
            d.intro = [f"{v.called} has not checked in from a visit. They were due back at {clock(w.due)} and the "
                       f"{w.grace_s // 60} minutes' grace has passed."]
        d.todo = [_ring_volunteer(v, office_side),
                  "Acknowledge on the visit board in IPS Office, so everyone knows you have it and the ladder stops.",
                  "If you cannot reach them, open the overdue pack from the board: where they went, whom they met "
                  "by role, their vehicle and the steps taken."]
        if reader is Reader.MANAGER:
            d.todo.insert(0, "Make sure someone in the office has taken it on: ring the PPO if the board shows no "
                          "acknowledgement.")
    if w.no_cover:
        d.intro.append(f"The office has no cover now (its hours are {ladder.cover_from:%H:%M} to "
                       f"{ladder.cover_until:%H:%M} on working days), so the family contact and the police decision "
                       "were told at the same time.")
    d.known = _known(w, a)
    d.then = _then(a)
    return d


def _duress(a: Alert, reader: Reader, ladder: LadderPolicy) -> _Draft:
    w, v = a.watch, a.volunteer
    d = _Draft(f"DURESS: {v.called} needs help")
    when = clock(w.duress_at or a.at)
    how = (f"pressed “I need help” on the phone check-in page at {when}." if w.asked_for_help else
           f"used the duress PIN at {when}. Their screen showed a normal check-in, so whoever is with them "
           "believes they checked in.")
    d.intro = [ladder.duress_words + ".", f"{v.called} {how}"]
    d.todo = [f"Do not ring {v.first}: a call could put them in danger.",
              "Ring the police on 999 now and give them the overdue pack (IPS Office ▸ Visit board ▸ Overdue pack…): "
              "where they are, whom they met by role, their vehicle.",
              "Acknowledge on the visit board, so everyone knows who is dealing with it."]
    if reader is not Reader.POLICE:
        d.todo.append(f"The office's number: {ladder.office_phone}." if ladder.office_phone else
                      "Keep the office told.")
    d.known = _known(w, a)
    d.then = ("The alarm stays on the visit board until someone in the office closes it, after speaking to the "
              "volunteer or the police.")
    return d


def _update(a: Alert, reader: Reader, ladder: LadderPolicy) -> _Draft:
    w, v = a.watch, a.volunteer
    if w.duress:
        d = _Draft(f"DURESS continues: a check-in came from {v.called}")
        d.intro = [f"A check-in came at {clock(w.checked_in_at)} ({w.checked_in_how}) after the duress alarm. It may "
                   "have been forced too.", ladder.duress_words + "."]
        d.then = "The duress alarm stands until the office closes it, after speaking to the volunteer or the police."
        return d
    d = _Draft(f"Checked in: {v.called} is safe")
    d.intro = [f"{v.first} checked in at {clock(w.checked_in_at)} ({w.checked_in_how})."]
    if reader is Reader.FAMILY:
        d.then = "You do not need to do anything more. Thank you."
    else:
        d.then = "Nothing more is sent automatically. Close the alert on the visit board with a reason."
    return d


def _acknowledged(a: Alert, reader: Reader, ladder: LadderPolicy) -> _Draft:
    w, v = a.watch, a.volunteer
    d = _Draft(f"{'DURESS: ' if w.duress else ''}Acknowledged: {w.acknowledged_by} is dealing with {v.called}")
    d.intro = [f"{w.acknowledged_by} acknowledged the alert for {v.called} at {clock(w.acknowledged_at)} and is "
               "dealing with it."]
    if w.duress:
        d.intro.append(ladder.duress_words + ".")
    if reader is Reader.FAMILY:
        d.then = (f"The office is dealing with it now; you do not need to do anything unless {v.first} rings you. "
                  "You will get a message when it is closed.")
    else:
        d.then = "Nobody else is told automatically now. You will get a message when the alert is closed."
    return d


def _closed(a: Alert, reader: Reader, ladder: LadderPolicy) -> _Draft:
    w, v = a.watch, a.volunteer
    if a.kind is Kind.CLOSED:
        d = _Draft(f"Closed: incident, {v.called}")
        d.intro = [f"{w.closed_by} closed the alert for {v.called} at {clock(w.closed_at)} as an incident."]
        d.then = ("The PPO will follow it up with the volunteer and record it on Form PO3. This is not an "
                  "all-clear: ring the office if you need to know more.")
        return d
    d = _Draft(f"All clear: the drill for {v.called} is over" if w.drill else f"All clear: {v.called} is safe")
    d.intro = [f"{w.closed_by} closed the alert for {v.called} at {clock(w.closed_at)}: {w.closed_reason}."]
    d.then = "Nothing more to do. Thank you." if reader is Reader.FAMILY else "Nothing more to do."
    return d


_DRAFTS = {Kind.ALERT: _alert, Kind.DURESS: _duress, Kind.UPDATE: _update, Kind.ACKNOWLEDGED: _acknowledged,
           Kind.ALL_CLEAR: _closed, Kind.CLOSED: _closed}
DRILL_LINE = "THIS IS A DRILL: nobody is in danger. It practises the overdue ladder; act as your drill plan says."


def render(alert: Alert, reader: Reader, ladder: LadderPolicy) -> Mail:
    d = _DRAFTS[alert.kind](alert, reader, ladder)
    drill = alert.watch.drill
    subject = ("DRILL — " if drill else "") + d.heading
    footer = (f"Sent by the overdue ladder of {ladder.office_name} at {day_and_clock(alert.at)}, for "
              f"{READER_WORDS[reader]}. Replies are not read: ring {_ring_office(ladder)}.")
    lines = ([DRILL_LINE, ""] if drill else []) + [d.heading, ""] + [p for para in d.intro for p in (para, "")]
    if d.todo:
        lines += ["What to do now:"] + [f"{n}. {step}" for n, step in enumerate(d.todo, 1)] + [""]
    if d.known:
        lines += ["What is known:"] + [f"- {k}: {val}" for k, val in d.known] + [""]
    if d.then:
        lines += ["What happens next:", d.then, ""]
    lines += ["--", footer]
    text = "\n".join(lines) + "\n"

    e = html.escape
    parts = ['<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>' + e(subject) + "</title></head>"
             '<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.4">']
    if drill:
        parts.append(f'<p style="background:#fff3cd;padding:8px;font-weight:bold">{e(DRILL_LINE)}</p>')
    alarm = alert.kind in (Kind.ALERT, Kind.DURESS) or (alert.kind is Kind.UPDATE and alert.watch.duress)
    colour = "#b00020" if alarm else "#1b5e20"
    parts.append(f'<h1 style="color:{colour};font-size:22px">{e(d.heading)}</h1>')
    parts += [f"<p>{e(p)}</p>" for p in d.intro]
    if d.todo:
        parts.append("<h2>What to do now</h2><ol>" + "".join(f"<li>{e(s)}</li>" for s in d.todo) + "</ol>")
    if d.known:
        parts.append("<h2>What is known</h2><table>" + "".join(
            f'<tr><th scope="row" style="text-align:left;padding-right:12px">{e(k)}</th><td>{e(val)}</td></tr>'
            for k, val in d.known) + "</table>")
    if d.then:
        parts.append(f"<h2>What happens next</h2><p>{e(d.then)}</p>")
    parts.append(f'<p style="color:#555;font-size:13px">{e(footer)}</p></body></html>')

    first = d.todo[0] if d.todo else d.then
    sms = f"{subject}. {first} Office: {ladder.office_phone or 'see e-mail'}."
    return Mail(subject, text, "".join(parts), sms[:480])
