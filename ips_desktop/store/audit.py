"""Append-only, hash-chained, content-free audit log.

Each entry holds a record or case id, an event name and a short code (never record text);
its hash covers the previous entry's hash, so a deleted or edited entry breaks the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .vault import VaultConnection

GENESIS = bytes(32)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    event: str
    subject: str
    detail: str


def _entry_hash(prev: bytes, seq: int, at: str, event: str, subject: str, detail: str) -> bytes:
    digest = hashlib.sha256(b"ips-audit-v1\x00" + prev)
    for part in (str(seq), at, event, subject, detail):
        encoded = part.encode()
        digest.update(len(encoded).to_bytes(4, "big") + encoded)
    return digest.digest()


class AuditLog:
    def __init__(self, vault: VaultConnection, now: Callable[[], datetime]) -> None:
        self._vault = vault
        self._now = now

    def append(self, event: str, subject: str = "", detail: str = "") -> None:
        """Write one entry. Call inside the transaction of the change it records."""
        last = self._vault.query_one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        seq, prev = (last[0] + 1, bytes(last[1])) if last else (1, GENESIS)
        at = self._now().isoformat(timespec="seconds")
        digest = _entry_hash(prev, seq, at, event, subject, detail)
        self._vault.execute(
            "INSERT INTO audit_log (seq, at, event, subject, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq, at, event, subject, detail, prev, digest),
        )

    def entries(self, subject: str | None = None) -> list[AuditEntry]:
        sql = "SELECT seq, at, event, subject, detail FROM audit_log"
        rows = (self._vault.query(sql + " WHERE subject = ? ORDER BY seq", (subject,))
                if subject is not None else self._vault.query(sql + " ORDER BY seq"))
        return [AuditEntry(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4]) for r in rows]

    def first_broken(self) -> int | None:
        """The sequence number where the chain breaks, or ``None`` when it is whole."""
        prev = GENESIS
        expected_seq = 1
        for seq, at, event, subject, detail, prev_hash, digest in self._vault.query(
            "SELECT seq, at, event, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq"
        ):
            if seq != expected_seq or bytes(prev_hash) != prev:
                return int(seq)
            if _entry_hash(prev, seq, at, event, subject, detail) != bytes(digest):
                return int(seq)
            prev, expected_seq = bytes(digest), seq + 1
        return None
