"""The Qt binding the app is installed with keeps Python's reference counts straight.

PySide6 6.12.0's ``Signal.emit()`` handed back ``True`` without a reference of its own, so every
emit took one reference from ``True``: after a few thousand signals (or at exit) the process
aborted with "Fatal Python error: bool_dealloc". This fails on such a build.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    value = Signal(object)
    bare = Signal()


def test_emitting_a_signal_takes_no_reference_from_true(qapp) -> None:
    emitter = _Emitter()
    seen: list[object] = []
    emitter.value.connect(seen.append)
    emitter.bare.connect(lambda: None)
    before = sys.getrefcount(True)
    for n in range(200):
        emitter.value.emit(n)
        emitter.bare.emit()
    assert len(seen) == 200
    assert sys.getrefcount(True) >= before - 5, "emit() loses a reference to True on every call"
