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

from ...domain.visit_flow import RelayStep, Visit, relay_owed
from ...domain.visits import VisitPolicy
from ...store.errors import VaultError
from ...store.visitbook import VisitBook
from ...sync.relay_client import NotFound
from ...sync.transport import TransportError
from ...sync.visit_watch import VisitWatcher, Watching
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
            owed = relay_owed(visit)  # from the vault: a restart forgets nothing owed to the relay
            if owed is RelayStep.WATCH:
                self._open(watcher, view.record_id, visit)
            elif owed is not None:
                self._call(watcher, view.record_id, visit, owed)

    def _open(self, watcher: VisitWatcher, record_id: str, visit: Visit) -> None:
        self._busy.add(visit.visit_id)
        pins, policy = self.pins(), self.policy

        def done(watching: Watching) -> None:
            self._busy.discard(visit.visit_id)
            self._told.discard((visit.visit_id, "watch"))
            if self.visits is None:
                return
            try:
                self.visits.confirm_watch(record_id, visit.due_at)  # the due time the watch was opened with
            except Exception as exc:  # the visit changed meanwhile; the next sync sorts it out
                log.info("watch confirmed for a visit that moved on: %s", type(exc).__name__)
                return
            self.monitored.emit(record_id, watching)

        def failed(exc: Exception) -> None:
            self._busy.discard(visit.visit_id)
            self._say(visit.visit_id, "watch", self._words(exc, "The office is not watching this visit yet"))

        self.runner.run(lambda: watcher.open(visit, policy, pins), done, failed)

    def _call(self, watcher: VisitWatcher, record_id: str, visit: Visit, step: RelayStep) -> None:
        self._busy.add(visit.visit_id)
        what = step.value

        def work() -> object:
            return watcher.check_in(visit) if step is RelayStep.CHECK_IN else watcher.extend(visit)

        def told() -> None:
            if self.visits is None:
                return  # locked meanwhile: the vault still says it is owed, and it is sent again
            try:
                self.visits.relay_told(record_id, step, visit.due_at)
            except VaultError as exc:
                log.info("could not note what the relay was told: %s", type(exc).__name__)

        def done(_: object) -> None:
            self._busy.discard(visit.visit_id)
            self._told.discard((visit.visit_id, what))
            told()

        def failed(exc: Exception) -> None:
            self._busy.discard(visit.visit_id)
            if step is RelayStep.CHECK_IN and (isinstance(exc, NotFound) or "already closed" in str(exc)):
                told()  # the office or the phone page got there first
                return
            self._say(visit.visit_id, what, self._words(exc, f"The office has not received your {what}"))

        self.runner.run(work, done, failed)

    def _say(self, visit_id: str, what: str, text: str) -> None:
        if (visit_id, what) not in self._told:
            self._told.add((visit_id, what))
            self.problem.emit(text)

    @staticmethod
    def _words(exc: Exception, lead: str) -> str:
        detail = str(exc) if isinstance(exc, TransportError) else "the office did not answer"
        return f"{lead}: {detail} Phone the office to tell them."
