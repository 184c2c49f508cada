"""The figures for a report to the Steering Group (issue 17, item 14).

Handbook: "A Steering Group … will meet 3 times per year to monitor the delivery of the Devon
Parent Partnership Service"; the service reports "IPS training, activity and feedback from
service users". Pure: the office gathers plain facts for a period (office/steering.py) and this
module counts them. Nothing here identifies a family: no case references, no names; volunteers
appear only as a count; the quoted comments were screened when the PPO typed them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from .feedback import RATINGS, SUPPORT, Feedback


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __contains__(self, moment: date | datetime) -> bool:
        day = moment.date() if isinstance(moment, datetime) else moment
        return self.start <= day <= self.end

    @property
    def words(self) -> str:
        return f"{self.start.day} {self.start:%B %Y} to {self.end.day} {self.end:%B %Y}"


@dataclass(frozen=True)
class Contact:
    kind: str
    on: datetime
    minutes: int
    volunteer: str


@dataclass(frozen=True)
class Alert:
    """A visit the ladder went past the PPO for, from the relay's board."""

    escalated: bool  # told beyond the PPO
    duress: bool
    closed_reason: str


@dataclass(frozen=True)
class Facts:
    """What happened, as the office holds it; each list already cut to the period by the caller."""

    contacts: list[Contact] = field(default_factory=list)
    cases_opened: int = 0
    cases_closed: int = 0
    event_hours: Decimal = Decimal(0)
    events: int = 0
    families_at_events: int = 0
    referrals: int = 0
    level1: list[tuple[str, str]] = field(default_factory=list)  # (category, focus)
    home_visits: int = 0
    public_meetings: int = 0
    difficult_visits: int = 0
    alerts: list[Alert] | None = None  # None: no relay, so no alerts to count
    incidents: int = 0
    incidents_reported_to_hse: int = 0
    feedback: list[Feedback] = field(default_factory=list)
    claims: int = 0
    claims_total: Decimal = Decimal(0)
    claims_miles: Decimal = Decimal(0)


@dataclass(frozen=True)
class Figures:
    period: Period
    rows: list[tuple[str, str, str]]  # (section, item, value), as in the CSV
    contacts_by_kind: list[tuple[str, int]]
    level1_by_category: list[tuple[str, int]]
    ratings: list[tuple[str, int]]
    support_kinds: list[tuple[str, int]]
    comments: list[tuple[str, str]]  # ("helpful" | "improve", text)
    empty: bool


def _hours(minutes: int) -> str:
    return str((Decimal(minutes) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP))


def figures(period: Period, facts: Facts) -> Figures:
    rows: list[tuple[str, str, str]] = []

    def add(section: str, item: str, value: object) -> None:
        rows.append((section, item, str(value)))

    by_kind = Counter(c.kind for c in facts.contacts)
    contacts_by_kind = sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))
    add("IPS activity", "Volunteers with recorded contacts", len({c.volunteer for c in facts.contacts}))
    add("IPS activity", "Contacts recorded", len(facts.contacts))
    for kind, n in contacts_by_kind:
        add("IPS activity", f"Contacts: {kind}", n)
    add("IPS activity", "Hours with families (contacts)", _hours(sum(c.minutes for c in facts.contacts)))
    add("IPS activity", "Cases opened", facts.cases_opened)
    add("IPS activity", "Cases closed", facts.cases_closed)
    add("IPS activity", "Events and community work", facts.events)
    add("IPS activity", "Hours at events", f"{facts.event_hours:.1f}")
    add("IPS activity", "Families who approached volunteers at events", facts.families_at_events)
    add("IPS activity", "Referrals passed to the office", facts.referrals)

    level1 = Counter(category for category, _ in facts.level1)
    level1_by_category = sorted(level1.items(), key=lambda kv: (-kv[1], kv[0]))
    add("Level 1 contacts", "Total", len(facts.level1))
    for category, n in level1_by_category:
        add("Level 1 contacts", category, n)
    focus = Counter(f for _, f in facts.level1)
    for name in ("child", "parent"):
        add("Level 1 contacts", f"Mainly about a {name}", focus.get(name, 0))

    add("Home visits and safety", "Home visits planned", facts.home_visits)
    add("Home visits and safety", "Meetings in public places planned", facts.public_meetings)
    add("Home visits and safety", "Visits the volunteer marked difficult", facts.difficult_visits)
    if facts.alerts is None:
        add("Home visits and safety", "Overdue alerts", "not known (the office works through a drop folder)")
    else:
        add("Home visits and safety", "Overdue alerts (the PPO was told)", len(facts.alerts))
        add("Home visits and safety", "Alerts that went beyond the PPO", sum(a.escalated for a in facts.alerts))
        add("Home visits and safety", "Duress alarms", sum(a.duress for a in facts.alerts))
        for reason, n in sorted(Counter(a.closed_reason or "still open" for a in facts.alerts).items()):
            add("Home visits and safety", f"Alerts closed: {reason}", n)
    add("Home visits and safety", "Incidents (Form PO3)", facts.incidents)
    add("Home visits and safety", "Incidents reported to the HSE", facts.incidents_reported_to_hse)

    ratings_count = Counter(f.rating for f in facts.feedback if f.rating)
    ratings = [(r, ratings_count.get(r, 0)) for r in RATINGS]
    support_count = Counter(s for f in facts.feedback for s in f.support)
    support_kinds = [(s, support_count.get(s, 0)) for s in SUPPORT]
    add("Feedback from service users", "Questionnaires", len(facts.feedback))
    add("Feedback from service users", "Asked before support ended", sum(f.early for f in facts.feedback))
    for rating, n in ratings:
        add("Feedback from service users", f"Rated {rating.lower()}", n)
    for kind, n in support_kinds:
        add("Feedback from service users", f"Supported by: {kind.lower()}", n)
    for question, name in (("Had the leaflet about IPS", "leaflet"), ("Contacted in office hours", "office_hours"),
                           ("Offered babysitting (should be none)", "offered_babysitting"),
                           ("Found the support unbiased", "unbiased")):
        answers = Counter(getattr(f, name) for f in facts.feedback)
        add("Feedback from service users", f"{question}: yes", answers.get("yes", 0))
        add("Feedback from service users", f"{question}: no", answers.get("no", 0))
    comments = [(kind, text) for f in facts.feedback for kind, text in (("helpful", f.helpful), ("improve", f.improve))
                if text.strip()]

    add("Expenses", "Claims received", facts.claims)
    add("Expenses", "Total claimed (£)", f"{facts.claims_total:.2f}")
    add("Expenses", "Miles claimed", f"{facts.claims_miles:.1f}")

    empty = not (facts.contacts or facts.level1 or facts.feedback or facts.claims or facts.events or facts.referrals
                 or facts.home_visits or facts.public_meetings or facts.incidents or facts.cases_opened
                 or facts.cases_closed or facts.alerts)
    return Figures(period, rows, contacts_by_kind, level1_by_category, ratings, support_kinds, comments, empty)


def csv_text(figures: Figures) -> str:
    """The figures as CSV (section, item, value), for a spreadsheet beside the PDF."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("section", "item", "value"))
    writer.writerow(("Period", "From", figures.period.start.isoformat()))
    writer.writerow(("Period", "To", figures.period.end.isoformat()))
    writer.writerows(figures.rows)
    return out.getvalue()
