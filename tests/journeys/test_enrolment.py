"""Journey 2: the office and a volunteer, enrolment and notes, through the shipped programs.

Office first run → keys' backup → the relay started with the root key the console shows → an
invite → the volunteer enrols → both screens show the same six digits → accept → the volunteer
sends a record → the office pulls → the record in the inbox under its case → the office's
signed receipt reaches the laptop ("All sent").
"""

from __future__ import annotations

from desktop import find_in, text, wait_for
from people import (
    CONSOLE,
    MAIN,
    cells,
    enrol,
    new_case,
    open_tab,
    start_office_with_relay,
    sync_status,
    volunteer_first_run,
    write_record,
)

REFERENCE = "PP-2026-0142"
SUMMARY = "Parent asked about the annual review and agreed to send the draft plan to the SENCO."


def test_office_and_volunteer_enrol_and_send_a_record(journey) -> None:
    _relay, office = start_office_with_relay(journey)
    app = journey.volunteer()
    volunteer_first_run(app)
    enrol(office, app)

    # A record goes to the office, sealed; the office opens it under its case.
    new_case(app, REFERENCE)
    write_record(app, SUMMARY)
    app.key(MAIN, "ctrl+shift+s")
    wait_for("the record to reach the office", lambda: "waiting for the office" in sync_status(app), timeout=40)
    console = office.window(CONSOLE)
    office.key(CONSOLE, "ctrl+r")
    open_tab(office, CONSOLE, "Inbox")
    cases = office.find(console, name="Cases")
    item = wait_for("the case in the inbox", lambda: find_in(cases, role="list item", name=REFERENCE), timeout=30)
    office.click(CONSOLE, item)
    records = office.find(console, name="Records of the case")
    wait_for("the record under its case", lambda: any("annual review" in c for c in cells(records)), timeout=15)
    assert "Pulled: 1 new record" in text(office.find(console, role="label", description="Last pull"))

    # The office's signed receipt reaches the laptop.
    app.key(MAIN, "ctrl+shift+s")
    wait_for("the laptop to hear the office holds it", lambda: "All sent" in sync_status(app), timeout=40)
