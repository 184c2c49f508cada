"""The console's pull from a worker thread: each run opens its own connection to the office
vault, pulls and closes it, so the window's connection (and the live board) is never held up
by a slow relay or share. SQLite's WAL lets the window read while the worker writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ..store.vault import VaultConnection
from .console import OfficeConsole
from .inbox import PullResult
from .service import OfficeService


class BackgroundPull:
    def __init__(self, vault_path: Path, db_key: bytes, now: Callable[[], datetime]) -> None:
        self._path, self._key, self._now = vault_path, db_key, now

    def run(self) -> PullResult:
        vault = VaultConnection.open(self._path, self._key)
        try:
            return OfficeConsole(OfficeService(vault, self._now)).pull()
        finally:
            vault.close()
