"""Wires the volunteer app together: first run or unlock, then the main window; auto-lock.

The controller owns the open vault. Locking closes it after the window has flushed pending
typing and cleared record content from widgets and the clipboard.
"""

from __future__ import annotations

import importlib
import logging
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from ... import clock
from ...crypto.keyring_adapter import KeyringAdapter, KeyringProblem, KeyringStatus
from ...domain import lockout
from ...store.errors import VaultError
from ...store.profile import Profile, cloud_synced, default_root
from ...store.session import VaultSession
from ..common import keyboard
from ..common.lifecycle import tear_down
from ..common.tasks import TaskRunner
from .unlock import UnlockDialog

if TYPE_CHECKING:
    from ...crypto.device import DeviceKeys
    from ...crypto.keyslot import KdfParams, VaultSecrets
    from ...domain.claim import PreparedReceipt
    from ...domain.expenses import ExpenseRates
    from ...domain.visits import VisitPolicy
    from ...store.casebook import CaseBook
    from ...store.today import Target
    from ...store.vault import VaultConnection
    from ...sync.background import BackgroundSync
    from ...sync.transport import DeviceTransport
    from ...sync.visit_watch import VisitWatcher
    from .expense_controller import ExpenseController
    from .first_run import FirstRunWizard
    from .help import HelpDialog
    from .main_window import MainWindow
    from .retention_view import RetentionDialog
    from .sync_ui import EnrolDialog, SyncController
    from .visit_controller import VisitController

TransportFactory = Callable[[str, "DeviceKeys"], "DeviceTransport"]
LOCK_WAIT_MS = 20_000


def _prepare_receipt(name: str, data: bytes) -> PreparedReceipt:
    """Pillow and pypdf load with the first receipt, not with the window."""
    from ...reports.receipts import prepare_receipt

    return prepare_receipt(name, data)

log = logging.getLogger(__name__)

# The unlock dialog is the first window and needs none of these; they are imported on a worker
# thread while the volunteer types the passphrase, which keeps start-up close to a bare window.
_AFTER_UNLOCK = ("ips_desktop.crypto.keyslot", "ips_desktop.store.casebook", "ips_desktop.store.migrations",
                 "ips_desktop.ui.volunteer.main_window")


def _preload() -> None:
    for name in _AFTER_UNLOCK:
        importlib.import_module(name)
    from ...domain.pii import names

    names.first_names()  # the name gazetteer (about 0.7 s), so the first save does not wait for it
    names.surnames()

_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel,
             QEvent.Type.MouseMove}


