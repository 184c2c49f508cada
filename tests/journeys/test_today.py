"""Journey: the Today page and Help, with the keyboard alone.

A new volunteer sees Today first, with what to do first; F1 opens the guide at Today. A note
left half-typed shows under "Notes not finished" and its button opens it with the words kept;
the saved note then waits under "Going to the office". A meeting planned for later today shows
with a large "Check out" button; pressing it turns it into "I'm back safely — check in", and
then "Record how it went". "Open expenses" opens the expenses, and F1 there opens the guide at
Expenses.
"""

from __future__ import annotations

from datetime import timedelta

from desktop import find_in, text, wait_for
from people import MAIN, a_working_morning, new_case, volunteer_first_run

REFERENCE = "PP-2026-0188"
HELP = "IPS Desktop help"
HALF_TYPED = "Parent rang about the annual review; we agreed to"


def today_button(app, starting: str, about: str = "", timeout: float = 20):  # type: ignore[no-untyped-def]
    """A Today item's button: its name is its words and then what it is about (``about``, when
    given, is waited for too)."""
    main = app.window(MAIN)
    return wait_for(f"the Today button “{starting}” {about}", lambda: next(
        (b for b in _buttons(main) if text(b).startswith(starting) and about in text(b)), None), timeout=timeout)


def _buttons(main):  # type: ignore[no-untyped-def]
    from desktop import find_all

    return [b for b in find_all(main, role="push button") if " — " in text(b)]


def help_topic(app) -> str:  # type: ignore[no-untyped-def]
    window = app.window(HELP)
    return text(app.find(window, role="label")).splitlines()[0]


def test_today_shows_what_needs_doing_and_opens_it(journey) -> None:
    morning = a_working_morning()
    journey.clock.move_to(morning.timestamp())
    app = journey.volunteer()
    volunteer_first_run(app)
    main = app.window(MAIN)

    # The first page: nothing to do yet, and what to do first.
    wait_for("Today's empty state", lambda: find_in(main, role="label", contains="Nothing needs doing today"),
             timeout=20)
    app.key(MAIN, "F1")
    wait_for("the guide at Today", lambda: help_topic(app) == "Today", timeout=20)
    app.key(HELP, "Escape")
    app.gone(HELP)

    # A note half-typed, then Today: it waits there, and its button opens it as it was left.
    new_case(app, REFERENCE)
    app.key(MAIN, "ctrl+shift+n")
    app.type_into(MAIN, app.find(main, role="text", name="Summary"), HALF_TYPED)
    app.key(MAIN, "ctrl+1")
    carry_on = today_button(app, "Carry on with it")
    assert REFERENCE in text(carry_on), text(carry_on)
    app.activate(MAIN, carry_on)
    summary = app.find(main, role="text", name="Summary")
    wait_for("the draft open again with its words", lambda: text(summary).startswith(HALF_TYPED), timeout=20)
    app.type_into(MAIN, summary, HALF_TYPED + " ring the school next week.")
    app.key(MAIN, "ctrl+s")
    message = app.find(main, role="label", description="Editor message")
    wait_for("the note saved", lambda: "Saved" in text(message), timeout=15)
    app.key(MAIN, "ctrl+1")
    waiting = today_button(app, "Send now")
    assert "1 note is waiting to go to the office" in text(waiting), text(waiting)
    assert not [b for b in _buttons(main) if text(b).startswith("Carry on with it")], "the saved note is no draft"

    # A meeting in a public place later today: Today's next step is a large Check out button.
    app.key(MAIN, "ctrl+2")
    app.key(MAIN, "ctrl+alt+v")
    title = f"Plan a meeting · case {REFERENCE}"
    planner = app.window(title)
    app.type_into(title, app.find(planner, role="text", name="Venue or address"), "Exeter Central Library")
    start = morning + timedelta(hours=1)
    app.type_into(title, app.find(planner, role="text", name="Start time"), f"{start:%H:%M}")
    app.key(title, "Tab")
    verdict = app.find(planner, role="label", description="What the rules say about this plan")
    wait_for("the rules to accept the plan", lambda: "meets the office's rules" in text(verdict), timeout=10)
    app.activate(title, app.find(planner, role="push button", name="Save plan"))
    app.gone(title)
    app.key(MAIN, "ctrl+1")
    check_out = today_button(app, "Check out: I'm leaving now")
    assert f"today at {start:%H:%M}" in text(check_out), text(check_out)
    app.activate(MAIN, check_out)
    check_in = today_button(app, "I'm back safely — check in")
    assert "Back by" in text(check_in), text(check_in)
    app.activate(MAIN, check_in)
    today_button(app, "Record how it went")

    # The month's claim: its button opens the expenses, and F1 there opens the guide at Expenses.
    claim = today_button(app, "Open expenses")
    assert "Nothing in your" in text(claim), text(claim)
    app.activate(MAIN, claim)
    app.window("Expenses", timeout=20)
    app.key("Expenses", "F1")
    wait_for("the guide at Expenses", lambda: help_topic(app) == "Expenses", timeout=20)


def test_today_lists_actions_due_and_papers_held_and_opens_them(journey) -> None:  # type: ignore[no-untyped-def]
    """An agreed action due tomorrow and papers held for a family show on Today once made;
    "Open the note" opens the note with the action, "Papers held" opens the papers."""
    morning = a_working_morning()
    journey.clock.move_to(morning.timestamp())
    app = journey.volunteer()
    volunteer_first_run(app)
    main = app.window(MAIN)
    new_case(app, REFERENCE)

    app.key(MAIN, "ctrl+shift+n")
    summary = app.find(main, role="text", name="Summary")
    app.type_into(MAIN, summary, "Rang the parent about the draft plan; agreed next steps.")
    app.activate(MAIN, app.find(main, role="push button", name="Add action"))
    due = morning.date() + timedelta(days=1)
    app.type(MAIN, "Send the parent the guide to the draft plan")
    app.key(MAIN, "Tab")
    app.type(MAIN, "IPS")
    app.key(MAIN, "Tab")
    app.type(MAIN, f"{due:%d/%m/%Y}")
    app.key(MAIN, "Return")
    app.key(MAIN, "ctrl+s")
    message = app.find(main, role="label", description="Editor message")
    wait_for("the note saved", lambda: "Saved" in text(message), timeout=15)

    app.key(MAIN, "ctrl+shift+p")
    papers = app.window("Papers held")
    app.type_into("Papers held", app.find(papers, role="text", name="Description of the papers"),
                  "Copy of the draft EHC plan and the SALT report")
    app.activate("Papers held", app.find(papers, role="push button", name="Add papers"))
    table = app.find(papers, role="table", name="Papers held")
    wait_for("the papers listed", lambda: find_in(table, contains="SALT report"), timeout=10)
    app.key("Papers held", "Escape")
    app.gone("Papers held")

    app.key(MAIN, "ctrl+1")
    action = today_button(app, "Open the note")
    assert "Due tomorrow: Send the parent the guide to the draft plan (IPS)" in text(action), text(action)
    app.activate(MAIN, action)
    wait_for("the note open with its words", lambda: text(app.find(main, role="text", name="Summary")).startswith(
        "Rang the parent about the draft plan"), timeout=15)

    app.key(MAIN, "ctrl+1")
    held = today_button(app, "Papers held")
    assert f"Case {REFERENCE}: Copy of the draft EHC plan and the SALT report" in text(held), text(held)
    app.activate(MAIN, held)
    papers = app.window("Papers held", timeout=20)
    app.find(papers, role="table", name="Papers held")
