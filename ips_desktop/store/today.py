"""What needs doing today, gathered from the books for the volunteer's Today view
(docs/architecture.md, "The Today view").

Everything here is read from the vault open now; nothing is written. Each :class:`Item` says
in plain words what it is about and names where the work is done (:class:`Target`), so the
view only lays it out and the main window only routes the click. Reading costs a handful of
queries and opens only the few records a section needs (visits, drafts, papers, the month's
expenses, the office's messages); agreed actions come from the action dates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..domain.actions import action_line, short_day, week_end
from ..domain.claim import ClaimMonth, ClaimState
from ..domain.records import CaseAllocation, CaseDecision, ContactRecord, PapersHeld
from ..domain.referral import deadline, deadline_words
from ..domain.visit_flow import State
from ..domain.visits import VenueKind
from ..domain.words import counted
from .session import VaultSession
from .sync_state import SyncRepository

RECENT_DAYS = 14  # how long a word from the office stays on Today


@dataclass(frozen=True)
class Target:
    """Where an item opens. ``kind`` is one of: record, case, papers, visits, visit_step,
    expenses, send, sent_list."""

    kind: str
    case_id: str = ""
    record_id: str = ""
    step: str = ""  # for visit_step: check_out, check_in or log_call


@dataclass(frozen=True)
class Item:
    text: str    # what the volunteer reads (and a screen reader announces with the button)
    action: str  # the button's words
    target: Target
    urgent: bool = False
    big: bool = False  # the day's next step for a visit: a large button


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Item, ...]


def _visits(session: VaultSession, now: datetime) -> Section:
    items: list[Item] = []
    for view in session.visits.visits(include_finished=False):
        visit, ref, rid = view.visit, view.reference, view.record_id
        start, home = visit.slot.start, visit.slot.venue is VenueKind.PARENT_HOME
        what = f"{'Home visit' if home else 'Meeting'} for case {ref}"
        if visit.state is State.OUT:
            items.append(Item(f"{what}: you checked out. Back by {visit.due_at:%H:%M}.",
                              "I'm back safely — check in", Target("visit_step", view.case_id, rid, "check_in"),
                              urgent=now >= visit.due_at, big=True))
        elif visit.state is State.IN:
            items.append(Item(f"{what}: you are back. Say how it went, so the visit can be closed.",
                              "Record how it went", Target("visits")))
        elif start.date() == now.date():
            at = f"{what} today at {start:%H:%M}"
            if visit.needs_approval and visit.state is State.PLANNED:
                items.append(Item(f"{at}: it needs your PPO's agreement before you go.", "Open Visits",
                                  Target("visits"), urgent=True))
            elif visit.needs_ppo_call:
                items.append(Item(f"{at}: reception is poor there, so phone your PPO before you go in.",
                                  "I've phoned my PPO — log the call",
                                  Target("visit_step", view.case_id, rid, "log_call"), big=True))
            else:
                items.append(Item(f"{at}. Check out when you leave, so the office knows where you are.",
                                  "Check out: I'm leaving now", Target("visit_step", view.case_id, rid, "check_out"),
                                  big=True))
        elif start.date() > now.date() and visit.needs_approval and visit.state is State.PLANNED:
            on = f"on {short_day(start.date())} at {start:%H:%M}"
            items.append(Item(f"{what} {on}: waiting for your PPO's agreement.",
                              "Open Visits", Target("visits")))
    return Section("Visits", tuple(items))


def _claim(session: VaultSession, today: date) -> Section:
    expenses = session.expenses
    items: list[Item] = []
    last = ClaimMonth.of(today).previous()
    claim = expenses.month(last)
    if expenses.status(last).state is ClaimState.OPEN and (claim.items or claim.journeys):
        post_by = last.post_by(expenses.rates)
        late = today > post_by
        items.append(Item(
            f"{last.title} claim not sent yet: £{claim.totals().total:,.2f}. "
            + (f"It was due at the office by {last.due:%d/%m/%Y}: send it now and tell your PPO it is late."
               if late else f"Post it by {short_day(post_by)} so it arrives by the 14th."),
            "Open expenses", Target("expenses"), urgent=late or (post_by - today).days <= 5))
    month = ClaimMonth.of(today)
    status = expenses.status(month)
    claim = expenses.month(month)
    if status.state is ClaimState.OPEN:
        if claim.items or claim.journeys or claim.calls:
            missing = [c.text for c in claim.missing() if c.blocking]
            text = (f"{month.title} so far: £{claim.totals().total:,.2f} "
                    f"({len(claim.items) + len(claim.journeys)} entries). Post it by "
                    f"{short_day(month.post_by(expenses.rates))}.")
            if missing:
                more = f" (and {counted(len(missing) - 1, 'more thing')})" if len(missing) > 1 else ""
                text += f" Still missing: {missing[0].rstrip('.')}{more}."
            items.append(Item(text, "Open expenses", Target("expenses")))
        else:
            items.append(Item(f"Nothing in your {month.title} claim yet. Add a journey, a call or a receipt "
                              "when you spend money for the service.", "Open expenses", Target("expenses")))
    return Section("Expenses", tuple(items))


def _drafts(session: VaultSession) -> Section:
    book = session.book
    refs = book.cases.references()
    items = []
    for stored in book.records.drafts():
        if stored.kind != "contact" or stored.case_id not in refs:
            continue
        record = ContactRecord.from_dict(stored.payload)
        items.append(Item(f"Unfinished {record.kind.value} note for case {refs[stored.case_id]}, "
                          f"last typed {stored.updated_at:%d/%m/%Y %H:%M}.", "Carry on with it",
                          Target("record", stored.case_id, stored.id)))
    return Section("Notes not finished", tuple(items))


def _to_office(session: VaultSession, now: datetime) -> Section:
    book = session.book
    items = []
    for record_id, referral in book.referrals_held():
        by = deadline_words(deadline(referral.approached_at), now)
        items.append(Item(f"A referral is not yet with the office: {by}.",
                          "Send now", Target("send", record_id=record_id), urgent=True))
    waiting = book.unsent_count()
    if waiting:
        many = "1 note is" if waiting == 1 else f"{waiting} notes are"
        items.append(Item(f"{many} waiting to go to the office. They go by themselves when this laptop is online.",
                          "Send now", Target("send")))
    refused = SyncRepository(book.vault, lambda: now).refused()
    if refused:
        reasons = sorted({h.reason or "no reason given" for h in refused})
        items.append(Item(f"The office could not accept {counted(len(refused), 'note')}: {'; '.join(reasons)}. "
                          "Phone your PPO.", "See what has gone", Target("sent_list"), urgent=True))
    return Section("Going to the office", tuple(items))


def _papers(session: VaultSession, today: date) -> Section:
    book = session.book
    refs = book.cases.references()
    items = []
    for stored in book.records.all(kind="papers"):
        papers = PapersHeld.from_dict(stored.payload)
        if papers.returned or stored.case_id not in refs:
            continue
        items.append(Item(f"Case {refs[stored.case_id]}: {papers.description}, lent {papers.received_on:%d/%m/%Y}. "
                          "Post them back with proof of posting.", "Papers held",
                          Target("papers", stored.case_id or ""), urgent=(today - papers.received_on).days > 28))
    return Section("Papers to post back", tuple(items))


def _actions(session: VaultSession, today: date) -> Section:
    items = []
    for todo in session.book.actions_to_do(due_by=week_end(today)):
        items.append(Item(f"{action_line(todo, today)}, case {todo.reference}.", "Open the note",
                          Target("record", todo.case_id, todo.record_id), urgent=todo.late(today)))
    return Section("Agreed actions due this week", tuple(items))


def _office(session: VaultSession, now: datetime) -> Section:
    """What the office said, from what it wrote to the vault: every office message (allocation,
    decision, visit answer, claim status, a check-in the PPO took) leaves a lasting trace here or
    under Visits, so nothing is kept from the sync's passing words."""
    book, since = session.book, now - timedelta(days=RECENT_DAYS)
    refs = book.cases.references(include_closed=False)
    items: list[Item] = []
    for stored in book.records.all(kind="allocation"):
        given = CaseAllocation.from_dict(stored.payload)
        if stored.case_id in refs and given.at >= since:
            items.append(Item(f"{given.by} gave you case {refs[stored.case_id]} on {given.at:%d/%m/%Y}"
                              + (f": {given.brief}" if given.brief else "."), "Open the case",
                              Target("case", stored.case_id or "")))
    for stored in book.records.all(kind="case_decision"):
        decided = CaseDecision.from_dict(stored.payload)
        if stored.case_id in refs and decided.at >= since:
            items.append(Item(f"Case {refs[stored.case_id]}: {decided.words()}", "Open the case",
                              Target("case", stored.case_id or ""), urgent=decided.decision == "stop"))
    for view in session.visits.visits(include_finished=True):
        visit = view.visit
        if visit.state is State.REFUSED and visit.closed_at and visit.closed_at >= since:
            items.append(Item(f"Your PPO did not agree the visit for case {view.reference} on "
                              f"{short_day(visit.slot.start.date())}: {visit.refused_reason or 'no reason given'}.",
                              "Open Visits", Target("visits"), urgent=True))
        elif (visit.state is State.APPROVED and visit.approved_how == "office message"
              and visit.slot.start >= now - timedelta(hours=1)):
            items.append(Item(f"Your PPO agreed the home visit for case {view.reference} on "
                              f"{short_day(visit.slot.start.date())} at {visit.slot.start:%H:%M}.",
                              "Open Visits", Target("visits")))
    expenses = session.expenses
    for month in (ClaimMonth.of(now.date()), ClaimMonth.of(now.date()).previous()):
        status = expenses.status(month)
        if status.state is ClaimState.RETURNED:
            reason = (status.reason or "no reason given").rstrip(". ")
            items.append(Item(f"Your {month.title} claim came back: {reason}. "
                              "Put it right and send it again.", "Open expenses", Target("expenses"), urgent=True))
        elif status.state in (ClaimState.RECEIVED, ClaimState.APPROVED):
            word = "approved for payment" if status.state is ClaimState.APPROVED else "received"
            items.append(Item(f"The office has {word} your {month.title} claim.", "Open expenses",
                              Target("expenses")))
    return Section("From the office", tuple(items))


def gather(session: VaultSession, now: Callable[[], datetime]) -> list[Section]:
    """Today's sections, in the order the view shows them (empty ones included)."""
    at = now()
    today = at.date()
    return [_visits(session, at), _office(session, at), _to_office(session, at), _drafts(session),
            _actions(session, today), _papers(session, today), _claim(session, today)]
