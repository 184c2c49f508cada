"""``ips-office`` with no command: the PPO's console.

First run creates the office (name, relay or drop folder, vault passphrase) and will not go on
until the office keys are backed up to a file under a recovery passphrase — losing them loses
every record still in transit. Later runs unlock the office vault.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import cast

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...crypto.keyslot import MINIMUM_KDF, SHORTEST_PASSPHRASE, KdfParams, VaultSecrets, calibrate
from ...office.console import OfficeConsole
from ...office.service import OfficeError, OfficeService, check_relay_address
from ...office.this_pc import ThisPC, new_office_problem
from ...store.errors import VaultError
from ...store.profile import Profile
from ...store.vault import VaultConnection
from ...sync.transport import TransportError
from ..common import keyboard
from ..common.lifecycle import tear_down
from ..common.tasks import TaskRunner
from ..common.widgets import error_label, password_field
from ..volunteer.unlock import UnlockDialog
from .window import IDLE_LOCK_MS, OfficeWindow, Workers

BACKED_UP_KEY = "keys_backed_up"
NAME_PROBLEM = "Type your name or role as volunteers will see it on approvals and alerts, e.g. PPO Jane."


def settings_problem(exc: OSError) -> str:
    """Why this PC's own settings (its PPO's name) could not be written."""
    return f"This PC's settings could not be saved ({exc.strerror or exc})."


def with_browse(parent: QWidget, field: QLineEdit, kinds: str, folder: bool = False) -> QWidget:
    """``field`` with a Browse… button beside it that fills it with a file (of ``kinds``) or,
    with ``folder``, a folder."""
    row = QWidget()
    box = QHBoxLayout(row)
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(field, 1)
    browse = QPushButton("Browse…")
    browse.setAutoDefault(False)  # Return in the form presses its OK, not Browse
    browse.setAccessibleName(f"Browse for the {field.accessibleName().lower()}")

    def choose() -> None:
        start = field.text().strip() or str(Path.home())
        if folder:
            name = QFileDialog.getExistingDirectory(parent, field.accessibleName(), start)
        else:
            name, _ = QFileDialog.getOpenFileName(parent, field.accessibleName(), start, kinds)
        if name:
            field.setText(name)

    browse.clicked.connect(choose)
    box.addWidget(browse)
    return row


class WorkDialog(QDialog):
    """A form whose OK starts slow work elsewhere: it checks the form (:meth:`problem`), then
    stays open and busy until the work is done (:meth:`finish`) or says what went wrong
    (:meth:`failed`). Subclasses set ``progress``, ``error`` and ``buttons`` and emit their
    own signal in :meth:`begin`."""

    busy_words = "Working…"
    progress: QProgressBar
    error: QLabel
    buttons: QDialogButtonBox

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.busy = False

    def build(self, intro_text: str, form: QFormLayout, subject: str, ok_words: str) -> None:
        """The intro, the form, a progress bar and the problem line, and OK (``ok_words``) and
        Cancel; ``subject`` names the work for screen readers ("Create the office")."""
        intro = QLabel(intro_text)
        intro.setWordWrap(True)
        self.error = error_label(f"{subject} problem")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setAccessibleName(self.busy_words.rstrip("…"))
        self.progress.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_words)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def problem(self) -> str:
        return ""

    def begin(self) -> None:
        raise NotImplementedError

    def _check(self) -> None:
        if self.busy:
            return
        problem = self.problem()
        self.error.setText(problem)
        if not problem:
            self.busy = True
            self.progress.show()
            self.error.setText(self.busy_words)
            self.buttons.setEnabled(False)
            self.begin()

    def failed(self, message: str) -> None:
        self.busy = False
        self.progress.hide()
        self.buttons.setEnabled(True)
        self.error.setText(message)

    def finish(self) -> None:
        self.busy = False
        self.accept()

    def reject(self) -> None:
        if not self.busy:  # never half-way through the work
            super().reject()


class CreateOfficeDialog(WorkDialog):
    """Name, where the laptops send to, and the office vault's passphrase.

    OK emits ``create_requested`` and the dialog stays open, busy, until the office exists and
    the next window is up (:meth:`finish`), or says what went wrong (:meth:`failed`)."""

    create_requested = Signal()
    restore_requested = Signal()
    open_requested = Signal()
    busy_words = "Creating the office and its keys…"

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create the office")
        self.setMinimumWidth(600)
        self.default_folder = folder
        self.folder = QLineEdit(str(folder) if folder else "")
        self.folder.setAccessibleName("Office folder")
        self.folder.setToolTip("Where the office's records are kept. Keep this PC's own folder, or choose a "
                               "shared folder when several PPOs will use the console.")
        self.name = QLineEdit()
        self.name.setAccessibleName("Service name")
        self.address = QLineEdit()
        self.address.setAccessibleName("Relay address or drop folder")
        self.address.setPlaceholderText("https://relay.example/ or a shared folder")
        self.relay_key = QLineEdit()
        self.relay_key.setAccessibleName("Relay public key")
        self.relay_key.setPlaceholderText("64 letters and digits from your IT contact (relay only)")
        self.who = QLineEdit()
        self.who.setAccessibleName("Your name on messages")
        self.who.setPlaceholderText("as volunteers and the ladder see it, e.g. PPO Jane")
        self.first = password_field("Office vault passphrase")
        self.second = password_field("Office vault passphrase again")
        form = QFormLayout()
        form.addRow("Service name", self.name)
        form.addRow("Relay or drop folder", self.address)
        form.addRow("Relay key", self.relay_key)
        form.addRow("Your name on messages", self.who)
        form.addRow("Passphrase", self.first)
        form.addRow("Again", self.second)
        form.addRow("Office folder", with_browse(self, self.folder, "", folder=True))
        self.build("Set up this office's console once. The laptops send their records either to a relay (an "
                   "https:// address and its key, from your IT contact) or to a shared folder that both the office "
                   "and the laptops can reach. Keep the office in this PC's own folder, or in a shared folder when "
                   "several PPOs will use the console. If another PPO has set the office up already, press “Open an "
                   "office another PPO set up…” instead.", form, "Create the office", "Create the office")
        self.restore = self.buttons.addButton("Restore an office from its backup…",
                                              QDialogButtonBox.ButtonRole.ActionRole)
        self.restore.setAccessibleName("Restore an office from its backup")
        self.restore.clicked.connect(self.restore_requested.emit)
        self.open_shared = self.buttons.addButton("Open an office another PPO set up…",
                                                  QDialogButtonBox.ButtonRole.ActionRole)
        self.open_shared.setAccessibleName("Open an office another PPO set up")
        self.open_shared.clicked.connect(self.open_requested.emit)

    def chosen_folder(self) -> Path:
        return Path(self.folder.text().strip()).expanduser()

    def problem(self) -> str:
        """The first thing to put right, in the form's order from the top."""
        if not self.name.text().strip():
            return "Type the service's name."
        if (where := self.address_problem()):
            return where
        key = self.relay_key.text().strip()
        if key and (len(key) != 64 or any(c not in "0123456789abcdefABCDEF" for c in key)):
            return ("The relay key is 64 letters (a to f) and digits: your IT contact has it "
                    "(`ips-relay key` prints it).")
        if not self.who.text().strip():
            return NAME_PROBLEM
        if len(self.first.text()) < SHORTEST_PASSPHRASE:
            return f"The office passphrase needs at least {SHORTEST_PASSPHRASE} characters; several words are easiest."
        if self.first.text() != self.second.text():
            return "The two passphrases differ."
        return self.folder_problem()

    def folder_problem(self) -> str:
        """This PC's own folder is made when needed; any other must already be there, hold no office
        yet, and not be a cloud-synced folder (office/this_pc.new_office_problem)."""
        if not self.folder.text().strip():
            return "Choose the office folder: this PC's own folder, or a shared one."
        return new_office_problem(self.chosen_folder(), self.default_folder)

    def address_problem(self) -> str:
        """A relay is an https address; anything else must be a folder that is already there (a
        mistyped address never quietly becomes a new folder that no laptop sends to)."""
        address = self.address.text().strip()
        if not address:
            return "Type the relay's address (https://…) or the shared folder that the laptops send to."
        if address.startswith(("http://", "https://")):
            try:
                check_relay_address(address)
            except OfficeError as exc:
                return str(exc)
            return ""
        folder = Path(address).expanduser()
        if not folder.is_absolute() and "." in address.split("/")[0]:
            return f"A relay's address starts with https:// (https://{address})."
        if not folder.is_absolute():
            return "Type the shared folder's whole path, from the drive or / at its start."
        if not folder.is_dir():
            return f"There is no folder {folder}. Create it first, or check the path."
        return ""

    def begin(self) -> None:
        self.create_requested.emit()


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
        choose.setAutoDefault(False)  # Return saves the backup; it does not open a file window
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
        self.save.setDefault(True)
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


