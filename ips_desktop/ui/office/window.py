"""The PPO's console window: the live visit board first, then visits to approve, the inbox,
claims and devices. It pulls from the relay or drop folder every minute and on demand.

Two lanes (docs/architecture.md, "Threads"), each a thread with its own worker connection to
the office vault: the board's (its 5-second refresh and the answers to alerts) and the
records' (pulling). So a slow pull never delays the board, and the window never waits for
the network.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from ...crypto.keyslot import KdfParams, calibrate
from ...domain.words import counted
from ...office.background import OfficeWorker
from ...office.console import OfficeConsole
from ...office.inbox import PullResult
from ...office.this_pc import ThisPC
from ...store.errors import VaultError
from ...sync.transport import TransportError
from ..common.tasks import Lane, TaskRunner
from ..common.widgets import fit_to_screen, status_label
from .board_tab import BoardTab
from .feedback_tab import FeedbackTab
from .forward_tab import ForwardTab
from .records_tabs import ClaimsTab, InboxTab
from .referrals_tab import ReferralsTab
from .tabs import DevicesTab, VisitsTab

WHO_KEY = "console_user"  # where a console kept its user's name before each PC kept its own (office/this_pc)
IDLE_LOCK_MS = 15 * 60 * 1000  # the console locks its screen after 15 minutes without use
CHANGES_EVERY_MS = 3_000  # how often the console looks for what another console kept
_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel, QEvent.Type.MouseMove}


@dataclass
class Workers:
    """The board's and the records' workers, each on a lane of its own."""

    board: OfficeWorker
    board_lane: Lane
    records: OfficeWorker
    records_lane: Lane

    @classmethod
    def open(cls, vault_path: Path, db_key: bytes, now: Callable[[], datetime],
             who: Callable[[], str] = lambda: "") -> Workers:
        console_id = secrets.token_hex(8)  # this console, among the office's (office/sharing.py)
        return cls(OfficeWorker(vault_path, db_key, now, who, console_id), Lane("office-board"),
                   OfficeWorker(vault_path, db_key, now, who, console_id), Lane("office-records"))

    def close(self) -> None:
        """Each worker's connection is closed on its own lane's thread."""
        self.board_lane.close(self.board.close)
        self.records_lane.close(self.records.close)


class OfficeWindow(QMainWindow):
    """``idle`` is emitted after ``idle_ms`` without a key or the mouse (real time: a shift of
    the shared clock never locks the board while a visit is out)."""

    idle = Signal()

    def __init__(self, console: OfficeConsole, runner: TaskRunner, workers: Workers,
                 parent: QWidget | None = None, idle_ms: int = IDLE_LOCK_MS, this_pc: ThisPC | None = None,
                 kdf: Callable[[], KdfParams] = calibrate) -> None:
        super().__init__(parent)
        self.console, self.runner, self.workers, self.kdf = console, runner, workers, kdf
        self.this_pc = this_pc or ThisPC()
        self.pulling = False
        self.idle_ms = idle_ms
        self.quiet = QElapsedTimer()
        self.quiet.start()
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(min(5_000, max(50, idle_ms // 4)))
        self.idle_timer.timeout.connect(self._check_idle)
        state = console.service.repo.state()
        self.setWindowTitle(f"IPS Office — {state.office_name if state else ''}")
        fit_to_screen(self, 1200, 760)
        self.tabs = QTabWidget()
        self.board = BoardTab(console, runner, self.who, workers.board, workers.board_lane)
        self.visits = VisitsTab(console, self.who, background=self.on_records_lane)
        self.inbox = InboxTab(console, self.who, self.pull, background=self.on_records_lane)
        self.referrals = ReferralsTab(console, self.who, background=self.on_records_lane)
        self.claims = ClaimsTab(console, self.who, background=self.on_records_lane)
        self.feedback = FeedbackTab(console, self.who)
        self.forward = ForwardTab(console, self.who)
        self.devices = DevicesTab(console, self.who, background=self.on_records_lane)
        for tab, title in ((self.board, "Visit board"), (self.visits, "Visits to approve"), (self.inbox, "Inbox"),
                           (self.referrals, "Referrals"), (self.forward, "To forward"), (self.claims, "Claims"),
                           (self.feedback, "Feedback"), (self.devices, "Devices")):
            self.tabs.addTab(tab, title)
        self.referrals.changed.connect(self._title_referrals)
        self.feedback.changed.connect(self._title_referrals)
        self.forward.changed.connect(self._title_referrals)
        self.inbox.changed.connect(self._title_referrals)
        self._title_referrals()
        self.setCentralWidget(self.tabs)
        self.pulled = status_label("Last pull")
        self.statusBar().addPermanentWidget(self.pulled, 1)
        self.others = status_label("Other consoles")
        self.others.hide()
        self.statusBar().addPermanentWidget(self.others, 1)
        self.reminder = status_label("Office backup")
        self.reminder.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self.statusBar().addPermanentWidget(self.reminder, 2)
        self.board.alarm.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        menu = self.menuBar().addMenu("&Office")
        for words, keys, slot in (("Pull now", "Ctrl+R", self.pull),
                                  ("&Allocate a case…", "Ctrl+Shift+A", self.allocate_case),
                                  ("Ladder contacts…", "Ctrl+Shift+L", self.edit_contacts),
                                  ("Office policy…", "Ctrl+Shift+P", self.edit_policy),
                                  ("Report to the &Steering Group…", "", self.steering_report),
                                  ("Back up the office…", "Ctrl+Shift+B", self.backup_office),
                                  ("Back up keys…", "", self.backup_keys),
                                  ("Your name on messages…", "", self.ask_who),
                                  ("&Change the office passphrase…", "", self.change_passphrase),
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
        self.timer.timeout.connect(self.remind)
        self.stopped = False
        # What another PPO's console (or this one's workers) kept shows within seconds: the tabs are
        # read again whenever the office vault changed (office/sharing.py).
        self.changes = QTimer(self)
        self.changes.setInterval(CHANGES_EVERY_MS)
        self.changes.timeout.connect(self._look_for_changes)
        self._seen_version = -1
        self.again = QTimer(self)  # a pull soon after this one: the relay asked us to wait, or a laptop is enrolling
        self.again.setSingleShot(True)
        self.again.timeout.connect(self.pull)

    def start(self) -> None:
        self.remind()
        self.timer.start()
        self._seen_version = self._vault_version()
        self.changes.start()
        QTimer.singleShot(0, self.pull)  # what came overnight, and who else has the office open
        self.board.start()
        self.idle_timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def stop(self) -> None:
        self.stopped = True  # a pull's answer still on its way must not start another
        self.timer.stop()
        self.changes.stop()
        self.again.stop()
        self.idle_timer.stop()
        self.board.stop()
        self.workers.close()
        self.runner.wait()

    def on_records_lane(self, act: Callable[[OfficeConsole], object], done: Callable[[object], None],
                        failed: Callable[[Exception], None]) -> None:
        """An action that reaches the relay, run with the records' worker (see ``Background``)."""
        worker = self.workers.records
        self.runner.run(lambda: worker.run(act), done, failed, lane=self.workers.records_lane)

    # -- the idle lock ------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.quiet.restart()
        return False

    def _check_idle(self) -> None:
        if self.isVisible() and self.quiet.elapsed() >= self.idle_ms:
            self.idle.emit()

    def woke(self) -> None:
        self.quiet.restart()

    # -- who is answering ----------------------------------------------------------------------------
    def who(self) -> str:
        """The PPO at this PC (each PPO's PC has its own name when several share one office)."""
        return self.this_pc.name or self.ask_who()

    def ask_who(self) -> str:
        earlier = self.this_pc.name or self.console.service.repo.setting(WHO_KEY) or "PPO"
        name, ok = QInputDialog.getText(self, "Your name", "Your name or role as volunteers and the ladder see it "
                                        "(e.g. “PPO Jane”). Each PPO's PC keeps its own:", text=earlier)
        name = name.strip() if ok and name.strip() else earlier
        self.set_who(name)
        return name

    def set_who(self, name: str) -> None:
        try:
            self.this_pc.set_name(name)
        except OSError as exc:
            QMessageBox.warning(self, "Your name", f"Your name could not be kept on this PC ({exc.strerror or exc}); "
                                "you will be asked for it again.")

    def remind(self) -> None:
        """The status bar says when the office's last backup is older than the policy's days."""
        text = self.console.backup_reminder()
        self.reminder.setText(text)
        self.reminder.setAccessibleName(f"Office backup: {text}" if text else "Office backup: up to date")
        self.reminder.setVisible(bool(text))

    def backup_office(self) -> None:
        """The whole office (records, laptops, keys) into one file that the office passphrase opens."""
        start = Path.home() / f"office-{self.console.service.now():%Y-%m-%d}.ipsovb"
        name, _ = QFileDialog.getSaveFileName(self, "Back up the office", str(start), "Office backup (*.ipsovb)")
        if not name:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            info = self.console.back_up(Path(name))
        except VaultError as exc:
            QApplication.restoreOverrideCursor()
            QMessageBox.warning(self, "Back up the office", str(exc))
            return
        QApplication.restoreOverrideCursor()
        self.remind()
        self.statusBar().showMessage(f"Office backed up to {info.path}. Keep it off this PC (a USB stick in the "
                                     "safe); it opens with the office passphrase.", 15_000)

    def backup_keys(self) -> None:
        from ...crypto.keyslot import MINIMUM_KDF
        from .launch import BackupDialog

        BackupDialog(self.console, MINIMUM_KDF, self, required=False).exec()

    def change_passphrase(self) -> None:
        from .launch import ChangePassphraseDialog

        dialog = ChangePassphraseDialog(self.console, self.runner, self.kdf, self)
        if dialog.exec():
            self.statusBar().showMessage("The office passphrase is changed. Tell the other PPOs the new one in person "
                                         "or by phone.", 15_000)

    def steering_report(self) -> None:
        self.tabs.setCurrentWidget(self.feedback)
        self.feedback.report()

    def allocate_case(self) -> None:
        self.tabs.setCurrentWidget(self.inbox)
        self.inbox.allocate()

    def edit_policy(self) -> None:
        from .policy import PolicyDialog

        PolicyDialog(self.console, self).exec()

    def edit_contacts(self) -> None:
        from .contacts import ContactsDialog

        ContactsDialog(self.console, self).exec()
        self.visits.refresh()

    # -- pulling -------------------------------------------------------------------------------------
    def pull(self) -> None:
        """Receive what the laptops sent, send receipts, file enrolments: on the records' lane,
        with its worker's own vault connection."""
        if self.pulling or self.stopped:
            return
        self.pulling = True
        self._say_pulled("Pulling…")
        self.runner.run(self.workers.records.pull, self._pulled, self._pull_failed, lane=self.workers.records_lane)

    def _pull_failed(self, exc: Exception) -> None:
        self.pulling = False
        if isinstance(exc, TransportError | VaultError):
            self._say_pulled(f"Not pulled: {exc}")
            return
        self._say_pulled("Not pulled: the office could not read what arrived.")  # never a traceback
        QMessageBox.warning(self, "Pull", f"Pulling stopped: {type(exc).__name__}. Nothing was lost; try again.")

    def _pulled(self, result: PullResult) -> None:
        self.pulling = False
        self._say_others(result.others)
        if result.fetched_by:
            self._say_pulled(f"Records fetched by {result.fetched_by}")
            self.refresh()
            return
        words = f"Pulled: {counted(result.verified, 'new record')}"
        if result.enrolments:
            words += f", {counted(len(result.enrolments), 'enrolment')} to check by phone"
        if result.rejected:
            words += f", {result.rejected} refused"
        if result.more_waiting:
            words += "; more are waiting (the relay asked us to slow down): pulling again in a moment"
            self.again.start(5_000)
        elif result.awaiting_requests:  # a laptop mid-enrolment: its six digits come in a moment
            words += f", {counted(result.awaiting_requests, 'laptop')} enrolling: checking again in a few seconds"
            self.again.start(3_000)
        self._say_pulled(words)
        self.refresh()

    def _vault_version(self) -> int:
        try:
            return self.console.service.repo.vault.data_version()
        except VaultError:
            return self._seen_version

    def _look_for_changes(self) -> None:
        version = self._vault_version()
        if version != self._seen_version and not self.pulling:
            self._seen_version = version
            self.refresh()

    def _say_others(self, others: list[str]) -> None:
        """Who else has the office open (several PPOs may share one: office/sharing.py)."""
        words = f"Also open: {'; '.join(others)}" if others else ""
        self.others.setText(words)
        self.others.setToolTip(words)
        self.others.setVisible(bool(others))

    def _say_pulled(self, words: str) -> None:
        self.pulled.setText(words)
        self.pulled.setToolTip(words)

    def refresh(self) -> None:
        for tab in (self.visits, self.inbox, self.referrals, self.forward, self.claims, self.feedback, self.devices):
            tab.refresh()
        self._title_referrals()
        self.inbox.result.setText(self.pulled.text())

    def _title_referrals(self) -> None:
        """The tabs say how many families are waiting for a call and how many safeguarding concerns
        wait for a follow-up, so no one has to open them to know."""
        new = self.referrals.new_count()
        self.tabs.setTabText(self.tabs.indexOf(self.referrals), f"Referrals ({new} new)" if new else "Referrals")
        waiting_notes = self.forward.waiting()
        self.tabs.setTabText(self.tabs.indexOf(self.forward),
                             f"To forward ({waiting_notes})" if waiting_notes else "To forward")
        calls = self.feedback.to_call()
        self.tabs.setTabText(self.tabs.indexOf(self.feedback), f"Feedback ({calls} to call)" if calls else "Feedback")
        waiting = len(self.inbox.open_concerns())
        self.tabs.setTabText(self.tabs.indexOf(self.inbox), f"Inbox ({waiting} safeguarding)" if waiting else "Inbox")
        bar = self.tabs.tabBar()
        colour = QColor("#b00020") if waiting else bar.palette().text().color()
        bar.setTabTextColor(self.tabs.indexOf(self.inbox), colour)

