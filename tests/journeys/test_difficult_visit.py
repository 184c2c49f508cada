"""Journey: a difficult home visit marks the case's file, and the next plan's check shows it
(issue 17, item 10).

The volunteer's home visit is approved, out and back → the outcome says it was difficult → the
PPO sees it under "Difficult visits and incidents" and marks the file → the volunteer plans
another home visit on the case → the office's pre-visit check of that plan starts with the
mark → the PPO decides the case continues, and the laptop hears it.
"""

from __future__ import annotations

from desktop import press, text, wait_for
from people import (
    CONSOLE,
    MAIN,
    a_morning_with_an_enrolled_laptop,
    cells,
    choose_row,
    new_case,
    open_tab,
    plan_home_visit,
)

REFERENCE = "PP-2026-0800"
HOSTILE = "Another adult in the house was hostile; we ended the meeting early."
MARK = "Hostile adult at the home: meet in a public place."
VISITS = "Visits"


def approve(office) -> None:  # type: ignore[no-untyped-def]
    """Pull, choose the plan, approve it with the office's own check."""
    office.key(CONSOLE, "ctrl+r")
    open_tab(office, CONSOLE, "Visits to approve")
    choose_row(office, CONSOLE, "Home visits to approve", REFERENCE)
    console = office.window(CONSOLE)
    office.type_into(CONSOLE, office.find(console, name="The office's own pre-visit check"), "File checked.")
    office.activate(CONSOLE, office.find(console, role="push button", name="Approve"))
    wait_for("the plan to leave the list", lambda: not [c for c in cells(
        office.find(console, name="Home visits to approve")) if REFERENCE in c], timeout=20)


def test_a_difficult_visit_marks_the_file_for_the_next_plan(journey) -> None:
    morning, _relay, office, app = a_morning_with_an_enrolled_laptop(journey)
    new_case(app, REFERENCE)
    main = app.window(MAIN)

    plan_home_visit(app, morning.replace(minute=30), REFERENCE)
    app.key(MAIN, "ctrl+shift+s")
    approve(office)
    app.key(MAIN, "ctrl+shift+s")
    press(app.find(main, role="push button", name="Check out: I'm leaving for the visit", timeout=40))
    press(app.find(main, role="push button", name="I'm back safely — check in", timeout=20))

    # The outcome: difficult.
    app.key(MAIN, "ctrl+shift+v")
    visits = app.window(VISITS)
    choose_row(app, VISITS, "Visits", REFERENCE)
    app.activate(VISITS, app.find(visits, role="push button", name="Record outcome…"))
    outcome = app.window("Visit outcome")
    press(app.find(outcome, role="check box", contains="The visit was difficult"))
    app.type_into("Visit outcome", app.find(outcome, role="text", name="Notes for your PPO about the visit"), HOSTILE)
    press(app.find(outcome, role="push button", name="Save"))
    app.gone("Visit outcome")
    app.key(VISITS, "Escape")
    app.gone(VISITS)
    app.key(MAIN, "ctrl+shift+s")

    # The PPO marks the file.
    office.key(CONSOLE, "ctrl+r")
    console = office.window(CONSOLE)
    open_tab(office, CONSOLE, "Visits to approve")
    table = office.find(console, role="table", name="Difficult visits and incidents")
    wait_for("the difficult visit at the office", lambda: "difficult visit" in cells(table), timeout=40)
    assert "not marked" in cells(table), cells(table)
    choose_row(office, CONSOLE, "Difficult visits and incidents", REFERENCE)
    office.activate(CONSOLE, office.find(console, role="push button", name="Mark the file…"))
    ask = office.window("Mark the file")
    office.type_into("Mark the file", office.find(ask, role="text"), MARK)
    press(office.find(ask, role="push button", name="OK"))
    office.gone("Mark the file")
    wait_for("the file marked", lambda: "marked" in cells(table), timeout=15)

    # The next home visit on the case: the mark leads the office's check.
    plan_home_visit(app, morning.replace(hour=14, minute=0), REFERENCE)
    app.key(MAIN, "ctrl+shift+s")
    office.key(CONSOLE, "ctrl+r")
    choose_row(office, CONSOLE, "Home visits to approve", REFERENCE)
    detail = office.find(console, name="Visit plan")
    wait_for("the mark in the plan's check", lambda: text(detail).startswith("⚠ FILE MARKED on "), timeout=30)
    assert f"by PPO Jane: {MARK}" in text(detail), text(detail)

    # The PPO decides the case continues; the volunteer hears it.
    choose_row(office, CONSOLE, "Difficult visits and incidents", REFERENCE)
    office.activate(CONSOLE, office.find(console, role="push button", name="Continue or stop the case…"))
    decide = office.window("Continue or stop the case")
    office.type_into("Continue or stop the case", office.find(decide, role="text", name="Note for the volunteer"),
                     "Public places only from now on.")
    press(office.find(decide, role="push button", name="Send to the volunteer"))
    office.gone("Continue or stop the case")
    done = office.window("Office", timeout=30)
    press(office.find(done, role="push button", name="OK"))
    app.key(MAIN, "ctrl+shift+s")
    brief = app.find(main, role="label", description="From your PPO")
    wait_for("the decision under the case", lambda: "that the case continues: Public places only" in text(brief),
             timeout=40)
