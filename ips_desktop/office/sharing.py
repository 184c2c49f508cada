"""Several PPOs, one office (docs/architecture.md, "Several PPOs, one office").

Each PPO's PC runs the console on the same office folder. Every console shows the board, the
inbox and the claims from the one office vault, and any of them can approve, answer an alert or
mark a claim. Fetching from the relay (the laptops' records, enrolments, the key bundle) is done
by one console at a time: the one holding the **fetch**, a row in the office vault's
``consoles`` table. A console renews its row at every pull (each minute); a console whose row is
older than :data:`STALE` has stopped (quit without saying so, or its PC is off), and the next
console to pull takes the fetch over. A console that quits hands it back at once.

The fetch is an economy and a courtesy, not what keeps the office whole: a record opened by
two consoles at once is still kept once (``OfficeService.receive`` is one transaction).
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..store.office_store import ConsoleRow, OfficeRepository

STALE = timedelta(minutes=3)  # three missed pulls: that console has stopped
RENEW_EVERY_S = 30.0  # during a long pull, the fetch is renewed this often


@dataclass(frozen=True)
class OtherConsole:
    who: str
    pc: str
    seen_at: datetime
    fetching: bool

    def words(self) -> str:
        return f"{self.who or 'a PPO'} on {self.pc}" if self.pc else (self.who or "a PPO")


def this_pc_name() -> str:
    return (platform.node() or os.environ.get("COMPUTERNAME", "")).split(".")[0][:40]


class Consoles:
    """This console's row among the office's consoles. ``console_id`` is new at every start;
    ``who`` names the PPO here (read at each renewal: it can change while the console runs)."""

    def __init__(self, repo: OfficeRepository, now: Callable[[], datetime], console_id: str, who: Callable[[], str],
                 pc: str | None = None) -> None:
        self.repo, self.now, self.console_id, self.who = repo, now, console_id, who
        self.pc = this_pc_name() if pc is None else pc
        self._renewed = 0.0

    def _row(self) -> ConsoleRow:
        return ConsoleRow(self.console_id, self.who(), self.pc, self.now(), False)

    def claim_fetch(self) -> OtherConsole | None:
        """Take the fetch unless another console that is still running holds it. ``None`` when
        this console may fetch now; otherwise the console that fetches."""
        now = self.now()
        with self.repo.vault.transaction():
            self.repo.console_seen(self._row())
            for row in self.repo.consoles():
                if row.console_id != self.console_id and row.fetching and now - row.seen_at < STALE:
                    return OtherConsole(row.who, row.pc, row.seen_at, True)
            self.repo.give_fetch_to(self.console_id)
            self.repo.forget_consoles(before=now - timedelta(days=1))
        self._renewed = time.monotonic()
        return None

    def renew(self) -> None:
        """During a long pull: keep the fetch (at most every :data:`RENEW_EVERY_S`)."""
        if time.monotonic() - self._renewed >= RENEW_EVERY_S:
            with self.repo.vault.transaction():
                self.repo.console_seen(self._row())
            self._renewed = time.monotonic()

    def others(self) -> list[OtherConsole]:
        """The other consoles still running on this office, fetching one first."""
        now = self.now()
        out = [OtherConsole(r.who, r.pc, r.seen_at, r.fetching) for r in self.repo.consoles()
               if r.console_id != self.console_id and now - r.seen_at < STALE]
        return sorted(out, key=lambda c: (not c.fetching, c.who))

    def leave(self) -> None:
        """This console is closing: its row goes, and with it the fetch (another console takes
        it at its next pull)."""
        with self.repo.vault.transaction():
            self.repo.forget_console(self.console_id)
