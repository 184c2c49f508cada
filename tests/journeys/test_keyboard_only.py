"""Journeys with the keyboard alone: a whole contact note, a meeting plan and an expense, done
as a volunteer who cannot use a mouse does them — shortcuts to open, Tab to move (watching where
the focus ring lands), typing, the space bar to tick and press, Return to finish. Nothing is
clicked and no control is given the focus through the accessibility tree; what a screen reader
is told when a message changes is heard as it is announced.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from audit import CONTROLS
from desktop import Heard, JourneyError, _focused, checked, find_in, role, text, wait_for, walk
from people import MAIN, a_working_morning, volunteer_first_run

REFERENCE = "PP-2026-0199"


def focused(window: Any) -> Any | None:
    """The control the focus ring is on (a list's row can keep a stale "focused" state after
    the focus has left the list, so rows are not asked)."""
    for node in walk(window):
        if _focused(node) and role(node) in CONTROLS:
            return node
    return None


def tab_to(app, title: str, what: str, *, name: str | None = None, kind: str | None = None,  # type: ignore[no-untyped-def]
           limit: int = 45) -> Any:
    """Press Tab until the focus is on the control ``what`` (by its name, or its role), as a
    person watches the ring move; fail if Tab goes round without reaching it."""
    window = app.window(title)
    seen: list[str] = []
    for _ in range(limit):
        node = focused(window)
        if node is not None and (name is None or text(node) == name or str(node.name) == name) \
                and (kind is None or role(node) == kind):
            return node
        seen.append(f"{role(node)} “{text(node)[:30]}”" if node is not None else "nothing")
        app.key(title, "Tab")
    raise JourneyError(f"Tab never reached {what}; it went to: {seen}")


def typed(app, title: str, node: Any, words: str, replace: bool = True) -> None:  # type: ignore[no-untyped-def]
    if replace:
        app.key(title, "ctrl+a")
    app.type(title, words)
    wait_for(f"“{words}” on screen", lambda: words in text(node), timeout=10)


def new_case_by_keyboard(app) -> None:  # type: ignore[no-untyped-def]
    app.key(MAIN, "ctrl+n")
    dialog = app.window("New case")
    field = wait_for("the reference field to have the focus", lambda: focused(dialog), timeout=10)
    typed(app, "New case", field, REFERENCE)
    app.key("New case", "Return")
    app.gone("New case")


def a_volunteer_at_work(journey):  # type: ignore[no-untyped-def]
    """A working morning, a new volunteer past the first run, and an ear on what a screen
    reader is told: (the morning, what is heard, the app)."""
    morning = a_working_morning()
    journey.clock.move_to(morning.timestamp())
    heard = Heard(journey.screen)
    journey.services.append(heard)  # stops listening when the journey ends
    app = journey.volunteer()
    volunteer_first_run(app)
    return morning, heard, app


def test_a_whole_contact_note_with_the_keyboard_alone(journey) -> None:  # type: ignore[no-untyped-def]
    morning, heard, app = a_volunteer_at_work(journey)
    main = app.window(MAIN)
    new_case_by_keyboard(app)
    app.key(MAIN, "ctrl+shift+n")

    kind = tab_to(app, MAIN, "the kind of contact", kind="combo box")
    app.key(MAIN, "m")  # a drop-down list jumps to the first entry with that letter
    wait_for("Meeting chosen", lambda: "Meeting" in text(kind), timeout=5)
    day = tab_to(app, MAIN, "the date", name="Date and time: date")
    typed(app, MAIN, day, f"{morning:%-d/%-m}")
    at = tab_to(app, MAIN, "the time", name="Date and time: time")
    typed(app, MAIN, at, "9:30")
    minutes = tab_to(app, MAIN, "the length", name="Duration in minutes")
    typed(app, MAIN, minutes, "45")
    typed(app, MAIN, tab_to(app, MAIN, "the parent's initials", name="Parent initials"), "H.T.")
    roles = tab_to(app, MAIN, "the roles present", name="Roles present", kind="list")
    app.key(MAIN, "Home", "space", "Down", "Down", "Down", "Down", "space")  # parent … SENCO
    wait_for("parent and SENCO ticked", lambda: {text(n) for n in walk(roles) if checked(n)} == {"parent", "SENCO"},
             timeout=5)
    explained = tab_to(app, MAIN, "the explained box",
                       name="Confidentiality, impartiality and record keeping explained")
    app.key(MAIN, "space")
    consent = tab_to(app, MAIN, "the records consent box",
                     name="The parent agreed to records being kept (Level 2 casework)")
    app.key(MAIN, "space")
    wait_for("both boxes ticked", lambda: checked(explained) and checked(consent), timeout=5)
    summary = tab_to(app, MAIN, "the summary", name="Summary")
    words = "Met parent and SENCO at school to go through the draft plan section F."
    typed(app, MAIN, summary, words, replace=False)

    tab_to(app, MAIN, "Add action", name="Add action", kind="push button")
    app.key(MAIN, "space")  # a new row opens for typing in its first cell
    app.type(MAIN, "Send the parent the draft plan checklist")
    app.key(MAIN, "Tab")
    app.type(MAIN, "IPS")
    app.key(MAIN, "Tab")
    due = morning.date().replace(day=min(morning.day + 2, 28))
    app.type(MAIN, f"{due:%d/%m/%Y}")
    app.key(MAIN, "Return")
    actions = app.find(main, role="table", name="Agreed actions")
    wait_for("the action in its row", lambda: find_in(actions, contains="draft plan checklist"), timeout=10)

    app.key(MAIN, "ctrl+s")
    message = app.find(main, role="label", description="Editor message")
    wait_for("the note saved", lambda: "Saved" in text(message), timeout=20)
    heard.wait_for("Saved")
    notes = app.find(main, role="list", name="Notes")
    wait_for("the note in the case's list",
             lambda: find_in(notes, contains=f"{morning:%d/%m/%Y} 09:30 · meeting"), timeout=10)
    app.key(MAIN, "ctrl+1")
    wait_for("the action due this week on Today",
             lambda: find_in(main, role="label", contains="Send the parent the draft plan checklist"), timeout=15)


def test_a_meeting_plan_with_the_keyboard_alone(journey) -> None:  # type: ignore[no-untyped-def]
    _morning, heard, app = a_volunteer_at_work(journey)
    main = app.window(MAIN)
    new_case_by_keyboard(app)
    app.key(MAIN, "ctrl+alt+v")
    title = f"Plan a meeting · case {REFERENCE}"
    planner = app.window(title)

    venue = tab_to(app, title, "where you will meet", kind="combo box")
    assert "public place" in text(venue), text(venue)
    typed(app, title, tab_to(app, title, "the venue", name="Venue or address"), "Exeter Central Library, ground floor")
    start = tab_to(app, title, "the start time", name="Start time")
    typed(app, title, start, "14:30")
    length = tab_to(app, title, "the length", name="Length in minutes")
    typed(app, title, length, "90")
    verdict = app.find(planner, role="label", description="What the rules say about this plan")
    wait_for("the summary of the answers", lambda: "no to all 8 questions" in text(verdict), timeout=10)
    dark = "Is parking difficult, or might you be there or leave after dark?"
    box = tab_to(app, title, "the parking question", name=dark, kind="check box")
    app.key(title, "space")
    wait_for("the answer ticked", lambda: checked(box), timeout=5)
    wait_for("the answers summed up before saving",
             lambda: "yes to 1: Is parking difficult, or might you be there or leave after dark? No to the other 7."
             in text(verdict), timeout=10)
    heard.wait_for("yes to 1: Is parking difficult")
    assert "meets the office's rules" in text(verdict), text(verdict)

    tab_to(app, title, "Save plan", name="Save plan", kind="push button")
    app.key(title, "space")
    app.gone(title)
    app.key(MAIN, "ctrl+1")
    wait_for("the meeting on Today with its next step",
             lambda: find_in(main, role="push button", contains="Check out"), timeout=20)
    # Leaving for it: Tab to the big button, press it, and the focus is on the next step.
    tab_to(app, MAIN, "Check out on Today", name="Check out: I'm leaving now — Meeting for case "
           f"{REFERENCE} today at 14:30. Check out when you leave, so the office knows where you are.")
    app.key(MAIN, "space")
    wait_for("the focus on the next step, checking in", lambda: text(focused(main) or main).startswith(
        "I'm back safely — check in"), timeout=15)


def test_an_expense_with_the_keyboard_alone(journey) -> None:  # type: ignore[no-untyped-def]
    morning, heard, app = a_volunteer_at_work(journey)
    app.key(MAIN, "ctrl+shift+x")
    expenses = app.window("Expenses")
    app.key("Expenses", "ctrl+e")
    title = wait_for("the expense form", lambda: next(
        (str(w.name) for w in app.windows() if str(w.name).startswith("Add an expense")), None), timeout=15)
    # Until the 14th the claim to finish is last month's (its last day, then), else this month's.
    day = morning.date() if title.endswith(f"{morning:%B %Y}") else morning.date().replace(day=1) - timedelta(days=1)
    typed(app, title, tab_to(app, title, "the date", name="Date"), f"{day:%-d/%-m}")
    kind = tab_to(app, title, "the kind of expense", kind="combo box")
    app.key(title, "c")  # a drop-down list jumps to the first entry with that letter
    wait_for("Car parking chosen", lambda: text(kind) == "Car parking", timeout=5)
    typed(app, title, tab_to(app, title, "the amount", name="Amount in pounds"), "3.40")
    typed(app, title, tab_to(app, title, "what it was for", name="What it was for"),
          f"Parking for the {REFERENCE} school meeting")
    app.key(title, "Return")
    app.gone(title)
    table = app.find(expenses, role="table", name="This month's expenses")
    wait_for("the expense in the month's list", lambda: find_in(table, contains="3.40"), timeout=15)
    total = app.find(expenses, role="label", description="Running total")
    wait_for("the running total", lambda: "£3.40" in text(total), timeout=10)
    heard.wait_for("£3.40")
