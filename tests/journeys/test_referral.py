"""Journey: a family approaches the volunteer; the referral goes to the office the same morning,
with the parent's name and number in their own two fields; it leaves the laptop once the office
has it; the PPO allocates the case back to the volunteer (issue 17, item 5)."""

from __future__ import annotations

from desktop import find_in, press, showing, text, wait_for
from people import (
    CONSOLE,
    MAIN,
    a_morning_with_an_enrolled_laptop,
    cells,
    sync_status,
)
from test_allocation import ALLOCATE, allocate

REFERRAL = "Referral from a family"
NAME = "Zebedee Quartermaine"
PHONE = "01392 383999"
NEED = "Worried the school is not meeting the child's needs; asks about an EHC needs assessment."


def referral_note(app):  # type: ignore[no-untyped-def]
    return find_in(app.window(MAIN), role="label", description="Referrals")


def test_a_referral_goes_the_same_day_and_leaves_the_laptop(journey) -> None:
    _morning, _relay, office, app = a_morning_with_an_enrolled_laptop(journey)

    app.key(MAIN, "ctrl+shift+f")
    form = app.window(REFERRAL)
    due = app.find(form, role="label", description="Referral deadline")
    assert text(due).startswith("The office must have it by 17:00 today."), text(due)
    app.type_into(REFERRAL, app.find(form, role="text", name="Parent's name"), NAME)
    app.type_into(REFERRAL, app.find(form, role="text", name="Parent's telephone number"), PHONE)
    app.type_into(REFERRAL, app.find(form, role="text", name="What the family wants help with"), NEED)
    press(app.find(form, role="push button", name="Send to the office now"))
    problem = app.find(form, role="label", description="Problem")
    wait_for("the consent question", lambda: "Ask the parent whether their name and number" in text(problem))
    press(app.find(form, role="check box", contains="The parent agreed"))
    press(app.find(form, role="push button", name="Send to the office now"))
    app.gone(REFERRAL)

    # Sent at once; the status bar says so until the office has it.
    note = wait_for("the referral reminder", lambda: referral_note(app))
    assert text(note) == "A referral not yet with the office: by 17:00 today", text(note)
    wait_for("the referral to go", lambda: "waiting for the office" in sync_status(app), timeout=40)

    office.key(CONSOLE, "ctrl+r")
    console = office.window(CONSOLE)
    tab = wait_for("the referrals tab to count it", lambda: find_in(console, role="page tab",
                                                                    name="Referrals (1 new)"), timeout=40)
    press(tab)
    table = office.find(console, role="table", name="Referrals")
    wait_for("the family in the queue", lambda: NAME in cells(table) and PHONE in cells(table), timeout=15)
    assert "new: ring the family" in cells(table), cells(table)

    # The office's receipt comes back: the laptop's copy goes, and the reminder with it.
    app.key(MAIN, "ctrl+shift+s")
    wait_for("the reminder to go", lambda: referral_note(app) is None or not showing(referral_note(app)), timeout=40)
    assert "All sent" in sync_status(app), sync_status(app)

    # The PPO rings the family, then allocates the case to the volunteer who met them.
    office.click(CONSOLE, office.find(table, role="table cell", name=NAME))
    office.activate(CONSOLE, office.find(console, role="push button", name="Allocate as a case…"))
    dialog = office.window(ALLOCATE)
    assert NEED in text(office.find(dialog, role="text", name="Brief"))
    allocate(office, "Z", "PP-2026-0600")
    wait_for("the referral marked", lambda: any(c.startswith("allocated as PP-2026-0600") for c in cells(table)))
    app.key(MAIN, "ctrl+shift+s")
    given = app.find(app.window(MAIN), role="push button",
                     contains="Open the case — PPO Jane gave you case PP-2026-0600",
                     timeout=40)
    app.activate(MAIN, given)  # from Today to the case
    cases = app.find(app.window(MAIN), name="Cases", role="table")
    wait_for("the case on the laptop", lambda: "PP-2026-0600" in cells(cases), timeout=10)
