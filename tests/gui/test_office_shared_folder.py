"""A second PPO's PC opens the office another PPO keeps in a shared folder from the console's
first screen, and keeps using it; a share that cannot be reached is said plainly and never
offered as a new office; the first PPO may create the office in a shared folder; the office
passphrase is changed from the console."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from conftest import PASSPHRASE, Clock
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.office.service import OfficeService
from ips_desktop.office.this_pc import ThisPC, office_root
from ips_desktop.store.errors import VaultError
from ips_desktop.store.profile import Profile
from ips_desktop.ui.office.launch import (
    BACKED_UP_KEY,
    BackupDialog,
    ChangePassphraseDialog,
    CreateOfficeDialog,
    OfficeApp,
    OfficeUnlockDialog,
    OpenOfficeDialog,
)

pytestmark = pytest.mark.gui


def jane_sets_up(folder: Path, clock: Clock) -> None:
    profile = Profile(folder, "office", schema="office")
    _, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    service = OfficeService(vault, clock)
    service.create("Test Parent Partnership", address=str(folder.parent / "drop"))
    with vault.transaction():
        service.repo.put_setting(BACKED_UP_KEY, "yes")
    vault.close()


def first_screen(qtbot, folder: Path, clock: Clock, pc: ThisPC) -> tuple[OfficeApp, CreateOfficeDialog]:  # type: ignore[no-untyped-def]
    """The console started on a PC with no office in its own ``folder``: the create form."""
    office = OfficeApp(Profile(folder, "office", schema="office"), now=clock, kdf=lambda: MINIMUM_KDF, this_pc=pc)
    office.start()
    create = office.dialog
    assert isinstance(create, CreateOfficeDialog)
    qtbot.addWidget(create)
    return office, create


def ok(dialog) -> None:  # type: ignore[no-untyped-def]
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_a_second_ppos_pc_opens_the_shared_office_and_keeps_to_it(qtbot, tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 12, 7, 9, 0))
    share = tmp_path / "S" / "IPS Office"
    (tmp_path / "S" / "drop").mkdir(parents=True)
    jane_sets_up(share, clock)
    sams_pc = ThisPC(tmp_path / "sam-settings" / "this-pc.json")
    office, create = first_screen(qtbot, tmp_path / "sam-pc", clock, sams_pc)
    create.open_shared.click()
    opening = office.dialog
    assert isinstance(opening, OpenOfficeDialog)
    qtbot.addWidget(opening)
    assert not create.isVisible()
    ok(opening)
    assert opening.error.text() == "Type or choose the office folder (the shared folder holding “office”)."
    opening.folder.setText(str(tmp_path / "T"))
    ok(opening)
    assert opening.error.text().startswith(f"There is no folder {tmp_path / 'T'} (or this PC cannot reach it).")
    opening.folder.setText(str(tmp_path / "S"))
    ok(opening)
    assert opening.error.text().startswith(f"There is no office in {tmp_path / 'S'}: choose the folder that holds")
    opening.folder.setText(str(share / "office"))  # the "office" folder itself means the one holding it
    ok(opening)
    unlock = office.dialog
    assert isinstance(unlock, OfficeUnlockDialog)
    qtbot.addWidget(unlock)
    assert not opening.isVisible()
    assert sams_pc.office_folder == share
    assert unlock.who.isVisibleTo(unlock)  # his name, the first time on this PC
    unlock.who.setText("PPO Sam")
    unlock.passphrase.setText(PASSPHRASE)
    unlock.attempt()
    qtbot.waitUntil(lambda: office.window is not None, timeout=20000)
    qtbot.addWidget(office.window)
    assert office.window.windowTitle() == "IPS Office — Test Parent Partnership"
    assert office.window.who() == "PPO Sam"
    assert not (tmp_path / "sam-pc").exists()  # nothing of the office on Sam's own disk
    office.shutdown()

    # The next morning the console goes straight to the shared office's passphrase.
    root = office_root(None, sams_pc)
    assert root == share
    again = OfficeApp(Profile(root, "office", schema="office"), now=clock, kdf=lambda: MINIMUM_KDF,
                      this_pc=sams_pc, remembered=True)
    again.start()
    assert isinstance(again.dialog, OfficeUnlockDialog)
    qtbot.addWidget(again.dialog)
    again.shutdown()

    # The network drive is not there: said plainly, never an offer to create a new office.
    (tmp_path / "S").rename(tmp_path / "S-away")
    cut_off = OfficeApp(Profile(root, "office", schema="office"), now=clock, kdf=lambda: MINIMUM_KDF,
                        this_pc=sams_pc, remembered=True)
    cut_off.start()
    box = cut_off.dialog
    assert isinstance(box, QMessageBox)
    qtbot.addWidget(box)
    assert f"uses the office in {share}, but that folder cannot be reached now" in box.text()
    assert sorted(b.text() for b in box.buttons()) == ["Close", "Open another office folder…", "Try again"]
    next(b for b in box.buttons() if b.text() == "Try again").click()
    qtbot.waitUntil(lambda: cut_off.dialog is not box, timeout=5000)
    assert isinstance(cut_off.dialog, QMessageBox)  # still not there
    box = cut_off.dialog
    qtbot.addWidget(box)
    (tmp_path / "S-away").rename(tmp_path / "S")
    next(b for b in box.buttons() if b.text() == "Try again").click()
    qtbot.waitUntil(lambda: isinstance(cut_off.dialog, OfficeUnlockDialog), timeout=5000)
    qtbot.addWidget(cut_off.dialog)
    assert not (tmp_path / "sam-pc").exists()
    cut_off.shutdown()


def test_the_first_ppo_creates_the_office_in_a_shared_folder(qtbot, tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 12, 7, 9, 0))
    (tmp_path / "drop").mkdir()
    janes_pc = ThisPC(tmp_path / "jane-settings" / "this-pc.json")
    office, create = first_screen(qtbot, tmp_path / "jane-pc", clock, janes_pc)
    assert create.folder.text() == str(tmp_path / "jane-pc")  # this PC's own folder unless she chooses
    create.name.setText("Test Parent Partnership")
    create.address.setText(str(tmp_path / "drop"))
    create.who.setText("PPO Jane")
    create.first.setText(PASSPHRASE)
    create.second.setText(PASSPHRASE)
    create.folder.setText(str(tmp_path / "S" / "IPS Office"))
    ok(create)
    missing = tmp_path / "S" / "IPS Office"
    assert create.error.text() == f"There is no folder {missing}. Create it first, or check the path."
    (tmp_path / "OneDrive" / "IPS Office").mkdir(parents=True)
    create.folder.setText(str(tmp_path / "OneDrive" / "IPS Office"))
    ok(create)
    assert create.error.text().startswith("That folder is kept in step by a cloud service")
    jane_sets_up(tmp_path / "old", clock)
    create.folder.setText(str(tmp_path / "old"))
    ok(create)
    assert create.error.text().startswith(f"There is already an office in {tmp_path / 'old'}. To use it, press")
    (tmp_path / "S" / "IPS Office").mkdir(parents=True)
    create.folder.setText(str(tmp_path / "S" / "IPS Office"))
    ok(create)
    qtbot.waitUntil(lambda: isinstance(office.dialog, BackupDialog), timeout=20000)
    qtbot.addWidget(office.dialog)
    assert Profile(tmp_path / "S" / "IPS Office", "office", schema="office").exists()
    assert not (tmp_path / "jane-pc").exists()
    assert janes_pc.office_folder == tmp_path / "S" / "IPS Office"
    office.shutdown()


def test_the_office_passphrase_is_changed_from_the_console(qtbot, tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 12, 7, 9, 0))
    (tmp_path / "drop").mkdir()
    jane_sets_up(tmp_path / "office", clock)
    pc = ThisPC(tmp_path / "settings" / "this-pc.json")
    pc.set_name("PPO Jane")
    office = OfficeApp(Profile(tmp_path / "office", "office", schema="office"), now=clock,
                       kdf=lambda: MINIMUM_KDF, this_pc=pc)
    office.start()
    unlock = office.dialog
    assert isinstance(unlock, OfficeUnlockDialog)
    qtbot.addWidget(unlock)
    unlock.passphrase.setText(PASSPHRASE)
    unlock.attempt()
    qtbot.waitUntil(lambda: office.window is not None, timeout=20000)
    qtbot.addWidget(office.window)
    assert "&Change the office passphrase…" in [a.text() for a in office.window.menuBar().actions()[0].menu().actions()]
    assert office.console is not None
    change = ChangePassphraseDialog(office.console, office.runner, lambda: MINIMUM_KDF, office.window)
    qtbot.addWidget(change)
    new = "harbour lantern violet ninety"
    ok(change)
    assert change.error.text() == "Type the office passphrase you use now."
    change.current.setText("not the passphrase at all")
    change.first.setText("too short")
    ok(change)
    assert change.error.text().startswith("The new passphrase needs at least 12 characters")
    change.first.setText(new)
    change.second.setText(new + " ")
    ok(change)
    assert change.error.text() == "The two new passphrases differ."
    change.second.setText(new)
    ok(change)
    qtbot.waitUntil(lambda: not change.busy, timeout=20000)
    assert change.error.text().startswith("That passphrase does not open")
    profile = Profile(tmp_path / "office", "office", schema="office")
    profile.unlock(PASSPHRASE, clock)  # still the old one
    change.current.setText(PASSPHRASE)
    ok(change)
    qtbot.waitUntil(lambda: change.result() == 1, timeout=20000)
    with pytest.raises(VaultError):
        profile.unlock(PASSPHRASE, clock)
    profile.unlock(new, clock)
    entries = office.console.service.audit.entries(last=1)
    assert (entries[0].event, entries[0].who) == ("office passphrase changed", "PPO Jane")
    office.shutdown()
    shutil.rmtree(tmp_path / "office")
