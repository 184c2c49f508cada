"""Tab always moves on: no table or note box keeps it, in windows made before or after the
keyboard habits are installed; an editable drop-down's typing line has the list's name."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QComboBox, QPlainTextEdit, QTableWidget, QVBoxLayout, QWidget

from ips_desktop.ui.common import keyboard

pytestmark = pytest.mark.gui


def window(qtbot) -> tuple[QWidget, QTableWidget, QPlainTextEdit, QComboBox]:  # type: ignore[no-untyped-def]
    w = QWidget()
    qtbot.addWidget(w)
    table, note, combo = QTableWidget(2, 2), QPlainTextEdit(), QComboBox()
    combo.setEditable(True)
    combo.setAccessibleName("What it was for")
    layout = QVBoxLayout(w)
    for child in (table, note, combo):
        layout.addWidget(child)
    return w, table, note, combo


def test_tab_leaves_tables_and_note_boxes_in_every_window(qtbot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    _before, table, note, _combo = window(qtbot)
    assert table.tabKeyNavigation(), "Qt's default: a table keeps Tab"
    assert not note.tabChangesFocus(), "Qt's default: a note box types a tab"
    habits = keyboard.install(app)
    try:
        assert not table.tabKeyNavigation(), "a window made before the filter"
        assert note.tabChangesFocus(), "a window made before the filter"
        after, table2, note2, combo2 = window(qtbot)
        after.show()
        assert not table2.tabKeyNavigation(), "a window made after it"
        assert note2.tabChangesFocus(), "a window made after it"
        line = combo2.lineEdit()
        assert line is not None
        assert line.accessibleName() == "What it was for"
        note2.setFocus()
        qtbot.waitUntil(note2.hasFocus)
        qtbot.keyClick(note2, "\t")
        assert note2.toPlainText() == "", "Tab typed nothing"
        assert not note2.hasFocus(), "Tab moved on"
    finally:
        app.removeEventFilter(habits)
