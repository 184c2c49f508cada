"""Journey: a case's notes stay on the laptop while the case is open, and closing it tells the
office, through the shipped programs (issue 17, items 1 and 3).

A note reaches the office and the office's receipt comes back → six weeks on (the shared clock)
the note is still in the case → the parent's papers are still out, so closing the case warns
first → the office's inbox shows the case closed, with the papers still out → once the office
has that too, the note leaves the laptop.
"""

from __future__ import annotations

from datetime import timedelta

from desktop import find_all, find_in, press, text, wait_for
from people import (
    CONSOLE,
    MAIN,
    a_working_morning,
    cells,
    enrol,
    new_case,
    open_tab,
    start_office_with_relay,
    sync_status,
    volunteer_first_run,
    write_record,
)

REFERENCE = "PP-2026-0520"
SUMMARY = "Parent and SENCO agreed the speech and language sessions; parent will send the draft plan."
PAPERS = "Papers held"
CLOSE = "Close case"


def send_and_confirm(app, office) -> None:  # type: ignore[no-untyped-def]
    """Send now; the office pulls; Send now again brings the office's receipt back."""
    app.key(MAIN, "ctrl+shift+s")
    wait_for("the laptop to send", lambda: "waiting for the office" in sync_status(app), timeout=40)
    office.key(CONSOLE, "ctrl+r")
    app.key(MAIN, "ctrl+shift+s")
    wait_for("the office's receipt on the laptop", lambda: "All sent" in sync_status(app), timeout=40)


def notes_listed(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The lines of the open case's list of records, as the screen shows them."""
    return [text(n) for n in find_all(app.find(app.window(MAIN), name="Records"), role="list item")]


def test_an_open_cases_note_stays_and_closing_the_case_tells_the_office(journey) -> None:
    journey.clock.move_to(a_working_morning().timestamp())
    _relay, office = start_office_with_relay(journey)
    app = journey.volunteer()
    volunteer_first_run(app)
    enrol(office, app)

    new_case(app, REFERENCE)
    write_record(app, SUMMARY)
    assert len(notes_listed(app)) == 1, notes_listed(app)
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
    assert len(notes_listed(app)) == 1, notes_listed(app)

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
    app.key(MAIN, "ctrl+shift+s")
    wait_for("the note to leave the laptop", lambda: not notes_listed(app), timeout=40)
