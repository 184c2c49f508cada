"""``ips-office`` with no command: the PPO's console.

First run creates the office (name, relay or drop folder, vault passphrase) and will not go on
until the office keys are backed up to a file under a recovery passphrase — losing them loses
every record still in transit. Later runs unlock the office vault.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...crypto.keyslot import MINIMUM_KDF, KdfParams, VaultSecrets, calibrate
from ...office.background import BackgroundPull
from ...office.console import OfficeConsole
from ...office.service import OfficeService
from ...store.errors import VaultError
from ...store.profile import Profile
from ...store.vault import VaultConnection
from ..common.tasks import TaskRunner
from ..common.widgets import error_label, password_field
from .window import OfficeWindow

BACKED_UP_KEY = "keys_backed_up"


class CreateOfficeDialog(QDialog):
    """Name, where the laptops send to, and the office vault's passphrase."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create the office")
        self.name = QLineEdit()
        self.name.setAccessibleName("Service name")
        self.address = QLineEdit()
        self.address.setAccessibleName("Relay address or drop folder")
        self.address.setPlaceholderText("https://relay.example/ or a shared folder")
        self.relay_key = QLineEdit()
        self.relay_key.setAccessibleName("Relay public key")
        self.relay_key.setPlaceholderText("from `ips-relay key` (relay only)")
        self.first = password_field("Office vault passphrase")
        self.second = password_field("Office vault passphrase again")
        self.error = error_label()
        form = QFormLayout()
        form.addRow("Service name", self.name)
        form.addRow("Relay or drop folder", self.address)
        form.addRow("Relay key", self.relay_key)
        form.addRow("Passphrase", self.first)
        form.addRow("Again", self.second)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def problem(self) -> str:
        if not self.name.text().strip():
            return "Type the service's name."
        if len(self.first.text()) < 12:
            return "The office passphrase needs at least 12 characters; several words are easiest."
        if self.first.text() != self.second.text():
            return "The two passphrases differ."
        key = self.relay_key.text().strip()
        if key and (len(key) != 64 or any(c not in "0123456789abcdefABCDEF" for c in key)):
            return "The relay key is the 64 hex digits `ips-relay key` prints."
        return ""

    def _check(self) -> None:
        problem = self.problem()
        self.error.setText(problem)
        if not problem:
            self.accept()


class BackupDialog(QDialog):
    """The keys' backup: a file and a recovery passphrase. There is no way past it but doing it."""

    def __init__(self, console: OfficeConsole, params: KdfParams, parent: QWidget | None = None,
                 required: bool = True) -> None:
        super().__init__(parent)
        self.console, self.params, self.required = console, params, required
        self.setWindowTitle("Back up the office keys")
        intro = QLabel("The office keys open every record the laptops send. If this PC is lost without a backup, "
                       "every record still on its way is lost too. Save the backup to a USB stick kept in the "
                       "office safe, under a recovery passphrase written down and kept apart from it.")
        intro.setWordWrap(True)
        self.path = QLineEdit()
        self.path.setAccessibleName("Backup file")
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose)
        self.first = password_field("Recovery passphrase")
        self.second = password_field("Recovery passphrase again")
        self.error = error_label()
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(choose)
        form = QFormLayout()
        form.addRow("Backup file", where)
        form.addRow("Recovery passphrase", self.first)
        form.addRow("Again", self.second)
        self.save = QPushButton("Save the backup")
        self.save.clicked.connect(self.write)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.save)

    def _choose(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Office keys backup", str(Path.home() / "office-keys.ipsokb"),
                                              "Office key backup (*.ipsokb)")
        if name:
            self.path.setText(name)

    def write(self) -> bool:
        if not self.path.text().strip():
            self.error.setText("Choose where to save the backup.")
            return False
        if self.first.text() != self.second.text():
            self.error.setText("The two recovery passphrases differ.")
            return False
        try:
            self.console.backup_keys(Path(self.path.text().strip()), self.first.text(), self.params)
        except (ValueError, OSError, VaultError) as exc:
            self.error.setText(str(exc) if not isinstance(exc, OSError) else
                               f"The backup could not be written there ({exc.strerror}). Choose another place.")
            return False
        with self.console.service.repo.vault.transaction():
            self.console.service.repo.put_setting(BACKED_UP_KEY, "1")
        self.accept()
        return True

    def reject(self) -> None:
        if self.required:
            self.error.setText("The console opens once the keys are backed up.")
        else:
            super().reject()


def backed_up(console: OfficeConsole) -> bool:
    return console.service.repo.setting(BACKED_UP_KEY) is not None


class OfficeApp:
    """First run or unlock, the forced backup, then the console window."""

    def __init__(self, profile: Profile, now: Callable[[], datetime] = datetime.now,
                 kdf: Callable[[], KdfParams] = calibrate) -> None:
        self.profile, self.now, self.kdf = profile, now, kdf
        self.runner = TaskRunner()
        self.vault: VaultConnection | None = None
        self.console: OfficeConsole | None = None
        self.window: OfficeWindow | None = None
        self.dialog: QDialog | None = None
        self.db_key = b""
        self.params = kdf() if not profile.exists() else None

    def start(self) -> None:
        if not self.profile.exists():
            dialog = CreateOfficeDialog()
            dialog.accepted.connect(lambda: self._create(dialog))
            dialog.rejected.connect(QApplication.quit)
        else:
            from ..volunteer.unlock import UnlockDialog

            unlock = UnlockDialog(self.profile, self.runner, self.now)
            unlock.setWindowTitle("IPS Office — locked")
            unlock.message.setText("Type the office passphrase to open the console.")
            unlock.unlocked.connect(self._opened)
            dialog = unlock
        self.dialog = dialog
        dialog.show()

    def _create(self, dialog: CreateOfficeDialog) -> None:
        params = self.params or self.kdf()
        secrets, vault = self.profile.create(dialog.first.text(), params)
        self.db_key = secrets.db_key
        service = OfficeService(vault, self.now)
        key = dialog.relay_key.text().strip()
        service.create(dialog.name.text().strip(), address=dialog.address.text().strip(),
                       relay_public=bytes.fromhex(key) if key else None)
        self._ready(vault, params)

    def _opened(self, secrets: VaultSecrets) -> None:
        vault = self.profile.open_vault(secrets)
        self.db_key = secrets.db_key
        if self.dialog is not None:
            self.dialog.hide()
        self._ready(vault, self.params or MINIMUM_KDF)

    def _ready(self, vault: VaultConnection, params: KdfParams) -> None:
        self.vault = vault
        self.console = OfficeConsole(OfficeService(vault, self.now))
        if not backed_up(self.console):
            backup = BackupDialog(self.console, params)
            backup.accepted.connect(self._show)
            self.dialog = backup
            backup.show()
            return
        self._show()

    def _show(self) -> None:
        assert self.console is not None
        background = BackgroundPull(self.profile.vault_path, self.db_key, self.now) if self.db_key else None
        self.window = OfficeWindow(self.console, self.runner, background=background)
        self.window.show()
        self.window.start()

    def shutdown(self) -> None:
        if self.window is not None:
            self.window.stop()
        self.runner.wait()
        if self.vault is not None:
            self.vault.close()
            self.vault = None


def run(data_dir: Path) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("IPS Office")
    office = OfficeApp(Profile(data_dir, "office", schema="office"))
    office.start()
    code = app.exec()
    office.shutdown()
    return int(code)
