"""The PPO's console window: the live visit board first, then visits to approve, the inbox,
claims and devices. It pulls from the relay or drop folder every minute and on demand."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from ...office.background import BackgroundPull
from ...office.console import OfficeConsole
from ...office.inbox import PullResult
from ...store.errors import VaultError
from ...sync.transport import TransportError
from ..common.tasks import TaskRunner
from .board_tab import BoardTab
from .records_tabs import ClaimsTab, InboxTab
from .tabs import DevicesTab, VisitsTab

WHO_KEY = "console_user"


class OfficeWindow(QMainWindow):
    def __init__(self, console: OfficeConsole, runner: TaskRunner, parent: QWidget | None = None,
                 background: BackgroundPull | None = None) -> None:
        super().__init__(parent)
        self.console, self.runner, self.background = console, runner, background
        self.pulling = False
        state = console.service.repo.state()
        self.setWindowTitle(f"IPS Office — {state.office_name if state else ''}")
        self.resize(1200, 760)
        self.tabs = QTabWidget()
        self.board = BoardTab(console, runner, self.who)
        self.visits = VisitsTab(console, self.who)
        self.inbox = InboxTab(console, self.who, self.pull)
        self.claims = ClaimsTab(console, self.who)
        self.devices = DevicesTab(console, self.who)
        for tab, title in ((self.board, "Visit board"), (self.visits, "Visits to approve"), (self.inbox, "Inbox"),
                           (self.claims, "Claims"), (self.devices, "Devices")):
            self.tabs.addTab(tab, title)
        self.setCentralWidget(self.tabs)
        self.pulled = QLabel()
        self.statusBar().addPermanentWidget(self.pulled)
        self.board.alarm.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        menu = self.menuBar().addMenu("&Office")
        for words, keys, slot in (("Pull now", "Ctrl+R", self.pull), ("Ladder contacts…", "", self.edit_contacts),
                                  ("Office policy…", "", self.edit_policy),
                                  ("Back up keys…", "", self.backup_keys),
                                  ("Your name on messages…", "", self.ask_who),
                                  ("Quit", QKeySequence.StandardKey.Quit, self.close)):
            action = QAction(words, self)
            if keys:
                action.setShortcut(QKeySequence(keys))
            action.triggered.connect(slot)
            self.addAction(action)
            menu.addAction(action)
        self.timer = QTimer(self)
        self.timer.setInterval(60_000)
        self.timer.timeout.connect(self.pull)

    def start(self) -> None:
        self.timer.start()
        self.board.start()

    def stop(self) -> None:
        self.timer.stop()
        self.board.stop()
        self.runner.wait()

    # -- who is answering ----------------------------------------------------------------------------
    def who(self) -> str:
        return self.console.service.repo.setting(WHO_KEY) or self.ask_who()

    def ask_who(self) -> str:
        name, ok = QInputDialog.getText(self, "Your name", "Your name or role as volunteers and the ladder see it "
                                        "(e.g. “PPO Jane”):", text="PPO")
        name = name.strip() if ok and name.strip() else "PPO"
        self.set_who(name)
        return name

    def set_who(self, name: str) -> None:
        with self.console.service.repo.vault.transaction():
            self.console.service.repo.put_setting(WHO_KEY, name)

    def backup_keys(self) -> None:
        from ...crypto.keyslot import MINIMUM_KDF
        from .launch import BackupDialog

        BackupDialog(self.console, MINIMUM_KDF, self, required=False).exec()

    def edit_policy(self) -> None:
        from .policy import PolicyDialog

        PolicyDialog(self.console, self).exec()

    def edit_contacts(self) -> None:
        from .contacts import ContactsDialog

        ContactsDialog(self.console, self).exec()
        self.visits.refresh()

    # -- pulling -------------------------------------------------------------------------------------
    def pull(self) -> None:
        """Receive what the laptops sent, send receipts, file enrolments: on a worker with its
        own vault connection when there is one, else on the window's."""
        if self.background is not None:
            if self.pulling:
                return
            self.pulling = True
            self.pulled.setText("Pulling…")
            self.runner.run(self.background.run, self._pulled, self._pull_failed)
            return
        try:
            result = self.console.pull()
        except Exception as exc:
            self._pull_failed(exc)
            return
        self._pulled(result)

    def _pull_failed(self, exc: Exception) -> None:
        self.pulling = False
        if isinstance(exc, TransportError | VaultError):
            self.pulled.setText(f"Not pulled: {exc}")
            return
        self.pulled.setText("Not pulled: the office could not read what arrived.")  # never a traceback
        QMessageBox.warning(self, "Pull", f"Pulling stopped: {type(exc).__name__}. Nothing was lost; try again.")

    def _pulled(self, result: PullResult) -> None:
        self.pulling = False
        words = f"Pulled: {result.verified} new record(s)"
        if result.enrolments:
            words += f", {len(result.enrolments)} enrolment(s) to check by phone"
        if result.rejected:
            words += f", {result.rejected} refused"
        self.pulled.setText(words)
        self.refresh()

    def refresh(self) -> None:
        for tab in (self.visits, self.inbox, self.claims, self.devices):
            tab.refresh()
        self.inbox.result.setText(self.pulled.text())

