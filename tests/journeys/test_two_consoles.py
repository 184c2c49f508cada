"""Journey: two PPOs' consoles on one office folder (docs/architecture.md, "Several PPOs, one
office").

PPO Jane creates the office; PPO Sam's PC opens the same office folder with its own name. Each
console says the other is open, and only Jane's fetches. A volunteer's home visit reaches the
office through Jane's console and Sam approves it from his. The visit goes overdue: both boards
turn red. Jane acknowledges first; Sam's acknowledgement is refused with her name, and his board
shows she has it. Sam closes the alert; both boards show it closed. The audit names each of them
for what they did.
"""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta

from desktop import find_in, press, showing, text, venv, wait_for
from people import (
    CONSOLE,
    MAIN,
    OFFICE_PASSPHRASE,
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

REFERENCE = "PP-2026-0412"
LOCKED = "IPS Office — locked"
CREATE = "Create the office"
OPEN = "Open an office"
CHANGE = "Change the office passphrase"
NEW_PASSPHRASE = "a new office passphrase for the spring"


def also_open(office) -> str:  # type: ignore[no-untyped-def]
    label = office.find(office.window(CONSOLE), role="label", description="Other consoles", hidden=True)
    return text(label) if showing(label) else ""


def test_two_ppos_share_one_office_and_the_first_to_acknowledge_has_it(journey) -> None:
    morning = a_working_morning()
    journey.clock.move_to(morning.timestamp())
    mail = journey.mail()
    relay, jane = start_office_with_relay(journey, mail)
    app = journey.volunteer()
    volunteer_first_run(app)
    enrol(jane, app)
    set_ladder_contacts(jane)
    set_office_phone(jane)

    # Sam's PC starts the console as its desktop shortcut does. The first screen offers to create an
    # office; he opens Jane's from the shared folder instead, and the first time it asks his name.
    sam = journey.office(label="ips-office-sam", own_folder=True)
    create = sam.window(CREATE, timeout=40)
    sam.click(CREATE, sam.find(create, role="push button", name="Open an office another PPO set up"))
    opening = sam.window(OPEN, timeout=20)
    sam.type_into(OPEN, sam.find(opening, role="text", name="Office folder"), str(journey.root / "office-data"))
    sam.click(OPEN, sam.find(opening, role="push button", name="Open the office"))
    unlock = sam.window(LOCKED, timeout=40)
    sam.type_into(LOCKED, sam.find(unlock, role="text", name="Your name on messages"), "PPO Sam")
    sam.type_into(LOCKED, sam.find(unlock, role="password text", name="Passphrase"), OFFICE_PASSPHRASE)
    sam.key(LOCKED, "Return")
    sam_console = sam.window(CONSOLE, timeout=40)
    wait_for("Sam's console to say Jane's fetches the records",
             lambda: "fetched by PPO Jane" in text(sam.find(sam_console, role="label", description="Last pull")),
             timeout=30)
    wait_for("Sam's console to say Jane's is open", lambda: "PPO Jane" in also_open(sam), timeout=30)
    jane.key(CONSOLE, "ctrl+r")
    wait_for("Jane's console to say Sam's is open", lambda: "PPO Sam" in also_open(jane), timeout=30)

    # The volunteer plans a home visit; Jane's console fetches it; Sam approves it from his.
    new_case(app, REFERENCE)
    start = morning.replace(minute=30)
    plan_home_visit(app, start, REFERENCE)
    app.key(MAIN, "ctrl+shift+s")
    jane.key(CONSOLE, "ctrl+r")
    open_tab(sam, CONSOLE, "Visits to approve")
    wait_for("the plan on Sam's console, fetched by Jane's", lambda: [c for c in cells(
        sam.find(sam_console, name="Home visits to approve")) if REFERENCE in c], timeout=30)
    choose_row(sam, CONSOLE, "Home visits to approve", REFERENCE)
    sam.type_into(CONSOLE, sam.find(sam_console, name="The office's own pre-visit check"),
                  "Case file checked: nothing of concern.")
    sam.activate(CONSOLE, sam.find(sam_console, role="push button", name="Approve"))
    wait_for("the plan to leave Sam's list", lambda: not [c for c in cells(
        sam.find(sam_console, name="Home visits to approve")) if REFERENCE in c], timeout=20)

    main = app.window(MAIN)
    banner = app.find(main, name="Today's visit", timeout=20)
    app.key(MAIN, "ctrl+shift+s")
    press(app.find(main, role="push button", name="Check out: I'm leaving for the visit", timeout=40))
    wait_for("the visit to be out", lambda: find_in(banner, contains="back by 11:30"), timeout=30)

    # Overdue: both boards turn red.
    journey.clock.move_to((start + timedelta(minutes=75)).timestamp() + 10)
    for office in (jane, sam):
        open_tab(office, CONSOLE, "Visit board")
        alarm = office.find(office.window(CONSOLE), role="label", description="Overdue alarm", hidden=True)
        wait_for(f"{office.label}'s red banner", lambda a=alarm: showing(a) and text(a).startswith("OVERDUE: IPS-07"),
                 timeout=30)

    # Jane acknowledges first.
    choose_row(jane, CONSOLE, "Visit board", "IPS-07")
    jane.activate(CONSOLE, jane.find(jane.window(CONSOLE), role="push button", name="Acknowledge"))
    wait_for("Jane's board to show she has it", lambda: "PPO Jane" in board_rows(jane), timeout=20)
    wait_for("Sam's board to show Jane has it", lambda: "PPO Jane" in board_rows(sam), timeout=20)

    # Sam, a moment later, acknowledges too: refused, with her name.
    choose_row(sam, CONSOLE, "Visit board", "IPS-07")
    sam.activate(CONSOLE, sam.find(sam_console, role="push button", name="Acknowledge"))
    refusal = sam.window("Visit board", timeout=20)
    said = wait_for("the refusal's words", lambda: find_in(refusal, contains="Already acknowledged"), timeout=10)
    assert "PPO Jane" in text(said), text(said)
    sam.key("Visit board", "Return")
    sam.gone("Visit board")
    assert "PPO Sam" not in board_rows(sam)

    # Sam closes the alert (she rang him: the volunteer is safe); both boards show it closed.
    choose_row(sam, CONSOLE, "Visit board", "IPS-07")
    sam.activate(CONSOLE, sam.find(sam_console, role="push button", name="Close alert…"))
    sam.window("Close the alert")
    sam.key("Close the alert", "Return")  # the first reason: checked in
    for office in (sam, jane):
        wait_for(f"{office.label}'s board to show it closed",
                 lambda o=office: any(c.startswith("closed: checked in") for c in board_rows(o)), timeout=20)

    # Sam changes the office passphrase (Office ▸ Change the office passphrase…, from the keyboard).
    sam.key(CONSOLE, "alt+o", "c")
    change = sam.window(CHANGE)
    sam.type_into(CHANGE, sam.find(change, role="password text", name="Current office passphrase"), OFFICE_PASSPHRASE)
    sam.type_into(CHANGE, sam.find(change, role="password text", name="New office passphrase"), NEW_PASSPHRASE)
    sam.type_into(CHANGE, sam.find(change, role="password text", name="New office passphrase again"), NEW_PASSPHRASE)
    sam.key(CHANGE, "Return")
    sam.gone(CHANGE, timeout=30)

    # The next morning Sam's console goes straight to the shared office, and only the new passphrase
    # opens it.
    sam.key(CONSOLE, "ctrl+q")
    assert sam.wait_exit(timeout=30) == 0
    sam = journey.office(label="ips-office-sam", own_folder=True)
    unlock = sam.window(LOCKED, timeout=40)
    said = text(sam.find(unlock, role="label", description="Unlock message"))
    assert str(journey.root / "office-data") in said, said
    sam.type_into(LOCKED, sam.find(unlock, role="password text", name="Passphrase"), NEW_PASSPHRASE)
    sam.key(LOCKED, "Return")
    sam.window(CONSOLE, timeout=40)

    # The audit names each of them for what they did; only the new passphrase opens the office now.
    audit = subprocess.run([venv("ips-office"), "--data", str(journey.root / "office-data"), "audit"],
                           env={**os.environ, **journey.clock.env, "IPS_OFFICE_PASSPHRASE": NEW_PASSPHRASE},
                           capture_output=True, text=True, timeout=60)
    lines = audit.stdout.splitlines()
    assert any("PPO Jane" in line and "alert acknowledged" in line and "IPS-07" in line for line in lines), lines
    assert any("PPO Sam" in line and "alert closed" in line and "checked in" in line for line in lines), lines
    assert any("PPO Sam" in line and "message sent" in line for line in lines), lines
    assert any("PPO Sam" in line and "office passphrase changed" in line for line in lines), lines
    relay.stop()
