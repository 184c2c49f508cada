"""Settings: numbers and the idle lock, and the security actions that need the passphrase again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...crypto.keyring_adapter import KeyringStatus
from ...domain import passphrase as strength
from ...domain.about_me import AboutMe
from ...domain.addresses import display_mobile
from ...domain.words import counted
from ...store.casebook import CaseBook
from ...store.errors import VaultError
from ...store.profile import Profile
from ...store.session import VaultSession
from ..common.tasks import TaskRunner
from ..common.widgets import message_label, password_field

if TYPE_CHECKING:
    from ...crypto.keyslot import KdfParams, VaultSecrets

SAFEGUARDING_RULE = ("Handbook: if you are worried about a child's safety, tell your PPO straight away; "
                     "out of hours, phone the Emergency Duty Team. These numbers appear on the "
                     "safeguarding step of every record.")
WIPE_WORD = "WIPE"


class SettingsDialog(QDialog):
    """``remember_changed(on, secrets)`` and ``wipe_confirmed()`` are acted on by the app."""

    remember_changed = Signal(bool, object)
    wipe_confirmed = Signal()

    def __init__(self, session: VaultSession, profile: Profile, keyring: KeyringStatus, runner: TaskRunner,
                 now: Callable[[], datetime], kdf: Callable[[], KdfParams],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.profile, self.runner, self.now, self.kdf = session, profile, runner, now, kdf
        self.setWindowTitle("Settings")
        tabs = QTabWidget()
        tabs.addTab(self._general(), "General")
        tabs.addTab(self._about(), "About you")
        tabs.addTab(self._security(keyring), "Security")
        tabs.addTab(self._office(), "Office")
        self.message = message_label("Settings message")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.save_general)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    # -- general -----------------------------------------------------------------------------

    @property
    def book(self) -> CaseBook:
        """The case book of the vault open now (docs/architecture.md, "Sessions")."""
        return self.session.book

    def _general(self) -> QWidget:
        settings = self.book.settings
        page = QWidget()
        self.ips_code = QLineEdit(settings.ips_code)
        self.ips_code.setAccessibleName("Your IPS code")
        self.idle = QSpinBox()
        self.idle.setRange(1, 60)
        self.idle.setSuffix(" min")
        self.idle.setValue(settings.idle_lock_minutes)
        self.idle.setAccessibleName("Lock after idle minutes")
        self.office_phone = QLineEdit(settings.office_phone)
        self.office_phone.setAccessibleName("Office phone")
        self.ppo_phone = QLineEdit(settings.ppo_phone)
        self.ppo_phone.setAccessibleName("PPO phone")
        self.edt_phone = QLineEdit(settings.edt_phone)
        self.edt_phone.setAccessibleName("Emergency Duty Team phone")
        self.checkin_pin = password_field("Phone check-in PIN")
        self.checkin_pin.setText(settings.checkin_pin)
        self.duress_pin = password_field("Duress PIN")
        self.duress_pin.setText(settings.duress_pin)
        for pin in (self.checkin_pin, self.duress_pin):
            pin.setMaxLength(8)
            pin.setPlaceholderText("4 to 8 digits")
        pins_note = QLabel("With both PINs set, checking out gives you a link to check in "
                           "from your phone. Under pressure, type the duress PIN: the page looks the same and the "
                           "office is alerted at once.")
        pins_note.setWordWrap(True)
        rule = QLabel(SAFEGUARDING_RULE)
        rule.setWordWrap(True)
        form = QFormLayout(page)
        form.addRow("IPS code", self.ips_code)
        form.addRow("Lock after", self.idle)
        form.addRow("Office", self.office_phone)
        form.addRow("Your PPO", self.ppo_phone)
        form.addRow("Emergency Duty Team", self.edt_phone)
        form.addRow("Phone check-in PIN", self.checkin_pin)
        form.addRow("Duress PIN", self.duress_pin)
        form.addRow(pins_note)
        form.addRow(rule)
        return page

    def _about(self) -> QWidget:
        """Who you are, for the overdue ladder: sent to the office only, sealed."""
        about = self.book.settings.about_me
        page = QWidget()
        form = QFormLayout(page)
        intro = QLabel("If you do not check in after a visit, the office and, if it cannot reach you, your family "
                       "contact are told. These details go to the office only, locked so only the office can read "
                       "them, for the visit board and the "
                       "overdue pack the police would be given. The office's alert service gets your first name "
                       "and mobile, so its messages can say whom to ring.")
        intro.setWordWrap(True)
        form.addRow(intro)
        self.about: dict[str, QLineEdit] = {}
        for name, label, hint in (
                ("name", "Your name", "as the office knows you, e.g. Sarah Jones"),
                ("mobile", "Your mobile", "e.g. 07700 900123"),
                ("vehicle_make", "Vehicle make and model", "e.g. Ford Fiesta (blank if you walk or take the bus)"),
                ("vehicle_colour", "Vehicle colour", "e.g. blue"),
                ("vehicle_reg", "Registration", "e.g. WA12 ABC"),
                ("description", "How to recognise you", "optional, e.g. tall, grey hair, red coat"),
                ("family_email", "Family contact's e-mail", "someone at home the office may contact"),
                ("family_mobile", "Family contact's mobile", "e.g. 07700 900789")):
            value = getattr(about, name)
            edit = QLineEdit(display_mobile(value) if "mobile" in name else value)
            edit.setAccessibleName(label)
            edit.setPlaceholderText(hint)
            form.addRow(label, edit)
            self.about[name] = edit
        return page

    def _office(self) -> QWidget:
        """Who this laptop sends to, and the key fingerprint to compare with the office's."""
        from ...sync.background import snapshot

        page = QWidget()
        form = QFormLayout(page)
        enrolled = snapshot(self.book.vault, self.now).enrolled
        if enrolled is None:
            note = QLabel("This laptop is not enrolled with the office yet, so your notes stay on it, locked with "
                          "your passphrase. "
                          "Use Sync ▸ Enrol with the office… with the invite code your PPO sends.")
            note.setWordWrap(True)
            form.addRow(note)
            return page
        self.fingerprint = QLabel(enrolled.fingerprint)
        self.fingerprint.setAccessibleDescription("Office check code")
        self.fingerprint.setStyleSheet("font-family: monospace;")
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Office", QLabel(enrolled.office_name))
        form.addRow("Office check code", self.fingerprint)
        form.addRow("Sends through", QLabel(enrolled.address))
        form.addRow("Office settings version", QLabel(str(enrolled.bundle_version)))
        check = QLabel("If anyone asks you to enrol again or to trust a different office, phone your PPO "
                       "and compare this check code with the one on the office's screen first.")
        check.setWordWrap(True)
        form.addRow(check)
        return page

    def save_general(self) -> None:
        from ...crypto.checkin import check_pin

        pin, duress = self.checkin_pin.text().strip(), self.duress_pin.text().strip()
        if pin or duress:
            problem = check_pin(pin) or check_pin(duress)
            if problem is None and pin == duress:
                problem = "The duress PIN must be different from the check-in PIN."
            if problem:
                self.message.setText(problem)
                return
        try:
            self.book.tell_office_about_me(AboutMe(**{name: edit.text() for name, edit in self.about.items()}))
        except VaultError as exc:
            self.message.setText(str(exc))
            return
        settings = replace(self.book.settings, ips_code=self.ips_code.text().strip(),
                           idle_lock_minutes=self.idle.value(), office_phone=self.office_phone.text().strip(),
                           ppo_phone=self.ppo_phone.text().strip(), edt_phone=self.edt_phone.text().strip(),
                           checkin_pin=pin, duress_pin=duress)
        try:
            self.book.save_settings(settings)
        except VaultError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText("Settings saved.")

    # -- security ----------------------------------------------------------------------------
    def _security(self, keyring: KeyringStatus) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.current = password_field("Current passphrase")
        intro = QLabel("Security changes need your current passphrase.")
        intro.setWordWrap(True)
        current_form = QFormLayout()
        current_form.addRow("Current passphrase", self.current)

        change = QGroupBox("Change passphrase")
        self.new = password_field("New passphrase")
        self.confirm = password_field("Confirm new passphrase")
        self.change_button = QPushButton("Change passphrase")
        self.change_button.clicked.connect(self.change_passphrase)
        change_form = QFormLayout(change)
        change_form.addRow("New passphrase", self.new)
        change_form.addRow("Confirm", self.confirm)
        change_form.addRow(self.change_button)

        remember = QGroupBox("Remember on this computer")
        self.remember = QCheckBox("Open without the passphrase while I am logged in to this computer")
        self.remember.setChecked(self.profile.remembered)
        self.remember.setAccessibleName("Remember on this computer")
        why = QLabel("This protects against a stolen disk, not against someone using your logged-in "
                     "account. Off is safer." if keyring.available else keyring.reason)
        why.setWordWrap(True)
        self.remember.setEnabled(keyring.available)
        self.remember_button = QPushButton("Apply")
        self.remember_button.setEnabled(keyring.available)
        self.remember_button.clicked.connect(self.apply_remember)
        remember_layout = QVBoxLayout(remember)
        remember_layout.addWidget(self.remember)
        remember_layout.addWidget(why)
        remember_layout.addWidget(self.remember_button)

        wipe = QGroupBox("Quick wipe")
        wipe_text = QLabel("Destroys the key and every record on this computer at once, for a lost or "
                           "sold laptop or an emergency. Records not yet sent to the office are lost.")
        wipe_text.setWordWrap(True)
        self.wipe_button = QPushButton("Wipe everything…")
        self.wipe_button.setStyleSheet("color: #b00020;")
        self.wipe_button.clicked.connect(self.quick_wipe)
        wipe_layout = QVBoxLayout(wipe)
        wipe_layout.addWidget(wipe_text)
        wipe_layout.addWidget(self.wipe_button)

        layout.addWidget(intro)
        layout.addLayout(current_form)
        layout.addWidget(change)
        layout.addWidget(remember)
        layout.addWidget(wipe)
        return page

    def _busy(self, busy: bool, text: str = "") -> None:
        for button in (self.change_button, self.remember_button, self.wipe_button):
            button.setEnabled(not busy)
        self.remember_button.setEnabled(not busy and self.remember.isEnabled())
        self.message.setText(text)

    def _with_passphrase(self, work: Callable[[str], Any], done: Callable[[Any], None]) -> None:
        """Check the current passphrase (Argon2id, so on a worker thread), then act."""
        current = self.current.text()
        if not current:
            self.message.setText("Type your current passphrase first.")
            self.current.setFocus()
            return
        self._busy(True, "Checking your passphrase…")

        def finished(result: Any) -> None:
            self.current.clear()
            self._busy(False)
            done(result)

        def failed(exc: Exception) -> None:
            self._busy(False, str(exc) or "That did not work; nothing was changed.")

        self.runner.run(lambda: work(current), finished, failed)

    def change_passphrase(self) -> None:
        new, confirm = self.new.text(), self.confirm.text()
        estimate = strength.estimate(new)
        if not estimate.acceptable:
            self.message.setText(f"The new passphrase is too easy to guess. {estimate.advice}")
            return
        if new != confirm:
            self.message.setText("The two new passphrases differ.")
            return

        def work(current: str) -> None:
            self.profile.change_passphrase(current, new, self.kdf(), self.now)

        def done(_: object) -> None:
            self.new.clear()
            self.confirm.clear()
            self.message.setText("Passphrase changed. Use the new one from now on.")

        self._with_passphrase(work, done)

    def apply_remember(self) -> None:
        on = self.remember.isChecked()

        def work(current: str) -> VaultSecrets:
            return self.profile.unlock(current, self.now)

        def done(secrets: VaultSecrets) -> None:
            self.remember_changed.emit(on, secrets)
            self.message.setText("This computer will open your notes without the passphrase." if on
                                 else "The passphrase is needed every time again.")

        self._with_passphrase(work, done)

    def quick_wipe(self) -> None:
        if not confirm_unsent(self, self.book.unsent_count()):
            self.message.setText("Nothing was wiped.")
            return
        word, ok = QInputDialog.getText(
            self, "Quick wipe", f"Everything on this computer will be destroyed. Type {WIPE_WORD} to confirm:")
        if not ok or word.strip() != WIPE_WORD:
            self.message.setText("Nothing was wiped.")
            return

        def work(current: str) -> VaultSecrets:
            return self.profile.unlock(current, self.now)

        def done(_: object) -> None:
            self.accept()
            self.wipe_confirmed.emit()

        self._with_passphrase(work, done)


def confirm_unsent(parent: QWidget, unsent: int) -> bool:
    if not unsent:
        return True
    answer = QMessageBox.warning(
        parent, "Quick wipe", f"{counted(unsent, 'note')} not yet with the office will be lost. Wipe anyway?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes
