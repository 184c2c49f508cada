"""Journey 3: a home visit and the overdue ladder, through the shipped programs and the relay.

The volunteer plans a home visit → the office approves it → the laptop can check out → check
out → the console's board (its real refresh) shows the visit out → the due time passes (the
shared clock moves on) → the board turns red and the PPO's e-mail reaches the SMTP server →
acknowledge → close with a reason → the all-clear reaches everyone told. Then the relay stops:
the board says loudly that it is not live, never "No visits out".
"""

from __future__ import annotations

import time
from datetime import timedelta

from desktop import find_all, find_in, press, showing, text, wait_for
from people import (
    CONSOLE,
    MAIN,
    PPO,
    a_working_morning,
    board_rows,
    cells,
    choose_row,
    enrol,
    new_case,
    open_tab,
    plan_home_visit,
    set_ladder_contacts,
    set_office_phone,
    start_office_with_relay,
    volunteer_first_run,
)
from test_today import today_button

REFERENCE = "PP-2026-0311"


def test_home_visit_overdue_ladder_and_all_clear(journey) -> None:
    morning = a_working_morning()
    journey.clock.move_to(morning.timestamp())
    mail = journey.mail()
    relay, office = start_office_with_relay(journey, mail)
    app = journey.volunteer()
    volunteer_first_run(app)
    enrol(office, app)
    set_ladder_contacts(office)
    set_office_phone(office)
    console = office.window(CONSOLE)

    # The volunteer plans a home visit at 10:30 for an hour; it goes to the office.
    new_case(app, REFERENCE)
    start = morning.replace(minute=30)
    plan_home_visit(app, start, REFERENCE)
    main = app.window(MAIN)
    banner = app.find(main, name="Today's visit", timeout=20)
    wait_for("the banner to say the visit needs the PPO's agreement",
             lambda: find_in(banner, contains="needs your PPO's agreement"), timeout=20)
    app.key(MAIN, "ctrl+shift+s")

    # The office approves it.
    office.key(CONSOLE, "ctrl+r")
    open_tab(office, CONSOLE, "Visits to approve")
    choose_row(office, CONSOLE, "Home visits to approve", REFERENCE)
    detail = office.find(console, name="Visit plan")
    wait_for("the plan's details", lambda: "14 Victoria Road" in text(detail), timeout=10)
    assert "Ladder: ready" in text(detail), text(detail)
    office.type_into(CONSOLE, office.find(console, name="The office's own pre-visit check"),
                     "Case file and previous visits checked: nothing of concern.")
    office.activate(CONSOLE, office.find(console, role="push button", name="Approve"))
    wait_for("the plan to leave the list", lambda: not [c for c in cells(
        office.find(console, name="Home visits to approve")) if REFERENCE in c], timeout=20)

    # The laptop hears it: Today says the PPO agreed and opens the visits; the banner now offers
    # the check-out.
    app.key(MAIN, "ctrl+shift+s")
    app.key(MAIN, "ctrl+1")
    agreed = today_button(app, "Open Visits", f"Your PPO agreed the home visit for case {REFERENCE}", timeout=40)
    app.activate(MAIN, agreed)
    app.window("Visits", timeout=20)
    app.key("Visits", "Escape")
    app.gone("Visits")
    check_out = app.find(main, role="push button", name="Check out: I'm leaving for the visit", timeout=40)
    press(check_out)
    wait_for("the visit to be out and monitored",
             lambda: find_in(banner, contains="back by 11:30") and not find_in(banner, contains="NOT MONITORED"),
             timeout=30)

    # The console's board shows it out.
    open_tab(office, CONSOLE, "Visit board")
    wait_for("the visit on the board", lambda: "IPS-07" in board_rows(office) and "out" in board_rows(office),
             timeout=20)
    alarm = office.find(console, role="label", description="Overdue alarm", hidden=True)
    assert not showing(alarm), "no alarm while the visit is not yet due"

    # Due 11:30, alerted at 11:45: the clock moves past it.
    alert_at = start + timedelta(minutes=60 + 15)
    journey.clock.move_to(alert_at.timestamp() + 10)
    wait_for("the board's red banner", lambda: showing(alarm) and text(alarm).startswith("OVERDUE: IPS-07"),
             timeout=30)
    assert "OVERDUE" in board_rows(office)
    told = mail.wait_for("the PPO's e-mail", lambda m: PPO in m["to"], timeout=30)
    assert "IPS-07" in told[0]["body"], told[0]

    # The PPO acknowledges, then closes it with a reason.
    choose_row(office, CONSOLE, "Visit board", "IPS-07")
    office.activate(CONSOLE, office.find(console, role="push button", name="Acknowledge"))
    wait_for("the board to show who has it",
             lambda: "acknowledged" in board_rows(office) and "PPO Jane" in board_rows(office), timeout=20)
    wait_for("the banner to go once acknowledged", lambda: not showing(alarm), timeout=20)
    choose_row(office, CONSOLE, "Visit board", "IPS-07")
    office.activate(CONSOLE, office.find(console, role="push button", name="Close alert…"))
    office.window("Close the alert")
    office.key("Close the alert", "Return")  # the first reason: checked in
    wait_for("the board to show it closed",
             lambda: any(c.startswith("closed: checked in") for c in board_rows(office)), timeout=20)
    closure = mail.wait_for("the all-clear to the PPO",
                            lambda m: PPO in m["to"] and "All clear" in m["subject"], timeout=30)
    assert "safe" in closure[0]["body"]

    # The relay goes down: the board says it is not live.
    relay.stop()
    not_live = office.find(console, role="label", description="Board not live", hidden=True)
    wait_for("the board to say it is not live",
             lambda: showing(not_live) and "NOT LIVE" in text(not_live), timeout=30)
    assert not any(showing(n) for n in find_all(console, contains="No visits out")), "never 'No visits out'"
    time.sleep(0.1)
