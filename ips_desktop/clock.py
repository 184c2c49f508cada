"""The one clock that every program reads: the volunteer app, the office console and the relay.

Real time, moved on (or back) by a documented offset so that a demo, a ladder drill or a
journey test can shift all three programs together without patching any of them:

``IPS_CLOCK_OFFSET``
    Seconds (a number, may be negative or fractional) added to the real time, fixed for the
    life of the process.
``IPS_CLOCK_OFFSET_FILE``
    The path of a file holding such a number. It is read again whenever the file changes, so
    running programs move together when one writer changes it. A missing, empty or unreadable
    file counts as 0: a mistyped offset never stops a program.

Both may be set; they add up. Neither is needed in normal use (see docs/architecture.md,
"Time"). Event-loop timers keep using monotonic time: only the wall clock moves.
"""

from __future__ import annotations

import os
import threading
import time as _time
from datetime import date, datetime

__all__ = ["now", "offset", "time", "today"]

_lock = threading.Lock()
_cached: tuple[str, tuple[int, int], float] = ("", (-1, -1), 0.0)  # (path, (mtime_ns, size), offset)


def _number(text: str) -> float:
    try:
        value = float(text.strip() or 0)
    except ValueError:
        return 0.0
    return value if value == value and abs(value) < 1e10 else 0.0  # NaN or absurd: ignore


def _file_offset(path: str) -> float:
    global _cached
    try:
        info = os.stat(path)
        stamp = (info.st_mtime_ns, info.st_size)
    except OSError:
        return 0.0
    with _lock:
        if _cached[0] == path and _cached[1] == stamp:
            return _cached[2]
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            value = _number(handle.read(64))
    except OSError:
        return 0.0
    with _lock:
        _cached = (path, stamp, value)
    return value


_FIXED = _number(os.environ.get("IPS_CLOCK_OFFSET", ""))


def offset() -> float:
    """Seconds the clock is moved from real time now (0 in normal use)."""
    path = os.environ.get("IPS_CLOCK_OFFSET_FILE", "")
    return _FIXED + (_file_offset(path) if path else 0.0)


def time() -> float:
    """Seconds since the epoch, as :func:`time.time`, moved by the offset."""
    return _time.time() + offset()


def now() -> datetime:
    """Local wall-clock time without a time zone, as :meth:`datetime.now`, moved by the offset."""
    return datetime.fromtimestamp(time())


def today() -> date:
    return now().date()
