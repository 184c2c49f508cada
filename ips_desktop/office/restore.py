"""Backing up the office and restoring it onto a new PC, for the console and ``ips-office``
alike (docs/architecture.md, "Backing up and restoring the office")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from ..crypto import office_keys
from ..crypto.wire import kid
from ..store import office_backup
from ..store.office_backup import BackupInfo
from ..store.profile import Profile
from ..store.vault import VaultConnection
from ..sync.transport import open_transport
from .service import OfficeService

DEFAULT_BACKUP_DAYS = 7  # the reminder's default, until the office policy says otherwise (backup_days)


def back_up(profile: Profile, service: OfficeService, db_key: bytes, destination: Path) -> BackupInfo:
    """The whole office into ``destination`` (a file, or a folder for a dated file), and noted."""
    now = service.now()
    if destination.is_dir():
        destination = destination / f"office-{now:%Y-%m-%d-%H%M%S}{office_backup.SUFFIX}"
    # Noted first, so that the backup itself knows when it was made (a restored office does not
    # nag for a backup it was made from); put back if the backup cannot be written.
    before = service.repo.setting(office_backup.LAST_BACKUP_SETTING)
    with service.repo.vault.transaction():
        service.repo.put_setting(office_backup.LAST_BACKUP_SETTING, now.isoformat(timespec="seconds"))
        service.audit.append("office backed up", "office", destination.name)
    try:
        return office_backup.write_backup(profile, service.repo.vault, db_key, kid(service.root_public()),
                                          destination, now)
    except BaseException:
        with service.repo.vault.transaction():
            service.repo.put_setting(office_backup.LAST_BACKUP_SETTING, before or "")
            service.audit.append("office backup failed", "office", destination.name)
        raise


def backup_reminder(service: OfficeService) -> str:
    """What the console says when the last office backup is older than the policy's days; "" when
    it is recent."""
    state = service.repo.state()
    days = DEFAULT_BACKUP_DAYS
    if state is not None:
        try:
            days = max(1, int(state.policy.get("backup_days", DEFAULT_BACKUP_DAYS)))
        except (TypeError, ValueError):
            days = DEFAULT_BACKUP_DAYS
    last = service.repo.setting(office_backup.LAST_BACKUP_SETTING)
    if not last:
        return "The office has never been backed up: Office ▸ Back up the office… (Ctrl+Shift+B)"
    try:
        when = datetime.fromisoformat(last)
    except ValueError:
        return "The office has never been backed up: Office ▸ Back up the office… (Ctrl+Shift+B)"
    age = service.now() - when
    if age < timedelta(days=days):
        return ""
    return f"Last office backup {age.days} days ago ({when:%d/%m/%Y}): Office ▸ Back up the office… (Ctrl+Shift+B)"


def restore(profile: Profile, backup: Path, open_vault: Callable[[], VaultConnection],
            now: Callable[[], datetime], key_backup: office_keys.OfficeKeys | None = None) -> BackupInfo:
    """Put the backup in place as ``profile`` (which must not exist), open it with ``open_vault``
    (which unlocks with the office passphrase), and publish a bundle past the one the relay or
    drop folder holds. Anything that fails leaves no office behind; the backup is never changed."""
    info = office_backup.restore_backup(backup, profile)
    try:
        vault = open_vault()
        try:
            service = OfficeService(vault, now)
            state = service.repo.state()
            if state is not None and state.address:
                transport = open_transport(state.address, service.keys().root)
                transport.publish_bundle(service.resume_after_restore(transport.published_bundle(), key_backup))
        finally:
            vault.close()
    except BaseException:
        profile.wipe()
        raise
    return info