class VolunteerApp(QObject):
    """States: first run → unlocked ⇄ locked. Services are passed in, never global."""

    def __init__(self, profile: Profile, keyring: KeyringAdapter | None,
                 now: Callable[[], datetime] = clock.now,
                 kdf: Callable[[], KdfParams] | None = None, demo_banner: str = "",
                 transport_for: TransportFactory | None = None) -> None:
        super().__init__()
        self.profile, self.keyring, self.now, self.kdf = profile, keyring, now, kdf
        self.transport_for = transport_for
        self.secrets: VaultSecrets | None = None
        self.sync: SyncController | None = None
        self.visits: VisitController | None = None
        self.expenses: ExpenseController | None = None
        self.enrol_dialog: EnrolDialog | None = None
        self.retention_dialog: RetentionDialog | None = None
        self.demo_banner = demo_banner
        self.runner = TaskRunner(self)
        self.vault: VaultConnection | None = None
        self.book: CaseBook | None = None
        # The open vault and its books for every window (docs/architecture.md, "Sessions").
        self.visit_policy: VisitPolicy | None = None
        self.rates: ExpenseRates | None = None
        self.session = VaultSession(now, self._visit_policy, self._rates, _prepare_receipt)
        self.window: MainWindow | None = None
        self.unlock_dialog: UnlockDialog | None = None
        self.wizard: FirstRunWizard | None = None
        self.settings_dialog: QDialog | None = None
        self.help_dialog: HelpDialog | None = None
        self.hidden_for_lock: list[QWidget] = []
        self.last_activity = now()
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(5000)
        self.idle_timer.timeout.connect(self.check_idle)

    # -- start -------------------------------------------------------------------------------
    def start(self) -> None:
        if not self.profile.exists():
            self._first_run()
            return
        if self.profile.remembered and self.keyring is not None:
            secret = self.keyring.fetch(self.profile.name)
            if secret is not None:
                try:
                    self.open_with(self.profile.unlock_with_keyring_secret(secret))
                    return
                except VaultError:
                    log.info("remembered key did not open the vault; asking for the passphrase")
        self.show_unlock()

    def _keyring_status(self) -> KeyringStatus:
        if self.keyring is None:
            return KeyringStatus(False, "Remembering the passphrase is off in demo mode.")
        return self.keyring.status()

    def _first_run(self) -> None:
        from ...crypto.keyslot import calibrate
        from .first_run import FirstRunWizard

        self.wizard = FirstRunWizard(self._keyring_status(), self.kdf or calibrate)
        self.wizard.finish_requested.connect(self._wizard_done)
        self.wizard.rejected.connect(QApplication.quit)
        self.wizard.show()

    def _wizard_done(self) -> None:
        """Finish: make the keyslot on a worker while the wizard shows "Creating your notes…",
        then open the main window, and only then close the wizard (never a moment with no
        window, when Qt would quit)."""
        wizard = self.wizard
        assert wizard is not None

        def created(result: tuple[VaultSecrets, bytes]) -> None:
            from ...store.casebook import CaseBook
            from ...store.settings import VolunteerSettings

            secrets, blob = result
            details = wizard.details_page
            shape = details.reference_format()
            try:
                vault = self.profile.install(secrets, blob)
                book = CaseBook(vault, self.now)
                book.save_settings(VolunteerSettings(
                    ips_code=details.ips_code.text().strip(), ppo_name=details.ppo_name.text().strip(),
                    ppo_phone=details.ppo_phone.text().strip(),
                    reference_pattern=shape.pattern, reference_example=shape.example))
                about = details.about_me()
                if about.name or about.mobile:  # sent to the office once this laptop is enrolled
                    book.tell_office_about_me(about)
            except VaultError as exc:
                wizard.failed(str(exc))
                return
            not_remembered = ""
            if details.remember.isChecked() and self.keyring is not None:
                try:
                    self.remember(secrets)
                except KeyringProblem as exc:
                    not_remembered = str(exc)
            self._show_main(vault, book, secrets)
            wizard.finish()
            self.wizard = None
            if not_remembered and self.window is not None:
                self.window.statusBar().showMessage(not_remembered, 30000)

        def failed(exc: Exception) -> None:
            log.warning("first run: the keys could not be made (%s)", type(exc).__name__)
            wizard.failed("Your notes could not be created, so nothing was saved. Press Finish to try again.")

        self.runner.run(wizard.prepare_keyslot, created, failed)

    def remember(self, secrets: VaultSecrets) -> None:
        assert self.keyring is not None
        secret = self.keyring.new_secret()
        self.keyring.store(self.profile.name, secret)
        self.profile.remember(secrets, secret)

    # -- lock / unlock -----------------------------------------------------------------------
    def show_unlock(self) -> None:
        if self.unlock_dialog is None:
            self.unlock_dialog = UnlockDialog(self.profile, self.runner, self.now)
            self.unlock_dialog.unlocked.connect(self.open_with)
            self.unlock_dialog.rejected.connect(self._unlock_cancelled)
        self.unlock_dialog.show()
        self.unlock_dialog.passphrase.setFocus()
        if self.window is None:
            self.runner.run(_preload, lambda _: None, lambda exc: log.warning("preload failed: %s", type(exc).__name__))

    def _unlock_cancelled(self) -> None:
        if self.window is None or not self.window.isVisible():
            QApplication.quit()

    def open_with(self, secrets: VaultSecrets) -> None:
        try:
            vault = self.profile.open_vault(secrets)
        except VaultError as exc:
            self._vault_problem(str(exc))
            return
        if self.unlock_dialog is not None:
            self.unlock_dialog.hide()
        from ...store.casebook import CaseBook

        self._show_main(vault, CaseBook(vault, self.now), secrets)

    def _vault_problem(self, message: str) -> None:
        backups = self.profile.backups()
        if not backups:
            QMessageBox.critical(None, "IPS Desktop", message)
            return
        answer = QMessageBox.question(
            None, "IPS Desktop",
            f"{message}\n\nRestore the copy made on "
            f"{datetime.fromtimestamp(backups[0].stat().st_mtime):%d/%m/%Y %H:%M}? "
            "The damaged file is kept beside it.")
        if answer == QMessageBox.StandardButton.Yes:
            self.profile.restore_backup(backups[0])

    def _visit_policy(self) -> VisitPolicy:
        from ...domain.visits import VisitPolicy

        return self.visit_policy or VisitPolicy()

    def _rates(self) -> ExpenseRates:
        from ...domain.expenses import ExpenseRates

        return self.rates or ExpenseRates()

    def _show_main(self, vault: VaultConnection, book: CaseBook, secrets: VaultSecrets) -> None:
        self.session.open(vault)
        self.vault, self.book, self.secrets = vault, self.session.book, secrets
        book = self.book
        if self.window is None:
            from .main_window import MainWindow
            from .sync_ui import SyncController, SyncStatus

            self.window = MainWindow(self.session, self.demo_banner, lambda: self.now().date(), self.now)
            self.window.lock_requested.connect(self.lock)
            self.window.settings_requested.connect(self.show_settings)
            self.sync = SyncController(self.runner, self.now, self._editing)
            self.window.add_status_widget(SyncStatus(self.sync, self.show_enrol), 1)
            self.window.send_requested.connect(self.sync.send_now)
            self.window.enrol_requested.connect(self.show_enrol)
            self.window.retention_requested.connect(self.show_retention)
            self.window.editor.saved.connect(self._record_saved)
            self.sync.records_may_have_gone.connect(self._after_sync)
            self.sync.office_spoke.connect(self._office_spoke)
            self.sync.finished.connect(self.rekey_if_due)
            from .visit_controller import VisitController

            self.visits = VisitController(self.window, self.now, self.runner, self._watcher)
            self.visits.step_taken.connect(self._visit_step)
            from .expense_controller import ExpenseController

            self.expenses = ExpenseController(self.window, self.runner, self.now)
            self.expenses.submitted.connect(lambda: self._visit_step(False))
            self.window.go.connect(self._go)
            self._help_menu()
            self._attach_visits()
        else:
            self._use_book(book)
        from ...domain.words import minutes_words

        self.window.lock_state.setText("Unlocked — locks after "
                                       f"{minutes_words(book.settings.idle_lock_minutes)} unused (Ctrl+L locks now)")
        if cloud_synced(self.profile.dir):
            self.window.statusBar().showMessage(
                "Warning: your notes are in a cloud-synced folder. Move them out (see Help).", 15000)
        self.window.show()
        for dialog in self.hidden_for_lock:  # what was open before the lock, on the vault open now
            dialog.show()
        self.hidden_for_lock = []
        self.last_activity = self.now()
        self.idle_timer.start()
        self._start_sync()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # -- sealed sync -------------------------------------------------------------------------
    def _background(self) -> BackgroundSync:
        from ...sync.background import BackgroundSync

        assert self.secrets is not None
        return BackgroundSync(self.profile.vault_path, self.secrets.db_key, self.secrets.device_seed, self.now,
                              self.transport_for)

    def _start_sync(self) -> None:
        if self.sync is not None and self.secrets is not None:
            self.sync.start(self._background())

    def _editing(self) -> frozenset[str]:
        editor = self.window.editor if self.window is not None else None
        return frozenset({editor.record_id}) if editor is not None and editor.record_id else frozenset()

    def _record_saved(self, record_id: str) -> None:
        if self.sync is None or self.book is None:
            return
        record = self.book.record(record_id).record
        self.sync.record_saved(priority=getattr(record, "has_safeguarding_concern", False))

    def _after_sync(self) -> None:
        """A purge may have removed records from view; the office's policy may have changed."""
        if self.window is not None and self.book is not None and self.session.is_open:
            self.window.refresh()
            self._attach_visits()

    def _office_spoke(self, said: list[str]) -> None:
        """The office approved or refused a visit, took a check-in by phone, or answered a claim."""
        if not self.session.is_open:
            return
        if self.visits is not None:
            self.visits.after_step(urgent=False)
            for text in said:
                self.visits.remind("From the office", text)
        if self.window is not None:
            self.window.today_view.refresh()
        if self.expenses is not None and self.expenses.dialog is not None:
            self.expenses.dialog.refresh()

    def _use_book(self, book: CaseBook) -> None:
        """The session holds the vault now open; the windows ask it for their books."""
        assert self.window is not None
        self.window.refresh()
        self._attach_visits()

    def _attach_visits(self) -> None:
        """Visits and expenses follow the office's pinned policy (handbook defaults before enrolment)."""
        from ...domain.expenses import ExpenseRates
        from ...domain.visits import VisitPolicy
        from ...sync.engine import pinned_policy

        if self.visits is None or self.book is None or self.vault is None:
            return
        try:
            office = pinned_policy(self.vault, self.now)
        except VaultError:
            office = {}
        self.visit_policy, self.rates = VisitPolicy.from_policy(office), ExpenseRates.from_policy(office)
        self.visits.attach(self.session, self.visit_policy)
        if self.expenses is not None:
            self.expenses.attach(self.session, self.rates)

    def _watcher(self) -> VisitWatcher | None:
        """The relay's visit watch, when this laptop is enrolled through a relay (a drop
        folder cannot watch: the volunteer phones the office, as the banner says)."""
        from ...crypto.device import DeviceKeys
        from ...store.sync_state import SyncRepository
        from ...sync.visit_watch import VisitWatcher

        if self.vault is None or self.secrets is None:
            return None
        identity = SyncRepository(self.vault, self.now).identity()
        if identity is None or not identity.address.startswith(("http://", "https://")):
            return None
        return VisitWatcher(identity.address, DeviceKeys.from_seed(self.secrets.device_seed).signing)

    def _visit_step(self, urgent: bool) -> None:
        if self.sync is not None:
            self.sync.record_saved(priority=urgent)
        if self.window is not None and self.session.is_open:
            self.window.today_view.refresh()

    def _go(self, target: Target) -> None:
        """A Today item for the visits or the expenses."""
        if target.kind == "visit_step" and self.visits is not None:
            self.visits.take_step(target.step, target.record_id)
        elif target.kind == "visits" and self.visits is not None:
            self.visits.show_visits()
        elif target.kind == "expenses" and self.expenses is not None:
            self.expenses.show_expenses()

    def rekey_if_due(self) -> bool:
        """DESIGN §3: weekly and after a case is purged. Needs a passphrase unlock this
        session (a remembered unlock waits for the next passphrase one)."""
        from ...crypto.keyslot import SlotKind
        from ...domain.retention import rekey_due
        from ...store.sync_state import SyncRepository

        if self.vault is None or self.secrets is None or self.secrets.slot_kind is not SlotKind.PASSPHRASE:
            return False
        state = SyncRepository(self.vault, self.now)
        last, owed = state.rekey_state()
        if last is None and not owed:
            with self.vault.transaction():
                state.note_rekeyed()  # start the weekly count from the first time this version opens it
            return False
        if not rekey_due(last, owed, self.now(), self.now()):
            return False
        return self.rekey()

    def rekey(self) -> bool:
        from ...store.sync_state import SyncRepository

        if self.vault is None or self.secrets is None or self.window is None:
            return False
        if self.sync is not None and self.sync.busy:
            return False
        self.window.editor.flush()
        secret = None
        if self.profile.remembered and self.keyring is not None:
            secret = self.keyring.fetch(self.profile.name)
        if self.sync is not None:
            self.sync.stop()
        try:
            vault, secrets = self.profile.rekey(self.vault, self.secrets, keyring_secret=secret)
        except VaultError as exc:
            log.warning("re-key did not run: %s", type(exc).__name__)
            self.vault = self.profile.open_vault(self.secrets)
            vault, secrets = self.vault, self.secrets
        with vault.transaction():
            SyncRepository(vault, self.now).note_rekeyed()
        self.session.open(vault)
        self.vault, self.book, self.secrets = vault, self.session.book, secrets
        self._use_book(self.book)
        self.window.statusBar().showMessage(
            "Your notes were locked under a new key: removed records are now beyond recovery.", 8000)
        self._start_sync()
        return True

    def show_enrol(self) -> None:
        from .sync_ui import EnrolDialog

        if self.book is None or self.secrets is None:
            return
        dialog = EnrolDialog(self._background(), self.runner, self.book.settings.ips_code or "IPS", self.window)
        dialog.enrolled.connect(lambda: self.sync.send_now() if self.sync else None)
        self.enrol_dialog = dialog
        dialog.open()

    def show_retention(self) -> None:
        from ...sync.background import retention_overview
        from .retention_view import RetentionDialog

        if self.vault is None or self.secrets is None:
            return
        rows = retention_overview(self.vault, self.secrets.device_seed, self.now)
        self.retention_dialog = RetentionDialog(rows, self.window)
        self.retention_dialog.open()

    # -- help --------------------------------------------------------------------------------
    def _help_menu(self) -> None:
        from .help import help_action

        window = self.window
        assert window is not None
        menu = window.menuBar().addMenu("&Help")
        for words, keys, slot in (("Help for this screen", "F1", self.help_for_window),
                                  ("Guide…", "", lambda: self.show_help()),
                                  ("What leaves this laptop, and when…", "", self.show_retention),
                                  ("Keyboard shortcuts…", "", self.show_shortcuts),
                                  ("Phone numbers…", "", self.show_numbers),
                                  ("About IPS Desktop…", "", self.show_about)):
            action = help_action(window, words, keys, slot)
            window.addAction(action)
            menu.addAction(action)

    def help_for_window(self) -> None:
        from .help import topic_for

        self.show_help(topic_for(QApplication.activeWindow() or self.window))

    def show_help(self, topic: str = "") -> None:
        """The guide, at ``topic``: one help window, brought to the front and turned to the page."""
        from .help import INTRO, HelpDialog

        parent = QApplication.activeWindow() or self.window or self.unlock_dialog or self.wizard
        if self.help_dialog is None or self.help_dialog.parent() is not parent:
            if self.help_dialog is not None:
                self.help_dialog.close()
            self.help_dialog = HelpDialog(topic or INTRO, parent)
        else:
            self.help_dialog.show_topic(topic or INTRO)
        self.help_dialog.show()
        self.help_dialog.raise_()
        self.help_dialog.activateWindow()

    def show_shortcuts(self) -> None:
        from .help import shortcuts_text, text_dialog

        if self.window is not None:
            text_dialog("Keyboard shortcuts", shortcuts_text(self.window), self.window).open()

    def show_numbers(self) -> None:
        from .help import text_dialog

        if self.book is None or self.window is None:
            return
        s = self.book.settings
        ppo = f"{s.ppo_name or 'Your PPO'}: {s.ppo_phone or 'not set yet (File ▸ Settings)'}"
        text_dialog("Phone numbers", f"{ppo}\nThe office: {s.office_phone} (9 am to 5 pm)\n"
                                     f"Out of hours, the Emergency Duty Team: {s.edt_phone}\n"
                                     "In an emergency: 999", self.window).open()

    def show_about(self) -> None:
        from ... import __version__
        from ...sync.background import snapshot
        from .help import text_dialog

        if self.vault is None or self.window is None:
            return
        enrolled = snapshot(self.vault, self.now).enrolled
        office = enrolled.office_name if enrolled else "not enrolled with an office yet (Sync ▸ Enrol…)"
        text_dialog("About IPS Desktop", f"IPS Desktop {__version__}\nOffice: {office}\n"
                                         f"Your notes are kept, locked, in: {self.profile.dir}", self.window).open()

    # -- settings ----------------------------------------------------------------------------
    def show_settings(self) -> None:
        from ...crypto.keyslot import calibrate
        from .settings_dialog import SettingsDialog

        if self.book is None:
            return
        self.settings_dialog = SettingsDialog(self.session, self.profile, self._keyring_status(), self.runner,
                                              self.now, self.kdf or calibrate, self.window)
        self.settings_dialog.remember_changed.connect(self._remember_changed)
        self.settings_dialog.wipe_confirmed.connect(self.wipe)
        self.settings_dialog.open()

    def _remember_changed(self, on: bool, secrets: VaultSecrets) -> None:
        if self.keyring is None:
            return
        if on:
            try:
                self.remember(secrets)
            except KeyringProblem as exc:
                QMessageBox.warning(self.window, "IPS Desktop", str(exc))
        else:
            self.profile.forget()
            self.keyring.forget(self.profile.name)

    def wipe(self) -> None:
        """Quick wipe: keys first, then everything; the app starts again at the first-run wizard."""
        if self.visits is not None:
            self.visits.detach()
            self.visits = None
        if self.expenses is not None:
            self.expenses.detach()
            self.expenses = None
        if self.window is not None:
            self.window.editor.stop()
            self.window.wipe_content()
            self.window.hide()
        self.idle_timer.stop()
        if self.sync is not None:
            self.sync.stop()
            self.runner.wait()
        self.session.close()
        if self.vault is not None:
            self.vault.close()
            self.vault = self.book = self.secrets = None
        if self.keyring is not None and self.profile.remembered:
            self.keyring.forget(self.profile.name)
        self.profile.wipe()
        if self.window is not None:
            self.window.deleteLater()
            self.window = None
            self.sync = None
        self._first_run()

    def lock(self) -> None:
        if self.vault is None:
            return
        if self.visits is not None:
            self.visits.detach()
        if self.expenses is not None:
            self.expenses.detach()
        if self.window is not None:
            self.hidden_for_lock = self.window.hide_dialogs()
            self.window.wipe_content()
            self.window.lock_state.setText("Locked")
            self.window.hide()
        if self.sync is not None:
            self.sync.stop()
        QApplication.processEvents()  # the window is gone from the screen before we wait
        self.runner.wait(LOCK_WAIT_MS)  # the sync in progress stops at its next record; wait for it
        self.session.close()
        self.vault.close()
        self.vault = self.book = self.secrets = None
        self.idle_timer.stop()
        self.show_unlock()

    def check_idle(self) -> None:
        if self.book is None:
            return
        idle = timedelta(minutes=self.book.settings.idle_lock_minutes)
        if lockout.should_lock(self.last_activity, self.now(), idle):
            self.lock()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.last_activity = self.now()
            if event.type() == QEvent.Type.KeyPress and cast(QKeyEvent, event).key() == Qt.Key.Key_F1:
                self.help_for_window()  # F1 in any of our windows (the main window's menu has it too)
                return True
        return False

    def shutdown(self) -> None:
        """Flush typing, stop every timer that could touch the vault, then close it."""
        self.idle_timer.stop()
        if self.visits is not None:
            self.visits.detach()
        if self.expenses is not None:
            self.expenses.detach()
        if self.sync is not None:
            self.sync.stop()
        if self.window is not None:
            self.window.editor.flush()
            self.window.editor.stop()
        self.session.close()
        if self.vault is not None:
            self.vault.close()
            self.vault = None
        self.runner.close()


