"""Wall-clock time in England. Visit plans, claims and the laptop's clock are naive local times
in Europe/London; the relay and the wire formats count epoch seconds. These two functions are
the only crossing between them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def to_epoch(moment: datetime) -> int:
    """A naive time is read as London wall-clock time."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=LONDON)
    return int(aware.timestamp())


def from_epoch(epoch: int) -> datetime:
    """London wall-clock time, naive, as the rest of the app keeps it."""
    return datetime.fromtimestamp(epoch, UTC).astimezone(LONDON).replace(tzinfo=None)
