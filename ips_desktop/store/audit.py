"""Append-only, hash-chained, content-free audit log.

Each entry holds a record or case id, an event name and a short code (never record text);
its hash covers the previous entry's hash, so a deleted or edited entry breaks the chain.

The office's log also names who did it (the PPO at the console, or the command line): several
PPOs may share one office (docs/architecture.md, "Several PPOs, one office"). An entry with a
name is hashed with it (``ips-audit-v2``), so a name cannot be changed or removed unseen;
entries without one keep the first form.
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
    who: str = ""


def _entry_hash(prev: bytes, seq: int, at: str, event: str, subject: str, detail: str, who: str = "") -> bytes:
    digest = hashlib.sha256((b"ips-audit-v2\x00" if who else b"ips-audit-v1\x00") + prev)
    for part in (str(seq), at, event, subject, detail, *((who,) if who else ())):
        encoded = part.encode()
        digest.update(len(encoded).to_bytes(4, "big") + encoded)
    return digest.digest()


class AuditLog:
    """``who`` names the person acting, read at each entry; ``None`` for a log with no ``who``
    column (the volunteer's: one person's laptop)."""

    def __init__(self, vault: VaultConnection, now: Callable[[], datetime],
                 who: Callable[[], str] | None = None) -> None:
        self._vault = vault
        self._now = now
        self._who = who

    def append(self, event: str, subject: str = "", detail: str = "") -> None:
        """Write one entry. Call inside the transaction of the change it records."""
        last = self._vault.query_one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        seq, prev = (last[0] + 1, bytes(last[1])) if last else (1, GENESIS)
        at = self._now().isoformat(timespec="seconds")
        if self._who is None:
            self._vault.execute(
                "INSERT INTO audit_log (seq, at, event, subject, detail, prev_hash, hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, at, event, subject, detail, prev, _entry_hash(prev, seq, at, event, subject, detail)),
            )
            return
        who = self._who().strip()
        self._vault.execute(
            "INSERT INTO audit_log (seq, at, event, subject, detail, prev_hash, hash, who) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, at, event, subject, detail, prev, _entry_hash(prev, seq, at, event, subject, detail, who), who),
        )

    def _columns(self) -> str:
        return "seq, at, event, subject, detail" + (", who" if self._who is not None else ", ''")

    def entries(self, subject: str | None = None, last: int | None = None) -> list[AuditEntry]:
        """Oldest first; ``last`` keeps only the newest that many."""
        sql = f"SELECT {self._columns()} FROM audit_log"
        if subject is not None:
            rows = self._vault.query(sql + " WHERE subject = ? ORDER BY seq", (subject,))
        else:
            rows = self._vault.query(sql + " ORDER BY seq")
        if last is not None:
            rows = rows[-last:] if last > 0 else []
        return [AuditEntry(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5]) for r in rows]

    def first_broken(self) -> int | None:
        """The sequence number where the chain breaks, or ``None`` when it is whole."""
        prev = GENESIS
        expected_seq = 1
        for seq, at, event, subject, detail, who, prev_hash, digest in self._vault.query(
            f"SELECT {self._columns()}, prev_hash, hash FROM audit_log ORDER BY seq"
        ):
            if seq != expected_seq or bytes(prev_hash) != prev:
                return int(seq)
            if _entry_hash(prev, seq, at, event, subject, detail, who) != bytes(digest):
                return int(seq)
            prev, expected_seq = bytes(digest), seq + 1
        return None
