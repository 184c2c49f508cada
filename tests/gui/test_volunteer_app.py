"""The volunteer app driven through its widgets (offscreen), on real vault files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from conftest import PASSPHRASE, Clock, files_containing
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from ips_desktop.store.profile import Profile

pytestmark = pytest.mark.gui

CANARY = "Canary-Wombat-9182"


def test_first_run_creates_an_encrypted_vault_with_settings(running) -> None:
    app, _ = running
    assert app.profile.exists()
    assert app.book.settings.ips_code == "IPS-17"
    assert "No cases yet" in app.window.empty_cases.text()
    assert app.window.case_stack.currentIndex() == 0


def test_case_record_pii_prompt_search_and_autolock(running, qtbot, monkeypatch) -> None:
    app, clock = running
    window = app.window
    answers = iter([("Jane Smith", True), ("PP-2026-0200", True)])
    monkeypatch.setattr("ips_desktop.ui.volunteer.main_window.QInputDialog.getText",
                        lambda *a, **k: next(answers))
    window.new_case()  # a name is refused inline, then the reference is accepted
    assert window.cases.rowCount() == 1
    assert window.case_title.text() == "Case PP-2026-0200"

    window.new_record()
    editor = window.editor
    editor.summary.setPlainText(f"Spoke with Mrs Okafor about the EHCP timeline. {CANARY}")
    editor.save()
    assert editor.pii.isVisible()
    (row,) = editor.pii.rows
    assert row.finding.finding.text == "Mrs Okafor"
    assert "initials instead of names" in row.finding.finding.advice
    row.fix.setFocus()
    row.fix.click()  # one click: replaced with initials and saved
    assert editor.summary.toPlainText().startswith("Spoke with O. about")
    assert window.focusWidget() is editor.summary, "typing goes on where it was, not in the search box"
    assert "Saved" in editor.message.text()
    assert window.record_list.count() == 1
    assert "1 note waiting" in window.unsent.text()

    window.search.setText("timeline")
    assert window.record_list.count() == 1
    window.search.setText("nothing-like-this")
    assert window.record_list.count() == 0
    assert "Nothing matches" in window.empty_records.text()
    window.search.clear()

    # Auto-lock after idle: content leaves the widgets and the clipboard.
    window.record_list.setCurrentRow(0)
    assert CANARY in editor.summary.toPlainText()
    QGuiApplication.clipboard().setText(CANARY)
    clock.now += timedelta(minutes=6)
    app.check_idle()
    assert app.vault is None
    assert not window.isVisible()
    assert CANARY not in editor.summary.toPlainText()
    assert window.cases.rowCount() == 0
    assert QGuiApplication.clipboard().text() != CANARY
    assert app.unlock_dialog is not None
    assert app.unlock_dialog.isVisible()
    assert files_containing(app.profile.dir, CANARY.encode()) == []

    # Wrong passphrase: a clear message; right one: back in.
    dialog = app.unlock_dialog
    dialog.passphrase.setText("wrong passphrase")
    dialog.attempt()
    qtbot.waitUntil(lambda: "does not open" in dialog.message.text(), timeout=20000)
    dialog.passphrase.setText(PASSPHRASE)
    dialog.attempt()
    qtbot.waitUntil(lambda: app.vault is not None, timeout=20000)
    assert window.isVisible()
    assert window.cases.rowCount() == 1
    # Locked again: the window asks for the passphrase, never "Opening…" from last time.
    app.lock()
    assert dialog.isVisible()
    assert dialog.message.text() == "Type your passphrase to open your notes."


def test_typing_survives_a_crash_through_autosave(running, qtbot, tmp_path: Path) -> None:
    app, _ = running
    case_id = app.book.open_case("PP-2026-0201")
    app.window.refresh()
    app.window.select_case(case_id)
    app.window.new_record()
    app.window.editor.summary.setPlainText("half typed note about transport")
    qtbot.waitUntil(lambda: "Draft saved" in app.window.editor.draft_state.text(), timeout=8000)
    # "Crash": reopen the files from scratch without any clean shutdown.
    profile = Profile(app.profile.dir.parent)
    vault = profile.open_vault(profile.unlock(PASSPHRASE, Clock()))
    from ips_desktop.store.casebook import CaseBook

    hits = CaseBook(vault, Clock()).search("transport")
    assert [h.view.state for h in hits] == ["draft"]
    vault.close()


def test_lock_shortcut_exists(running) -> None:
    app, _ = running
    shortcuts = {a.shortcut().toString() for a in app.window.actions()}
    assert {"Ctrl+N", "Ctrl+Shift+N", "Ctrl+L"} <= shortcuts
    assert QApplication.instance() is not None
