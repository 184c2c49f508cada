"""The live visit board (DESIGN §6, §8): every visit the relay is watching, its place on the
overdue ladder, and the three answers — acknowledge, a check-in taken by phone, close with a
reason. A red banner and the window's alert sound while anything is overdue. The relay runs
the ladder itself, so nothing stops when this window is closed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
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

from ...domain.escalation import TIER_WORDS, CloseReason, Tier, WatchState
from ...domain.uk_time import from_epoch
from ...office.console import OfficeConsole, PlanToApprove
from ...office.service import OfficeError
from ...sync.transport import TransportError
from ...sync.watch_client import BoardEntry
from ..common.tasks import TaskRunner

log = logging.getLogger(__name__)

STATE_WORDS = {WatchState.WATCHING: "out", WatchState.ALERTING: "OVERDUE", WatchState.ACKNOWLEDGED: "acknowledged",
               WatchState.SAFE: "safe (close it)", WatchState.CLOSED: "closed"}


def clock(epoch: int | None) -> str:
    if not epoch:
        return ""
    return from_epoch(epoch).strftime("%H:%M")


class BoardTab(QWidget):
    alarm = Signal(str)  # text of the loudest alert now showing

    COLUMNS = ("Volunteer", "Visit", "State", "Due back", "Alert at", "Ladder", "Next step", "Taken by")

    def __init__(self, console: OfficeConsole, runner: TaskRunner, who: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console, self.runner, self.who = console, runner, who
        self.entries: list[BoardEntry] = []
        self.planned: list[PlanToApprove] = []
        self.refreshing = False
        self.banner = QLabel()
        self.banner.setAccessibleName("Overdue alarm")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #b00020; color: white; font-size: 14pt; font-weight: bold; "
                                  "padding: 8px;")
        self.banner.hide()
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
        self.status = QLabel()
        self.status.setAccessibleName("Board status")
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
        if self.refreshing:
            return
        self.refreshing = True
        console = self.console
        midnight = int(datetime.now().replace(hour=0, minute=0, second=0, microsecond=0).timestamp())
        try:
            self.planned = console.planned_today(datetime.now())
        except Exception:  # the board must still show what the relay knows
            self.planned = []
        self.runner.run(lambda: console.board(midnight), self._show, self._failed)

    def _failed(self, exc: Exception) -> None:
        self.refreshing = False
        self.status.setText(f"The board could not be read: {exc}")

    @staticmethod
    def state_words(entry: BoardEntry, now: int) -> str:
        w = entry.watch
        if w.state is WatchState.ALERTING:
            words = "DURESS" if w.duress else ("ESCALATED" if w.tier >= Tier.MANAGER else "OVERDUE")
        elif w.state is WatchState.WATCHING and now >= w.due:
            words = "due"
        elif w.state is WatchState.CLOSED:
            words = f"closed: {w.closed_reason}"
        else:
            words = STATE_WORDS[w.state]
        return words + (" (drill)" if w.drill else "")

    def _show(self, entries: list[BoardEntry]) -> None:
        self.refreshing = False
        selected = self.selected()
        self.entries = entries
        watched = {e.watch.visit_id for e in entries}
        planned = [p for p in self.planned if p.visit_id not in watched]
        now = int(datetime.now().timestamp())
        self.table.setRowCount(len(entries) + len(planned))
        for row, plan in enumerate(planned, start=len(entries)):
            start = str(plan.plan.get("slot", {}).get("start", ""))[11:16]
            for col, text in enumerate((plan.label, plan.visit_id[:8], str(plan.plan.get("state")), f"starts {start}",
                                        "", "", "", "")):
                self.table.setItem(row, col, QTableWidgetItem(text))
        for row, entry in enumerate(entries):
            w = entry.watch
            ladder = "—" if not w.tier else f"told {TIER_WORDS[Tier(w.tier)]}" + (" and everyone" if w.everyone else "")
            taken = w.acknowledged_by or ("phone page" if w.state is WatchState.SAFE else "")
            state = self.state_words(entry, now)
            cells = (entry.label, w.visit_id[:8], state, clock(w.due), clock(w.alert_at), ladder,
                     clock(entry.next_step_at), taken)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if w.state is WatchState.ALERTING:
                    item.setBackground(Qt.GlobalColor.red)
                    item.setForeground(Qt.GlobalColor.white)
                self.table.setItem(row, col, item)
            if selected and entry.watch.visit_id == selected.watch.visit_id:
                self.table.selectRow(row)
        self.empty.setVisible(not entries and not planned)
        alerting = [e for e in entries if e.watch.state is WatchState.ALERTING]
        if alerting:
            worst = sorted(alerting, key=lambda e: (not e.watch.duress, e.watch.due))[0]
            what = "DURESS ALARM" if worst.watch.duress else "OVERDUE"
            text = (f"{what}: {worst.label} has not checked in (due back {clock(worst.watch.due)}). "
                    "Ring the volunteer now, then acknowledge.")
            self.banner.setText(text + (f" {len(alerting) - 1} more overdue." if len(alerting) > 1 else ""))
            self.banner.show()
            QApplication.alert(self.window())
            self.alarm.emit(text)
        else:
            self.banner.hide()
        self.status.setText(f"Updated {datetime.now():%H:%M:%S} · {len(entries)} watched, {len(planned)} planned today")

    def selected(self) -> BoardEntry | None:
        row = self.table.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) and self.table.selectedItems() else None

    # -- answers --------------------------------------------------------------------------------------
    def _answer(self, act: Callable[[BoardEntry], object]) -> None:
        entry = self.selected()
        if entry is None:
            QMessageBox.information(self, "Visit board", "Choose a visit on the board first.")
            return
        try:
            act(entry)
        except Exception as exc:  # the relay's own words: e.g. already acknowledged by someone else
            QMessageBox.warning(self, "Visit board", str(exc) or "The relay did not answer.")
        self.refresh()

    def acknowledge(self) -> None:
        self._answer(lambda e: self.console.acknowledge(e, self.who()))

    def phoned(self) -> None:
        self._answer(lambda e: self.console.phone_check_in(e, self.who()))

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
        try:
            pdf = self.console.overdue_pack(entry.device, entry.watch.visit_id)
            path.write_bytes(pdf)
        except (OfficeError, OSError, TransportError) as exc:
            QMessageBox.warning(self, "Overdue pack", str(exc))
            return None
        return path

    def drill(self) -> None:
        minutes, ok = QInputDialog.getInt(self, "Schedule a drill", "Minutes from now until the pretend visit is "
                                          "due (the whole ladder runs, every message marked DRILL):", 10, 1, 240)
        if ok:
            try:
                self.console.schedule_drill("ladder drill", minutes)
            except (OfficeError, TransportError) as exc:
                QMessageBox.warning(self, "Drill", str(exc))
            self.refresh()

    def close_alert(self) -> None:
        reasons = [r.value for r in CloseReason]
        reason, ok = QInputDialog.getItem(self, "Close the alert", "Why is it closed? Everyone who was told "
                                          "hears the all-clear.", reasons, 0, False)
        if ok:
            self._answer(lambda e: self.console.close(e, CloseReason(reason), self.who()))
