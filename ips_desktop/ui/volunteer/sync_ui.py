"""Sealed sync in the volunteer's window: the status-bar indicator, "Send now", enrolment.

Sync runs on the task runner's pool with its own vault connection (``BackgroundSync``); the
window's connection never leaves the GUI thread. Results come back as a content-free
:class:`SyncSnapshot`; the window refreshes because a purge may have removed records.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...domain.words import counted
from ...sync.background import BackgroundSync, SyncSnapshot
from ...sync.engine import CancelToken, EnrolmentError, SyncResult
from ..common.tasks import TaskRunner
from ..common.widgets import message_label, status_label
from .models import uk

log = logging.getLogger(__name__)

SYNC_EVERY_MS = 5 * 60 * 1000
SCHEDULE_TICK_MS = 30 * 1000
SOON_MS = 10 * 1000
ENROL_POLL_MS = 5000
ANSWER_PENDING = ("Sent. The office's computer answers by itself, usually within a minute (sooner if your PPO "
                  "presses Refresh).")
ACCEPT_PENDING = "Waiting for the office to accept this laptop…"
COMPARE = ("Phone your PPO and read these six digits aloud. Their screen shows six digits too: continue only if "
           "they are the same. If they differ, press Cancel and tell the PPO — someone may be trying to listen in.")
HANDBOOK_SEND = ("Handbook: case notes are passed to your PPO, and “once passed to DPPS no records "
                 "will be kept by the IPS”. IPS Desktop seals each record so only the office can open it.")


def describe(snapshot: SyncSnapshot | None, last: SyncResult | None, busy: bool) -> tuple[str, str]:
    """(status-bar text, tooltip) for a snapshot. Plain words, no content."""
    if snapshot is None:
        return "Sync: starting…", ""
    drafts = (f" · {counted(snapshot.old_drafts, 'unfinished draft')} over 3 days old: save or discard them"
              if snapshot.old_drafts else "")
    if snapshot.enrolled is None:
        if snapshot.pending_enrolment:
            return "Not yet enrolled: waiting for the office to accept this laptop" + drafts, HANDBOOK_SEND
        return "Not enrolled with the office — your notes stay on this laptop (Sync ▸ Enrol…)" + drafts, HANDBOOK_SEND
    counts = snapshot.counts
    parts = []
    if busy:
        parts.append("Sending…")
    if counts.queued:
        parts.append(f"{counts.queued} waiting to go")
    if counts.waiting_for_office:
        parts.append(f"{counts.waiting_for_office} sent, waiting for the office to confirm")
    if counts.missing:
        parts.append(f"{counts.missing} had not reached the office and {'was' if counts.missing == 1 else 'were'}"
                     " sent again")
    if counts.rejected:
        reason = snapshot.rejected_reasons[0] if snapshot.rejected_reasons else ""
        parts.append(f"{counts.rejected} refused by the office: {reason}")
    if last is not None and last.status == "cancelled":
        parts.append("Stopped; the rest go at the next sync")
    elif last is not None and last.status != "ok" and last.message:
        parts.append(last.message)
    elif snapshot.enrolled.last_error:
        parts.append(snapshot.enrolled.last_error)
    if drafts:
        parts.append(drafts[3:])
    if not parts:
        parts.append("All sent")
    when = snapshot.enrolled.last_sync_at
    tail = f" · last sync {uk(when, True)}" if when else " · not synced yet"
    tooltip = (f"Office: {snapshot.enrolled.office_name}\nOffice check code: {snapshot.enrolled.fingerprint}"
               f"\n{HANDBOOK_SEND}")
    return " · ".join(parts) + tail, tooltip


class SyncController(QObject):
    """Owns the schedule: every five minutes by the wall clock (so the shared clock moves it
    too), soon after a save, and on "Send now"."""

    changed = Signal(object, object, bool)  # snapshot, last result, busy
    progress = Signal(str, int, int)  # step, done, total (emitted from the worker; queued to the GUI)
    records_may_have_gone = Signal()
    office_spoke = Signal(object)  # list[str]: approvals, claim status, check-ins the PPO recorded
    finished = Signal()  # after every run: the app re-keys when one is due

    def __init__(self, runner: TaskRunner, now: Callable[[], datetime] = clock.now,
                 editing: Callable[[], frozenset[str]] = frozenset) -> None:
        super().__init__()
        self.runner = runner
        self.now = now
        self.editing = editing
        self.service: BackgroundSync | None = None
        self.snapshot: SyncSnapshot | None = None
        self.last: SyncResult | None = None
        self.busy = False
        self._again = False
        self._cancel = CancelToken()
        self.last_started: datetime | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(SCHEDULE_TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.setInterval(SOON_MS)
        self.soon.timeout.connect(self.send_now)

    def start(self, service: BackgroundSync) -> None:
        self.service = service
        self._cancel = CancelToken()
        self.timer.start()
        self.send_now()

    def stop(self) -> None:
        """On lock: cancel the run in progress and forget the key."""
        self._cancel.cancel()
        self.timer.stop()
        self.soon.stop()
        self.service = None

    def _tick(self) -> None:
        now = self.now()
        if self.last_started is None or not timedelta(0) <= now - self.last_started < timedelta(
                milliseconds=SYNC_EVERY_MS):
            self.send_now()

    def record_saved(self, priority: bool = False) -> None:
        if priority:
            self.send_now()  # safeguarding goes at once
        else:
            self.soon.start()

    def send_now(self) -> None:
        service = self.service
        if service is None:
            return
        if self.busy:
            self._again = True
            return
        self.busy = True
        self.last_started = self.now()
        self.changed.emit(self.snapshot, self.last, True)
        keep = self.editing()
        cancel = self._cancel
        self.runner.run(lambda: service.run(self.progress.emit, cancel, keep), self._done, self._failed)

    def cancel(self) -> None:
        """Stop the run in progress between two records; the next run starts afresh."""
        self._cancel.cancel()
        self._cancel = CancelToken()

    def _done(self, outcome: tuple[SyncResult, SyncSnapshot]) -> None:
        self.busy = False
        self.last, self.snapshot = outcome
        self.changed.emit(self.snapshot, self.last, False)
        if self.last.purged or self.last.verified or self.last.office_said:
            self.records_may_have_gone.emit()
        if self.last.office_said:
            self.office_spoke.emit(list(self.last.office_said))
        self.finished.emit()
        if self._again:
            self._again = False
            self.send_now()

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        log.warning("sync failed: %s", type(exc).__name__)
        self.last = SyncResult(status="error", message="Sync stopped unexpectedly; your records are kept. "
                                                        "It will try again in a few minutes.")
        self.changed.emit(self.snapshot, self.last, False)


SEND_TIP = "Send every note waiting to go to the office now (Ctrl+Shift+S)"


class SyncStatus(QWidget):
    """The permanent status-bar widget: one line of state and a "Send now" button."""

    def __init__(self, controller: SyncController, enrol: Callable[[], None]) -> None:
        super().__init__()
        self.controller = controller
        self.enrol = enrol
        self.label = status_label("Sync status")
        self.label.setText("Sync: starting…")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton("Send now")  # its name is its words: "Enrol…" is never read out as "Send now"
        self.button.setToolTip(SEND_TIP)
        self.button.clicked.connect(self._clicked)
        self.busy = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        controller.changed.connect(self.show_state)
        controller.progress.connect(self.show_progress)

    def show_progress(self, step: str, done: int, total: int) -> None:
        if self.busy and total > 1:
            self.label.setText(f"{step} {done + 1} of {total}…")

    def _clicked(self) -> None:
        if self.busy:
            self.controller.cancel()
            return
        snapshot = self.controller.snapshot
        if snapshot is not None and snapshot.enrolled is None and not snapshot.pending_enrolment:
            self.enrol()
        else:
            self.controller.send_now()

    def show_state(self, snapshot: SyncSnapshot | None, last: SyncResult | None, busy: bool) -> None:
        text, tooltip = describe(snapshot, last, busy)
        self.busy = busy
        self.label.setText(text)
        self.label.setToolTip(tooltip)
        not_enrolled = snapshot is not None and snapshot.enrolled is None and not snapshot.pending_enrolment
        self.button.setText("Stop" if busy else "Enrol…" if not_enrolled else "Send now")
        self.button.setToolTip("Stop after the note being sent; the rest wait for the next time" if busy
                               else "Enrol this laptop with the office (Ctrl+Shift+E)" if not_enrolled else SEND_TIP)


class EnrolDialog(QDialog):
    """Paste the office's invite, read the six digits to the PPO, wait for acceptance."""

    enrolled = Signal()

    def __init__(self, service: BackgroundSync, runner: TaskRunner, label: str, parent: QWidget | None = None,
                 poll_ms: int = ENROL_POLL_MS) -> None:
        super().__init__(parent)
        self.service, self.runner, self.label = service, runner, label
        self.setWindowTitle("Enrol this laptop with the office")
        self.stack = QStackedWidget()
        self.stack.addWidget(self._paste_page())
        self.stack.addWidget(self._compare_page())
        self.message = message_label("Enrolment message")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.continue_button = self.buttons.addButton("Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.clicked.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.poll = QTimer(self)
        self.poll.setInterval(poll_ms)
        self.poll.timeout.connect(self.check)
        self.resize(560, 360)

    def _paste_page(self) -> QWidget:
        page = QWidget()
        intro = QLabel("Your PPO sends an invite code that starts with “IPS-”. Paste it here. "
                       "It works once, for 24 hours.")
        intro.setWordWrap(True)
        self.code = QPlainTextEdit()
        self.code.setAccessibleName("Invite code")
        self.code.setPlaceholderText("IPS-…")
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addWidget(self.code)
        return page

    def _compare_page(self) -> QWidget:
        page = QWidget()
        intro = self.intro = QLabel("Six digits to read to your PPO appear here once the office's computer has "
                                    "answered this laptop. You can phone your PPO now.")
        intro.setWordWrap(True)
        self.sas = QLabel()
        self.sas.setAccessibleDescription("Six-digit check")
        self.sas.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sas.setStyleSheet("font-size: 32pt; font-weight: bold; letter-spacing: 4px;")
        self.waiting = QLabel(ANSWER_PENDING)
        self.waiting.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addWidget(self.sas)
        layout.addWidget(self.waiting)
        return page

    def submit(self) -> None:
        code = self.code.toPlainText().strip()
        if not code:
            self.message.setText("Paste the invite code from the office first.")
            return
        self.continue_button.setEnabled(False)
        self.message.setText("Sending the request to the office…")
        self.runner.run(lambda: self.service.begin_enrolment(code, self.label), self._started, self._problem)

    def _started(self, _: None) -> None:
        self.stack.setCurrentIndex(1)
        self.continue_button.hide()
        self.message.setText("")
        self.poll.start()

    def check(self) -> None:
        self.poll.stop()
        self.runner.run(self.service.finish_enrolment, self._checked, self._problem)

    def _checked(self, outcome: tuple[bool, str | None]) -> None:
        done, digits = outcome
        if digits and self.sas.text() != digits:
            self.intro.setText(COMPARE)
            self.sas.setText(digits)
            self.waiting.setText(ACCEPT_PENDING)
        if done:
            self.waiting.setText("Enrolled. Your notes now go to the office, locked so only it can read them, "
                                 "and leave this laptop once the office confirms it holds them.")
            self.buttons.clear()
            self.buttons.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.accept)
            self.enrolled.emit()
        elif self.isVisible():
            self.poll.start()

    def _problem(self, exc: Exception) -> None:
        self.continue_button.setEnabled(True)
        if isinstance(exc, EnrolmentError):
            self.message.setText(str(exc))
        else:
            log.warning("enrolment failed: %s", type(exc).__name__)
            self.message.setText("Enrolment could not continue. Check the connection and try again.")
        if self.stack.currentIndex() == 1 and self.isVisible():
            self.poll.start()

    def reject(self) -> None:
        self.poll.stop()
        super().reject()
