"""Expenses in the volunteer app: the Expenses menu, the window, and the reminder in the days
before last month's claim must be posted, over one :class:`ExpenseBook` per unlocked vault."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from ...domain.claim import PreparedReceipt
from ...domain.expenses import ExpenseRates
from ...store.expensebook import ExpenseBook
from ...store.session import VaultSession
from ..common.tasks import TaskRunner
from ..common.widgets import MessageLabel
from .expenses import ExpensesDialog, SavePath, ask_save_path

if TYPE_CHECKING:
    from .main_window import MainWindow


def prepare_receipt(name: str, data: bytes) -> PreparedReceipt:
    """Pillow and pypdf load with the first receipt, not with the window."""
    from ...reports.receipts import prepare_receipt

    return prepare_receipt(name, data)


class ExpenseController(QObject):
    submitted = Signal()

    def __init__(self, window: MainWindow, runner: TaskRunner, now: Callable[[], datetime],
                 save_path: SavePath = ask_save_path) -> None:
        super().__init__(window)
        self.now, self.runner, self.save_path = now, runner, save_path
        self.expenses: ExpenseBook | None = None
        self.session: VaultSession | None = None
        self.rates = ExpenseRates()
        self.dialog: ExpensesDialog | None = None
        self.reminder = MessageLabel()
        self.reminder.setAccessibleDescription("Expense claim reminder")
        self.reminder.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self.reminder.hide()
        window.add_status_widget(self.reminder)
        self.timer = QTimer(self)
        self.timer.setInterval(60 * 60 * 1000)
        self.timer.timeout.connect(self.check_reminder)
        action = QAction("Expenses…", window)
        action.setShortcut(QKeySequence("Ctrl+Shift+X"))
        action.triggered.connect(self.show_expenses)
        window.addAction(action)
        window.menuBar().addMenu("&Expenses").addAction(action)

    @property
    def window(self) -> MainWindow:
        return cast("MainWindow", self.parent())

    def attach(self, session: VaultSession, rates: ExpenseRates) -> None:
        """After an unlock or a re-key: the session's expense book (the window asks the session
        for it itself each time)."""
        self.session, self.rates = session, rates
        self.expenses = session.expenses
        if self.dialog is not None:
            self.dialog.unlocked()
        self.check_reminder()
        self.timer.start()

    def detach(self) -> None:
        """On lock: the expenses window is hidden with the main window, its forms as they were;
        nothing in it touches the vault until the unlock."""
        if self.dialog is not None:
            self.dialog.locked = True
            self.dialog.thumbnails.clear()
        self.expenses = None
        self.timer.stop()
        self.reminder.hide()

    def check_reminder(self) -> str | None:
        if self.expenses is None:
            return None
        text = self.expenses.reminder(self.now().date())
        self.reminder.setVisible(text is not None)
        if text:
            self.reminder.setText("Expenses: " + text.split(" (")[0])
            self.reminder.setToolTip(text)
            if not self.reminder.property("shown"):
                self.window.statusBar().showMessage(text, 60_000)
                QApplication.alert(self.window)
                self.reminder.setProperty("shown", True)
        return text

    def show_expenses(self) -> ExpensesDialog | None:
        if self.expenses is None:
            return None
        if self.dialog is None:
            book = self.window.book
            assert self.session is not None
            self.dialog = ExpensesDialog(
                self.session, self.runner, lambda: self.now().date(),
                lambda: [c.reference for c in book.case_list(include_closed=False)],
                lambda: book.settings.ips_code, self.window, self.save_path)
            self.dialog.submitted.connect(self._submitted)
            self.dialog.finished.connect(self._closed)
        self.dialog.refresh()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def _submitted(self) -> None:
        self.check_reminder()
        self.submitted.emit()

    def _closed(self) -> None:
        self.dialog = None
        self.check_reminder()
        if self.expenses is not None:
            self.window.today_view.refresh()
