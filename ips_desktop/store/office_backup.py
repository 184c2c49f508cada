"""The office's backup: the whole office vault in one file, opened by the office passphrase.

The file holds the passphrase keyslot and a fresh SQLCipher copy of the vault under the same
database key (``sqlcipher_export``: consistent, compacted, never the live file copied), so it is
exactly as safe as the office PC's own files and opens with the passphrase alone. It holds
everything the office is: its keys, every enrolled laptop's certificate, each laptop's chain
position, the bundle version, the records, the audit. See docs/architecture.md, "Backing up and
restoring the office". Layout::

    magic "IPSOVB" 00 01 | made at u64 | root key id 16 | keyslot length u32 | vault length u64 |
    keyslot | vault | SHA-256 of everything before it

A backup is written beside its destination and renamed into place whole; a file that does not
check is refused as damaged and never changed.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from .errors import VaultError
from .profile import Profile, write_private_file
from .vault import VaultConnection

MAGIC = b"IPSOVB\x00\x01"
_HEADER = struct.Struct(">8sQ16sIQ")
SUFFIX = ".ipsovb"
_CHUNK = 1 << 20


class BackupError(VaultError):
    """A backup that cannot be written, read or restored, in a sentence for the PPO."""


LAST_BACKUP_SETTING = "office_backup_at"  # the office vault's settings: when it was last backed up


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    made_at: datetime
    root_kid: bytes
    size: int


def write_backup(profile: Profile, vault: VaultConnection, db_key: bytes, root_kid: bytes, destination: Path,
                 now: datetime) -> BackupInfo:
    """Write the office's backup to ``destination`` (replaced whole, or not at all)."""
    destination = destination if destination.suffix == SUFFIX else destination.with_name(destination.name + SUFFIX)
    copy = destination.with_name(destination.name + ".vault.partial")
    partial = destination.with_name(destination.name + ".partial")
    try:
        slot = profile.keyslot_path.read_bytes()
        destination.parent.mkdir(parents=True, exist_ok=True)
        vault.checkpoint()
        vault.export_to(copy, db_key, vault.user_version)
        size = copy.stat().st_size
        made = int(now.timestamp())
        header = _HEADER.pack(MAGIC, made, root_kid, len(slot), size)
        digest = hashlib.sha256(header + slot)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb") as out, copy.open("rb") as source:
            out.write(header + slot)
            for block in iter(lambda: source.read(_CHUNK), b""):
                digest.update(block)
                out.write(block)
            out.write(digest.digest())
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, destination)
    except OSError as exc:
        raise BackupError(f"The backup could not be written to {destination} ({exc.strerror or exc}). "
                          "Choose another place.") from None
    finally:
        copy.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    return BackupInfo(destination, datetime.fromtimestamp(made, UTC), root_kid, destination.stat().st_size)


@contextmanager
def _opened(path: Path) -> Iterator[tuple[BinaryIO, tuple[int, bytes, int, int]]]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise BackupError(f"The backup {path} cannot be read ({exc.strerror or exc}).") from None
    with handle:
        head = handle.read(_HEADER.size)
        if len(head) < _HEADER.size or head[:8] != MAGIC:
            raise BackupError(f"{path.name} is not an office backup. It is the file that ends in {SUFFIX}.")
        _, made, root_kid, slot_len, vault_len = _HEADER.unpack(head)
        expected = _HEADER.size + slot_len + vault_len + 32
        if os.fstat(handle.fileno()).st_size != expected or slot_len > _CHUNK:
            raise BackupError(f"The backup {path.name} is damaged (it is not the length it says); it has not been "
                              "changed. Use an older backup.")
        yield handle, (made, root_kid, slot_len, vault_len)


def read_info(path: Path) -> BackupInfo:
    """What a backup is, checked end to end (SHA-256), without the passphrase."""
    with _opened(path) as (handle, (made, root_kid, slot_len, vault_len)):
        handle.seek(0)
        digest = hashlib.sha256()
        left = _HEADER.size + slot_len + vault_len
        while left:
            block = handle.read(min(_CHUNK, left))
            if not block:
                break
            digest.update(block)
            left -= len(block)
        if handle.read(32) != digest.digest():
            raise BackupError(f"The backup {path.name} is damaged; it has not been changed. Use an older backup.")
    return BackupInfo(path, datetime.fromtimestamp(made, UTC), root_kid, path.stat().st_size)


def restore_backup(path: Path, profile: Profile) -> BackupInfo:
    """Put the backup's keyslot and vault in place as ``profile`` (which must not exist yet).
    The passphrase that opens it is the office passphrase when the backup was made."""
    info = read_info(path)
    if profile.exists() or profile.vault_path.exists():
        raise BackupError(f"An office already exists in {profile.dir}; it has not been touched. Restore into a new "
                          "data folder.")
    with _opened(path) as (handle, (_, _, slot_len, vault_len)):
        slot = handle.read(slot_len)
        profile.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(profile.dir, 0o700)
        partial = profile.vault_path.with_name("vault.db.partial")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
            with os.fdopen(fd, "wb") as out:
                left = vault_len
                while left:
                    block = handle.read(min(_CHUNK, left))
                    out.write(block)
                    left -= len(block)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, profile.vault_path)
            write_private_file(profile.keyslot_path, slot)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BackupError(f"The office could not be restored into {profile.dir} ({exc.strerror or exc}).") \
                from None
    return info


def newest(folder: Path) -> Path | None:
    """The newest office backup in a folder, by the time written in it."""
    found = []
    for path in folder.glob(f"*{SUFFIX}"):
        try:
            with _opened(path) as (_, (made, _, _, _)):
                found.append((made, path))
        except BackupError:
            continue
    return max(found)[1] if found else None
