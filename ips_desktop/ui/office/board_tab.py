"""The live visit board (DESIGN §6, §8): every visit the relay is watching, its place on the
overdue ladder, and the three answers — acknowledge, a check-in taken by phone, close with a
reason. A red banner and the window's alert sound while anything is overdue. The relay runs
the ladder itself, so nothing stops when this window is closed.

Threads: the refresh (today's plans from the vault, the watches from the relay) and every
answer run on the board's lane, on its worker's own vault connection; this widget only fills
the table. When the relay does not answer, the board says loudly that it is not live.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ... import clock as wall
from ...domain.addresses import display_mobile
from ...domain.escalation import READER_WORDS, CloseReason, LadderPolicy, Reader, WatchState
from ...domain.uk_time import from_epoch
from ...domain.words import counted
from ...office.background import BoardView, OfficeWorker
from ...office.console import OfficeConsole, PlanToApprove
from ...office.service import OfficeError
from ...sync.transport import TransportError
from ...sync.watch_client import BoardEntry
from ..common.tasks import Lane, TaskRunner
from ..common.widgets import chosen_row, message_label

log = logging.getLogger(__name__)

STATE_WORDS = {WatchState.WATCHING: "out", WatchState.ALERTING: "OVERDUE", WatchState.ACKNOWLEDGED: "acknowledged",
               WatchState.SAFE: "safe (close it)", WatchState.CLOSED: "closed"}


def clock(epoch: int | None) -> str:
    if not epoch:
        return ""
    return from_epoch(epoch).strftime("%H:%M")


class BoardTab(QWidget):
    alarm = Signal(str)  # text of the loudest alert now showing

    COLUMNS = ("Volunteer", "Visit", "State", "Due back", "Alert at", "Told", "Messages", "Next step", "Taken by")

    def __init__(self, console: OfficeConsole, runner: TaskRunner, who: Callable[[], str],
                 worker: OfficeWorker, lane: Lane, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console, self.runner, self.who = console, runner, who
        self.worker, self.lane = worker, lane
        self.entries: list[BoardEntry] = []
        self.planned: list[PlanToApprove] = []
        self.refreshing = False
        self.live = True
        self.no_relay = False
        self.banner = message_label("Overdue alarm")
        self.banner.setStyleSheet("background: #b00020; color: white; font-size: 14pt; font-weight: bold; "
                                  "padding: 8px;")
        self.banner.hide()
        self.not_live = message_label("Board not live")
        self.not_live.setStyleSheet("background: #fff3cd; color: #5c3c00; font-size: 12pt; font-weight: bold; "
                                    "padding: 8px; border: 2px solid #b36b00;")
        self.not_live.hide()
        self.mail_down = message_label("Alerts not getting out")
        self.mail_down.setStyleSheet("background: #b00020; color: white; font-size: 12pt; font-weight: bold; "
                                     "padding: 8px;")
        self.mail_down.hide()
        self.profiles: dict[str, dict[str, str]] = {}
        self.ladder = LadderPolicy()
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setAccessibleName("Visit board")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = QLabel("No visits out at the moment. Visits appear here when a volunteer checks out.")
        self.status = message_label("Board status")
        self.ack_button = QPushButton("Acknowledge")
        self.ack_button.clicked.connect(self.acknowledge)
        self.phone_button = QPushButton("Volunteer phoned in safe")
        self.phone_button.clicked.connect(self.phoned)
        self.close_button = QPushButton("Close alert…")
        self.close_button.clicked.connect(self.close_alert)
        self.pack_button = QPushButton("Overdue pack…")
        self.pack_button.setToolTip("One page for the service manager, the family contact or the police")
        self.pack_button.clicked.connect(self.overdue_pack)
        self.drill_button = QPushButton("Schedule a drill…")
        self.drill_button.clicked.connect(self.drill)
        buttons = QHBoxLayout()
        for b in (self.ack_button, self.phone_button, self.close_button, self.pack_button, self.drill_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.not_live)
        layout.addWidget(self.mail_down)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(5_000)
        self.timer.timeout.connect(self.refresh)

    def start(self) -> None:
        self.timer.start()
        self.refresh()

    def stop(self) -> None:
        self.timer.stop()

    # -- refresh (network on the pool; widgets here) --------------------------------------------------
    def refresh(self) -> None:
        """What the timer calls: the board's view is made on the lane, then shown here."""
        if self.refreshing:
            return
        self.refreshing = True
        self.runner.run(self.worker.board_view, self.show_view, self._failed, lane=self.lane)

    def _failed(self, exc: Exception) -> None:
        self.refreshing = False
        log.warning("board refresh failed: %s", type(exc).__name__)
        self.show_view(BoardView([], [], False, "The console could not read the board. It tries again every "
                                 "5 seconds; if this stays, restart the console."))

    def show_view(self, view: BoardView) -> None:
        self.refreshing = False
        self.planned = view.planned
        self.profiles, self.ladder = view.profiles, view.ladder
        self.live = view.live
        self.no_relay = view.no_relay
        if view.no_relay:
            self.not_live.setText(
                "NOTHING WATCHES HOME VISITS: this office works through a shared folder, without a relay, "
                "so no one is alerted when a volunteer does not check in. Agree a phone check-in with each "
                "volunteer before every visit, and ring them if they have not called by their due time.")
            self.not_live.show()
        elif not view.live:
            self.not_live.setText(
                f"THE BOARD IS NOT LIVE (since {view.at:%H:%M}): {view.problem} Visits out now may be overdue "
                "without this screen showing it. The relay still runs the ladder if it is up; ring the "
                "volunteers who are out, and tell your IT contact.")
            self.not_live.show()
        else:
            self.not_live.hide()
        self._show(view.entries if view.live else self.entries)

    @staticmethod
    def state_words(entry: BoardEntry, now: int) -> str:
        w = entry.watch
        if w.state is WatchState.ALERTING:
            words = "DURESS" if w.duress else ("ESCALATED" if Reader.MANAGER in w.told else "OVERDUE")
        elif w.state is WatchState.WATCHING and now >= w.due:
            words = "due"
        elif w.state is WatchState.CLOSED:
            words = f"closed: {w.closed_reason}" + (" (was DURESS)" if w.duress else "")
        else:
            words = ("DURESS, " if w.duress else "") + STATE_WORDS[w.state]
        if w.no_cover and w.state is not WatchState.CLOSED:
            words += ", office had no cover"
        return words + (" (drill)" if w.drill else "")

    @staticmethod
    def message_words(entry: BoardEntry) -> str:
        """How the ladder's messages are getting out: "4 sent", "2 sent, 1 retrying since 11:06"."""
        sent = sum(1 for d in entry.deliveries if d.sent_at)
        failing = [d for d in entry.deliveries if not d.sent_at and d.failing_since]
        waiting = len(entry.deliveries) - sent - len(failing)
        parts = [f"{sent} sent"] if sent else []
        if failing:
            since = min(d.failing_since or 0 for d in failing)
            parts.append(f"{len(failing)} retrying since {clock(since)}")
        if waiting:
            parts.append(f"{waiting} sending")
        return ", ".join(parts) or ("none yet" if entry.watch.told else "")

    def called(self, entry: BoardEntry) -> tuple[str, str]:
        """(how the office knows the volunteer, their mobile) from what they told the office."""
        profile = self.profiles.get(entry.label, {})
        name = str(profile.get("name", "")).strip()
        return (f"{name} ({entry.label})" if name else entry.label), display_mobile(str(profile.get("mobile", "")))

    def _show(self, entries: list[BoardEntry]) -> None:
        selected = self.selected()
        # A stable order (soonest due first, then by volunteer): a refresh never moves a row
        # under the pointer, and the chosen visit stays chosen.
        entries = sorted(entries, key=lambda e: (e.watch.state is WatchState.CLOSED, e.watch.due, e.label,
                                                 e.watch.visit_id))
        self.entries = entries
        watched = {e.watch.visit_id for e in entries}
        planned = [p for p in self.planned if p.visit_id not in watched]
        now = int(wall.now().timestamp())
        self.table.setRowCount(len(entries) + len(planned))
        for row, plan in enumerate(planned, start=len(entries)):
            start = str(plan.plan.get("slot", {}).get("start", ""))[11:16]
            for col, text in enumerate((plan.label, plan.visit_id[:8], str(plan.plan.get("state")), f"starts {start}",
                                        "", "", "", "", "")):
                self.table.setItem(row, col, QTableWidgetItem(text))
        for row, entry in enumerate(entries):
            w = entry.watch
            told = ", ".join(READER_WORDS[r] for r in w.told) or "—"
            taken = w.acknowledged_by or ("phone page" if w.state is WatchState.SAFE else "")
            state = self.state_words(entry, now)
            cells = (self.called(entry)[0], w.visit_id[:8], state, clock(w.due), clock(w.alert_at), told,
                     self.message_words(entry), clock(entry.next_step_at), taken)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if w.state is WatchState.ALERTING or (w.duress and w.state is not WatchState.CLOSED):
                    item.setBackground(Qt.GlobalColor.red)
                    item.setForeground(Qt.GlobalColor.white)
                self.table.setItem(row, col, item)
            if selected and entry.watch.visit_id == selected.watch.visit_id:
                self.table.selectRow(row)
        self.empty.setVisible(not entries and not planned and self.live)
        self._banners(entries)
        if self.live:
            self.status.setText(f"Live · updated {wall.now():%H:%M:%S} · {len(entries)} watched, "
                                f"{len(planned)} planned today")
        elif self.no_relay:
            self.status.setText(f"No relay: {counted(len(planned), 'visit')} planned today; check-ins come by phone")
        else:
            self.status.setText("Not live: showing what the board last knew")

    def _banners(self, entries: list[BoardEntry]) -> None:
        alarms = [e for e in entries if e.watch.state is WatchState.ALERTING
                  or (e.watch.duress and e.watch.state is not WatchState.CLOSED)]
        if alarms:
            worst = sorted(alarms, key=lambda e: (not e.watch.duress, e.watch.due))[0]
            who, mobile = self.called(worst)
            if worst.watch.duress:
                taken = f" {worst.watch.acknowledged_by} has it." if worst.watch.acknowledged_by else ""
                text = f"{self.ladder.duress_words} ({who}).{taken}"
            else:
                ring = f"Ring them on {mobile} now" if mobile else "Ring the volunteer now"
                text = (f"OVERDUE: {who} has not checked in (due back {clock(worst.watch.due)}). {ring}, "
                        "then acknowledge.")
            more = len(alarms) - 1
            self.banner.setText(text + (f" {more} more on the board." if more else ""))
            self.banner.show()
            QApplication.alert(self.window())
            self.alarm.emit(text)
        else:
            self.banner.hide()
        failing = [d for e in entries for d in e.deliveries if not d.sent_at and d.failing_since]
        if failing:
            since = min(d.failing_since or 0 for d in failing)
            reason = next((d.error for d in failing if d.error), "") or "the mail server is not answering"
            self.mail_down.setText(f"ALERTS ARE NOT GETTING OUT: {counted(len(failing), 'message')} to the ladder's "
                                   f"people failing since {clock(since)}: {reason}. Ring the people on the ladder "
                                   "yourself, and tell your IT contact.")
            self.mail_down.show()
        else:
            self.mail_down.hide()

    def selected(self) -> BoardEntry | None:
        row = chosen_row(self.table)
        return self.entries[row] if row is not None and row < len(self.entries) else None

    # -- answers --------------------------------------------------------------------------------------
    def _answer(self, act: Callable[[OfficeConsole, BoardEntry], object]) -> None:
        """Send the answer from the lane (the relay may be slow); refresh when it is done."""
        entry = self.selected()
        if entry is None:
            QMessageBox.information(self, "Visit board", "Choose a visit on the board first.")
            return
        worker = self.worker

        def failed(exc: Exception) -> None:  # the relay's own words: e.g. already acknowledged by someone else
            if not isinstance(exc, OfficeError | TransportError):
                log.warning("a board answer failed: %s", type(exc).__name__)
            QMessageBox.warning(self, "Visit board", str(exc) if isinstance(exc, OfficeError | TransportError)
                                else "The answer could not be sent. Try again, or ring the office relay's IT contact.")
            self.refresh()

        self.status.setText("Sending…")
        self.runner.run(lambda: worker.run(lambda console: act(console, entry)), lambda _: self.refresh(), failed,
                        lane=self.lane)

    def acknowledge(self) -> None:
        who = self.who()
        self._answer(lambda c, e: c.acknowledge(e, who))

    def phoned(self) -> None:
        who = self.who()
        self._answer(lambda c, e: c.phone_check_in(e, who))

    def overdue_pack(self, path: Path | None = None) -> Path | None:
        entry = self.selected()
        if entry is None:
            QMessageBox.information(self, "Overdue pack", "Choose a visit on the board first.")
            return None
        if not isinstance(path, Path):
            name, _ = QFileDialog.getSaveFileName(self, "Save the overdue pack",
                                                  str(Path.home() / f"overdue-{entry.label}.pdf"), "PDF (*.pdf)")
            if not name:
                return None
            path = Path(name)
        target = path

        def write(pdf: bytes) -> None:
            try:
                target.write_bytes(pdf)
            except OSError as exc:
                QMessageBox.warning(self, "Overdue pack", f"The pack could not be saved there ({exc.strerror}).")
                return
            self.status.setText(f"Overdue pack saved: {target.name}")

        def failed(exc: Exception) -> None:
            QMessageBox.warning(self, "Overdue pack", str(exc) if isinstance(exc, OfficeError | TransportError)
                                else "The pack could not be made. Try again.")

        device, visit_id, worker = entry.device, entry.watch.visit_id, self.worker
        self.runner.run(lambda: worker.run(lambda c: c.overdue_pack(device, visit_id)), write, failed, lane=self.lane)
        return path

    def drill(self) -> None:
        minutes, ok = QInputDialog.getInt(self, "Schedule a drill", "Minutes from now until the pretend visit is "
                                          "due (the whole ladder runs, every message marked DRILL):", 10, 1, 240)
        if ok:
            worker = self.worker
            self.runner.run(lambda: worker.run(lambda c: c.schedule_drill("ladder drill", minutes)),
                            lambda _: self.refresh(),
                            lambda exc: self._warn("Drill", exc), lane=self.lane)

    def _warn(self, title: str, exc: Exception) -> None:
        QMessageBox.warning(self, title, str(exc) if isinstance(exc, OfficeError | TransportError)
                            else "That did not work. Try again.")

    def close_alert(self) -> None:
        entry = self.selected()
        if entry is None:
            QMessageBox.information(self, "Visit board", "Choose a visit on the board first.")
            return
        reasons = [r.value for r in CloseReason if r is not CloseReason.DRILL or entry.watch.drill]
        first = reasons.index(CloseReason.DRILL.value) if entry.watch.drill else 0
        reason, ok = QInputDialog.getItem(self, "Close the alert", "Why is it closed? Everyone who was told hears "
                                          "it (an incident is never sent as an all-clear).", reasons, first, False)
        if not ok:
            return
        confirm = False
        if entry.watch.duress:
            answer = QMessageBox.warning(
                self, "Close a duress alarm",
                f"This is a DURESS alarm for {self.called(entry)[0]}. Close it only after you or the police have "
                f"spoken to the volunteer and know they are safe.\n\nClose it as “{reason}”?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
            confirm = True
        who = self.who()
        self._answer(lambda c, e: c.close(e, CloseReason(reason), who, confirm))
