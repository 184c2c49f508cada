"""``ips-relay backup`` and ``restore``: the relay's database and key, copied safely.

The database is copied with SQLite's online backup API, page by page inside read
transactions, so a backup taken while the relay serves is a consistent snapshot (a plain file
copy of a database in WAL mode is not). The relay's own key goes with it: laptops check the
relay's STORED receipts against it. A manifest records each file's SHA-256; restore checks
them and SQLite's integrity check before anything in the data folder is touched, refuses
while a relay is serving from that folder, and moves what was there aside rather than
deleting it. See docs/architecture.md, "Running the relay".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from .. import __version__, clock

DATABASE = "relay.db"
KEY = "relay-key.bin"
MANIFEST = "manifest.json"
LOCK = "relay.lock"


class BackupError(Exception):
    """A backup or restore that did not happen, and why, in one sentence."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _private_copy(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as out, source.open("rb") as f:
        shutil.copyfileobj(f, out)
        out.flush()
        os.fsync(out.fileno())


def backup(data: Path, destination: Path) -> str:
    """Copy the relay's database and key into ``destination`` (new or empty); returns a summary."""
    database = data / DATABASE
    if not database.is_file() or not (data / KEY).is_file():
        raise BackupError(f"There is no relay in {data}: no {DATABASE} and {KEY} there.")
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BackupError(f"{destination} already holds something; give a new or empty folder.")
    try:
        destination.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = destination / DATABASE
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600))
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(str(target))
            try:
                source.backup(copy, pages=1024)  # in steps: the serving relay is never held up long
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                copy.close()
        finally:
            source.close()
        _private_copy(data / KEY, destination / KEY)
        manifest = {"made_by": f"ips-relay {__version__}",
                    "made_at": datetime.fromtimestamp(clock.time(), UTC).isoformat(timespec="seconds"),
                    "files": {name: _sha256(destination / name) for name in (DATABASE, KEY)}}
        (destination / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"The backup could not be written to {destination} ({_why(exc)}).") from None
    size = (destination / DATABASE).stat().st_size
    return f"Backed up the relay ({size // 1024} KiB) to {destination}."


def _why(exc: BaseException) -> str:
    return str(exc.strerror) if isinstance(exc, OSError) and exc.strerror else str(exc)


@contextlib.contextmanager
def serving_lock(data: Path) -> Iterator[None]:
    """Held by ``ips-relay serve`` for its life: a second relay on the same folder, or a restore
    under a running one, is refused. (Only where the system has advisory locks: POSIX.)"""
    handle = _try_lock(data)
    if handle is None:
        raise BackupError(f"A relay is already serving from {data}; stop it first.")
    try:
        yield
    finally:
        handle.close()


def _try_lock(data: Path) -> IO[bytes] | None:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; the relay is run on POSIX servers
        return open(os.devnull, "rb")
    handle = open(data / LOCK, "ab")  # noqa: SIM115 (closed by the caller)
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def restore(source: Path, data: Path) -> str:
    """Put a backup back into ``data``; what was there is moved aside, never deleted."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError(f"{source} is not a relay backup (no readable {MANIFEST}).") from None
    for name in (DATABASE, KEY):
        path = source / name
        if not path.is_file() or files.get(name) != _sha256(path):
            raise BackupError(f"The backup in {source} is damaged: {name} is missing or not what was backed up. "
                              "Nothing was changed.")
    try:
        check = sqlite3.connect(f"file:{source / DATABASE}?mode=ro", uri=True)
        try:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
    except sqlite3.Error:
        verdict = "unreadable"
    if verdict != "ok":
        raise BackupError(f"The backup's database in {source} is damaged; nothing was changed.")
    try:
        data.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"The data folder {data} cannot be used ({_why(exc)}).") from None
    with serving_lock(data):
        stamp = datetime.fromtimestamp(clock.time(), UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = data / f"before-restore-{stamp}"
        try:
            present = [p for p in (DATABASE, DATABASE + "-wal", DATABASE + "-shm", KEY) if (data / p).exists()]
            if present:
                aside.mkdir(mode=0o700)
                for name in present:
                    (data / name).rename(aside / name)
            for name in (DATABASE, KEY):
                _private_copy(source / name, data / name)
        except OSError as exc:
            raise BackupError(f"The restore into {data} stopped ({_why(exc)}); what was there is in {aside}.") \
                from None
    kept = f" What was there before is in {aside}." if present else ""
    return f"Restored the relay from {source} (made {manifest.get('made_at', 'at an unknown time')}).{kept}"
