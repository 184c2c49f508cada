"""Agreed actions followed up: the ones due this week across the open cases, and marking one done
(issue 17, item 2; rules in domain/actions.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.actions import ActionToDo, week_end, when_due
from ...store.session import VaultSession
from ..common.widgets import button_row, chosen_row, list_table, message_label

RULE = ("Handbook: “Type the agreed actions, responsibilities, timescales and permission.” "
        "Each action with a “by when” shows here from a week before it is due until it is marked done.")


class ActionsDueDialog(QDialog):
    """The actions due by the sixth day after today, late ones first, in every open case."""

    open_record = Signal(str, str)  # case id, record id
    mark_done = Signal(object)  # ActionToDo

    def __init__(self, session: VaultSession, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.today = session, today
        self.todos: list[ActionToDo] = []
        self.setWindowTitle("Agreed actions due this week")
        self.resize(760, 420)
        rule = QLabel(RULE)
        rule.setWordWrap(True)
        self.table = list_table("Agreed actions due", ("When", "Case", "Action", "Who"), stretch=2)
        self.table.doubleClicked.connect(lambda *_: self._open())
        self.empty = message_label("No actions due")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.table)
        self.done_button = QPushButton("&Mark done")
        self.done_button.clicked.connect(self._done)
        self.open_button = QPushButton("&Open the record")
        self.open_button.clicked.connect(self._open)
        self.message = message_label("Actions message")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(rule)
        layout.addWidget(self.pages)
        layout.addLayout(button_row(self.done_button, self.open_button))
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.refresh()

    def refresh(self) -> None:
        today = self.today()
        if not self.session.is_open:
            return
        self.todos = self.session.book.actions_to_do(due_by=week_end(today))
        self.table.setRowCount(0)
        for todo in self.todos:
            row = self.table.rowCount()
            self.table.insertRow(row)
            assert todo.action.by_when is not None
            when = when_due(todo.action.by_when, today)
            for col, value in enumerate((when, todo.reference, todo.action.what, todo.action.who)):
                item = QTableWidgetItem(value)
                if col == 0 and todo.late(today):
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, col, item)
        self.empty.setText(f"Nothing is due by {week_end(today):%A} {week_end(today).day} "
                           f"{week_end(today):%B}.\n\nWhen you type an agreed action with a “by when” in a "
                           "record, it shows here in the week it is due.")
        self.pages.setCurrentIndex(1 if self.todos else 0)
        self.done_button.setEnabled(bool(self.todos))
        self.open_button.setEnabled(bool(self.todos))
        if self.todos:
            self.table.selectRow(0)
            self.table.setFocus()

    def chosen(self) -> ActionToDo | None:
        row = chosen_row(self.table)
        return self.todos[row] if row is not None and row < len(self.todos) else None

    def _done(self) -> None:
        todo = self.chosen()
        if todo is None:
            self.message.setText("Choose the action that is done first.")
            return
        self.mark_done.emit(todo)
        self.message.setText(f"Marked done: {todo.action.what}")
        self.refresh()

    def _open(self) -> None:
        todo = self.chosen()
        if todo is not None:
            self.open_record.emit(todo.case_id, todo.record_id)
            self.accept()
