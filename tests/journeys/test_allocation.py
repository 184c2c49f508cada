"""Journey: the PPO allocates a case from the console; it appears on the volunteer's laptop with
its brief; the notes written under it arrive at the office under that case; notes under a
mistyped reference are pointed out until the PPO allocates that one too (issue 17, item 4).

All through the shipped programs: the console (Ctrl+Shift+A), the laptop (Send now), the relay.
"""

from __future__ import annotations

from desktop import find_in, press, text, wait_for
from people import (
    CONSOLE,
    MAIN,
    a_morning_with_an_enrolled_laptop,
    cells,
    new_case,
    open_tab,
    sync_status,
    write_record,
)

REFERENCE = "PP-2026-0520"
TYPO = "PP-2026-0502"  # the same digits, two the wrong way round
BRIEF = "Parent of a Year 4 child; draft EHC plan due 15/12; wants help with the response."
ALLOCATE = "Allocate a case"
SUMMARY = "Phoned the parent about the draft plan; agreed to meet at school."


def allocate(office, initial: str, reference: str | None = None, brief: str = "") -> None:  # type: ignore[no-untyped-def]
    """Fill the Allocate dialog (already open) and allocate; the console says it is done."""
    dialog = office.window(ALLOCATE)
    if reference is not None:
        office.type_into(ALLOCATE, office.find(dialog, role="text", name="Case reference"), reference)
    office.type_into(ALLOCATE, office.find(dialog, role="text", name="Parent's initial"), initial)
    if brief:
        office.type_into(ALLOCATE, office.find(dialog, role="text", name="Brief"), brief)
    press(office.find(dialog, role="push button", name="Allocate"))
    office.gone(ALLOCATE)
    done = office.window("Office", timeout=30)
    said = text(office.find(done, role="label", contains="is allocated to"))
    assert "It appears on their laptop at its next sync" in said, said
    press(office.find(done, role="push button", name="OK"))
    office.gone("Office")


def test_a_case_allocated_at_the_office_reaches_the_laptop_and_its_notes_come_back(journey) -> None:
    _morning, _relay, office, app = a_morning_with_an_enrolled_laptop(journey)

    # The PPO allocates the case from the keyboard.
    office.key(CONSOLE, "ctrl+shift+a")
    allocate(office, "H.T.", REFERENCE, BRIEF)

    # The laptop's next sync brings it: the case is in the register, with the brief.
    app.key(MAIN, "ctrl+shift+s")
    main = app.window(MAIN)
    wait_for("the office's words in the status bar", lambda: find_in(
        main, contains=f"Your PPO gave you case {REFERENCE} (parent H.T.)") is not None, timeout=40)
    given = app.find(main, role="push button", contains=f"Open the case — PPO Jane gave you case {REFERENCE}")
    app.activate(MAIN, given)  # Today's item opens the case on the Cases page
    cases = app.find(main, name="Cases", role="table")
    wait_for("the allocated case on the laptop", lambda: REFERENCE in cells(cases), timeout=10)
    app.click(MAIN, wait_for("the case's row", lambda: next(
        (c for c in [find_in(cases, role="table cell", name=REFERENCE)] if c is not None), None)))
    brief = app.find(main, role="label", description="From your PPO")
    wait_for("the brief under the case", lambda: BRIEF in text(brief))
    assert "parent H.T." in text(brief), text(brief)

    # A note under it, and one under a mistyped reference.
    write_record(app, SUMMARY)
    new_case(app, TYPO)
    write_record(app, "Phoned the parent back.")
    app.key(MAIN, "ctrl+shift+s")
    wait_for("the notes to go", lambda: "waiting for the office" in sync_status(app), timeout=40)

    # The office: the allocated case's notes under it; the mistyped one pointed out.
    office.key(CONSOLE, "ctrl+r")
    console = office.window(CONSOLE)
    open_tab(office, CONSOLE, "Inbox")
    inbox_cases = office.find(console, name="Cases")
    office.click(CONSOLE, wait_for("the case in the inbox", lambda: find_in(
        inbox_cases, role="list item", name=REFERENCE), timeout=40))
    records = office.find(console, name="Records of the case")
    wait_for("the note under its case", lambda: any(SUMMARY in c for c in cells(records)), timeout=15)
    note = office.find(console, role="label", description="Allocation")
    wait_for("the allocation shown", lambda: text(note).startswith("Allocated to IPS-07 on "))
    assert "by PPO Jane; parent H.T. Brief: Parent of a Year 4 child" in text(note), text(note)

    office.click(CONSOLE, office.find(inbox_cases, role="list item", name=TYPO))
    wait_for("the warning", lambda: "⚠ Not allocated to IPS-07 from this console" in text(note))
    # The PPO rings the volunteer: it was a second case, given by phone. Allocate it here.
    office.activate(CONSOLE, office.find(console, role="push button", name="Allocate to IPS-07…"))
    dialog = office.window(ALLOCATE)
    assert text(office.find(dialog, role="text", name="Case reference")) == TYPO
    allocate(office, "R")
    wait_for("the warning to go", lambda: text(note).startswith("Allocated to IPS-07 on ")
             and "⚠" not in text(note), timeout=15)
