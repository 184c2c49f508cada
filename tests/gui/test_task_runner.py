"""The task runner lets go of every job's objects (its work, its result) on the GUI thread only.

Letting a PySide object go on a worker thread takes the GIL while Qt holds a connection lock;
the GUI thread, holding the GIL, could be waiting for that same lock. That froze the volunteer
app as a claim PDF's progress dialog closed (seen in CI: main thread in
QProgressDialog::closeEvent, a pool thread in Shiboken::Object::destroy)."""

from __future__ import annotations

import threading

import pytest

from ips_desktop.ui.common.tasks import Lane, TaskRunner

pytestmark = pytest.mark.gui


class Witness:
    """Notes the thread it is let go on."""

    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    def __del__(self) -> None:
        self.seen.append(threading.current_thread().name)


@pytest.mark.parametrize("on_lane", [False, True])
def test_work_and_results_are_let_go_on_the_gui_thread(qtbot, on_lane: bool) -> None:  # type: ignore[no-untyped-def]
    runner, lane = TaskRunner(), Lane("test-lane")
    seen: list[str] = []
    delivered: list[int] = []
    for _ in range(200):
        held = Witness(seen)  # captured by the work, as widgets and books are

        def work(held: Witness = held) -> Witness:
            assert held.seen is seen
            return Witness(seen)  # the result, handed to the GUI thread

        runner.run(work, lambda result: delivered.append(len(result.seen) * 0),
                   lambda exc: pytest.fail(str(exc)), lane=lane if on_lane else None)
        del held, work
    qtbot.waitUntil(lambda: len(delivered) == 200, timeout=10000)
    qtbot.waitUntil(lambda: len(seen) == 400, timeout=5000)
    assert set(seen) == {threading.main_thread().name}
    runner.close()
    lane.close()


def test_a_failure_reaches_the_failure_callback_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    failed: list[tuple[str, str]] = []

    def boom() -> None:
        raise ValueError("no")

    runner.run(boom, lambda _: pytest.fail("done"), lambda exc: failed.append((str(exc),
                                                                              threading.current_thread().name)))
    qtbot.waitUntil(lambda: bool(failed), timeout=5000)
    assert failed == [("no", threading.main_thread().name)]
    runner.close()
