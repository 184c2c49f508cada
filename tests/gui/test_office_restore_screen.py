"""A new office PC, in the console: "Restore an office from its backup…" on the first screen
brings the office back from its backup file and opens the console on it; the status bar
reminds the PPO when the office has not been backed up for the policy's days."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import PASSPHRASE, Clock
from PySide6.QtWidgets import QDialogButtonBox

from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.office.restore import back_up
from ips_desktop.office.service import OfficeService
from ips_desktop.store.office_backup import LAST_BACKUP_SETTING
from ips_desktop.store.profile import Profile
from ips_desktop.ui.office.launch import BACKED_UP_KEY, CreateOfficeDialog, OfficeApp, RestoreOfficeDialog

pytestmark = pytest.mark.gui


def an_office_backed_up(tmp_path: Path, clock: Clock) -> Path:
    (tmp_path / "share").mkdir()
    profile = Profile(tmp_path / "old-pc", "office", schema="office")
    secrets, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    service = OfficeService(vault, clock)
    service.create("Test Parent Partnership", address=str(tmp_path / "share"))
    with vault.transaction():
        service.repo.put_setting(BACKED_UP_KEY, "yes")
    info = back_up(profile, service, secrets.db_key, tmp_path / "usb")
    vault.close()
    return info.path


def test_a_new_pc_restores_the_office_from_its_first_screen(qtbot, tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 12, 3, 10, 0))
    (tmp_path / "usb").mkdir()
    backup = an_office_backed_up(tmp_path, clock)
    office = OfficeApp(Profile(tmp_path / "new-pc", "office", schema="office"), now=clock, kdf=lambda: MINIMUM_KDF)
    office.start()
    create = office.dialog
    assert isinstance(create, CreateOfficeDialog)
    qtbot.addWidget(create)
    create.restore.click()
    restore = office.dialog
    assert isinstance(restore, RestoreOfficeDialog)
    qtbot.addWidget(restore)
    ok = restore.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    assert restore.error.text() == "Choose the office backup: the file ending .ipsovb."
    restore.backup.setText(str(backup))
    ok.click()
    assert restore.error.text() == "Type the office passphrase as it was when the backup was made."
    restore.passphrase.setText("not the passphrase at all")
    ok.click()
    assert restore.error.text().startswith("Type your name or role as volunteers will see it")
    restore.who.setText("PPO Sam")
    ok.click()
    qtbot.waitUntil(lambda: not restore.busy, timeout=30000)
    assert "passphrase" in restore.error.text().lower()
    assert not (tmp_path / "new-pc" / "office").exists()  # nothing half-restored is left behind
    restore.passphrase.setText(PASSPHRASE)
    ok.click()
    qtbot.waitUntil(lambda: office.window is not None, timeout=30000)
    assert office.window.who() == "PPO Sam"  # kept for this PC, asked no more
    qtbot.addWidget(office.window)
    assert office.window.windowTitle() == "IPS Office — Test Parent Partnership"
    assert not restore.isVisible()
    assert office.window.reminder.isHidden()  # backed up today
    clock.now = datetime(2026, 12, 11, 10, 0)
    office.window.remind()
    assert office.window.reminder.text() == ("Last office backup 8 days ago (03/12/2026): Office ▸ Back up the "
                                             "office… (Ctrl+Shift+B)")
    assert office.window.reminder.accessibleName().startswith("Office backup: Last office backup 8 days ago")
    assert office.console is not None
    info = office.console.back_up(tmp_path / "usb")
    assert info.path.parent == tmp_path / "usb"
    office.window.remind()
    assert office.window.reminder.isHidden()
    assert office.console.service.repo.setting(LAST_BACKUP_SETTING) == (clock.now).isoformat(timespec="seconds")
    office.shutdown()
    assert timedelta(0) < clock.now - datetime(2026, 12, 3)
