"""The first-run wizard: passphrase, IPS code, the PPO's name and number, the case-reference
format, and what is kept.

Finish does not close the wizard: it shows "Creating your notes…" while the keyslot is made on
a worker (a second or two of Argon2id), and the controller closes it only once the main window
is showing. The app therefore always has a window, and Qt never quits half-way through.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
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
from ...domain.about_me import AboutMe
from ...domain.references import DEFAULT_FORMAT, ReferenceFormat, format_from_example, normalise_reference
from ..common.widgets import error_label, message_label, password_field

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
        self.ppo_name = QLineEdit()
        self.ppo_name.setAccessibleName("Your PPO's name")
        self.ppo_name.setPlaceholderText("e.g. Jane (used in the safety steps)")
        self.ppo_phone = QLineEdit()
        self.ppo_phone.setAccessibleName("Your PPO's phone number")
        self.ppo_phone.setPlaceholderText("e.g. 01392 383080")
        self.full_name = QLineEdit()
        self.full_name.setAccessibleName("Your name")
        self.full_name.setPlaceholderText("as the office knows you (for the visit safety check)")
        self.mobile = QLineEdit()
        self.mobile.setAccessibleName("Your mobile number")
        self.mobile.setPlaceholderText("e.g. 07700 900123 (the office rings it if you are overdue)")
        self.example = QLineEdit(DEFAULT_FORMAT.example)
        self.example.setAccessibleName("One of your case references")
        self.example.setToolTip("Type one reference as your PPO gave it, so that IPS Desktop knows the shape "
                                "of your office's references. Never a name.")
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
        outer = QVBoxLayout(self)  # wrapped labels outside the form: a form row cuts them short
        form = QFormLayout()
        outer.addLayout(form)
        form.addRow("Your IPS code", self.ips_code)
        form.addRow("Your PPO's name", self.ppo_name)
        form.addRow("Your PPO's phone", self.ppo_phone)
        form.addRow("Your name", self.full_name)
        form.addRow("Your mobile", self.mobile)
        form.addRow("A case reference", self.example)
        shape = QLabel("Type one of the case references your PPO gave you (or keep the example): the notes are kept "
                       "under references like it, never a name. The office sends its own when this computer is "
                       "enrolled.")
        shape.setWordWrap(True)
        outer.addWidget(shape)
        outer.addWidget(self.remember)
        outer.addWidget(note)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setAccessibleName("Creating your notes")
        self.progress.hide()
        self.status = message_label("First-run status")
        self.problem = error_label("First-run problem")
        outer.addWidget(self.progress)
        outer.addWidget(self.status)
        outer.addWidget(self.problem)

    def about_me(self) -> AboutMe:
        """The volunteer's name and mobile, for the overdue ladder (the rest is in Settings)."""
        return AboutMe(self.full_name.text(), self.mobile.text()).cleaned()

    def reference_format(self) -> ReferenceFormat:
        """The shape of the reference typed (or the default until the office sends its own)."""
        return _shape(self.example.text())


def _shape(example: str) -> ReferenceFormat:
    example = example.strip()
    if not example or normalise_reference(example) == DEFAULT_FORMAT.example:
        return DEFAULT_FORMAT
    return format_from_example(example)


class FirstRunWizard(QWizard):
    """Passphrase (with meter and confirmation), IPS code, the PPO, reference format, what is kept.

    ``finish_requested`` is emitted when the volunteer presses Finish; the wizard stays open,
    busy, until the controller calls :meth:`finish` (success) or :meth:`failed`.
    """

    finish_requested = Signal()

    def __init__(self, keyring: KeyringStatus, kdf: Callable[[], KdfParams]) -> None:
        super().__init__()
        self.setWindowTitle("Welcome to IPS Desktop")
        self._kdf = kdf
        self.creating = False
        welcome = QWizardPage()
        welcome.setTitle("Welcome")
        text = QLabel(KEEPS)
        text.setWordWrap(True)
        QVBoxLayout(welcome).addWidget(text)
        self.passphrase_page = _PassphrasePage()
        self.details_page = _DetailsPage(keyring)
        self._keyring_available = keyring.available
        self.addPage(welcome)
        self.addPage(self.passphrase_page)
        self.addPage(self.details_page)

    def accept(self) -> None:
        """Finish pressed: start creating the notes; the wizard closes when they are ready."""
        if self.creating:
            return
        problems = self.details_page.about_me().problems()
        if problems:
            self.details_page.problem.setText(" ".join(problems))
            return
        self.creating = True
        self._busy(True)
        self.details_page.problem.clear()
        self.details_page.status.setText("Creating your notes… this takes a few seconds.")
        self.finish_requested.emit()

    def reject(self) -> None:
        if not self.creating:  # never half-way through creating the notes
            super().reject()

    def failed(self, message: str) -> None:
        self.creating = False
        self._busy(False)
        self.details_page.status.clear()
        self.details_page.problem.setText(message)

    def finish(self) -> None:
        """The main window is up: close the wizard."""
        self.creating = False
        super().accept()

    def _busy(self, busy: bool) -> None:
        self.details_page.progress.setVisible(busy)
        for which in (QWizard.WizardButton.FinishButton, QWizard.WizardButton.BackButton,
                      QWizard.WizardButton.CancelButton):
            self.button(which).setEnabled(not busy)
        page = self.details_page
        for field in (page.ips_code, page.ppo_name, page.ppo_phone, page.full_name, page.mobile, page.example):
            field.setReadOnly(busy)
        page.remember.setEnabled(not busy and self._keyring_available)

    def passphrase(self) -> str:
        return self.passphrase_page.first.text()

    def prepare_keyslot(self) -> tuple[VaultSecrets, bytes]:
        """Slow (calibration and key derivation): run in a worker thread."""
        blob, secrets = keyslot.make_passphrase_slot_and_kek(self.passphrase(), VaultSecrets.generate(), self._kdf())
        return secrets, blob
