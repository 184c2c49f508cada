"""A profile's files on disk: keyslots, the vault, backups, the unlock back-off state.

Layout under the platformdirs user data dir::

    <root>/<profile>/keyslot.bin           passphrase keyslot (Argon2id)
    <root>/<profile>/keyslot-keyring.bin   optional "remember on this computer" keyslot
    <root>/<profile>/vault.db (+ -wal)     SQLCipher 4 database (the office's: + -journal while writing)
    <root>/<profile>/backups/              encrypted copies made before each migration
    <root>/<profile>/unlock-state.json     failed-unlock count and time (no content)

Every file write is atomic (temp name, fsync, rename), so a crash never leaves half a keyslot.
A file that fails to parse is never overwritten.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain import lockout
from .errors import VaultError

if TYPE_CHECKING:
    from ..crypto.keyslot import KdfParams, VaultSecrets
    from .vault import VaultConnection

# The crypto and SQLCipher modules are imported by the methods that use them: the app asks a
# profile whether it exists before its first window, and that must not wait for them.

log = logging.getLogger(__name__)

APP_NAME = "IPS Desktop"
_CLOUD_FOLDERS = ("dropbox", "onedrive", "google drive", "googledrive", "icloud", "box sync", "nextcloud")


def default_root(app_name: str = APP_NAME) -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(app_name, appauthor=False, roaming=False))


def cloud_synced(path: Path) -> bool:
    """DESIGN §3: never keep the vault in a folder a cloud client syncs. Warn when it is."""
    lowered = str(path).lower()
    return any(name in lowered for name in _CLOUD_FOLDERS)


class UnlockError(VaultError):
    """Wrong passphrase, a damaged keyslot, or asked too soon after failures."""

    def __init__(self, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` whole or not at all, readable by this user only (0600 where that means
    something), in binary mode on every system."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    # O_BINARY: on Windows os.open is text mode otherwise, and every 0x0A byte of a key would
    # gain a 0x0D in front of it (the flag is 0 elsewhere).
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, path)


@dataclass(frozen=True)
class UnlockState:
    failures: int = 0
    last_failure: datetime | None = None


class Profile:
    def __init__(self, root: Path, name: str = "default", schema: str = "volunteer") -> None:
        self.name = name
        self.schema = schema
        self.dir = root / name
        self.vault_path = self.dir / "vault.db"
        self.keyslot_path = self.dir / "keyslot.bin"
        self.keyring_slot_path = self.dir / "keyslot-keyring.bin"
        self.state_path = self.dir / "unlock-state.json"
        self.backups_dir = self.dir / "backups"
        # The office vault may be shared by several PPOs' PCs: a rollback journal (store/vault.py).
        self.journal = "delete" if schema == "office" else "wal"

    def exists(self) -> bool:
        return self.keyslot_path.exists()

    # -- creation ------------------------------------------------------------------------------
    def create(self, passphrase: str, params: KdfParams) -> tuple[VaultSecrets, VaultConnection]:
        """A new keyslot and an empty, migrated vault. Refuses to replace an existing profile."""
        from ..crypto import keyslot

        blob, secrets = keyslot.make_passphrase_slot_and_kek(passphrase, keyslot.VaultSecrets.generate(), params)
        return secrets, self.install(secrets, blob)

    def install(self, secrets: VaultSecrets, blob: bytes) -> VaultConnection:
        """Write a prepared keyslot and create the empty, migrated vault it opens."""
        if self.exists() or self.vault_path.exists():
            raise VaultError("A vault already exists here; it has not been touched.")
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        vault = self._open_migrated(secrets, create=True)
        write_private_file(self.keyslot_path, blob)
        return vault

    # -- unlocking -------------------------------------------------------------------------------
    def read_slot(self, path: Path | None = None) -> bytes:
        from ..crypto import keyslot

        path = path or self.keyslot_path
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            raise UnlockError("The key file of this vault is missing, so it cannot be opened.") from None
        try:
            keyslot.parse_slot(blob)
        except keyslot.KeyslotError as exc:
            raise UnlockError(
                f"The key file of this vault is damaged ({exc.reason}). It has not been changed."
            ) from None
        return blob

    def unlock_state(self) -> UnlockState:
        try:
            data = json.loads(self.state_path.read_text())
            last = data.get("last_failure")
            return UnlockState(int(data.get("failures", 0)),
                               datetime.fromisoformat(last) if last else None)
        except (FileNotFoundError, ValueError, TypeError):
            return UnlockState()

    def _save_state(self, state: UnlockState) -> None:
        write_private_file(self.state_path, json.dumps({
            "failures": state.failures,
            "last_failure": state.last_failure.isoformat() if state.last_failure else None,
        }).encode())

    def check_backoff(self, now: datetime) -> None:
        state = self.unlock_state()
        retry_at = lockout.next_attempt_at(state.failures, state.last_failure)
        if retry_at and now < retry_at:
            seconds = int((retry_at - now).total_seconds()) + 1
            raise UnlockError(f"Too many wrong passphrases. Try again in {seconds} seconds.", retry_at)

    def unlock(self, passphrase: str, now: Callable[[], datetime]) -> VaultSecrets:
        """Derive and open the passphrase keyslot (slow: run off the GUI thread)."""
        from ..crypto import keyslot

        self.check_backoff(now())
        blob = self.read_slot()
        try:
            secrets = keyslot.open_passphrase_slot(blob, passphrase)
        except keyslot.KeyslotError:
            state = self.unlock_state()
            failed = UnlockState(state.failures + 1, now())
            self._save_state(failed)
            retry_at = lockout.next_attempt_at(failed.failures, failed.last_failure)
            wait = ""
            if retry_at:
                wait = f" Wait {int((retry_at - now()).total_seconds())} seconds before trying again."
            what = "the office console" if self.schema == "office" else "these notes"
            raise UnlockError(f"That passphrase does not open {what}. Check Caps Lock and try again."
                              + wait, retry_at) from None
        if self.state_path.exists():
            self._save_state(UnlockState())
        return secrets

    def unlock_with_keyring_secret(self, secret: bytes) -> VaultSecrets:
        from ..crypto import keyslot

        try:
            return keyslot.open_keyring_slot(self.read_slot(self.keyring_slot_path), secret)
        except keyslot.KeyslotError as exc:
            raise UnlockError("The remembered key no longer opens this vault; type the passphrase.") from exc

    def open_vault(self, secrets: VaultSecrets) -> VaultConnection:
        return self._open_migrated(secrets, create=False)

    # -- epoch re-key ----------------------------------------------------------------------------
    @property
    def _next_vault(self) -> Path:
        return self.dir / "vault.next.db"

    @property
    def _next_slot(self) -> Path:
        return self.dir / "keyslot.next.bin"

    @property
    def _next_keyring_slot(self) -> Path:
        return self.dir / "keyslot-keyring.next.bin"

    def rekey(self, vault: VaultConnection, secrets: VaultSecrets, keyring_secret: bytes | None = None,
              rng: Callable[[int], bytes] = os.urandom,
              fault: Callable[[str], None] = lambda step: None) -> tuple[VaultConnection, VaultSecrets]:
        """Epoch re-key (DESIGN §3): export into a new file under a new random key, swap
        atomically, destroy the old key. Returns the new connection and secrets; ``vault`` is
        closed. Needs the passphrase slot's KEK from this session's unlock.

        The commit point is the rename of the new passphrase keyslot. A crash before it
        leaves the old slot and file, and the new file is destroyed at the next unlock (its
        key is in no slot); a crash after it leaves the new slot, and the next unlock finishes
        the swap. The keyring slot is re-wrapped when its secret is given, otherwise removed
        (the volunteer is asked to remember the computer again).
        """
        from ..crypto import keyslot

        if secrets.slot_kek is None or secrets.slot_kind is not keyslot.SlotKind.PASSPHRASE:
            raise VaultError("Re-keying needs this session to have been unlocked with the passphrase.")
        self._discard_unfinished_rekey()
        new = secrets.with_db_key(rng(32))
        version = vault.user_version
        vault.checkpoint()
        vault.export_to(self._next_vault, new.db_key, version)
        fault("exported")
        slot = keyslot.rewrap_slot(self.read_slot(), secrets.slot_kek, new, rng)
        write_private_file(self._next_slot, slot)
        if self.remembered and keyring_secret is not None:
            keyring_kek = keyslot.derive_keyring_kek(keyring_secret, keyslot.parse_slot(
                self.read_slot(self.keyring_slot_path)).salt)
            write_private_file(self._next_keyring_slot,
                          keyslot.rewrap_slot(self.read_slot(self.keyring_slot_path), keyring_kek, new, rng))
        fault("slot written")
        vault.close()
        if self.remembered and not self._next_keyring_slot.exists():
            self.forget()
        os.replace(self._next_slot, self.keyslot_path)  # the commit point
        _fsync_dir(self.dir)
        fault("committed")
        self._finish_swap()
        fault("swapped")
        return self._open_migrated(new, create=False), new

    def _finish_swap(self) -> None:
        for suffix in ("-wal", "-shm"):
            Path(str(self.vault_path) + suffix).unlink(missing_ok=True)
        os.replace(self._next_vault, self.vault_path)
        if self._next_keyring_slot.exists():
            os.replace(self._next_keyring_slot, self.keyring_slot_path)
        _fsync_dir(self.dir)

    def _discard_unfinished_rekey(self) -> None:
        """A new keyslot that never became current holds the only copy of its key: destroy it
        and the file it opens."""
        for path in (self._next_slot, self._next_keyring_slot, self._next_vault,
                     Path(str(self._next_vault) + "-wal"), Path(str(self._next_vault) + "-shm")):
            _destroy(path)

    def _recover_rekey(self, secrets: VaultSecrets) -> None:
        """Finish or undo a re-key a crash interrupted (see :meth:`rekey`)."""
        from .vault import VaultConnection, VaultCorruptError

        _destroy(self._next_slot)
        if not self._next_vault.exists():
            _destroy(self._next_keyring_slot)
            return
        try:
            VaultConnection.open(self.vault_path, secrets.db_key, journal=self.journal).close()
        except VaultCorruptError:
            try:
                VaultConnection.open(self._next_vault, secrets.db_key, journal=self.journal).close()
            except VaultCorruptError:
                return  # neither opens: leave both untouched for the damaged-vault path
            log.info("finishing an interrupted re-key")
            self._finish_swap()
            return
        log.info("discarding an interrupted re-key")
        self._discard_unfinished_rekey()

    def _open_migrated(self, secrets: VaultSecrets, *, create: bool) -> VaultConnection:
        from .migrations import MIGRATIONS, migrate
        from .vault import VaultConnection

        if self.schema == "office":
            from .office_migrations import OFFICE_MIGRATIONS as migrations
        else:
            migrations = MIGRATIONS
        if not create:
            self._recover_rekey(secrets)
        vault = VaultConnection.open(self.vault_path, secrets.db_key, create=create, journal=self.journal)
        try:
            migrate(vault, self.backup_path, migrations)
        except BaseException:
            vault.close()
            raise
        return vault

    # -- changing keys -------------------------------------------------------------------------
    def change_passphrase(self, old: str, new: str, params: KdfParams,
                          now: Callable[[], datetime]) -> None:
        """Re-wrap the keyslot only: the vault file and its key do not change."""
        from ..crypto import keyslot

        secrets = self.unlock(old, now)
        write_private_file(self.keyslot_path, keyslot.make_passphrase_slot(new, secrets, params))

    def remember(self, secrets: VaultSecrets, secret: bytes) -> None:
        from ..crypto import keyslot

        write_private_file(self.keyring_slot_path, keyslot.make_keyring_slot(secret, secrets))

    def forget(self) -> None:
        _destroy(self.keyring_slot_path)

    @property
    def remembered(self) -> bool:
        return self.keyring_slot_path.exists()

    # -- backups and wipe -------------------------------------------------------------------------
    def backup_path(self, version: int) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return self.backups_dir / f"vault-schema{version}-{stamp}.db"

    def backups(self) -> list[Path]:
        return sorted(self.backups_dir.glob("vault-*.db"), reverse=True)

    def restore_backup(self, backup: Path) -> Path:
        """Put a backup in place; the damaged file is kept beside it, never deleted."""
        if self.vault_path.exists():
            damaged = self.vault_path.with_name(f"vault.damaged-{datetime.now():%Y%m%d-%H%M%S}.db")
            os.replace(self.vault_path, damaged)
            for suffix in ("-wal", "-shm", "-journal"):
                side = Path(str(self.vault_path) + suffix)
                if side.exists():
                    os.replace(side, Path(str(damaged) + suffix))
        shutil.copyfile(backup, self.vault_path)
        os.chmod(self.vault_path, 0o600)
        return self.vault_path

    def wipe(self) -> None:
        """Quick wipe: destroy the keyslots first (that alone makes the vault unreadable),
        then the vault, its WAL, its backups and the state file."""
        for path in (self.keyslot_path, self.keyring_slot_path):
            _destroy(path)
        for path in (self.vault_path, Path(str(self.vault_path) + "-wal"), Path(str(self.vault_path) + "-shm"),
                     Path(str(self.vault_path) + "-journal"), self.state_path, *self.backups()):
            _destroy(path)
        shutil.rmtree(self.dir, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    """Make a rename durable: fsync the directory that holds it (POSIX; a no-op elsewhere)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _destroy(path: Path) -> None:
    """Overwrite with random bytes, then unlink. Best effort on SSDs; the keyslot is what matters."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    try:
        with open(path, "r+b") as handle:
            handle.write(os.urandom(min(size, 1 << 20)))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        log.warning("could not overwrite a file before deleting it")
    path.unlink(missing_ok=True)

