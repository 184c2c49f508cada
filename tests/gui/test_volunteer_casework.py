"""Casework in the volunteer's window (issue 17): agreed actions (the Done tick, the case's list, the
week's list, the consent pointer) and the referral form on a laptop not yet enrolled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from ips_desktop import clock
from ips_desktop.domain.records import AgreedAction, ContactKind, ContactRecord
from ips_desktop.ui.volunteer.actions import ActionsDueDialog

pytestmark = pytest.mark.gui


def _case_with_actions(app):  # type: ignore[no-untyped-def]
    today = clock.today()
    case_id = app.book.open_case("PP-2026-0400")
    actions = (AgreedAction("Ring the SENCO about the plan", "IPS", today - timedelta(days=2)),
               AgreedAction("Send the draft plan", "parent", today + timedelta(days=3)),
               AgreedAction("Check the tribunal date", "IPS", today + timedelta(days=20)))
    record = ContactRecord(ContactKind.TELEPHONE, clock.now().replace(microsecond=0), 20,
                           summary="Next steps agreed.", agreed_actions=actions)
    record_id = app.book.save(None, case_id, record)
    app.window.refresh()
    app.window.select_case(case_id)
    return case_id, record_id


def test_the_cases_actions_and_marking_one_done(running, qtbot) -> None:
    app, _ = running
    window = app.window
    _case_id, record_id = _case_with_actions(app)
    lines = [window.todo_list.item(i).text() for i in range(window.todo_list.count())]
    assert lines[0].startswith("Late, was due ")
    assert lines[0].endswith(": Ring the SENCO about the plan (IPS)")
    assert lines[1].startswith("Due ")
    assert lines[1].endswith(": Send the draft plan (parent)")
    assert len(lines) == 3
    assert window.todo_title.text() == "Agreed actions to do (3)"
    assert not window.due_button.isHidden()
    assert window.due_button.text() == "2 agreed actions due this week"

    # The record open in the editor: the tick shows there at once, and typing is kept.
    window.record_list.setCurrentRow(0)
    assert window.editor.record_id == record_id
    window.editor.summary.setPlainText("Next steps agreed; parent happy.")
    window.todo_list.setCurrentRow(0)
    window.mark_chosen_todo_done()
    assert window.editor.action_rows.done_at(0)
    assert window.editor.summary.toPlainText() == "Next steps agreed; parent happy."
    assert window.todo_list.count() == 2
    assert window.due_button.text() == "1 agreed action due this week"
    kept = app.book.record(record_id).record
    assert [a.done for a in kept.agreed_actions] == [True, False, False]

    # Saving the record again keeps the tick (the editor's Done column carries it).
    window.editor.save()
    assert [a.done for a in app.book.record(record_id).record.agreed_actions] == [True, False, False]
    # Unticking it in the editor brings it back to the list.
    window.editor.action_rows.item(0, 3).setCheckState(Qt.CheckState.Unchecked)
    window.editor.save()
    assert window.todo_list.count() == 3


def test_the_weeks_list_marks_done_and_opens_the_record(running, qtbot) -> None:
    app, _ = running
    window = app.window
    case_id, record_id = _case_with_actions(app)
    window.editor.clear()
    dialog = ActionsDueDialog(app.session, clock.today, window)
    qtbot.addWidget(dialog)
    opened: list[tuple[str, str]] = []
    dialog.open_record.connect(lambda c, r: opened.append((c, r)))
    dialog.mark_done.connect(window.mark_action_done)
    assert dialog.table.rowCount() == 2  # the one in 20 days is not this week's
    assert dialog.table.item(0, 0).text().startswith("late, was due")
    assert dialog.table.item(0, 1).text() == "PP-2026-0400"
    dialog.done_button.click()
    assert dialog.table.rowCount() == 1
    assert "Marked done: Ring the SENCO" in dialog.message.text()
    dialog.open_button.click()
    assert opened == [(case_id, record_id)]
    window.open_record(case_id, record_id)
    assert window.editor.record_id == record_id
    dialog.refresh()
    dialog.done_button.click()
    assert dialog.pages.currentIndex() == 0
    assert "Nothing is due by" in dialog.empty.text()


def test_an_action_with_no_consent_for_its_professional_is_pointed_out(running) -> None:
    app, _ = running
    window = app.window
    case_id = app.book.open_case("PP-2026-0401")
    window.refresh()
    window.select_case(case_id)
    window.new_record()
    editor = window.editor
    assert editor.consent_check.text() == ""
    height = editor.consent_check.minimumHeight()
    editor.action_rows.add_row(("Ring the SENCO about the plan", "IPS", "", ""))
    assert "Consent not recorded: “Ring the SENCO about the plan” involves the SENCO" in editor.consent_check.text()
    assert editor.consent_check.minimumHeight() == height  # nothing below it moves
    editor.consent_rows.add_row(("the school", "verbally on the phone", clock.today().strftime("%d/%m/%Y")))
    assert editor.consent_check.text() == ""
    editor.save()  # a pointer, never a stop
    assert "Saved" in editor.message.text()

    # A later record in the same case: the consent given earlier counts.
    window.new_record()
    editor.action_rows.add_row(("Ask the class teacher for the IEP", "IPS", "", ""))
    assert editor.consent_check.text() == ""
    editor.action_rows.add_row(("Ask the OT for the report", "parent", "", ""))
    assert "involves the occupational therapist" in editor.consent_check.text()


def test_opening_a_saved_record_shows_its_consent_gap(running) -> None:
    app, _ = running
    window = app.window
    case_id = app.book.open_case("PP-2026-0402")
    record_id = app.book.save(None, case_id, ContactRecord(
        ContactKind.MEETING, clock.now().replace(microsecond=0), 30, summary="Meeting at school.",
        agreed_actions=(AgreedAction("Send written comments to the LA SEN officer", "parent"),)))
    window.refresh()
    window.open_record(case_id, record_id)
    assert window.editor.record_id == record_id
    assert "involves the LA SEN officer" in window.editor.consent_check.text()


def test_a_laptop_not_enrolled_offers_no_referral_form_to_send(running) -> None:
    from ips_desktop.ui.volunteer.referral import ReferralDialog

    app, _ = running
    dialog = ReferralDialog(app.session, "01392 383080", app.window)
    assert not dialog.send_button.isEnabled()
    assert "ring the office on 01392 383080 with the parent's name and number today" in dialog.error.text()
    assert dialog.due.text().startswith("The office must have it by 17:00")


def test_replace_all_works_in_every_screened_form(running) -> None:
    """The PII panel's "Replace it" button does what it says in each form that shows it."""
    from ips_desktop.ui.volunteer.event_summary import EventSummaryDialog
    from ips_desktop.ui.volunteer.papers import PapersDialog

    app, _ = running
    event = EventSummaryDialog(app.session, clock.today(), app.window)
    event.what.setText("coffee morning")
    event.summary.setPlainText("Met Mrs Okafor there.")
    event.save()
    assert event.pii.isVisibleTo(event)
    event.pii.replace_all.click()  # replaced, then sent, as its tooltip says
    assert event.summary.toPlainText() == "Met O. there."
    assert app.book.unsent_count() == 1
    assert event.result() == event.DialogCode.Accepted

    case_id = app.book.open_case("PP-2026-0403")
    papers = PapersDialog(app.session, case_id, clock.today(), app.window)
    papers.description.setText("Letter from Mrs Okafor")
    papers.add()
    assert papers.pii.isVisibleTo(papers)
    papers.pii.replace_all.click()
    assert papers.table.rowCount() == 1
    assert papers.table.item(0, 0).text() == "Letter from O."


