"""The relay's own storage: ciphertext and routing metadata only (DESIGN §9).

One SQLite file, no setup. It holds sealed envelopes (which it cannot open), receipts,
the office key bundle, device certificates (public keys), enrolment messages, purge
certificates and the nonces seen inside the replay window. No record content, case
reference or name ever reaches it. One connection, used from the event loop's thread.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA secure_delete = ON;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
    device_kid BLOB PRIMARY KEY, signing_key BLOB NOT NULL, certificate BLOB NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS envelopes (
    id INTEGER PRIMARY KEY, device_kid BLOB NOT NULL, seq INTEGER NOT NULL, env_hash BLOB NOT NULL,
    body BLOB, size INTEGER NOT NULL, received_at INTEGER NOT NULL, done_at INTEGER, stored_receipt BLOB,
    UNIQUE (device_kid, seq, env_hash)
);
CREATE INDEX IF NOT EXISTS envelopes_waiting ON envelopes(done_at, id);
CREATE TABLE IF NOT EXISTS receipts (
    device_kid BLOB NOT NULL, seq INTEGER NOT NULL, status INTEGER NOT NULL, body BLOB NOT NULL,
    posted_at INTEGER NOT NULL, PRIMARY KEY (device_kid, seq, status)
);
CREATE TABLE IF NOT EXISTS nonces (key_id BLOB NOT NULL, nonce BLOB NOT NULL, at INTEGER NOT NULL,
    PRIMARY KEY (key_id, nonce));
CREATE INDEX IF NOT EXISTS nonces_at ON nonces(at);
CREATE TABLE IF NOT EXISTS enrolments (
    invite_id BLOB PRIMARY KEY, request BLOB NOT NULL, response BLOB, at INTEGER NOT NULL,
    taken INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS enrolments_at ON enrolments(at);
CREATE TABLE IF NOT EXISTS office_messages (
    device_kid BLOB NOT NULL, serial INTEGER NOT NULL, body BLOB NOT NULL, at INTEGER NOT NULL,
    PRIMARY KEY (device_kid, serial)
);
CREATE TABLE IF NOT EXISTS purge_certificates (
    device_kid BLOB NOT NULL, serial INTEGER NOT NULL, body BLOB NOT NULL, at INTEGER NOT NULL,
    PRIMARY KEY (device_kid, serial)
);
"""


@dataclass(frozen=True)
class StoredEnvelope:
    id: int
    device_kid: bytes
    seq: int
    env_hash: bytes
    size: int


