"""A button is announced by what it says: its accessible name, when it has one, contains its
words ("Open the note — Late, was due…", "Browse for the backup file"), so a screen reader never
calls "Enrol…" "Send now". Checked over every button of the volunteer's main window, its
expenses, its visits and its planner, as their states change."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication

pytestmark = pytest.mark.gui


def _words(text: str) -> str:
    return re.sub(r"[&…:.]", "", text).strip().lower()


def mismatched() -> list[str]:
    return [f"“{w.text()}” is announced as “{w.accessibleName()}”" for w in QApplication.allWidgets()
            if isinstance(w, QAbstractButton) and w.text() and w.accessibleName()
            and _words(w.text()) not in _words(w.accessibleName())]


def test_every_button_is_announced_by_its_words(running, qtbot) -> None:  # type: ignore[no-untyped-def]
    app, _clock = running
    case_id = app.book.open_case("PP-2026-0142")
    app.window.refresh()
    app.window.select_case(case_id)
    app.window.new_record()
    for dialog in (app.expenses.show_expenses(), app.visits.show_visits(), app.visits.plan()):
        assert dialog is not None
        qtbot.addWidget(dialog)
    app.window.show_today()
    qtbot.waitUntil(lambda: app.window.today_view.isVisible())
    assert any(isinstance(w, QAbstractButton) and w.text() == "Enrol…" for w in QApplication.allWidgets()), \
        "the status bar offers to enrol this laptop"
    assert not mismatched(), "\n".join(mismatched())
