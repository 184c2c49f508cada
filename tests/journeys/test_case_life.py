"""Journey: a case's notes stay on the laptop while the case is open, its agreed actions are
followed up, and closing it tells the office, through the shipped programs (issue 17, items 1–3).

A note with an agreed action "by" two days on is typed with the keyboard alone → the editor points
out that no consent for the SENCO is recorded → the status bar counts the action due this week →
the week's list marks it done. The notes reach the office and the office's receipt comes back →
six weeks on (the shared clock)
the note is still in the case → the parent's papers are still out, so closing the case warns
first → the office's inbox shows the case closed, with the papers still out → once the office
has that too, the note leaves the laptop.
"""

from __future__ import annotations

from datetime import timedelta

from desktop import find_all, find_in, press, showing, text, wait_for
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
SUMMARY = "Parent and SENCO agreed the speech and language sessions; parent will send the draft plan."
PAPERS = "Papers held"
CLOSE = "Close case"
DUE = "Agreed actions due this week"
ACTION = "Ring the SENCO about the plan"


def send_and_confirm(app, office) -> None:  # type: ignore[no-untyped-def]
    """Send now; the office pulls; Send now again brings the office's receipt back."""
    app.key(MAIN, "ctrl+shift+s")
    wait_for("the laptop to send", lambda: "waiting for the office" in sync_status(app), timeout=40)
    office.key(CONSOLE, "ctrl+r")
    app.key(MAIN, "ctrl+shift+s")
    wait_for("the office's receipt on the laptop", lambda: "All sent" in sync_status(app), timeout=40)


def notes_listed(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The lines of the open case's list of records, as the screen shows them."""
    return [text(n) for n in find_all(app.find(app.window(MAIN), name="Notes"), role="list item")]


def due_button(app):  # type: ignore[no-untyped-def]
    """The status bar's count of actions due this week, if it shows."""
    return find_in(app.window(MAIN), role="push button", contains="due this week")


def note_with_an_action(app, by: str) -> None:  # type: ignore[no-untyped-def]
    """A record whose agreed action is typed with the keyboard alone: Add action opens the first
    cell for typing; Return keeps it; the arrow keys move to "By when"; F2 types there."""
    main = app.window(MAIN)
    app.key(MAIN, "ctrl+shift+n")
    app.type_into(MAIN, app.find(main, role="text", name="Summary"), "Phoned the parent about the draft plan.")
    app.activate(MAIN, app.find(main, role="push button", name="Add action"))
    actions = app.find(main, role="table", name="Agreed actions")
    wait_for("a new action row", lambda: "IPS" in cells(actions))
    app.type(MAIN, ACTION)
    app.key(MAIN, "Return", "Right", "Right", "F2")
    app.type(MAIN, by)
    app.key(MAIN, "Return")
    wait_for("the action typed in", lambda: ACTION in cells(actions) and by in cells(actions), timeout=10)
    check = app.find(main, role="label", description="Consent check")
    wait_for("the consent pointer", lambda: "no consent to discuss the child with the SENCO" in text(check))
    app.key(MAIN, "ctrl+s")
    message = app.find(main, role="label", description="Editor message")
    wait_for("the record to be saved and queued", lambda: "Saved" in text(message), timeout=15)


def test_an_open_cases_note_stays_and_closing_the_case_tells_the_office(journey) -> None:
    morning, _relay, office, app = a_morning_with_an_enrolled_laptop(journey)

    new_case(app, REFERENCE)
    write_record(app, SUMMARY)
    assert len(notes_listed(app)) == 1, notes_listed(app)
    assert due_button(app) is None or not showing(due_button(app))

    # An agreed action due in two days: counted in the status bar, then marked done in the list.
    by = morning.date() + timedelta(days=2)
    note_with_an_action(app, f"{by.day}/{by.month}")
    assert len(notes_listed(app)) == 2, notes_listed(app)
    wait_for("the count of actions due", lambda: due_button(app) is not None and
             text(due_button(app)) == "1 agreed action due this week")
    app.key(MAIN, "ctrl+shift+d")
    due = app.window(DUE)
    table = app.find(due, name="Agreed actions due")
    listed = cells(table)
    assert ACTION in listed, listed
    assert REFERENCE in listed, listed
    assert f"due {by:%a} {by.day} {by:%b}" in listed or "due tomorrow" in listed, listed
    press(app.find(due, role="push button", name="Mark done"))
    app.find(due, role="label", contains="Marked done: " + ACTION)
    app.find(due, role="label", contains="Nothing is due by")
    app.key(DUE, "Escape")
    app.gone(DUE)
    wait_for("the count to go", lambda: due_button(app) is None or not showing(due_button(app)))
    app.key(MAIN, "ctrl+shift+p")  # the parent lends papers
    papers = app.window(PAPERS)
    app.type_into(PAPERS, app.find(papers, role="text", name="Description of the papers"), "Draft EHC plan")
    press(app.find(papers, role="push button", name="Add papers"))
    wait_for("the papers in the list", lambda: any("Draft EHC plan" in c for c in cells(
        app.find(papers, name="Papers held"))), timeout=15)
    app.key(PAPERS, "Escape")
    app.gone(PAPERS)
    send_and_confirm(app, office)

    # Six weeks on, the case still open: its note is still there.
    journey.clock.forward(timedelta(days=42).total_seconds())
    app.key(MAIN, "ctrl+shift+s")
    wait_for("the sync after six weeks", lambda: "All sent" in sync_status(app), timeout=40)
    assert len(notes_listed(app)) == 2, notes_listed(app)

    # Closing the case: the papers are still out, so it says so first.
    main = app.window(MAIN)
    app.activate(MAIN, app.find(main, role="push button", name=CLOSE))
    question = app.window(CLOSE)
    said = text(app.find(question, role="label", contains="You still hold"))
    assert "1 lot of papers the parent lent" in said, said
    press(app.find(question, role="push button", name="Yes"))
    app.gone(CLOSE)
    app.find(main, role="label", name=f"Case {REFERENCE} (closed)")

    # The office is told, and once it has that the note leaves the laptop.
    send_and_confirm(app, office)
    console = office.window(CONSOLE)
    open_tab(office, CONSOLE, "Inbox")
    cases = office.find(console, name="Cases")
    office.click(CONSOLE, wait_for("the case in the inbox", lambda: find_in(cases, role="list item", name=REFERENCE),
                                   timeout=30))
    records = office.find(console, name="Records of the case")
    wait_for("the closing under its case", lambda: any(
        "Case closed by the volunteer" in c and "1 lot of papers" in c for c in cells(records)), timeout=15)
    note = office.find(console, role="label", description="Allocation")
    assert text(note).startswith("Closed by the volunteer on "), text(note)
    app.key(MAIN, "ctrl+shift+s")
    wait_for("the note to leave the laptop", lambda: not notes_listed(app), timeout=40)
