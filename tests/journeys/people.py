"""What the journeys' people do again and again, each step as they do it on screen."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta

from desktop import Program, enabled, find_all, find_in, press, selected, text, wait_for

PASSPHRASE = "correct horse battery staple 42"
OFFICE_PASSPHRASE = "office passphrase for the journeys"
RECOVERY = "harbour lantern violet ninety"
MAIN = "IPS Desktop"
LOCKED = "IPS Desktop — locked"
WIZARD = "Welcome to IPS Desktop"
OFFICE_NAME = "Devon Parent Partnership"
CONSOLE = f"IPS Office — {OFFICE_NAME}"


def volunteer_first_run(app: Program, ips_code: str = "IPS-07") -> None:
    """The first-run wizard: passphrase twice, the IPS code and the PPO, Finish."""
    wizard = app.window(WIZARD, timeout=40)
    press(app.find(wizard, role="push button", name="Next >"))
    app.type_into(WIZARD, app.find(wizard, role="password text", name="New passphrase"), PASSPHRASE)
    app.type_into(WIZARD, app.find(wizard, role="password text", name="Confirm passphrase"), PASSPHRASE)
    next_button = app.find(wizard, role="push button", name="Next >")
    wait_for("Next to be enabled once the passphrases match", lambda: enabled(next_button))
    press(next_button)
    app.type_into(WIZARD, app.find(wizard, role="text", name="Your IPS code"), ips_code)
    app.type_into(WIZARD, app.find(wizard, role="text", name="Your PPO's name"), "Jane")
    app.type_into(WIZARD, app.find(wizard, role="text", name="Your PPO's phone number"), "01392 383081")
    press(app.find(wizard, role="push button", name="Finish"))
    app.window(MAIN, timeout=40)
    app.gone(WIZARD)


def unlock(app: Program) -> None:
    dialog = app.window(LOCKED, timeout=40)
    app.type_into(LOCKED, app.find(dialog, role="password text", name="Passphrase"), PASSPHRASE)
    app.key(LOCKED, "Return")
    app.window(MAIN, timeout=40)
    app.gone(LOCKED)


def clean_exit(program: Program) -> None:
    code = program.wait_exit(20)
    output = program.output()
    assert "Fatal Python error" not in output, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert code == 0, f"exit code {code}: {output[-2000:]}"


def new_case(app: Program, reference: str) -> None:
    main = app.window(MAIN)
    app.key(MAIN, "ctrl+n")
    dialog = app.window("New case")
    app.type_into("New case", app.find(dialog, role="text"), reference)
    app.key("New case", "Return")
    app.gone("New case")
    app.find(main, role="label", name=f"Case {reference}")


def write_record(app: Program, summary: str) -> None:
    """A new contact record typed into the summary and saved (Ctrl+S); no identifying details."""
    main = app.window(MAIN)
    app.key(MAIN, "ctrl+shift+n")
    app.type_into(MAIN, app.find(main, role="text", name="Summary"), summary)
    app.key(MAIN, "ctrl+s")
    message = app.find(main, role="label", description="Editor message")
    wait_for("the record to be saved and queued", lambda: "Saved" in text(message), timeout=15)


def sync_status(app: Program) -> str:
    return text(app.find(app.window(MAIN), role="label", description="Sync status"))


def office_first_run(office: Program, address: str, relay_key: str, backup_to: str) -> None:
    """Create the office, then the forced backup of its keys."""
    title = "Create the office"
    create = office.window(title, timeout=40)
    for field, value in (("Service name", OFFICE_NAME), ("Relay address or drop folder", address),
                         ("Relay public key", relay_key), ("Your name on messages", "PPO Jane")):
        office.type_into(title, office.find(create, role="text", name=field), value)
    office.type_into(title, office.find(create, role="password text", name="Office vault passphrase"),
                     OFFICE_PASSPHRASE)
    office.type_into(title, office.find(create, role="password text", name="Office vault passphrase again"),
                     OFFICE_PASSPHRASE)
    press(office.find(create, role="push button", name="Create the office"))
    title = "Back up the office keys"
    backup = office.window(title, timeout=60)
    office.type_into(title, office.find(backup, role="text", name="Backup file"), backup_to)
    office.type_into(title, office.find(backup, role="password text", name="Recovery passphrase"), RECOVERY)
    office.type_into(title, office.find(backup, role="password text", name="Recovery passphrase again"), RECOVERY)
    press(office.find(backup, role="push button", name="Save the backup"))
    office.window(CONSOLE, timeout=60)


def open_tab(program: Program, window_title: str, tab: str) -> None:
    """Choose a tab of the console, as a click on it does."""
    window = program.window(window_title)
    node = program.find(window, role="page tab", name=tab)
    press(node)
    wait_for(f"the {tab} tab to show", lambda: find_in(window, role="page tab", name=tab) is not None)


def choose_row(program: Program, window_title: str, table_name: str, containing: str) -> None:
    """Click the row of a table that shows ``containing``."""
    window = program.window(window_title)
    table = program.find(window, name=table_name)
    cell = wait_for(f"a row with “{containing}” in {table_name}",
                    lambda: next((c for c in find_all(table, role="table cell") if containing in text(c)), None))
    program.click(window_title, cell)
    wait_for("the row to be chosen", lambda: selected(cell), timeout=5)


ENROL = "Enrol this laptop with the office"


def cells(node) -> list[str]:  # type: ignore[no-untyped-def]
    return [text(c) for c in find_all(node, role="table cell")]


def start_office_with_relay(journey, mail=None):  # type: ignore[no-untyped-def]
    """The relay's key, the office created with it, the relay started with the root key the
    console shows (Devices tab): the order the README gives."""
    relay = journey.relay(mail)
    office = journey.office()
    office_first_run(office, relay.url, relay.public_key, str(journey.root / "office-keys.ipsokb"))
    console = office.window(CONSOLE)
    open_tab(office, CONSOLE, "Devices")
    root_key = text(office.find(console, role="label", description="Office root key"))
    assert re.fullmatch(r"[0-9a-f]{64}", root_key), root_key
    relay.start(root_key)
    return relay, office


def enrol(office: Program, app: Program, ips_code: str = "IPS-07") -> None:
    """Invite, paste, compare the six digits on both screens, accept."""
    console = office.window(CONSOLE)
    open_tab(office, CONSOLE, "Devices")
    office.activate(CONSOLE, office.find(console, role="push button", name="New invite…"))
    office.window("New invite")
    office.type("New invite", ips_code)
    office.key("New invite", "Return")
    office.gone("New invite")
    invite_text = wait_for("the invite to show", lambda: text(office.find(console, name="Invite to send")))
    code = invite_text.strip().splitlines()[-1].strip()
    assert code.startswith("IPS-"), invite_text

    app.key(MAIN, "ctrl+shift+e")
    dialog = app.window(ENROL)
    app.type_into(ENROL, app.find(dialog, name="Invite code"), code)
    press(app.find(dialog, role="push button", name="Continue"))
    sas_label = app.find(dialog, role="label", description="Six-digit check", timeout=30)
    # The laptop's first message is a commitment: the office's computer answers it at its next
    # pull (the PPO presses Refresh, as they would when the volunteer rings), then the digits show.
    refreshed = [0.0]

    def digits() -> str:
        shown = text(sas_label).strip()
        if not shown and time.monotonic() - refreshed[0] > 5:
            office.key(CONSOLE, "ctrl+r")
            refreshed[0] = time.monotonic()
        return shown

    laptop_digits = wait_for("the six digits, once the office has answered", digits, timeout=45)
    assert re.fullmatch(r"\d{3} ?\d{3}", laptop_digits), laptop_digits

    office.key(CONSOLE, "ctrl+r")
    pending = office.find(console, name="Enrolments waiting")
    shown = wait_for("the enrolment to arrive", lambda: [c for c in cells(pending) if c], timeout=30)
    assert shown == [ips_code, laptop_digits], f"the console shows {shown}, the laptop {laptop_digits}"
    choose_row(office, CONSOLE, "Enrolments waiting", ips_code)
    office.activate(CONSOLE, office.find(console, role="push button", name="The digits match: accept"))
    wait_for("the laptop to show it is enrolled", lambda: find_in(dialog, contains="Enrolled."), timeout=30)
    enrolled = office.find(console, name="Enrolled laptops")
    wait_for("the laptop among the enrolled", lambda: ips_code in cells(enrolled), timeout=10)
    press(app.find(dialog, role="push button", name="Close"))
    app.gone(ENROL)


PPO, MANAGER, POLICE, FAMILY = "ppo@office.test", "manager@office.test", "duty@office.test", "partner@home.test"
# Holidays in England and Wales the journey could land on (the planner refuses them).
HOLIDAYS = {(12, 25), (12, 26), (12, 28), (1, 1)}


def a_working_morning() -> datetime:
    """10:00 on the next weekday that is not a bank holiday: home visits are weekday work."""
    day = date.today() + timedelta(days=1)
    while day.weekday() >= 5 or (day.month, day.day) in HOLIDAYS:
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time()).replace(hour=10)


def a_morning_with_an_enrolled_laptop(journey, mail=None):  # type: ignore[no-untyped-def]
    """The shared clock at a working morning, the office and its relay, and a volunteer's laptop
    through its first run and enrolled: (the morning, the relay, the console, the laptop)."""
    morning = a_working_morning()
    journey.clock.move_to(morning.timestamp())
    relay, office = start_office_with_relay(journey, mail)
    app = journey.volunteer()
    volunteer_first_run(app)
    enrol(office, app)
    return morning, relay, office, app


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


def plan_home_visit(app, at: datetime, reference: str) -> None:  # type: ignore[no-untyped-def]
    title = f"Plan a meeting · case {reference}"
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
