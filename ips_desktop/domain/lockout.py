"""Back-off after failed unlocks and the idle auto-lock rule (DESIGN §3)."""

from __future__ import annotations

from datetime import datetime, timedelta

FREE_ATTEMPTS = 3
MAX_DELAY = timedelta(minutes=5)
DEFAULT_IDLE_LOCK = timedelta(minutes=5)


def unlock_delay(failures: int) -> timedelta:
    """How long to wait before the next attempt after ``failures`` wrong passphrases.

    Three tries are free (typing mistakes happen); then 2 s, 4 s, 8 s … up to five minutes.
    """
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    return min(MAX_DELAY, timedelta(seconds=2 ** (failures - FREE_ATTEMPTS + 1)))


def next_attempt_at(failures: int, last_failure: datetime | None) -> datetime | None:
    if last_failure is None:
        return None
    delay = unlock_delay(failures)
    return last_failure + delay if delay else None


def should_lock(last_activity: datetime, now: datetime, idle: timedelta = DEFAULT_IDLE_LOCK) -> bool:
    return idle > timedelta(0) and now - last_activity >= idle
