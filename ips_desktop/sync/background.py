"""Sync from a worker thread: each call opens its own connection to the vault, does its work
and closes it, so the window's connection (on the GUI thread) is never shared.

The window hands over the vault's path and key while it is unlocked; locking cancels the run
in progress and waits for it before the key is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..crypto.device import DeviceKeys
from ..crypto.office_keys import open_bundle
from ..crypto.wire import fingerprint
from ..domain.retention import RetentionPolicy, draft_needs_reminder
from ..store.records import RecordRepository
from ..store.sync_state import SyncCounts, SyncRepository
from ..store.vault import VaultConnection
from .engine import CancelToken, DeviceSync, Progress, RetentionRow, SyncResult
from .transport import DeviceTransport, TransportError, open_transport

APP_VERSION = "0.1.0"


@dataclass(frozen=True)
class Enrolled:
    office_name: str
    fingerprint: str
    address: str
    bundle_version: int
    last_sync_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class SyncSnapshot:
    """What the status bar shows: counts and enrolment, never content."""

    enrolled: Enrolled | None
    pending_enrolment: bool
    counts: SyncCounts
    rejected_reasons: tuple[str, ...]
    old_drafts: int = 0  # never sent, never removed: the volunteer is reminded from day 3


def snapshot(vault: VaultConnection, now: Callable[[], datetime]) -> SyncSnapshot:
    state = SyncRepository(vault, now)
    identity = state.identity()
    enrolled = None
    if identity is not None:
        bundle = open_bundle(identity.bundle, identity.root_public)
        enrolled = Enrolled(bundle.office_name, fingerprint(identity.root_public), identity.address, bundle.version,
                            identity.last_sync_at, identity.last_error)
    reasons = tuple(h.reason or "" for h in state.all() if h.state == "rejected")
    policy = RetentionPolicy.from_policy(open_bundle(identity.bundle, identity.root_public).policy) \
        if identity else RetentionPolicy()
    drafts = sum(1 for changed in RecordRepository(vault, now).draft_times()
                 if draft_needs_reminder(changed, now(), policy))
    return SyncSnapshot(enrolled, state.pending_enrolment() is not None, state.counts(), reasons, drafts)


class BackgroundSync:
    def __init__(self, vault_path: Path, db_key: bytes, device_seed: bytes, now: Callable[[], datetime],
                 transport_for: Callable[[str, DeviceKeys], DeviceTransport] | None = None) -> None:
        self._path = vault_path
        self._key = db_key
        self._keys = DeviceKeys.from_seed(device_seed)
        self._now = now
        self._transport_for = transport_for or (lambda address, keys: open_transport(address, keys.signing))

    @contextmanager
    def _engine(self) -> Iterator[DeviceSync]:
        vault = VaultConnection.open(self._path, self._key)
        try:
            yield DeviceSync(vault, self._keys, lambda address: self._transport_for(address, self._keys), self._now)
        finally:
            vault.close()

    def run(self, progress: Progress | None = None, cancel: CancelToken | None = None,
            keep: frozenset[str] = frozenset()) -> tuple[SyncResult, SyncSnapshot]:
        with self._engine() as engine:
            result = engine.run(progress, cancel, keep=keep)
            return result, snapshot(engine.state.vault, self._now)

    def begin_enrolment(self, code: str, label: str) -> None:
        with self._engine() as engine:
            engine.begin_enrolment(code, label, APP_VERSION)

    def finish_enrolment(self) -> tuple[bool, str | None]:
        """(enrolled, the six digits once the office has answered the laptop's first message)."""
        with self._engine() as engine:
            done = engine.finish_enrolment()
            return done, None if done else engine.enrolment_digits()


def retention_overview(vault: VaultConnection, device_seed: bytes, now: Callable[[], datetime]) -> list[RetentionRow]:
    """What leaves this laptop, when and why: read from the window's own connection, no network."""
    def offline(address: str) -> DeviceTransport:
        raise TransportError("the overview does not use the network")

    return DeviceSync(vault, DeviceKeys.from_seed(device_seed), offline, now).overview()
