"""Home visits in the volunteer app: the Visits menu, the day's banner, the reminders, and
the dialogs, over one :class:`VisitBook` per unlocked vault."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon

from ...domain.visit_flow import State, TransitionError
from ...domain.visits import VisitPolicy
from ...store.casebook import InputError
from ...store.errors import VaultError
from ...store.session import VaultSession
from ...store.visitbook import VisitBook
from ...sync.visit_watch import VisitWatcher, Watching
from ..common.tasks import TaskRunner
from .phone_link import PhoneLinkDialog
from .relay_watch import RelayWatchKeeper
from .visit_banner import VisitBanner, VisitWatch
from .visit_planner import VisitPlannerDialog
from .visits import SignsDialog, VisitsDialog, ask_extension

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)


class VisitController(QObject):
    """Owns the watch and banner for the main window's life; the vault comes and goes."""

    step_taken = Signal(bool)  # urgent: a check-out, extension or check-in the office must have now

    def __init__(self, window: MainWindow, now: Callable[[], datetime], runner: TaskRunner | None = None,
                 watcher_for: Callable[[], VisitWatcher | None] = lambda: None) -> None:
        super().__init__(window)
        self.now = now
        self.keeper = RelayWatchKeeper(runner or TaskRunner(self), watcher_for, self._pins, self)
        self.keeper.monitored.connect(self._monitored)
        self.keeper.problem.connect(lambda text: self.remind("Not monitored", text))
        self.link_dialog: PhoneLinkDialog | None = None
        self.visits: VisitBook | None = None
        self.session: VaultSession | None = None
        self.policy = VisitPolicy()
        self.dialog: VisitsDialog | None = None
        self.watch = VisitWatch(now, self)
        self.banner = VisitBanner(self.watch, self._office_phone)
        window.insert_banner(self.banner)
        self.banner.check_in_requested.connect(lambda rid: self.take_step("check_in", rid))
        self.banner.check_out_requested.connect(lambda rid: self.take_step("check_out", rid))
        self.banner.call_logged.connect(lambda rid: self.take_step("log_call", rid))
        self.banner.extend_requested.connect(self.extend)
        self.banner.open_visits.connect(self.show_visits)
        self.banner.signs_requested.connect(self.show_signs)
        self.watch.reminder.connect(self.remind)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(window.windowIcon(), self)
            self.tray.setToolTip("IPS Desktop")
            self.tray.show()
        self._menu()

    @property
    def window(self) -> MainWindow:
        """The parent window, not held in an attribute: no Python cycle keeps it alive after a wipe."""
        return cast("MainWindow", self.parent())

    def _menu(self) -> None:
        menu = self.window.menuBar().addMenu("&Visits")
        for words, keys, slot in (("Plan a meeting…", "Ctrl+Alt+V", self.plan),
                                  ("Visits…", "Ctrl+Shift+V", self.show_visits),
                                  ("Check in now", "Ctrl+Shift+I", self.check_in_now),
                                  ("Signs that mean leave now…", "", self.show_signs)):
            action = QAction(words, self.window)
            if keys:
                action.setShortcut(QKeySequence(keys))
            action.triggered.connect(slot)
            self.window.addAction(action)
            menu.addAction(action)

    # -- vault -------------------------------------------------------------------------------
    def attach(self, session: VaultSession, policy: VisitPolicy) -> None:
        """After an unlock or a re-key: the session's visit book (open windows ask the session
        for it themselves each time)."""
        self.session, self.policy = session, policy
        self.visits = session.visits
        self.watch.attach(self.visits)
        self.keeper.attach(self.visits, policy)
        if self.dialog is not None:
            self.dialog.refresh()

    def detach(self) -> None:
        """On lock: the planner keeps its draft; the visit windows are hidden with the main
        window and come back after the unlock, on the vault open then."""
        for planner in self.window.findChildren(VisitPlannerDialog):
            if planner.isVisible():
                planner.save_draft()
        self.visits = None
        self.keeper.detach()
        self.watch.detach()

    def _office_phone(self) -> str:
        return self.window.book.settings.office_phone if self.visits is not None else "the office"

    def _phones(self) -> tuple[str, str, str]:
        settings = self.window.book.settings
        return settings.ppo_phone, settings.office_phone, settings.edt_phone

    # -- steps -------------------------------------------------------------------------------
    def _step(self, step: Callable[[VisitBook], object], urgent: bool = False) -> bool:
        if self.visits is None:
            return False
        try:
            step(self.visits)
        except (TransitionError, InputError, VaultError) as exc:
            QMessageBox.warning(self.window, "Visits", str(exc))
            return False
        self.after_step(urgent)
        return True

    def _pins(self) -> tuple[str, str] | None:
        return self.window.book.settings.pins if self.visits is not None else None

    def _monitored(self, record_id: str, watching: Watching) -> None:
        self.after_step(urgent=False)
        self.window.statusBar().showMessage("The office is watching this visit.", 10_000)
        if watching.url:
            self.link_dialog = PhoneLinkDialog(watching.url, self.window)
            self.link_dialog.show()

    def after_step(self, urgent: bool = True) -> None:
        self.keeper.sync()
        self.watch.tick()
        if self.dialog is not None:
            self.dialog.refresh()
        self.step_taken.emit(urgent)

    def take_step(self, step: str, record_id: str) -> bool:
        """A step from the banner or the Today view: check out, check in, or log the call to the PPO."""
        steps: dict[str, tuple[Callable[[VisitBook], object], bool]] = {
            "check_out": (lambda v: v.check_out(record_id), True),
            "check_in": (lambda v: v.check_in(record_id), True),
            "log_call": (lambda v: v.log_ppo_call(record_id), False)}
        if step not in steps:
            return False
        action, urgent = steps[step]
        return self._step(action, urgent=urgent)

    def check_in_now(self) -> None:
        current = self.watch.current
        if current is None or current.visit.state is not State.OUT:
            QMessageBox.information(self.window, "Check in", "You are not checked out for a visit, so there is "
                                                             "nothing to check in from.")
            return
        self._step(lambda v: v.check_in(current.record_id), urgent=True)

    def extend(self, record_id: str) -> None:
        minutes = ask_extension(self.window)
        if minutes is not None:
            self._step(lambda v: v.extend(record_id, minutes), urgent=True)

    def remind(self, title: str, message: str) -> None:
        if self.tray is not None:
            self.tray.showMessage(title, message, QSystemTrayIcon.MessageIcon.Warning, 60_000)
        self.window.statusBar().showMessage(f"{title}. {message}", 120_000)
        QApplication.alert(self.window)

    # -- dialogs -----------------------------------------------------------------------------
    def plan(self) -> VisitPlannerDialog | None:
        case_id = self.window.current_case_id()
        if self.visits is None:
            return None
        if case_id is None:
            QMessageBox.information(self.window, "Plan a meeting", "Choose the case the meeting is for first.")
            return None
        reference = self.window.book.cases.reference_of(case_id) or ""
        assert self.session is not None  # attached: the visits exist
        dialog = VisitPlannerDialog(self.session, case_id, reference, self.now, self.window)
        dialog.planned.connect(lambda _rid: self.after_step(urgent=False))
        dialog.open()
        return dialog

    def show_visits(self) -> VisitsDialog | None:
        if self.visits is None:
            return None
        if self.dialog is None:
            assert self.session is not None
            self.dialog = VisitsDialog(self.session, self.now, self._phones, self.window)
            self.dialog.changed.connect(lambda: self.after_step(urgent=True))
            self.dialog.finished.connect(self._dialog_closed)
        self.dialog.refresh()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def _dialog_closed(self) -> None:
        self.dialog = None

    def show_signs(self) -> None:
        SignsDialog(self.window).open()
