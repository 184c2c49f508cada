"""The SQLCipher 4 connection and the settings it must hold (DESIGN §3).

One connection, one thread: a :class:`VaultConnection` is used only by the thread that
opened it (the database executor in the app). The raw 32-byte key is given as ``x'…'``
so SQLCipher's own PBKDF2 is bypassed and no passphrase ever appears in SQL text.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlcipher3

from .errors import (
    CLOSED_MESSAGE,
    CONFLICT_MESSAGE,
    VaultClosedError,
    VaultConflictError,
    VaultCorruptError,
    VaultError,
    VaultPlaintextError,
    VaultUnsupportedError,
    VaultWriteError,
    write_error_message,
)

__all__ = [
    "CONNECTION_PRAGMAS", "PAGE_SIZE", "PLAINTEXT_MAGIC", "REQUIRED_SETTINGS", "VaultConnection",
    "VaultCorruptError", "VaultError", "VaultPlaintextError", "VaultUnsupportedError", "VaultWriteError",
    "sqlcipher_version",
]

log = logging.getLogger(__name__)

PAGE_SIZE = 4096

# Memory security (wipe what SQLCipher frees) is one setting for the whole process, read by its
# allocator on every thread without a lock: it is switched on once, by the first connection,
# never again while another thread's connection is allocating (docs/architecture.md, "Threads").
_memory_security_lock = threading.Lock()
_memory_security_set = False


def _memory_security_once(conn: Any) -> None:
    global _memory_security_set
    with _memory_security_lock:
        if not _memory_security_set:
            conn.execute("PRAGMA cipher_memory_security = ON")
            _memory_security_set = True
# Set on every connection after the key (``make bench`` gives its plain-SQLite baseline the
# same). Pages in the cache are already decrypted: 16 MiB holds a year's search index, so a
# search or a save decrypts few pages; memory security wipes the cache when it is freed.
# The background sync has its own connection on its own thread: a writer waits for the
# other's transaction (busy_timeout) instead of failing.
BUSY_TIMEOUT_MS = 10000
CONNECTION_PRAGMAS = ("secure_delete = ON", "temp_store = MEMORY", "foreign_keys = ON",
                      f"cache_size = -{16 * 1024}", f"busy_timeout = {BUSY_TIMEOUT_MS}")
# The volunteer's vault keeps a write-ahead log (readers never wait for the sync's writes). The
# office vault keeps a rollback journal instead: it may live in a folder shared by several PPOs'
# PCs, and a write-ahead log needs memory shared between the processes that use it, which PCs
# on a network share do not have (docs/architecture.md, "Several PPOs, one office").
WAL, ROLLBACK = "wal", "delete"
PLAINTEXT_MAGIC = b"SQLite format 3\x00"

# What every connection must report after opening. Checked, not assumed.
REQUIRED_SETTINGS: dict[str, object] = {
    "cipher_memory_security": "1",
    "secure_delete": 1,
    "temp_store": 2,  # MEMORY
    "foreign_keys": 1,
}


_DAMAGED = ("Part of the vault file is damaged, so IPS Desktop stopped before using it. The file "
            "has not been changed. You can restore the last backup.")
# What SQLite and SQLCipher say when the file itself is damaged: only these are "damaged".
_CORRUPTION = ("malformed", "not a database", "hmac", "corrupt", "disk i/o error", "file is encrypted")


def _as_vault_error(exc: Exception) -> VaultError:
    """A database error in words a volunteer can act on. Only real damage to the file is called
    damaged (a volunteer told that may restore an old backup and lose newer records): a
    constraint, a closed connection or a connection used from the wrong thread is not. The log
    line names the error's class and SQLite's words, which never hold record content."""
    text = str(exc).lower()
    if isinstance(exc, sqlcipher3.IntegrityError):
        log.warning("vault constraint refused a write: %s", text[:120])
        return VaultConflictError(CONFLICT_MESSAGE)
    if isinstance(exc, sqlcipher3.ProgrammingError):
        log.warning("vault used after closing or from another thread: %s", text[:120])
        return VaultClosedError(CLOSED_MESSAGE)
    if isinstance(exc, sqlcipher3.OperationalError) and not any(word in text for word in _CORRUPTION):
        return VaultWriteError(write_error_message(exc))
    if any(word in text for word in _CORRUPTION):
        log.error("vault file damaged: %s", type(exc).__name__)
        return VaultCorruptError(_DAMAGED)
    log.warning("vault error: %s: %s", type(exc).__name__, text[:120])
    return VaultWriteError("Your notes could not be read or saved just now, so nothing changed. Try again; "
                           "if it keeps happening, restart IPS Desktop.")


class VaultConnection:
    """An open, keyed, checked SQLCipher database file."""

    def __init__(self, conn: Any, path: Path, journal: str = WAL) -> None:
        self._conn = conn
        self.path = path
        self.journal = journal
        self._depth = 0

    @classmethod
    def open(cls, path: Path, db_key: bytes, *, create: bool = False, verify: bool = True,
             journal: str = WAL) -> VaultConnection:
        """Open and check the file. ``verify=False`` skips the whole-file page check, for a
        second connection to a file the first connection of this session has just verified
        (a worker's: on a vault of many receipt photos the check reads every page).
        ``journal`` is :data:`WAL` or :data:`ROLLBACK` (the office's, see above)."""
        if journal not in (WAL, ROLLBACK):
            raise ValueError("journal is 'wal' or 'delete'")
        if len(db_key) != 32:
            raise ValueError("the database key is 32 bytes")
        exists = path.exists()
        if not exists and not create:
            raise VaultCorruptError("The vault file is missing. Restore it from a backup or start again.")
        if exists:
            _check_file_shape(path)
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=True)
        try:
            conn.execute(f"PRAGMA key = \"x'{db_key.hex()}'\"")
            _memory_security_once(conn)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlcipher3.DatabaseError:
                raise VaultCorruptError(
                    "The vault does not open with this key: the file is damaged or belongs to "
                    "another profile. It has not been changed. You can restore a backup."
                ) from None
            # Every page's HMAC, now, rather than a failure in the middle of the volunteer's work.
            if exists and verify and conn.execute("PRAGMA cipher_integrity_check").fetchall():
                raise VaultCorruptError(_DAMAGED)
            version = conn.execute("PRAGMA cipher_version").fetchone()
            if not version or int(str(version[0]).split(".")[0]) < 4:
                raise VaultUnsupportedError(
                    "This copy of IPS Desktop was built with an old SQLCipher (before 4). "
                    "Please reinstall it."
                )
            for pragma in CONNECTION_PRAGMAS:
                conn.execute(f"PRAGMA {pragma}")
            mode = conn.execute(f"PRAGMA journal_mode = {journal.upper()}").fetchone()
            if journal == ROLLBACK and mode and str(mode[0]).lower() == WAL:
                # A write-ahead log cannot be left while another connection uses it: an older
                # console (before the office kept a rollback journal) has the office open.
                raise VaultWriteError("The office is open in an older IPS Office, on this PC or another. Close "
                                      "it there (and update it), then start this console again. Nothing was "
                                      "changed.")
            vault = cls(conn, path, journal)
            vault.check_settings()
        except BaseException:
            conn.close()
            raise
        if not exists:
            os.chmod(path, 0o600)
        return vault

    def settings(self) -> dict[str, object]:
        found: dict[str, object] = {}
        for name in (*REQUIRED_SETTINGS, "journal_mode", "cipher_version"):
            row = self._conn.execute(f"PRAGMA {name}").fetchone()
            found[name] = row[0] if row else None
        return found

    def check_settings(self) -> None:
        found = self.settings()
        required = {**REQUIRED_SETTINGS, "journal_mode": self.journal}
        wrong = {k: found[k] for k, v in required.items() if str(found[k]).lower() != str(v)}
        if wrong:
            raise VaultUnsupportedError(
                f"The vault refused a required safety setting ({', '.join(sorted(wrong))})."
            )

    # -- queries ---------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[object] = ()) -> Any:
        try:
            return self._conn.execute(sql, params)
        except sqlcipher3.Error as exc:
            raise _as_vault_error(exc) from None

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        try:
            return list(self._conn.execute(sql, params).fetchall())
        except sqlcipher3.Error as exc:
            raise _as_vault_error(exc) from None

    def query_one(self, sql: str, params: Sequence[object] = ()) -> tuple[Any, ...] | None:
        rows = self.query(sql, params)
        return tuple(rows[0]) if rows else None

    def executescript(self, sql: str) -> None:
        self._conn.executescript(sql)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[VaultConnection]:
        """All or nothing. Disk full or read-only becomes :class:`VaultWriteError`."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlcipher3.Error as exc:
            raise _as_vault_error(exc) from None
        self._depth = 1
        try:
            yield self
            self._conn.execute("COMMIT")
        except sqlcipher3.Error as exc:
            self._rollback()
            raise _as_vault_error(exc) from None
        except BaseException:
            self._rollback()
            raise
        finally:
            self._depth = 0

    def rollback_if_open(self) -> None:
        if self._conn.in_transaction:
            self._rollback()

    def _rollback(self) -> None:
        with contextlib.suppress(sqlcipher3.Error):
            self._conn.execute("ROLLBACK")

    def data_version(self) -> int:
        """Changes whenever *another* connection commits to the file (SQLite's data_version):
        how a cache on this connection knows a worker's connection changed what it holds."""
        try:
            row = self._conn.execute("PRAGMA data_version").fetchone()
        except sqlcipher3.Error as exc:
            raise _as_vault_error(exc) from None
        return int(row[0])

    @property
    def user_version(self) -> int:
        row = self._conn.execute("PRAGMA user_version").fetchone()
        return int(row[0])

    def set_user_version(self, version: int) -> None:
        self._conn.execute(f"PRAGMA user_version = {int(version)}")

    def checkpoint(self, wait_ms: int = BUSY_TIMEOUT_MS) -> bool:
        """Fold the WAL into the main file and truncate it: no stale pages left beside it.
        Returns False when a reader on another connection kept it from finishing within
        ``wait_ms`` (the WAL still holds pages then: the caller tries again later)."""
        self._conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        try:
            row = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return bool(row) and int(row[0]) == 0

    def backup_to(self, target: Path) -> Path:
        """Copy the (encrypted) file after a checkpoint. Atomic: a temp name, then rename."""
        if not self.checkpoint():
            raise VaultError("The vault is in use by another part of IPS Desktop, so it could not be "
                             "copied. Nothing was changed; close other IPS Desktop windows and try again.")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        # Under a rollback journal another PC's console may write while the file is copied: a
        # read transaction holds SQLite's shared lock, so no write lands half-way through the copy.
        with self._read_lock():
            shutil.copyfile(self.path, partial)
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(partial, 0o600)
        os.replace(partial, target)
        return target

    @contextlib.contextmanager
    def _read_lock(self) -> Iterator[None]:
        if self.journal == WAL or self._conn.in_transaction:
            yield
            return
        self._conn.execute("BEGIN")
        try:
            self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            yield
        finally:
            self._rollback()

    def export_to(self, target: Path, db_key: bytes, user_version: int) -> None:
        """Copy every table into a new file under ``db_key`` (sqlcipher_export), then fsync.
        The new file is also compacted: no free page of the old one comes along."""
        if len(db_key) != 32:
            raise ValueError("the database key is 32 bytes")
        target.unlink(missing_ok=True)
        self._conn.execute(f"ATTACH DATABASE ? AS rekey KEY \"x'{db_key.hex()}'\"", (str(target),))
        try:
            self._conn.execute("SELECT sqlcipher_export('rekey')").fetchall()
            self._conn.execute(f"PRAGMA rekey.user_version = {int(user_version)}")
        finally:
            self._conn.execute("DETACH DATABASE rekey")
        os.chmod(target, 0o600)
        with open(target, "rb+") as handle:
            os.fsync(handle.fileno())

    def close(self) -> None:
        with contextlib.suppress(sqlcipher3.Error):
            self.checkpoint()
        self._conn.close()


def _check_file_shape(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head == PLAINTEXT_MAGIC:
        raise VaultPlaintextError(
            "This vault file is not encrypted, so IPS Desktop will not use it. "
            "Move it out of the data folder and start again."
        )
    if size == 0 or size % PAGE_SIZE:
        raise VaultCorruptError(
            "The vault file is truncated or damaged. It has not been changed. You can restore a backup."
        )


def sqlcipher_version() -> str:
    """For ``--self-test`` and the About box: the linked SQLCipher version."""
    conn = sqlcipher3.connect(":memory:")
    try:
        conn.execute("PRAGMA key = 'probe'")
        row = conn.execute("PRAGMA cipher_version").fetchone()
        return str(row[0]) if row else "unknown"
    finally:
        conn.close()
