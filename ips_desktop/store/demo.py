"""Sample cases for ``ips-desktop --demo``: realistic notes written the way the handbook asks
(references, roles and initials, no names), so a newcomer sees what good records look like."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from ..domain.claim import ClaimMonth
from ..domain.expenses import Category, ExpenseItem, ExpenseRates, Journey, PhoneCall
from ..domain.records import (
    AgreedAction,
    CaseAllocation,
    Consent,
    ContactKind,
    ContactRecord,
    Level1Contact,
    Level1Focus,
    PapersHeld,
    SafeguardingNote,
)
from ..domain.visits import Slot, VenueKind, VisitPolicy
from .casebook import CaseBook
from .errors import VaultError
from .expensebook import ExpenseBook, Prepare, no_receipts
from .visitbook import VisitBook

DEMO_PASSPHRASE = "demo only — not for real cases"  # noqa: S105 (shown on screen by design)

_Note = tuple[ContactKind, int, str, tuple[str, ...], str, tuple[tuple[str, str, int], ...],
              tuple[tuple[str, str], ...]]
_CASES: list[tuple[str, list[_Note]]] = [
    ("PP-2026-0142", [
        (ContactKind.TELEPHONE, 35, "H.T.", ("parent",),
         "Parent worried that the draft EHCP does not describe the speech and language support the child "
         "gets now. Talked through the 15-day response period and how to set out comments section by "
         "section. Parent will gather the latest SALT report.",
         (("Send the parent the guide to responding to a draft plan", "IPS", 21),
          ("Ask the SENCO for the latest SALT report", "parent", 18)),
         (("SENCO", "verbally on the phone"),)),
        (ContactKind.MEETING, 80, "H.T.", ("parent", "SENCO", "class teacher"),
         "Meeting at school to prepare comments on the draft plan. SENCO agreed section F should name "
         "weekly sessions with the speech and language therapist. Parent felt heard.",
         (("Send written comments to the LA SEN officer", "parent", 17),), ()),
    ]),
    ("PP-2026-0157", [
        (ContactKind.TELEPHONE, 20, "R.M.", ("parent",),
         "Parent asked about the annual review: who is invited, and how to share the child's views. "
         "Explained the IPS role and confidentiality. Offered to attend the review.",
         (("Confirm the review date with the parent", "IPS", 24),), ()),
        (ContactKind.LETTER, 15, "R.M.", ("parent",),
         "Wrote to the parent with the annual review checklist and the leaflet on sharing the child's views, "
         "as agreed on the phone.", (), ()),
    ]),
    ("PP-2026-0163", [
        (ContactKind.HOME_VISIT, 60, "S.K.", ("parent",),
         "Home visit agreed with the PPO. Parent described fixed-term exclusions this term. Explained the "
         "exclusion guidance and the right to make representations to the governors.",
         (("Research the governors' panel dates", "IPS", 30),), ()),
    ]),
]


def fill(book: CaseBook, today: date) -> None:
    """Write the sample cases and a Level 1 tally into an empty demo vault."""
    for offset, (reference, notes) in enumerate(_CASES):
        case_id = book.open_case(reference)
        for n, (kind, minutes, initials, roles, summary, actions, consents) in enumerate(notes):
            when = datetime.combine(today - timedelta(days=20 - 6 * n - offset), datetime.min.time())
            when = when.replace(hour=10 + n)
            record = ContactRecord(
                kind, when, minutes, initials, roles, summary,
                tuple(AgreedAction(what, who, when.date() + timedelta(days=d)) for what, who, d in actions),
                tuple(Consent(whom, how, when.date()) for whom, how in consents),
                handwritten_notes_destroyed=True,
            )
            book.save(None, case_id, record)
        if reference == "PP-2026-0142":  # papers lent by the parent, still to post back
            book.save(None, case_id, PapersHeld("Copy of the draft EHC plan and the SALT report",
                                                today - timedelta(days=14)))
    urgent = book.open_case("PP-2026-0171")
    book.save(None, urgent, ContactRecord(
        ContactKind.TELEPHONE, datetime.combine(today, datetime.min.time()).replace(hour=11), 25, "L.B.",
        ("parent",), "Parent mentioned worries at home that raised a safeguarding concern. Did not ask "
        "leading questions. Rang the PPO straight after the call.",
        safeguarding=SafeguardingNote(datetime.combine(today, datetime.min.time()).replace(hour=11, minute=40),
                                      None, "Told the PPO what was said and why it worried me.")))
    book.save_draft(None, urgent, ContactRecord(ContactKind.EMAIL, datetime.combine(
        today, datetime.min.time()).replace(hour=15), 10, summary="Draft: follow-up e-mail to the PPO about"))
    for category, signposted, focus in (("transport", "council school transport team", Level1Focus.CHILD),
                                        ("benefits", "Citizens Advice", Level1Focus.PARENT)):
        book.add_level1(Level1Contact(today, category, signposted, focus))


def fill_office(book: CaseBook, now: datetime) -> None:
    """A word from the office: a case the PPO has just given this volunteer."""
    book.receive_allocation("PP-2026-0180", CaseAllocation(
        "M", "Parent asked for help preparing for a first EHC needs assessment meeting.", "Jane (PPO)",
        now - timedelta(hours=20)))


def _working_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def fill_visits(book: CaseBook, now: datetime) -> None:
    """A meeting in a library later today (or on the next working day) and a home visit the
    office has agreed, two working days on, so the visit screens and Today have something."""
    visits = VisitBook(book, lambda: now, VisitPolicy)
    cases = {c.reference: c.id for c in book.case_list()}
    soon = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if soon.weekday() >= 5 or soon.hour < 9 or soon.hour > 15:
        soon = datetime.combine(_working_day(now.date() + timedelta(days=1)), datetime.min.time()).replace(hour=10)
    later = datetime.combine(_working_day(soon.date() + timedelta(days=2)), datetime.min.time()).replace(hour=11)
    try:
        visits.plan(cases["PP-2026-0157"], Slot(VenueKind.PUBLIC, soon, 60), place="Exeter Central Library",
                    attendees=("parent",))
        home = visits.plan(cases["PP-2026-0163"], Slot(VenueKind.PARENT_HOME, later, 60, ppo_agreed_home=True),
                           place="The parent's home (address given to the PPO)", attendees=("parent",),
                           vehicle="Blue Ford Fiesta")
        visits.approve_by_office(home, "Jane (PPO)", now - timedelta(hours=2))
    except (VaultError, ValueError):
        pass  # a rule the sample cannot meet at this hour: the demo opens without it


def fill_expenses(book: CaseBook, today: date, prepare: Prepare = no_receipts) -> None:
    """This month so far: a journey, parking with its ticket, stamps (receipt still to add), and
    a call."""
    expenses = ExpenseBook(book, lambda: datetime.combine(today, datetime.min.time()), ExpenseRates, prepare)
    month = ClaimMonth.of(today)
    day = today.replace(day=max(1, today.day - 2))
    expenses.add_journey(month, Journey(day, "Crediton", "Exeter", "PP-2026-0142", Decimal("18.4")))
    parking = expenses.add_item(month, ExpenseItem(day, Category.PARKING, Decimal("3.40"),
                                                   "Parking for the PP-2026-0142 school meeting"))
    if prepare is not no_receipts:
        expenses.attach_receipt_data(parking, "parking-ticket.png", _ticket())
    expenses.add_item(month, ExpenseItem(today, Category.POSTAGE, Decimal("1.70"), "Papers returned to a parent, "
                                                                                   "proof of posting"))
    expenses.add_call(month, PhoneCall(day, "01392 383080", 12, "PP-2026-0142"))


def _ticket() -> bytes:
    """A car park ticket, drawn as a phone photo of one would look."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 640), "white")
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(("Exeter City Council", "Car park: Mary Arches", "Pay and display", "",
                              "2 hours", "Amount paid  GBP 3.40", "Keep this ticket")):
        draw.text((40, 60 + 60 * n), line, fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
