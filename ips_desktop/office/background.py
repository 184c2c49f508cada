"""The console's work off the GUI thread (docs/architecture.md, "Threads").

An :class:`OfficeWorker` is a connection of its own to the office vault, with the office
console's core over it. Every call must come from one and the same thread (the worker's lane
in the UI): the connection is opened there on first use — without the whole-file page check
the window's connection already made at unlock — and closed there by :meth:`close`. So a slow
relay or share, or a large vault, never holds up the window, and no connection is ever used
from a thread that did not open it.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from ..domain.escalation import LadderPolicy
from ..store.errors import VaultError
from ..store.vault import ROLLBACK, VaultConnection
from ..sync.transport import TransportError
from ..sync.watch_client import BoardEntry
from .console import OfficeConsole, PlanToApprove
from .inbox import PullResult
from .service import OfficeError, OfficeService
from .sharing import Consoles

T = TypeVar("T")


@dataclass(frozen=True)
class BoardView:
    """What the board shows after one refresh. ``live`` is False when the relay did not answer
    (or the office has none): ``entries`` is then empty and ``problem`` says why."""

    entries: list[BoardEntry]
    planned: list[PlanToApprove]
    live: bool
    problem: str = ""
    at: datetime = field(default_factory=datetime.now)
    no_relay: bool = False  # a drop-folder office: nothing watches visits at all (not a fault)
    profiles: dict[str, dict[str, str]] = field(default_factory=dict)  # what volunteers told the office, by code
    ladder: LadderPolicy = field(default_factory=LadderPolicy)


class OfficeWorker:
    def __init__(self, vault_path: Path, db_key: bytes, now: Callable[[], datetime],
                 who: Callable[[], str] = lambda: "", console_id: str = "") -> None:
        self._path, self._key, self._now, self._who = vault_path, db_key, now, who
        self._console_id = console_id or secrets.token_hex(8)
        self._vault: VaultConnection | None = None
        self._console: OfficeConsole | None = None
        self._consoles: Consoles | None = None
        self._thread: int | None = None

    def console(self) -> OfficeConsole:
        """The console core on this worker's own connection (opened on first use)."""
        here = threading.get_ident()
        if self._thread is not None and self._thread != here:
            raise RuntimeError("an office worker is used from one thread only")
        if self._console is None:
            self._vault = VaultConnection.open(self._path, self._key, verify=False, journal=ROLLBACK)
            self._console = OfficeConsole(OfficeService(self._vault, self._now, who=self._who))
            self._thread = here
        return self._console

    def run(self, act: Callable[[OfficeConsole], T]) -> T:
        return act(self.console())

    def consoles(self) -> Consoles:
        if self._consoles is None:
            self._consoles = Consoles(self.console().service.repo, self._now, self._console_id, self._who)
        return self._consoles

    def pull(self) -> PullResult:
        """Fetch from the relay when this console holds the office's fetch (office/sharing.py);
        otherwise say which console does: what it fetched is in the vault already."""
        consoles = self.consoles()
        other = consoles.claim_fetch()
        if other is not None:
            result = PullResult(fetched_by=other.words())
        else:
            result = self.console().pull(lambda step, done, total: consoles.renew())
        result.others = [c.words() + (" (fetches records)" if c.fetching else "") for c in consoles.others()]
        return result

    def board_view(self) -> BoardView:
        """Today's plans from the vault and every watch from the relay (the board's refresh)."""
        console = self.console()
        now = self._now()
        midnight = int(now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())
        planned = console.planned_today(now)
        profiles, ladder = console.volunteer_profiles(), console.ladder()
        try:
            client = console.watch_client()
        except OfficeError as exc:  # no address yet: say so on the board
            return BoardView([], planned, False, str(exc), now, profiles=profiles, ladder=ladder)
        if client is None:
            return BoardView([], planned, False, "", now, no_relay=True, profiles=profiles, ladder=ladder)
        try:
            return BoardView(client.board(midnight), planned, True, "", now, profiles=profiles, ladder=ladder)
        except TransportError as exc:
            return BoardView([], planned, False, str(exc), now, profiles=profiles, ladder=ladder)

    def close(self) -> None:
        if self._consoles is not None:
            with contextlib.suppress(VaultError):  # a folder gone away: the row goes stale instead
                self._consoles.leave()
            self._consoles = None
        if self._vault is not None:
            self._vault.close()
        self._vault = self._console = None
        self._thread = None