DEMO_BANNER = "DEMO — not for real cases. Practice notes, deleted when you quit; its passphrase is “{}”."
TRAINING_BANNER = ("TRAINING — induction course practice. Nothing here is real or goes to the office; it is "
                   "deleted when you quit. Passphrase: “{}”.")


def run(data_dir: str | None, demo: bool = False, training: bool = False) -> int:
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv))
    app.setApplicationName("IPS Desktop")
    keyboard.use_focus_ring(app)
    QGuiApplication.setDesktopFileName("ips-desktop")
    cleanup: Path | None = None
    if demo:
        from ...crypto.keyslot import MINIMUM_KDF
        from ...store import demo as sample
        from ...store.casebook import CaseBook

        cleanup = Path(tempfile.mkdtemp(prefix="ips-demo-"))
        profile = Profile(cleanup, "demo")
        secrets, vault = profile.create(sample.DEMO_PASSPHRASE, MINIMUM_KDF)
        book = CaseBook(vault, clock.now)
        sample.fill(book, clock.today())
        sample.fill_visits(book, clock.now())
        sample.fill_office(book, clock.now())
        sample.fill_expenses(book, clock.today(), _prepare_receipt)
        vault.close()
        banner = TRAINING_BANNER if training else DEMO_BANNER
        controller = VolunteerApp(profile, None, kdf=lambda: MINIMUM_KDF,
                                  demo_banner=banner.format(sample.DEMO_PASSPHRASE))
    else:
        profile = Profile(Path(data_dir) if data_dir else default_root())
        controller = VolunteerApp(profile, KeyringAdapter())
    # F1 and the keyboard habits once a window is up, not on start-up
    QTimer.singleShot(0, lambda: keyboard.install(app))
    QTimer.singleShot(0, lambda: app.installEventFilter(controller))
    if demo:
        controller.open_with(secrets)
    else:
        controller.start()
    code = app.exec()
    controller.shutdown()
    tear_down(app)
    if cleanup is not None:
        shutil.rmtree(cleanup, ignore_errors=True)
    return int(code)