class RelayStorage:
    def __init__(self, path: Path) -> None:
        # Check-in verifiers, family e-mail addresses and routing rows: readable by the relay's
        # own user only (the folder 0700, the file and its journal 0600, made so before SQLite
        # opens it: SQLite gives the -wal and -shm files the database file's mode).
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(path.parent, 0o700)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600))
        for private in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            with contextlib.suppress(FileNotFoundError):
                os.chmod(private, 0o600)
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _one(self, sql: str, params: tuple[object, ...] = ()) -> tuple[Any, ...] | None:
        row = self.db.execute(sql, params).fetchone()
        return tuple(row) if row else None

    # -- meta ------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> bytes | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return bytes(row[0]) if row else None

    def set_meta(self, key: str, value: bytes) -> None:
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?)"
                        " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # -- devices -----------------------------------------------------------------------------------
    def put_device(self, device_kid: bytes, signing_key: bytes, certificate: bytes) -> None:
        self.db.execute("INSERT INTO devices (device_kid, signing_key, certificate) VALUES (?, ?, ?)"
                        " ON CONFLICT(device_kid) DO UPDATE SET certificate = excluded.certificate",
                        (device_kid, signing_key, certificate))

    def device(self, device_kid: bytes) -> tuple[bytes, bytes, bool] | None:
        row = self._one("SELECT signing_key, certificate, revoked FROM devices WHERE device_kid = ?", (device_kid,))
        return (bytes(row[0]), bytes(row[1]), bool(row[2])) if row else None

    def set_revoked(self, revoked: set[bytes]) -> None:
        self.db.execute("UPDATE devices SET revoked = 0")
        self.db.executemany("UPDATE devices SET revoked = 1 WHERE device_kid = ?", [(k,) for k in revoked])

    # -- nonces ---------------------------------------------------------------------------------------
    def use_nonce(self, key_id: bytes, nonce: bytes, now: int, window: int) -> bool:
        """False when this nonce was already used inside the window (a replay)."""
        try:
            self.db.execute("INSERT INTO nonces (key_id, nonce, at) VALUES (?, ?, ?)", (key_id, nonce, now))
        except sqlite3.IntegrityError:
            return False
        return True

    def expire_nonces(self, before: int) -> None:
        self.db.execute("DELETE FROM nonces WHERE at < ?", (before,))

    # -- envelopes ---------------------------------------------------------------------------------------
    def add_envelope(self, device_kid: bytes, seq: int, env_hash: bytes, body: bytes, now: int,
                     stored_receipt: bytes) -> bytes:
        """Keep an envelope once; returns the STORED receipt it was first given (a duplicate
        gets the same one back). A laptop sends one again only when the office's receipts show
        it never arrived, or none came: one the office has finished with is queued for it once
        more (it answers with the same receipt, which may be the one that was lost)."""
        self.db.execute(
            "INSERT INTO envelopes (device_kid, seq, env_hash, body, size, received_at, stored_receipt)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_kid, seq, env_hash) DO UPDATE SET"
            " body = excluded.body, size = excluded.size, received_at = excluded.received_at, done_at = NULL"
            " WHERE done_at IS NOT NULL",
            (device_kid, seq, env_hash, body, len(body), now, stored_receipt))
        row = self._one("SELECT stored_receipt FROM envelopes WHERE device_kid = ? AND seq = ? AND env_hash = ?",
                        (device_kid, seq, env_hash))
        return bytes(row[0]) if row else stored_receipt

    def waiting(self, limit: int) -> list[StoredEnvelope]:
        rows = self.db.execute("SELECT id, device_kid, seq, env_hash, size FROM envelopes WHERE done_at IS NULL"
                               " ORDER BY id LIMIT ?", (limit,)).fetchall()
        return [StoredEnvelope(r[0], bytes(r[1]), r[2], bytes(r[3]), r[4]) for r in rows]

    def envelope_body(self, envelope_id: int) -> bytes | None:
        row = self._one("SELECT body FROM envelopes WHERE id = ? AND done_at IS NULL", (envelope_id,))
        return bytes(row[0]) if row and row[0] is not None else None

    def finish(self, device_kid: bytes, seq: int, env_hash: bytes | None, now: int) -> int:
        """Drop the ciphertext of an envelope the office has finished with; keep the routing row."""
        if env_hash is None:
            cursor = self.db.execute("UPDATE envelopes SET body = NULL, done_at = ? WHERE device_kid = ? AND seq = ?"
                                     " AND done_at IS NULL", (now, device_kid, seq))
        else:
            cursor = self.db.execute("UPDATE envelopes SET body = NULL, done_at = ? WHERE device_kid = ? AND seq = ?"
                                     " AND env_hash = ? AND done_at IS NULL", (now, device_kid, seq, env_hash))
        return cursor.rowcount

    def waiting_totals(self) -> tuple[int, int]:
        """(envelopes waiting for the office, their bytes), for the metrics."""
        row = self._one("SELECT count(*), coalesce(sum(size), 0) FROM envelopes WHERE done_at IS NULL")
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def finish_by_id(self, envelope_id: int, now: int) -> int:
        cursor = self.db.execute("UPDATE envelopes SET body = NULL, done_at = ? WHERE id = ? AND done_at IS NULL",
                                 (now, envelope_id))
        return cursor.rowcount

    def expire_envelopes(self, before: int, now: int) -> int:
        """The hard limit (30 days): ciphertext older than that goes whatever its state."""
        cursor = self.db.execute("UPDATE envelopes SET body = NULL, done_at = ? WHERE done_at IS NULL"
                                 " AND received_at < ?", (now, before))
        return cursor.rowcount

    def forget_old(self, before: int) -> int:
        """What the relay keeps only for its month (docs/architecture.md, "What the relay keeps"):
        envelope rows once done (which laptop sent what, when), receipts and purge certificates
        (the office's messages go by :meth:`expire_messages`). Returns how many rows went."""
        gone = 0
        for sql in ("DELETE FROM envelopes WHERE done_at IS NOT NULL AND done_at < ?",
                    "DELETE FROM receipts WHERE posted_at < ?",
                    "DELETE FROM purge_certificates WHERE at < ?"):
            gone += self.db.execute(sql, (before,)).rowcount
        return gone

    # -- receipts ------------------------------------------------------------------------------------------
    def put_receipt(self, device_kid: bytes, seq: int, status: int, body: bytes, now: int) -> None:
        self.db.execute("INSERT INTO receipts (device_kid, seq, status, body, posted_at) VALUES (?, ?, ?, ?, ?)"
                        " ON CONFLICT DO UPDATE SET body = excluded.body, posted_at = excluded.posted_at",
                        (device_kid, seq, status, body, now))

    def receipts(self, device_kid: bytes, limit: int = 500) -> list[tuple[int, int, bytes]]:
        rows = self.db.execute("SELECT seq, status, body FROM receipts WHERE device_kid = ? ORDER BY seq, status"
                               " LIMIT ?", (device_kid, limit)).fetchall()
        return [(r[0], r[1], bytes(r[2])) for r in rows]

    def forget_receipt(self, device_kid: bytes, seq: int, status: int) -> None:
        self.db.execute("DELETE FROM receipts WHERE device_kid = ? AND seq = ? AND status = ?",
                        (device_kid, seq, status))

    # -- enrolment and purge certificates -------------------------------------------------------------------
    def put_enrolment(self, invite_id: bytes, request: bytes, now: int) -> bool:
        cursor = self.db.execute("INSERT INTO enrolments (invite_id, request, at) VALUES (?, ?, ?)"
                                 " ON CONFLICT DO NOTHING", (invite_id, request, now))
        return cursor.rowcount == 1

    def expire_enrolments(self, before: int) -> int:
        """Enrolment requests (anyone may post one) and their answers, gone after their week."""
        return self.db.execute("DELETE FROM enrolments WHERE at < ?", (before,)).rowcount

    def enrolment_requests(self) -> list[tuple[bytes, bytes]]:
        return [(bytes(r[0]), bytes(r[1])) for r in self.db.execute(
            "SELECT invite_id, request FROM enrolments WHERE taken = 0 ORDER BY at").fetchall()]

    def take_enrolment(self, invite_id: bytes) -> None:
        self.db.execute("UPDATE enrolments SET taken = 1 WHERE invite_id = ?", (invite_id,))

    def set_enrolment_response(self, invite_id: bytes, response: bytes) -> bool:
        cursor = self.db.execute("UPDATE enrolments SET response = ? WHERE invite_id = ?", (response, invite_id))
        return cursor.rowcount == 1

    def enrolment_response(self, invite_id: bytes) -> bytes | None:
        row = self._one("SELECT response FROM enrolments WHERE invite_id = ?", (invite_id,))
        return bytes(row[0]) if row and row[0] is not None else None

    def put_purge_certificate(self, device_kid: bytes, serial: int, body: bytes, now: int) -> None:
        self.db.execute("INSERT INTO purge_certificates (device_kid, serial, body, at) VALUES (?, ?, ?, ?)"
                        " ON CONFLICT DO NOTHING", (device_kid, serial, body, now))

    def purge_certificates(self) -> list[tuple[bytes, int, bytes]]:
        return [(bytes(r[0]), r[1], bytes(r[2])) for r in self.db.execute(
            "SELECT device_kid, serial, body FROM purge_certificates ORDER BY at").fetchall()]

    def forget_purge_certificate(self, device_kid: bytes, serial: int) -> None:
        self.db.execute("DELETE FROM purge_certificates WHERE device_kid = ? AND serial = ?", (device_kid, serial))

    # -- office to laptop messages (sealed to the laptop; the relay cannot read them) -------------------
    def put_message(self, device_kid: bytes, serial: int, body: bytes, now: int) -> None:
        self.db.execute("INSERT OR IGNORE INTO office_messages (device_kid, serial, body, at) VALUES (?, ?, ?, ?)",
                        (device_kid, serial, body, now))

    def messages(self, device_kid: bytes, limit: int = 200) -> list[tuple[int, bytes]]:
        rows = self.db.execute("SELECT serial, body FROM office_messages WHERE device_kid = ? ORDER BY serial"
                               " LIMIT ?", (device_kid, limit)).fetchall()
        return [(int(r[0]), bytes(r[1])) for r in rows]

    def forget_message(self, device_kid: bytes, serial: int) -> None:
        self.db.execute("DELETE FROM office_messages WHERE device_kid = ? AND serial = ?", (device_kid, serial))

    def expire_messages(self, before: int) -> None:
        self.db.execute("DELETE FROM office_messages WHERE at < ?", (before,))
