"""Journey 3: a home visit and the overdue ladder, through the shipped programs and the relay.

The volunteer plans a home visit → the office approves it → the laptop can check out → check
out → the console's board (its real refresh) shows the visit out → the due time passes (the
shared clock moves on) → the board turns red and the PPO's e-mail reaches the SMTP server →
acknowledge → close with a reason → the all-clear reaches everyone told. Then the relay stops:
the board says loudly that it is not live, never "No visits out".
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from desktop import enabled, find_all, find_in, press, showing, text, wait_for
from people import (
    CONSOLE,
    MAIN,
    cells,
    choose_row,
    enrol,
    new_case,
    open_tab,
    start_office_with_relay,
    volunteer_first_run,
)

REFERENCE = "PP-2026-0311"
PPO, MANAGER, POLICE, FAMILY = "ppo@office.test", "manager@office.test", "duty@office.test", "partner@home.test"
# Holidays in England and Wales the journey could land on (the planner refuses them).
HOLIDAYS = {(12, 25), (12, 26), (12, 28), (1, 1)}


def a_working_morning() -> datetime:
    """10:00 on the next weekday that is not a bank holiday: home visits are weekday work."""
    day = date.today() + timedelta(days=1)
    while day.weekday() >= 5 or (day.month, day.day) in HOLIDAYS:
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time()).replace(hour=10)


def set_ladder_contacts(office) -> None:  # type: ignore[no-untyped-def]
    office.key(CONSOLE, "ctrl+shift+l")
    title = "Ladder contacts"
    dialog = office.window(title)
    for field, value in (("PPO e-mail", PPO), ("Service manager e-mail", MANAGER),
                         ("Police decision e-mail", POLICE), ("Family contacts", f"IPS-07: {FAMILY}")):
        office.type_into(title, office.find(dialog, name=field), value)
    press(office.find(dialog, role="push button", name="Save"))
    office.gone(title)


def set_office_phone(office) -> None:  # type: ignore[no-untyped-def]
    """The number the ladder's messages give the family contact to ring (Office ▸ Office policy…)."""
    office.key(CONSOLE, "ctrl+shift+p")
    title = "Office policy"
    dialog = office.window(title)
    phone = office.find(dialog, role="text", name="Office phone, for the ladder's messages")
    office.type_into(title, phone, "01392 383080")
    press(office.find(dialog, role="push button", name="Save"))
    office.gone(title)


def plan_home_visit(app, at: datetime) -> None:  # type: ignore[no-untyped-def]
    title = f"Plan a meeting · case {REFERENCE}"
    app.key(MAIN, "ctrl+alt+v")
    planner = app.window(title)
    venue = app.find(planner, role="combo box")  # a combo box is named by its current choice
    app.choose(title, venue, "parent's home")
    app.type_into(title, app.find(planner, role="text", name="Venue or address"), "14 Victoria Road, Exeter EX4 6PQ")
    verdict = app.find(planner, role="label", description="What the rules say about this plan")
    save = app.find(planner, role="push button", name="Save plan")
    start = app.find(planner, role="text", name="Start time")
    app.type_into(title, start, "25:00")  # a slip of the finger: no such time, and nothing guessed
    wait_for("the planner to say how to type a time", lambda: "24-hour clock" in text(verdict), timeout=10)
    assert not enabled(save), "a plan with no real start time could be saved"
    as_people_write_it = f"{at:%I}".lstrip("0") + f".{at:%M}{at:%p}".lower()  # 10.30am
    app.type_into(title, start, as_people_write_it)
    app.key(title, "Tab")
    wait_for("the time to be shown as understood", lambda: text(start) == at.strftime("%H:%M"), timeout=10)
    wait_for("the rules to accept the plan", lambda: "meets the office's rules" in text(verdict), timeout=10)
    press(save)
    app.gone(title)


def board_rows(office) -> list[str]:  # type: ignore[no-untyped-def]
    return cells(office.find(office.window(CONSOLE), name="Visit board"))


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
    plan_home_visit(app, start)
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

    # The laptop hears it: the banner now offers the check-out.
    app.key(MAIN, "ctrl+shift+s")
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