class RestoreOfficeDialog(WorkDialog):
    """A new office PC: the office from its backup file (and the key backup, if the keys were
    changed since). OK emits ``restore_requested``; the dialog stays open, busy, until the
    office is back (:meth:`finish`) or says what went wrong (:meth:`failed`)."""

    restore_requested = Signal()
    busy_words = "Restoring the office…"

    def __init__(self, parent: QWidget | None = None, name: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore an office")
        self.setMinimumWidth(620)
        self.backup = QLineEdit()
        self.backup.setAccessibleName("Office backup file")
        self.passphrase = password_field("Office passphrase")
        self.keys = QLineEdit()
        self.keys.setAccessibleName("Key backup file (if the keys were changed)")
        self.recovery = password_field("Recovery passphrase of the key backup")
        self.who = QLineEdit(name)
        self.who.setAccessibleName("Your name on messages")
        self.who.setPlaceholderText("as volunteers and the ladder see it, e.g. PPO Jane")
        form = QFormLayout()
        form.addRow("Office backup", with_browse(self, self.backup, "Office backup (*.ipsovb)"))
        form.addRow("Office passphrase", self.passphrase)
        form.addRow("Key backup (if needed)", with_browse(self, self.keys, "Office key backup (*.ipsokb)"))
        form.addRow("Recovery passphrase", self.recovery)
        form.addRow("Your name on messages", self.who)
        self.build("Bring the office back on this PC from its backup (the file ending .ipsovb, made with Office ▸ "
                   "Back up the office…). The laptops carry on as before: nobody enrols again, and records waiting "
                   "for the office arrive at the first pull. If the office keys were changed after that backup, "
                   "give the newest key backup too.", form, "Restore the office", "Restore the office")
        self.backup.setFocus()

    def problem(self) -> str:
        backup = self.backup.text().strip()
        if not backup:
            return "Choose the office backup: the file ending .ipsovb."
        if not Path(backup).expanduser().is_file():
            return f"There is no file {backup}."
        if not self.passphrase.text():
            return "Type the office passphrase as it was when the backup was made."
        keys = self.keys.text().strip()
        if keys and not Path(keys).expanduser().is_file():
            return f"There is no file {keys}."
        if keys and not self.recovery.text():
            return "Type the key backup's recovery passphrase."
        if not self.who.text().strip():
            return NAME_PROBLEM
        return ""

    def begin(self) -> None:
        self.restore_requested.emit()


class OpenOfficeDialog(WorkDialog):
    """A second PPO's PC: the office folder the first PPO's console keeps on a shared drive. OK
    checks that it holds an office and emits ``open_requested``; the passphrase (and, the first
    time here, this PPO's name) is asked next."""

    open_requested = Signal()
    busy_words = "Opening…"

    def __init__(self, parent: QWidget | None = None, folder: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Open an office")
        self.setMinimumWidth(600)
        self.folder = QLineEdit(folder)
        self.folder.setAccessibleName("Office folder")
        self.folder.setPlaceholderText("e.g. S:\\IPS Office")
        self.root: Path | None = None
        form = QFormLayout()
        form.addRow("Office folder", with_browse(self, self.folder, "", folder=True))
        self.build("Use the office that another PPO's console keeps in a shared folder (on the office's file "
                   "share, say S:\\IPS Office). Choose the folder that holds the folder named “office”. The office "
                   "passphrase is asked next; ask the PPO who set it up.", form, "Open the office",
                   "Open the office")
        self.folder.setFocus()

    def problem(self) -> str:
        from ...office.this_pc import shared_office_problem

        text = self.folder.text().strip()
        if not text:
            return "Type or choose the office folder (the shared folder holding “office”)."
        self.root, problem = shared_office_problem(Path(text).expanduser())
        return problem

    def begin(self) -> None:
        self.open_requested.emit()


class ChangePassphraseDialog(WorkDialog):
    """The office passphrase, changed: the key file is wrapped again under the new one (the
    records' key does not change, so nothing else is rewritten). Every PPO sharing the office
    types the new one at their next unlock."""

    busy_words = "Changing the passphrase…"

    def __init__(self, console: OfficeConsole, runner: TaskRunner, kdf: Callable[[], KdfParams],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console, self.runner, self.kdf = console, runner, kdf
        self.setWindowTitle("Change the office passphrase")
        self.setMinimumWidth(560)
        self.current = password_field("Current office passphrase")
        self.first = password_field("New office passphrase")
        self.second = password_field("New office passphrase again")
        form = QFormLayout()
        form.addRow("Current passphrase", self.current)
        form.addRow("New passphrase", self.first)
        form.addRow("Again", self.second)
        self.build("Every PPO who opens this office uses the same passphrase: tell the others the new one in "
                   "person or by phone, never by e-mail. Their consoles ask for it at the next unlock. Office "
                   "backups made before today still open with the passphrase they were made under.",
                   form, "Change the passphrase", "Change the passphrase")
        self.current.setFocus()

    def problem(self) -> str:
        if not self.current.text():
            return "Type the office passphrase you use now."
        if len(self.first.text()) < SHORTEST_PASSPHRASE:
            return f"The new passphrase needs at least {SHORTEST_PASSPHRASE} characters; several words are easiest."
        if self.first.text() != self.second.text():
            return "The two new passphrases differ."
        if self.first.text() == self.current.text():
            return "The new passphrase is the same as the current one."
        return ""

    def begin(self) -> None:
        files = self.console.files
        if files is None:
            self.failed("This console cannot change the passphrase (it was opened without its files).")
            return
        profile, service = files[0], self.console.service
        old, new, kdf = self.current.text(), self.first.text(), self.kdf

        def work() -> None:
            profile.change_passphrase(old, new, kdf(), service.now)

        def done(_: object) -> None:
            with service.repo.vault.transaction():
                service.audit.append("office passphrase changed", "office")
            self.finish()

        def failed(exc: Exception) -> None:
            if isinstance(exc, VaultError):  # the current passphrase is wrong, or asked too soon after failures
                self.failed(str(exc))
            elif isinstance(exc, OSError):
                self.failed(f"The passphrase could not be changed ({exc.strerror or exc}); the old one still "
                            "opens the office.")
            else:
                self.failed("The passphrase could not be changed; the old one still opens the office.")

        self.runner.run(work, done, failed)


class OfficeUnlockDialog(UnlockDialog):
    """The office passphrase, and the first time on this PC the name of the PPO who uses it: the
    name volunteers and the ladder see on approvals and alerts, and the audit keeps (each PPO's
    PC has its own when several share one office)."""

    def __init__(self, profile: Profile, runner: TaskRunner, now: Callable[[], datetime], this_pc: ThisPC,
                 heading: str, message: str) -> None:
        super().__init__(profile, runner, now, heading)
        self.this_pc = this_pc
        self.setWindowTitle("IPS Office — locked")
        self.message.setText(message)
        self.setMinimumWidth(460)
        self.who = QLineEdit()
        self.who.setAccessibleName("Your name on messages")
        self.who.setPlaceholderText("e.g. PPO Sam")
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, QLabel("Office passphrase:"))
        if not this_pc.name:
            ask = QLabel("The first time on this PC: your name or role as volunteers and the ladder will see it on "
                         "approvals and alerts.")
            ask.setWordWrap(True)
            layout.insertWidget(1, ask)
            layout.insertWidget(2, self.who)
            self.who.setFocus()
        else:
            self.who.hide()

    def attempt(self) -> None:
        if not self.this_pc.name and not self.who.text().strip():
            self.message.setText(NAME_PROBLEM)
            self.who.setFocus()
            return
        super().attempt()

    def _done(self, secrets: VaultSecrets) -> None:
        if not self.this_pc.name and self.who.text().strip():
            with contextlib.suppress(OSError):  # asked again when it is needed; the console opens either way
                self.this_pc.set_name(self.who.text())
        super()._done(secrets)


def backed_up(console: OfficeConsole) -> bool:
    return console.service.repo.setting(BACKED_UP_KEY) is not None


class OfficeApp:
    """First run or unlock, the forced backup, then the console window."""

    def __init__(self, profile: Profile, now: Callable[[], datetime] = clock.now,
                 kdf: Callable[[], KdfParams] = calibrate, idle_ms: int = IDLE_LOCK_MS,
                 this_pc: ThisPC | None = None, remembered: bool = False) -> None:
        """``remembered``: ``profile`` is in the office folder this PC was told to use (a shared
        folder), so an empty one means the share cannot be reached, never "create an office"."""
        self.profile, self.now, self.kdf = profile, now, kdf
        self.this_pc = this_pc or ThisPC()
        self.remembered = remembered
        self.runner = TaskRunner()
        self.vault: VaultConnection | None = None
        self.console: OfficeConsole | None = None
        self.window: OfficeWindow | None = None
        self.dialog: QDialog | None = None
        self.db_key = b""
        self.params: KdfParams | None = None
        self.idle_ms = idle_ms
        self.locked: UnlockDialog | None = None

    def start(self) -> None:
        dialog: QDialog
        if not self.profile.exists() and self.remembered:
            dialog = self._unreachable()
        elif not self.profile.exists():
            create = CreateOfficeDialog(folder=self.profile.dir.parent)
            create.create_requested.connect(lambda: self._create(create))
            create.restore_requested.connect(lambda: self._ask_restore(create))
            create.open_requested.connect(lambda: self._ask_open(create))
            create.rejected.connect(QApplication.quit)
            dialog = create
        else:
            dialog = self._unlock_dialog()
        self.dialog = dialog
        dialog.show()

    def _unlock_dialog(self) -> OfficeUnlockDialog:
        where = f" in {self.profile.dir.parent}" if self.remembered else ""
        unlock = OfficeUnlockDialog(self.profile, self.runner, self.now, self.this_pc,
                                    "The office console is locked.",
                                    f"Type the office passphrase to open the office{where}.")
        unlock.unlocked.connect(self._opened)
        return unlock

    def _unreachable(self) -> QMessageBox:
        """The shared office folder is not there: the network, the VPN or the drive is missing.
        Never offer to create an office in its place (a second office would split the records)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "IPS Office — the office folder cannot be reached",
                          f"This PC's console uses the office in {self.profile.dir.parent}, but that folder cannot "
                          "be reached now (or holds no office). Check that this PC is connected to the office "
                          "network and that the shared drive is there, then press Try again.")
        again = box.addButton("Try again", QMessageBox.ButtonRole.AcceptRole)
        other = box.addButton("Open another office folder…", QMessageBox.ButtonRole.ActionRole)
        box.addButton("Close", QMessageBox.ButtonRole.RejectRole)

        def clicked(button: object) -> None:
            # The next screen after this click is over: it replaces this box, which must outlive its signal.
            if button is again:
                QTimer.singleShot(0, self.start)
            elif button is other:
                QTimer.singleShot(0, lambda: self._ask_open(None))
            else:
                QApplication.quit()

        box.buttonClicked.connect(clicked)
        return box

    def _ask_open(self, create: CreateOfficeDialog | None) -> None:
        opening = OpenOfficeDialog(folder=str(self.this_pc.office_folder or ""))
        opening.open_requested.connect(lambda: self._open_shared(opening))
        opening.rejected.connect(create.show if create is not None else QApplication.quit)
        if create is not None:
            create.hide()
        self.dialog = opening
        opening.show()

    def _open_shared(self, dialog: OpenOfficeDialog) -> None:
        """This PC now uses the chosen office folder, from this start on; then the passphrase."""
        assert dialog.root is not None
        try:
            self.this_pc.set_office_folder(dialog.root)
        except OSError as exc:
            dialog.failed(settings_problem(exc))
            return
        self.profile, self.remembered = Profile(dialog.root, "office", schema="office"), True
        dialog.finish()
        self.dialog = unlock = self._unlock_dialog()
        unlock.show()

    def _create(self, dialog: CreateOfficeDialog) -> None:
        """The slow part (calibrating Argon2id, deriving the key) on the pool, then the vault and
        the office's keys here; the dialog closes once the backup dialog is up."""
        passphrase, kdf = dialog.first.text(), self.kdf
        folder = dialog.chosen_folder()
        profile = Profile(folder, "office", schema="office")

        def derive() -> tuple[KdfParams, VaultSecrets, bytes]:
            from ...crypto import keyslot

            params = kdf()
            blob, secrets = keyslot.make_passphrase_slot_and_kek(passphrase, VaultSecrets.generate(), params)
            return params, secrets, blob

        def derived(result: tuple[KdfParams, VaultSecrets, bytes]) -> None:
            params, secrets, blob = result
            try:
                vault = profile.install(secrets, blob)
                self.profile = profile
                if folder != dialog.default_folder:  # a shared folder: this PC's console uses it from now on
                    self.this_pc.set_office_folder(folder)
                    self.remembered = True
                self.this_pc.set_name(dialog.who.text())
                service = OfficeService(vault, self.now, who=self.who)
                key = dialog.relay_key.text().strip()
                service.create(dialog.name.text().strip(), address=dialog.address.text().strip(),
                               relay_public=bytes.fromhex(key) if key else None)
            except (VaultError, OSError) as exc:
                dialog.failed(str(exc) if isinstance(exc, VaultError) else settings_problem(exc))
                return
            self.db_key, self.params = secrets.db_key, params
            self._ready(vault, params)
            dialog.finish()

        def failed(exc: Exception) -> None:
            dialog.failed("The office could not be created, so nothing was saved. Press OK to try again.")

        self.runner.run(derive, derived, failed)

    def _ask_restore(self, create: CreateOfficeDialog) -> None:
        restore = RestoreOfficeDialog(name=self.this_pc.name)
        restore.restore_requested.connect(lambda: self._restore(restore))
        restore.rejected.connect(create.show)
        create.hide()
        self.dialog = restore
        restore.show()

    def _restore(self, dialog: RestoreOfficeDialog) -> None:
        """The restore (Argon2id, the files, the relay) on the pool; the console here after."""
        backup = Path(dialog.backup.text().strip()).expanduser()
        passphrase, keys_file, recovery = dialog.passphrase.text(), dialog.keys.text().strip(), dialog.recovery.text()
        profile, now = self.profile, self.now

        def work() -> VaultSecrets:
            from ...crypto import key_backup
            from ...crypto.wire import WireError
            from ...office.restore import restore

            keys = None
            if keys_file:
                try:
                    keys = key_backup.read_backup(Path(keys_file).expanduser().read_bytes(), recovery)
                except WireError:
                    raise OfficeError("The key backup does not open with that recovery passphrase (or it is not "
                                      "a key backup).") from None
            opened: list[VaultSecrets] = []

            def open_vault() -> VaultConnection:
                opened.append(profile.unlock(passphrase, now))
                return profile.open_vault(opened[0])

            restore(profile, backup, open_vault, now, keys)
            return opened[0]

        def done(secrets: VaultSecrets) -> None:
            self.db_key = secrets.db_key
            try:
                self.this_pc.set_name(dialog.who.text())
                vault = self.profile.open_vault(secrets)
            except (VaultError, OSError) as exc:
                dialog.failed(str(exc) if isinstance(exc, VaultError) else settings_problem(exc))
                return
            self._ready(vault, MINIMUM_KDF)
            dialog.finish()

        def failed(exc: Exception) -> None:
            if isinstance(exc, OfficeError | VaultError | TransportError | OSError):
                dialog.failed(str(exc) if not isinstance(exc, OSError) else
                              f"The file could not be read ({exc.strerror or exc}).")
            else:
                dialog.failed("The office could not be restored; nothing was kept on this PC. The backup is "
                              "unchanged.")

        self.runner.run(work, done, failed)

    def _opened(self, secrets: VaultSecrets) -> None:
        vault = self.profile.open_vault(secrets)
        self.db_key = secrets.db_key
        if self.dialog is not None:
            self.dialog.hide()
        self._ready(vault, self.params or MINIMUM_KDF)

    def who(self) -> str:
        """The PPO at this PC, for the audit (read on any thread: a file read, no dialog)."""
        return self.this_pc.name

    def _ready(self, vault: VaultConnection, params: KdfParams) -> None:
        self.vault = vault
        self.console = OfficeConsole(OfficeService(vault, self.now, who=self.who), files=(self.profile, self.db_key))
        if not backed_up(self.console):
            backup = BackupDialog(self.console, params)
            backup.accepted.connect(self._show)
            self.dialog = backup
            backup.show()
            return
        self._show()

    def _show(self) -> None:
        assert self.console is not None
        workers = Workers.open(self.profile.vault_path, self.db_key, self.now, self.who)
        self.window = OfficeWindow(self.console, self.runner, workers, idle_ms=self.idle_ms, this_pc=self.this_pc,
                                   kdf=self.kdf)
        self.window.idle.connect(self.lock_screen)
        self.window.board.alarm.connect(self._alarm_while_locked)
        self.window.show()
        self.window.start()

    # -- the idle lock ----------------------------------------------------------------------------------
    def lock_screen(self) -> None:
        """After 15 minutes without use the console hides and asks for the passphrase again. The
        board keeps refreshing behind the lock, and the lock says when a visit is overdue; the
        relay runs the ladder either way."""
        if self.window is None or self.locked is not None:
            return
        self.window.hide()
        lock = OfficeUnlockDialog(self.profile, self.runner, self.now, self.this_pc, "The office console is locked.",
                                  "The console locked itself after 15 minutes without use. The relay keeps watching "
                                  "visits and tells the ladder if one is overdue. Type the office passphrase to go "
                                  "on.")
        lock.unlocked.connect(self._unlock_screen)
        lock.rejected.connect(QApplication.quit)
        self.locked = lock
        lock.show()

    def _alarm_while_locked(self, text: str) -> None:
        if self.locked is not None:
            self.locked.message.setText(f"{text} Type the office passphrase to see the board and answer it.")
            QApplication.alert(self.locked)

    def _unlock_screen(self, _secrets: VaultSecrets) -> None:
        lock, self.locked = self.locked, None
        if self.window is not None:
            self.window.woke()
            self.window.show()
        if lock is not None:
            lock.hide()
            lock.deleteLater()

    def shutdown(self) -> None:
        if self.window is not None:
            self.window.stop()
        self.runner.close()
        if self.vault is not None:
            self.vault.close()
            self.vault = None


def run(data_dir: Path | None) -> int:
    """The console on ``data_dir`` (``--data``), else on the office folder this PC uses."""
    from ...office.this_pc import office_root

    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    app.setApplicationName("IPS Office")
    keyboard.use_focus_ring(app)
    this_pc = ThisPC()
    remembered = data_dir is None and this_pc.office_folder is not None
    office = OfficeApp(Profile(office_root(data_dir, this_pc), "office", schema="office"), this_pc=this_pc,
                       remembered=remembered)
    QTimer.singleShot(0, lambda: keyboard.install(app))  # once a window is up, not on start-up
    office.start()
    code = app.exec()
    office.shutdown()
    tear_down(app)
    return int(code)
