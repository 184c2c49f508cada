"""Run slow work (key derivation, file reading, the network) off the GUI thread.

Results come back on the GUI thread through a queued signal. A vault connection is used only
by the thread that opened it: work that needs the database either runs on the GUI thread's own
connection, or on a :class:`Lane` — one thread of its own, which keeps the connection a worker
opened on it (docs/architecture.md, "Threads").
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal


class _Arrivals(QObject):
    """Lives on the GUI thread for the runner's life. A worker only emits a job number; the
    result waits in the runner's table. No Qt or Python object made for a job is ever let go on
    a worker thread: PySide takes the GIL while Qt holds a connection lock to let one go there,
    and the GUI thread, holding the GIL, could be waiting for that lock (a freeze seen as a
    claim PDF's progress dialog closed)."""

    arrived = Signal(int)


class Lane:
    """One thread that runs its jobs in order, for as long as the lane lives."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._closed = False

    def submit(self, work: Callable[[], Any]) -> Future[Any]:
        return self._executor.submit(work)

    def close(self, last: Callable[[], None] | None = None, timeout: float = 30) -> None:
        """Run ``last`` on the lane's thread (closing its connection), then stop the thread."""
        if self._closed:
            return
        self._closed = True
        if last is not None:
            wait_for([self._executor.submit(last)], timeout)
        self._executor.shutdown(wait=True, cancel_futures=True)


class TaskRunner(QObject):
    """``run(work, on_done, on_failed)``: work runs in the pool, callbacks on the GUI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Most jobs wait on the network (a sync, the relay watch): four threads, so work the
        # person waits on (a claim PDF, a receipt) does not queue behind two slow answers.
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ips-task")
        self._arrivals = _Arrivals(self)
        self._arrivals.arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._lock = threading.Lock()
        self._jobs: dict[int, tuple[Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]]] = {}
        self._results: dict[int, tuple[bool, Any]] = {}
        self._running: set[Future[Any]] = set()
        self._numbers = itertools.count(1)
        self._closed = False

    def run(self, work: Callable[[], Any], on_done: Callable[[Any], None],
            on_failed: Callable[[Exception], None], lane: Lane | None = None) -> None:
        """``work`` on the pool (or on ``lane``); ``on_done``/``on_failed`` on the GUI thread."""
        number = next(self._numbers)
        self._jobs[number] = (work, on_done, on_failed)  # the GUI thread keeps these, and lets them go
        if lane is not None:
            lane.submit(lambda: self._execute(number))
            return
        future = self._pool.submit(self._execute, number)
        self._running.add(future)
        future.add_done_callback(self._running.discard)

    def _execute(self, number: int) -> None:
        """On a worker: run the job, leave its result in the table, say which job it was."""
        with self._lock:
            work = self._jobs[number][0]
        try:
            outcome: tuple[bool, Any] = (True, work())
        except Exception as exc:  # delivered to the caller's failure callback
            outcome = (False, exc)
        del work
        with self._lock:
            self._results[number] = outcome
        del outcome  # the table holds the only reference now: it is let go on the GUI thread
        self._arrivals.arrived.emit(number)

    def _deliver(self, number: int) -> None:
        with self._lock:
            ok, value = self._results.pop(number)
        _, on_done, on_failed = self._jobs.pop(number)
        if self._closed:
            return
        if ok:
            on_done(value)
        else:
            on_failed(value)

    def wait(self, msecs: int = 30000) -> bool:
        _, pending = wait_for(set(self._running), msecs / 1000)
        return not pending

    def close(self, msecs: int = 30000) -> bool:
        """At quit: no callback runs any more; wait for work in progress, then deliver (to
        nothing) the results still queued, so no Python object is left in Qt's event queue
        when the interpreter shuts down."""
        self._closed = True
        done = self.wait(msecs)
        QCoreApplication.sendPostedEvents()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._jobs.clear()
        self._results.clear()
        return done