def test_the_parents_copy_goes_to_the_ppo_from_the_record(running) -> None:
    app, _ = running
    window = app.window
    case_id, record_id = _case_with_actions(app)
    window.open_record(case_id, record_id)
    dialog = window.editor.note_to_forward()
    assert dialog is not None
    assert dialog.include.isChecked()
    assert dialog.include.text() == "Include this note's 3 agreed actions: the parent's copy"
    assert dialog.subject.text().startswith("What we agreed on ")
    assert dialog.to.currentText() == "parent"
    dialog.text.setPlainText("Thank you for talking to me today.")
    dialog.save()
    (kept,) = [v for v in app.book.records_for_case(case_id) if v.record.__class__.__name__ == "NoteToForward"]
    assert kept.record.actions[0].what == "Ring the SENCO about the plan"
    assert "waiting to go to your PPO" in window.editor.message.text()


def test_telephone_practice_in_the_record(running) -> None:
    from datetime import datetime

    from ips_desktop.domain.records import DIAL_141

    app, _ = running
    window = app.window
    case_id = app.book.open_case("PP-2026-0404")
    window.refresh()
    window.select_case(case_id)
    window.new_record()
    editor = window.editor
    editor.when.set_value(datetime(2026, 12, 7, 10, 0))  # a Monday morning
    assert editor.phone_note.text() == DIAL_141
    editor.when.set_value(datetime(2026, 12, 12, 18, 30))  # a Saturday evening
    assert editor.phone_note.text().startswith("This call was at 18:30 on Saturday. Handbook: ring parents")
    editor.kind.setCurrentIndex(1)  # a meeting
    assert editor.phone_note.text() == ""
    editor.explained.setChecked(True)
    editor.records_consent.setChecked(True)
    editor.summary.setPlainText("Explained the IPS role.")
    editor.save()
    (view,) = [v for v in app.book.records_for_case(case_id)]
    assert (view.record.explained, view.record.records_consent) == (True, True)
