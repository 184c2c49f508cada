"""On the day of a visit: a banner across the main window that cannot be missed, the
reminders at T−15 and T−5, and the overdue state.

:class:`VisitWatch` looks at today's visits every 20 seconds (and after every step) and
emits :attr:`VisitWatch.reminder` once per alarm level per visit; the composition root shows
those as tray notifications. The banner shows the one visit that matters most now: one under
way first, otherwise the next one today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ...domain.visit_flow import Alarm, State, alarm
from ...domain.words import minutes_words
from ...store.visitbook import VisitBook, VisitView
from ..common.widgets import make_big

REMINDERS = {
    Alarm.REMIND_15: ("Due back in 15 minutes", "Check in when you leave, or extend if you need longer."),
    Alarm.REMIND_5: ("Due back in 5 minutes", "Check in when you leave, or extend now."),
    Alarm.DUE: ("You are due back now", "Check in as soon as you leave. The office is alerted after the grace "
                                        "period."),
    Alarm.OVERDUE: ("OVERDUE: the office has been alerted", "Check in now if you are safe, or phone the office."),
}
STYLE = {
    "calm": "background: #e8f0fe; border: 1px solid #1a57c4;",
    "out": "background: #e6f4ea; border: 2px solid #1b5e20;",
    "warn": "background: #fff4d6; border: 2px solid #a35c00;",
    "alarm": "background: #b00020; color: white; border: 2px solid #6d0014;",
}


class VisitWatch(QObject):
    """Which visit matters now, and when to remind. Detached (no vault) while locked."""

    changed = Signal()
    reminder = Signal(str, str)  # title, message

    def __init__(self, now: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.now = now
        self.visits: VisitBook | None = None
        self.current: VisitView | None = None
        self.level = Alarm.NONE
        self._told: set[tuple[str, Alarm]] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(20_000)
        self.timer.timeout.connect(self.tick)

    def attach(self, visits: VisitBook) -> None:
        self.visits = visits
        self.timer.start()
        self.tick()

    def detach(self) -> None:
        self.timer.stop()
        self.visits = None
        self.current = None
        self.level = Alarm.NONE
        self.changed.emit()

    def tick(self) -> None:
        if self.visits is None:
            return
        now = self.now()
        live = self.visits.visits(include_finished=False)
        out = [v for v in live if v.visit.state is State.OUT]
        today = [v for v in live if v.visit.slot.start.date() == now.date() and v.visit.state in
                 (State.PLANNED, State.APPROVED)]
        self.current = out[0] if out else (today[0] if today else None)
        self.level = alarm(self.current.visit, now) if self.current else Alarm.NONE
        if self.current is not None and self.level in REMINDERS:
            key = (self.current.record_id, self.level)
            if key not in self._told:
                self._told.add(key)
                title, message = REMINDERS[self.level]
                self.reminder.emit(title, f"{message} Due back {self.current.visit.due_at:%H:%M}.")
        self.changed.emit()


class VisitBanner(QFrame):
    """Across the top of the main window while a visit is today or under way."""

    check_in_requested = Signal(str)
    check_out_requested = Signal(str)
    call_logged = Signal(str)
    extend_requested = Signal(str)
    open_visits = Signal()
    signs_requested = Signal()

    def __init__(self, watch: VisitWatch, office_phone: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.watch, self.office_phone = watch, office_phone
        self.setAccessibleName("Today's visit")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.check_in = QPushButton("I'm back safely — check in")
        self.check_in.setToolTip("Ctrl+Shift+I")
        self.check_in.setMinimumHeight(48)
        make_big(self.check_in, 14)
        self.check_out = QPushButton("Check out: I'm leaving for the visit")
        self.check_out.setMinimumHeight(40)
        self.log_call = QPushButton("I've phoned my PPO — log the call")
        self.extend = QPushButton("Extend…")
        self.signs = QPushButton("Signs to leave")
        self.more = QPushButton("Visits…")
        self.check_in.clicked.connect(lambda: self._emit(self.check_in_requested))
        self.check_out.clicked.connect(lambda: self._emit(self.check_out_requested))
        self.log_call.clicked.connect(lambda: self._emit(self.call_logged))
        self.extend.clicked.connect(lambda: self._emit(self.extend_requested))
        self.signs.clicked.connect(self.signs_requested.emit)
        self.more.clicked.connect(self.open_visits.emit)
        text = QVBoxLayout()
        text.addWidget(self.headline)
        text.addWidget(self.detail)
        layout = QHBoxLayout(self)
        layout.addLayout(text, 1)
        for button in (self.log_call, self.check_out, self.extend, self.signs, self.more, self.check_in):
            layout.addWidget(button)
        watch.changed.connect(self.refresh)
        self.refresh()

    def _emit(self, signal: SignalInstance) -> None:
        if self.watch.current is not None:
            signal.emit(self.watch.current.record_id)

    def refresh(self) -> None:
        view = self.watch.current
        self.setVisible(view is not None)
        if view is None:
            return
        visit, level, now = view.visit, self.watch.level, self.watch.now()
        out = visit.state is State.OUT
        for button, shown in ((self.check_in, out), (self.extend, out), (self.signs, out),
                              (self.check_out, not out and not visit.needs_ppo_call
                               and not (visit.needs_approval and visit.state is State.PLANNED)),
                              (self.log_call, not out and visit.needs_ppo_call)):
            button.setVisible(shown)
        if not out:
            self._today(view)
            return
        minutes = int((visit.due_at - now).total_seconds() // 60)
        if level is Alarm.OVERDUE:
            style = "alarm"
            self.headline.setText(f"OVERDUE — you were due back at {visit.due_at:%H:%M}")
            detail = (f"The office has been alerted. If you are safe, check in now. If not, phone the office on "
                      f"{self.office_phone()} or 999.")
        elif level is Alarm.DUE:
            style = "warn"
            self.headline.setText(f"Due back now ({visit.due_at:%H:%M})")
            detail = f"Check in as soon as you leave; the office is alerted at {visit.alert_at:%H:%M}."
        else:
            style = "warn" if level in (Alarm.REMIND_5, Alarm.REMIND_15) else "out"
            self.headline.setText(f"On a visit for case {view.reference} — back by {visit.due_at:%H:%M}"
                                  f" (in {minutes_words(minutes)})")
            detail = "Check in when you leave."
        if not visit.monitored:
            detail += (f"\nNOT MONITORED: the office has not confirmed it is watching this visit. Phone the office on "
                       f"{self.office_phone()} to tell them where you are and when you will be back.")
            if style == "out":
                style = "warn"
        self.detail.setText(detail)
        self._paint(style)

    def _paint(self, style: str) -> None:
        ink = "white" if style == "alarm" else "#1f1f1f"
        self.setStyleSheet(f"VisitBanner {{ {STYLE[style]} }}")
        self.headline.setStyleSheet(f"font-size: 15pt; font-weight: bold; color: {ink}; background: transparent; "
                                    "border: none;")
        self.detail.setStyleSheet(f"font-size: 11pt; color: {ink}; background: transparent; border: none;")

    def _today(self, view: VisitView) -> None:
        visit = view.visit
        self.headline.setText(f"Visit today at {visit.slot.start:%H:%M} — case {view.reference}")
        if visit.needs_approval and visit.state is State.PLANNED:
            detail = "This home visit needs your PPO's agreement before you go. Record it in Visits."
        elif visit.needs_ppo_call:
            detail = ("Reception is poor there. Before you go in, phone your PPO: say where you are and how long you "
                      "expect to be. Then log the call here.")
        else:
            detail = "Check out when you leave for it, so the office knows where you are."
        self.detail.setText(detail)
        self._paint("calm")
