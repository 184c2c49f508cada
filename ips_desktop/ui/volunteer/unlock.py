"""The unlock dialog: the first window most days, so it loads nothing it does not show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QVBoxLayout

from ..common.tasks import TaskRunner
from ..common.widgets import message_label, password_field

if TYPE_CHECKING:
    from ...crypto.keyslot import VaultSecrets
    from ...store.profile import Profile


ASK = "Type your passphrase to open your notes."


class UnlockDialog(QDialog):
    unlocked = Signal(object)  # VaultSecrets

    def __init__(self, profile: Profile, runner: TaskRunner, now: Callable[[], datetime],
                 heading: str = "Your notes are locked.") -> None:
        super().__init__()
        self.setWindowTitle("IPS Desktop — locked")
        self.profile, self.runner, self.now = profile, runner, now
        self.passphrase = password_field("Passphrase")
        self.passphrase.returnPressed.connect(self.attempt)
        self.message = message_label("Unlock message", ASK)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.hide()
        self.button = QPushButton("Unlock")
        self.button.setDefault(True)
        self.button.clicked.connect(self.attempt)
        layout = QVBoxLayout(self)
        self.heading = QLabel(f"<b>{heading}</b>")
        layout.addWidget(self.heading)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.button)

    def attempt(self) -> None:
        text = self.passphrase.text()
        if not text:
            return
        self.button.setEnabled(False)
        self.busy.show()
        self.message.setText("Opening…")
        self.runner.run(lambda: self.profile.unlock(text, self.now), self._done, self._failed)

    def _done(self, secrets: VaultSecrets) -> None:
        self.passphrase.clear()
        self.message.setText(ASK)  # the next lock shows this window again: never "Opening…"
        self.busy.hide()
        self.button.setEnabled(True)
        self.unlocked.emit(secrets)

    def _failed(self, exc: Exception) -> None:
        self.busy.hide()
        self.button.setEnabled(True)
        self.passphrase.selectAll()
        self.message.setText(str(exc) if str(exc) else "Your notes could not be opened.")
