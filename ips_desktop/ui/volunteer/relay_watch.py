"""Keeps the relay's watch in step with the laptop's visits (DESIGN §6).

After every visit step, and every 30 seconds while the window is unlocked: a visit that is out
but not yet monitored asks the relay to watch it (only the relay's answer makes it
"monitored"); an extension moves the relay's due time; a check-in from the app reaches the
relay. The network work runs on the task pool with plain values; the vault is touched on the
GUI thread only. When the relay cannot be reached the volunteer is told to phone the office,
and it is tried again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from ...domain.visit_flow import CheckInRoute, State, Visit
from ...domain.visits import VisitPolicy
from ...store.visitbook import VisitBook
from ...sync.relay_client import NotFound
from ...sync.transport import TransportError
from ...sync.visit_watch import VisitWatcher, Watching, epoch
from ..common.tasks import TaskRunner

log = logging.getLogger(__name__)


class RelayWatchKeeper(QObject):
    monitored = Signal(str, object)   # record id, Watching (its phone link, if any)
    problem = Signal(str)             # what to tell the volunteer

    def __init__(self, runner: TaskRunner, watcher_for: Callable[[], VisitWatcher | None],
                 pins: Callable[[], tuple[str, str] | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.watcher_for, self.pins = runner, watcher_for, pins
        self.visits: VisitBook | None = None
        self.policy = VisitPolicy()
        self._busy: set[str] = set()
        self._sent_due: dict[str, int] = {}
        self._checked_in: set[str] = set()
        self._told: set[tuple[str, str]] = set()  # (visit id, what): each problem is said once until it clears
        self.timer = QTimer(self)
        self.timer.setInterval(30_000)
        self.timer.timeout.connect(self.sync)

    def attach(self, visits: VisitBook, policy: VisitPolicy) -> None:
        self.visits, self.policy = visits, policy
        self.timer.start()

    def detach(self) -> None:
        self.timer.stop()
        self.visits = None

    def sync(self) -> None:
        if self.visits is None:
            return
        watcher = self.watcher_for()
        if watcher is None:
            return  # a drop folder: the office is phoned, as the banner says
        for view in self.visits.visits(include_finished=True):
            visit = view.visit
            if visit.visit_id in self._busy:
                continue
            if visit.state is State.OUT and not visit.monitored:
                self._open(watcher, view.record_id, visit)
            elif visit.state is State.OUT and self._sent_due.get(visit.visit_id, epoch(visit.due_at)) != epoch(
                    visit.due_at):
                self._call(watcher, visit, "extension")
            elif (visit.state in (State.IN, State.CLOSED) and visit.monitored and visit.visit_id not in self._checked_in
                  and visit.check_in_route is CheckInRoute.APP):
                self._call(watcher, visit, "check-in")

    def _open(self, watcher: VisitWatcher, record_id: str, visit: Visit) -> None:
        self._busy.add(visit.visit_id)
        pins, policy = self.pins(), self.policy

        def done(watching: Watching) -> None:
            self._busy.discard(visit.visit_id)
            self._sent_due[visit.visit_id] = watching.watch.due
            self._told.discard((visit.visit_id, "watch"))
            if self.visits is None:
                return
            try:
                self.visits.confirm_watch(record_id)
            except Exception as exc:  # the visit changed meanwhile; the next sync sorts it out
                log.info("watch confirmed for a visit that moved on: %s", type(exc).__name__)
                return
            self.monitored.emit(record_id, watching)

        def failed(exc: Exception) -> None:
            self._busy.discard(visit.visit_id)
            self._say(visit.visit_id, "watch", self._words(exc, "The office is not watching this visit yet"))

        self.runner.run(lambda: watcher.open(visit, policy, pins), done, failed)

    def _call(self, watcher: VisitWatcher, visit: Visit, what: str) -> None:
        self._busy.add(visit.visit_id)

        def work() -> object:
            return watcher.check_in(visit) if what == "check-in" else watcher.extend(visit)

        def done(_: object) -> None:
            self._busy.discard(visit.visit_id)
            self._told.discard((visit.visit_id, what))
            if what == "check-in":
                self._checked_in.add(visit.visit_id)
            else:
                self._sent_due[visit.visit_id] = epoch(visit.due_at)

        def failed(exc: Exception) -> None:
            self._busy.discard(visit.visit_id)
            if what == "check-in" and (isinstance(exc, NotFound) or "already closed" in str(exc)):
                self._checked_in.add(visit.visit_id)  # the office or the phone page got there first
                return
            self._say(visit.visit_id, what, self._words(exc, f"The office has not received your {what}"))

        self.runner.run(work, done, failed)

    def _say(self, visit_id: str, what: str, text: str) -> None:
        if (visit_id, what) not in self._told:
            self._told.add((visit_id, what))
            self.problem.emit(text)

    @staticmethod
    def _words(exc: Exception, lead: str) -> str:
        detail = str(exc) if isinstance(exc, TransportError) else "the relay did not answer"
        return f"{lead}: {detail} Phone the office to tell them."
