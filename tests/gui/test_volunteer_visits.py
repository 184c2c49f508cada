"""A home visit through the real volunteer app: plan it with the rules checked as you type,
the PPO's agreement by phone, the pre-visit call step for poor reception, check out and see
"not monitored", the reminders and the overdue state, check in, then Form PO3 and the outcome."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from conftest import PASSPHRASE
from PySide6.QtWidgets import QInputDialog

from ips_desktop.domain.risk import Factor
from ips_desktop.domain.visit_flow import State
from ips_desktop.domain.visits import VenueKind
from ips_desktop.store.casebook import PRIORITY_SAFEGUARDING
from ips_desktop.ui.volunteer.visits import IncidentDialog, OutcomeDialog

pytestmark = pytest.mark.gui
ADDRESS = "14 Victoria Road, Exeter EX4 6PQ"


def visible_text(widget) -> str:  # type: ignore[no-untyped-def]
    return widget.text() if widget.isVisible() else ""


def test_a_home_visit_with_poor_reception_from_plan_to_incident(running, qtbot, monkeypatch) -> None:
    app, clock = running
    clock.now = datetime(2026, 11, 24, 9, 0)  # a Tuesday
    case_id = app.book.open_case("PP-2026-0501")
    app.window.refresh()
    app.window.select_case(case_id)
    controller = app.visits
    reminders: list[str] = []
    controller.watch.reminder.connect(lambda title, _message: reminders.append(title))
    assert not controller.banner.isVisible()  # nothing today

    # Plan: the rules are checked as the volunteer types.
    planner = controller.plan()
    qtbot.addWidget(planner)
    planner.venue.setCurrentIndex(planner.venue.findData(VenueKind.PARENT_HOME))
    planner.day.line.setText("25/11/2026")
    planner.start.setText("14:00")
    planner.minutes.setValue(600)
    assert "Plan at most 90 minutes" in planner.verdict.text()
    assert "Allow no more than 90 minutes" in planner.verdict.text()  # the handbook's words
    assert not planner.save_button.isEnabled()
    planner.minutes.setValue(60)
    planner.start.setText("4.30pm")
    assert "must end by 17:00" in planner.verdict.text()
    planner.start.setText("14:00")
    planner.day.line.setText("28 Nov")
    assert "is a weekend" in planner.verdict.text()
    planner.day.line.setText("25/11/2026")
    assert planner.save_button.isEnabled()
    assert "your PPO's agreement" in planner.verdict.text()
    planner.show()
    last = planner.answers[list(Factor)[-1]]
    before = last.mapTo(planner, last.rect().topLeft())
    planner.answers[Factor.POOR_RECEPTION].setChecked(True)
    qtbot.wait(50)
    assert last.mapTo(planner, last.rect().topLeft()) == before, "ticking a question moves the others"
    assert planner.effects[Factor.POOR_RECEPTION].isVisibleTo(planner)
    assert "phone your PPO before you go in" in planner.verdict.text()
    assert "5 minutes after your due time" in planner.verdict.text()
    planner.answers[Factor.AGGRESSIVE_OCCUPANT].setChecked(True)
    assert "will not be allocated" in planner.verdict.text()
    assert not planner.save_button.isEnabled()
    planner.answers[Factor.AGGRESSIVE_OCCUPANT].setChecked(False)

    # The parent's name pasted with the address is caught; the address itself is allowed.
    planner.place.setText(f"Mrs Okafor, {ADDRESS}")
    planner.vehicle.setText("blue Ford Fiesta")
    planner.save_button.click()
    assert planner.isVisible()
    assert [row.finding.finding.text for row in planner.pii.rows] == ["Mrs Okafor"]
    planner.place.setText(ADDRESS)  # nothing else typed was lost
    assert planner.minutes.value() == 60
    assert planner.answers[Factor.POOR_RECEPTION].isChecked()
    planner.save_button.click()
    qtbot.waitUntil(lambda: not planner.isVisible())

    # The PPO agrees by phone (recorded with who and when).
    dialog = controller.show_visits()
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert "call PPO first" in dialog.table.item(0, 4).text()
    assert "needs your PPO's agreement" in dialog.hint.text()
    assert not dialog.buttons["in"].isEnabled()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("PPO", True))
    dialog.buttons["approve"].click()
    assert dialog.table.item(0, 4).text().startswith("approved")
    dialog.close()

    # On the day: the pre-visit call step comes before check-out.
    clock.now = datetime(2026, 11, 25, 13, 30)
    controller.watch.tick()
    banner = controller.banner
    assert banner.isVisible()
    assert "Visit today at 14:00" in banner.headline.text()
    assert banner.log_call.isVisible()
    assert not banner.check_out.isVisible()
    assert "phone your PPO" in banner.detail.text()
    banner.log_call.click()
    assert banner.check_out.isVisible()
    banner.check_out.click()

    # Checked out but not yet monitored: the volunteer is told to phone the office.
    assert banner.check_in.isVisible()
    assert "NOT MONITORED" in banner.detail.text()
    assert "01392 383080" in banner.detail.text()
    rid = controller.watch.current.record_id
    assert dict(app.book.vault.query("SELECT record_id, priority FROM outbox"))[rid] == PRIORITY_SAFEGUARDING

    # Reminders at T−15 and T−5, then the overdue state after the 5-minute grace.
    for minute, expected in ((46, "Due back in 15 minutes"), (56, "Due back in 5 minutes"), (58, None)):
        clock.now = datetime(2026, 11, 25, 14, minute)
        controller.watch.tick()
        if expected:
            assert reminders[-1] == expected
    assert reminders == ["Due back in 15 minutes", "Due back in 5 minutes"]  # once each
    clock.now = datetime(2026, 11, 25, 15, 6)
    controller.watch.tick()
    assert banner.headline.text().startswith("OVERDUE")
    assert "b00020" in banner.styleSheet()
    assert reminders[-1] == "OVERDUE: the office has been alerted"

    # Check in: the big button.
    banner.check_in.click()
    assert not banner.isVisible()
    view = controller.visits.get(rid)
    assert view.visit.state is State.IN
    assert view.visit.checked_in_at == clock.now

    # A second check-in is explained, not silently accepted.
    warnings: list[str] = []
    monkeypatch.setattr("ips_desktop.ui.volunteer.visit_controller.QMessageBox.information",
                        lambda _parent, _title, text: warnings.append(text))
    controller.check_in_now()
    assert "not checked out" in warnings[-1]

    # Form PO3 from the visits view.
    clock.now = datetime(2026, 11, 25, 15, 30)
    dialog = controller.show_visits()
    incident = IncidentDialog(controller.session, dialog.current(), clock, dialog)
    qtbot.addWidget(incident)
    incident.what.setPlainText("Partner shouted and stood in the doorway; I said it was not a good time and left.")
    incident.who.setText("parent's partner")
    incident.signs[2].setChecked(True)
    incident.action.setPlainText("Left, phoned the PPO from the car.")
    incident.save()
    assert incident.result() == IncidentDialog.DialogCode.Accepted
    (iid, report), = controller.visits.incidents()
    assert report.signs == ("Verbal threats, gestures, stances or obstruction",)
    assert report.hse_deadline.isoformat() == "2026-12-05"
    assert dict(app.book.vault.query("SELECT record_id, priority FROM outbox"))[iid] == PRIORITY_SAFEGUARDING

    # The outcome closes the visit.
    dialog.refresh()
    outcome = OutcomeDialog(controller.session, dialog.current(), dialog)
    qtbot.addWidget(outcome)
    outcome.difficult.setChecked(True)
    outcome.save()
    dialog.refresh()
    assert dialog.table.item(0, 4).text() == "closed"
    closed = controller.visits.get(rid).visit
    assert closed.incident
    assert closed.difficult


def test_a_half_typed_plan_survives_a_crash_and_goes_when_saved_or_cancelled(running, qtbot) -> None:
    app, clock = running
    clock.now = datetime(2026, 11, 24, 9, 0)
    case_id = app.book.open_case("PP-2026-0502")
    app.window.refresh()
    app.window.select_case(case_id)
    planner = app.visits.plan()
    planner.autosave.setInterval(10)
    planner.venue.setCurrentIndex(planner.venue.findData(VenueKind.PARENT_HOME))
    planner.place.setText(ADDRESS)
    planner.day.line.setText("26/11/2026")
    planner.start.setText("1115")
    planner.answers[Factor.ANIMALS].setChecked(True)
    qtbot.waitUntil(lambda: planner.draft_id is not None
                    and app.visits.visits.draft_for(case_id)[1].risk == ("animals",))
    planner.hide()  # the app dies here: no cancel, no save
    planner.deleteLater()

    again = app.visits.plan()
    qtbot.addWidget(again)
    assert again.restored.text().startswith("Your unfinished plan")
    assert again.place.text() == ADDRESS
    assert again.start.text() == "11:15"
    assert again.day.value() == date(2026, 11, 26)
    assert again.answers[Factor.ANIMALS].isChecked()
    again.save_button.click()
    assert app.visits.visits.draft_for(case_id) is None  # saved: the draft went with it
    assert app.book.unsent_count() == 1  # the plan, not the draft

    third = app.visits.plan()
    qtbot.addWidget(third)
    third.autosave.setInterval(10)
    third.place.setText("Central Library café")
    qtbot.waitUntil(lambda: third.draft_id is not None)
    third.reject()
    assert app.visits.visits.draft_for(case_id) is None


def test_locking_hides_the_planner_and_keeps_what_was_typed(running, qtbot) -> None:
    app, clock = running
    clock.now = datetime(2026, 11, 24, 9, 0)
    case_id = app.book.open_case("PP-2026-0503")
    app.window.refresh()
    app.window.select_case(case_id)
    planner = app.visits.plan()
    planner.place.setText("Canary-Kestrel-7310 community centre")
    app.lock()
    assert not planner.isVisible()
    app.open_with(app.profile.unlock(PASSPHRASE, clock))
    assert planner.isVisible(), "the planner comes back after the unlock"
    assert planner.place.text() == "Canary-Kestrel-7310 community centre"
    assert app.visits.visits.draft_for(case_id) is not None, "the plan was kept as a draft at the lock"
