"""The first-run wizard: passphrase, IPS code, case-reference format, and what is kept."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from ...crypto import keyslot
from ...crypto.keyring_adapter import KeyringStatus
from ...crypto.keyslot import KdfParams, VaultSecrets
from ...domain import passphrase as strength
from ...domain.references import DEFAULT_FORMAT
from ..common.widgets import password_field

KEEPS = (
    "<p><b>What IPS Desktop keeps, and for how long</b></p><ul>"
    "<li>Your case notes, agreed actions and consents, under the case reference your PPO gives you "
    "— never a name. They stay on this computer only until the office has confirmed it holds them "
    "and the case is finished (the handbook: “once passed to DPPS no records will be kept by the IPS”).</li>"
    "<li>Drafts are saved every few seconds, so a crash loses at most a few seconds of typing. "
    "Drafts are never sent or deleted without you.</li>"
    "<li>Everything is in one encrypted file that only your passphrase opens. "
    "If you forget the passphrase, the notes cannot be recovered: ask your PPO to resend what you need.</li>"
    "</ul>"
)



class _PassphrasePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Choose a passphrase")
        self.setSubTitle("It opens your notes. Three or four unrelated words are easy to remember and hard to guess.")
        self.first = password_field("New passphrase")
        self.second = password_field("Confirm passphrase")
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        self.meter.setAccessibleName("Passphrase strength")
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Passphrase", self.first)
        form.addRow("Strength", self.meter)
        form.addRow("", self.advice)
        form.addRow("Type it again", self.second)
        self.first.textChanged.connect(self._changed)
        self.second.textChanged.connect(self._changed)
        self._changed()

    def _changed(self) -> None:
        estimate = strength.estimate(self.first.text())
        self.meter.setValue(estimate.score)
        self.meter.setFormat(estimate.label)
        mismatch = self.second.text() and self.second.text() != self.first.text()
        self.advice.setText(estimate.advice + ("  The two passphrases differ." if mismatch else ""))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return strength.estimate(self.first.text()).acceptable and self.first.text() == self.second.text()


class _DetailsPage(QWizardPage):
    def __init__(self, keyring: KeyringStatus) -> None:
        super().__init__()
        self.setTitle("About you and your service")
        self.ips_code = QLineEdit()
        self.ips_code.setAccessibleName("Your IPS code")
        self.ips_code.setPlaceholderText("as given by your PPO, e.g. IPS-17")
        self.pattern = QLineEdit(DEFAULT_FORMAT.pattern)
        self.pattern.setAccessibleName("Case reference format")
        self.example = QLineEdit(DEFAULT_FORMAT.example)
        self.example.setAccessibleName("Example case reference")
        self.remember = QCheckBox("Remember the passphrase on this computer")
        self.remember.setAccessibleName("Remember on this computer")
        if keyring.available:
            self.remember.setToolTip("Kept in the system's password store. This protects against a stolen "
                                     "disk, not against someone using your logged-in account.")
        else:
            self.remember.setEnabled(False)
            self.remember.setToolTip(keyring.reason)
        note = QLabel(keyring.reason if not keyring.available else
                      "Off is safer on a shared family computer.")
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Your IPS code", self.ips_code)
        form.addRow("Case reference format", self.pattern)
        form.addRow("Example reference", self.example)
        form.addRow(QLabel("The office sends its own format when your computer is enrolled."))
        form.addRow(self.remember)
        form.addRow(note)


class FirstRunWizard(QWizard):
    """Passphrase (with meter and confirmation), IPS code, reference format, what is kept."""

    def __init__(self, keyring: KeyringStatus, kdf: Callable[[], KdfParams]) -> None:
        super().__init__()
        self.setWindowTitle("Welcome to IPS Desktop")
        self._kdf = kdf
        welcome = QWizardPage()
        welcome.setTitle("Welcome")
        text = QLabel(KEEPS)
        text.setWordWrap(True)
        QVBoxLayout(welcome).addWidget(text)
        self.passphrase_page = _PassphrasePage()
        self.details_page = _DetailsPage(keyring)
        self.addPage(welcome)
        self.addPage(self.passphrase_page)
        self.addPage(self.details_page)

    def passphrase(self) -> str:
        return self.passphrase_page.first.text()

    def prepare_keyslot(self) -> tuple[VaultSecrets, bytes]:
        """Slow (calibration and key derivation): run in a worker thread."""
        blob, secrets = keyslot.make_passphrase_slot_and_kek(self.passphrase(), VaultSecrets.generate(), self._kdf())
        return secrets, blob
