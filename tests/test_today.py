"""What the Today page lists, read from a real vault filled through the demo's own code path:
each section has the items a volunteer would expect, with where each one opens."""

from __future__ import annotations

from datetime import timedelta

from conftest import Clock

from ips_desktop.domain.expenses import ExpenseRates
from ips_desktop.domain.visits import VisitPolicy
from ips_desktop.reports.receipts import prepare_receipt
from ips_desktop.store import demo
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.session import VaultSession
from ips_desktop.store.today import Section, gather
from ips_desktop.store.vault import VaultConnection


def _session(vault: VaultConnection, clock: Clock) -> VaultSession:
    session = VaultSession(clock, VisitPolicy, ExpenseRates, prepare_receipt)
    session.open(vault)
    return session


def _by_title(sections: list[Section]) -> dict[str, list[str]]:
    return {s.title: [f"{i.action}: {i.text}" for i in s.items] for s in sections}


def test_an_empty_vault_has_only_the_months_claim(vault: VaultConnection, clock: Clock) -> None:
    shown = {t: items for t, items in _by_title(gather(_session(vault, clock), clock)).items() if items}
    assert list(shown) == ["Expenses"]
    assert shown["Expenses"][0].startswith("Open expenses: Nothing in your November 2026 claim yet")


def test_the_demo_fills_every_section_and_each_item_says_where_it_opens(vault: VaultConnection, book: CaseBook,
                                                                       clock: Clock) -> None:
    today = clock().date()  # Monday 23 November 2026, 10:00
    demo.fill(book, today)
    demo.fill_visits(book, clock())
    demo.fill_office(book, clock())
    demo.fill_expenses(book, today, prepare_receipt)
    session = _session(vault, clock)
    sections = gather(session, clock)
    shown = _by_title(sections)

    assert shown["Visits"] == ["Check out: I'm leaving now: Meeting for case PP-2026-0157 today at 11:00. Check out "
                               "when you leave, so the office knows where you are."]
    office = shown["From the office"]
    assert any("Jane (PPO) gave you case PP-2026-0180" in line for line in office)
    assert any("Your PPO agreed the home visit for case PP-2026-0163 on Wed 25 Nov at 11:00" in line
               for line in office)
    assert shown["Going to the office"][0].startswith("Send now: ")
    assert shown["Notes not finished"] == [
        "Carry on with it: Unfinished email note for case PP-2026-0171, last typed 23/11/2026 10:00."]
    assert shown["Papers to post back"][0].startswith("Papers held: Case PP-2026-0142: Copy of the draft EHC plan")
    assert any(line.startswith("Open the note: Late, was due") for line in shown["Agreed actions due this week"])
    claim = shown["Expenses"][-1]
    assert "November 2026 so far: £" in claim
    assert "1 item without a receipt" in claim, "the parking ticket is attached"

    targets = {i.action: i.target for s in sections for i in s.items}
    assert targets["Check out: I'm leaving now"].step == "check_out"
    assert targets["Carry on with it"].kind == "record"
    assert targets["Papers held"].kind == "papers"

    # The meeting under way: the next step is the check-in, urgent once it is due.
    visit = session.visits.visits(include_finished=False)[0]
    session.visits.check_out(visit.record_id)
    clock.now += timedelta(hours=2, minutes=1)
    (check_in,) = next(s for s in gather(session, clock) if s.title == "Visits").items
    assert check_in.action == "I'm back safely — check in"
    assert check_in.urgent
    assert check_in.big
