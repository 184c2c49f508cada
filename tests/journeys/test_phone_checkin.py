"""Journey 5: checking in from the phone, through the shipped programs, the relay and Chromium.

PINs set in Settings → a meeting checked out → the laptop shows the link → the phone (Chromium)
opens it, the PIN, "I'm safe" → the console's board shows the visit checked in.
"""

from __future__ import annotations

import subprocess
from datetime import datetime

from desktop import REPO, find_in, press, text, venv, wait_for
from people import (
    CONSOLE,
    MAIN,
    cells,
    enrol,
    new_case,
    open_tab,
    start_office_with_relay,
    volunteer_first_run,
)
from test_home_visit import a_working_morning

REFERENCE = "PP-2026-0520"
PIN, DURESS = "2580", "1379"


def set_pins(app) -> None:  # type: ignore[no-untyped-def]
    app.key(MAIN, "ctrl+comma")
    title = wait_for("the settings window", lambda: next((text(w) for w in app.windows() if "Settings" in text(w)), ""))
    settings = app.window(title)
    app.type_into(title, app.find(settings, role="password text", name="Phone check-in PIN"), PIN)
    app.type_into(title, app.find(settings, role="password text", name="Duress PIN"), DURESS)
    press(app.find(settings, role="push button", name="Save"))
    message = app.find(settings, role="label", description="Settings message")
    wait_for("the settings to be saved", lambda: "saved" in text(message).lower(), timeout=10)
    press(app.find(settings, role="push button", name="Close"))
    app.gone(title)


def plan_meeting(app, at: datetime) -> None:  # type: ignore[no-untyped-def]
    """A meeting in a public place today: no approval needed."""
    title = f"Plan a meeting · case {REFERENCE}"
    app.key(MAIN, "ctrl+alt+v")
    planner = app.window(title)
    app.type_into(title, app.find(planner, role="text", name="Venue or address"), "Central Library cafe")
    app.type_into(title, app.find(planner, role="text", name="Start time"), at.strftime("%H:%M"))
    verdict = app.find(planner, role="label", description="What the rules say about this plan")
    wait_for("the rules to accept the plan", lambda: "meets the office's rules" in text(verdict), timeout=10)
    press(app.find(planner, role="push button", name="Save plan"))
    app.gone(title)


def test_checking_in_from_the_phone(journey) -> None:
    morning = a_working_morning()
    journey.clock.move_to(morning.timestamp())
    relay, office = start_office_with_relay(journey)
    app = journey.volunteer()
    volunteer_first_run(app)
    enrol(office, app)
    set_pins(app)
    new_case(app, REFERENCE)
    plan_meeting(app, morning.replace(minute=30))

    main = app.window(MAIN)
    press(app.find(main, role="push button", name="Check out: I'm leaving for the visit", timeout=20))
    link_window = app.window("Check in from your phone", timeout=30)
    url = text(app.find(link_window, role="label", description="Check-in link")).strip()
    assert url.startswith(relay.url + "/c/"), url
    assert find_in(link_window, name="QR code of the check-in link") is not None

    open_tab(office, CONSOLE, "Visit board")
    console = office.window(CONSOLE)
    board = office.find(console, name="Visit board")
    wait_for("the visit out on the board", lambda: "out" in cells(board), timeout=30)

    phone = [venv("python"), str(REPO / "tests" / "journeys" / "phone.py"), url, PIN, "safe"]
    page = subprocess.run(phone, capture_output=True, text=True, timeout=120,
                          env=journey.clock.env | {"PATH": "/usr/bin:/bin"})
    assert page.returncode == 0, page.stderr[-2000:]
    assert "Thank you" in page.stdout, page.stdout
    try:
        wait_for("the board to show the phone check-in",
                 lambda: any("checked in (phone page)" in c for c in cells(board)), timeout=30)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the board shows {cells(board)}") from None
