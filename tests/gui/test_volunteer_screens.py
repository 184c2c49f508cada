"""Papers held, the Level 1 tally, attachments, closing a case, settings, quick wipe, bad disks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import PASSPHRASE, files_containing
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from ips_desktop.domain.records import PapersHeld
from ips_desktop.store.vault import VaultWriteError
from ips_desktop.ui.volunteer.level1 import Level1Dialog
from ips_desktop.ui.volunteer.papers import PapersDialog
from ips_desktop.ui.volunteer.settings_dialog import WIPE_WORD, SettingsDialog

pytestmark = pytest.mark.gui


def _case(app, reference: str = "PP-2026-0300") -> str:
    case_id = app.book.open_case(reference)
    app.window.refresh()
    app.window.select_case(case_id)
    return case_id


def test_editor_shows_an_empty_state_until_a_record_is_open(running) -> None:
    app, _ = running
    editor = app.window.editor
    assert editor.pages.currentWidget() is editor.empty
    assert "New note" in editor.empty.text()
    _case(app)
    app.window.new_record()
    assert editor.pages.currentWidget() is not editor.empty


def test_papers_held_until_posted_back_with_proof(running, qtbot, monkeypatch) -> None:
    app, _ = running
    case_id = _case(app)
    dialog = PapersDialog(app.session, case_id, app.now().date(), app.window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.description.setText("EP report for Mrs Kowalski's son (original)")
    dialog.add()
    assert dialog.pii.isVisible()  # a name in the description is caught like in any record
    dialog.pii.rows[0].fix.click()
    assert dialog.table.rowCount() == 1
    assert "not yet" in dialog.table.item(0, 2).text()
    app.window.refresh()
    assert app.window.papers_button.text() == "Papers held (1 to post back)"
    assert app.window.record_list.count() == 0  # papers are not contact records

    dialog.table.selectRow(0)
    monkeypatch.setattr("ips_desktop.ui.volunteer.papers.QInputDialog.getText", lambda *a, **k: ("", True))
    monkeypatch.setattr("ips_desktop.ui.volunteer.papers.QMessageBox.information", lambda *a, **k: None)
    dialog.mark_returned()  # no proof of posting: not returned
    assert "not yet" in dialog.table.item(0, 2).text()
    monkeypatch.setattr("ips_desktop.ui.volunteer.papers.QInputDialog.getText",
                        lambda *a, **k: ("KE 1234 5678 9GB", True))
    dialog.mark_returned()
    assert "KE 1234 5678 9GB" in dialog.table.item(0, 2).text()
    (view,) = [v for v in app.book.records_for_case(case_id) if isinstance(v.record, PapersHeld)]
    assert view.record.returned
    app.window.refresh()
    assert app.window.papers_button.text() == "Papers held"


def test_level1_tally_is_anonymous_and_counted(running, qtbot) -> None:
    app, _ = running
    dialog = Level1Dialog(app.session, app.now().date(), app.window)
    qtbot.addWidget(dialog)
    assert "No Level 1 contacts" in dialog.tally.text()
    dialog.category.setCurrentText("transport")
    dialog.signposted.setCurrentText("IPSEA")
    dialog.parent_focus.setChecked(True)
    dialog.record()
    dialog.record()
    assert "2 contacts" in dialog.tally.text()
    assert "transport 2" in dialog.tally.text()
    assert not dialog.signposted.isEditable()  # nothing typed here can name anyone
    (contact, _) = app.book.level1_contacts()
    assert contact.signposted_to == "IPSEA"


def test_attachment_by_drop_is_kept_inside_the_vault(running, tmp_path: Path) -> None:
    app, _ = running
    _case(app)
    app.window.new_record()
    editor = app.window.editor
    editor.summary.setPlainText("Mum brought the refusal letter; scanned.")
    scan = tmp_path / "refusal-letter.pdf"
    scan.write_bytes(b"%PDF-1.4 AttachCanary-5521 " + b"x" * 5000)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(scan))])
    drop = QDropEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                      Qt.KeyboardModifier.NoModifier)
    editor.dropEvent(drop)
    assert editor.attachment_list.count() == 1
    assert "refusal-letter.pdf" in editor.attachment_list.item(0).text()
    assert editor.record_id is not None
    scan.unlink()
    assert files_containing(app.profile.dir, b"AttachCanary-5521") == []

    big = tmp_path / "huge.pdf"
    with open(big, "wb") as handle:
        handle.truncate(26 * 1024 * 1024)
    editor.attach(big)
    assert "at most 25 MB" in editor.message.text()
    editor.attach(tmp_path / "gone.pdf")
    assert "could not be read" in editor.message.text()
    assert editor.attachment_list.count() == 1


def test_closing_a_case_from_the_window(running, monkeypatch) -> None:
    app, _ = running
    case_id = _case(app)
    window = app.window
    asked: list[str] = []

    def answer(_parent, _title, text, *_args):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.No if len(asked) == 1 else QMessageBox.StandardButton.Yes

    monkeypatch.setattr("ips_desktop.ui.volunteer.main_window.QMessageBox.question", answer)
    app.book.save(None, case_id, PapersHeld("Copy of the draft EHC plan", date(2026, 11, 2)))
    window.close_case_button.click()  # the papers are still out: No
    assert asked[0].startswith("You still hold 1 lot of papers the parent lent for this case.")
    assert app.book.case_list()[0].open
    window.close_case_button.click()
    (case,) = app.book.case_list()
    assert not case.open
    window.select_case(case_id)
    assert window.case_title.text().endswith("(closed)")
    assert window.close_case_button.text() == "Reopen case"
    told = [r for r in app.book.records.all(case_id=case_id) if r.kind == "case_status"]
    assert len(told) == 1
    assert told[0].payload["papers_held"] == 1
    assert "still to be posted back" in told[0].payload["summary"]
    assert app.book.records.get(told[0].id).state == "saved"


def test_disk_failure_keeps_the_typing_in_the_editor(running, monkeypatch) -> None:
    app, _ = running
    _case(app)
    app.window.new_record()
    editor = app.window.editor
    editor.summary.setPlainText("Typed while the disk was full.")

    def full(*args, **kwargs):
        raise VaultWriteError("The disk is full, so nothing was saved. Free some space and save again; "
                              "your text is still in the editor.")

    monkeypatch.setattr(app.book, "save", full)
    editor.save()
    assert "disk is full" in editor.message.text()
    assert editor.summary.toPlainText() == "Typed while the disk was full."
    assert editor.dirty


def test_settings_save_numbers_and_change_passphrase(running, qtbot) -> None:
    app, _ = running
    app.show_settings()
    dialog = app.settings_dialog
    assert isinstance(dialog, SettingsDialog)
    qtbot.addWidget(dialog)
    dialog.idle.setValue(12)
    dialog.ppo_phone.setText("01392 000111")
    dialog.save_general()
    assert app.book.settings.idle_lock_minutes == 12
    assert app.book.settings.ppo_phone == "01392 000111"
    assert not dialog.remember.isEnabled()  # no keyring backend: greyed out with the reason

    # About you, for the overdue ladder: checked, then queued for the office.
    dialog.about["name"].setText("Sarah Jones")
    dialog.about["mobile"].setText("07700 900456")
    dialog.about["vehicle_reg"].setText("WA12-ABC!")
    dialog.save_general()
    assert "letters and numbers as on the number plate" in dialog.message.text()
    dialog.about["vehicle_reg"].setText("wa12 abc")
    dialog.about["family_mobile"].setText("07700 900789")
    dialog.save_general()
    assert dialog.message.text() == "Settings saved."
    about = app.book.settings.about_me
    assert (about.name, about.vehicle_reg, about.family) == ("Sarah Jones", "WA12 ABC", ["+447700900789"])
    assert [r.kind for r in app.book.records.all()] == ["ladder_profile"]  # waiting to go to the office

    dialog.new.setText("Seven purple otters dance quietly")
    dialog.confirm.setText("Seven purple otters dance quietly")
    dialog.change_passphrase()
    assert "current passphrase first" in dialog.message.text()
    dialog.current.setText("not my passphrase")
    dialog.change_passphrase()
    qtbot.waitUntil(lambda: "does not open" in dialog.message.text(), timeout=20000)
    dialog.current.setText(PASSPHRASE)
    dialog.change_passphrase()
    qtbot.waitUntil(lambda: "Passphrase changed" in dialog.message.text(), timeout=20000)
    app.profile.unlock("Seven purple otters dance quietly", app.now)  # the new one opens it


def test_quick_wipe_needs_the_word_and_the_passphrase(running, qtbot, monkeypatch) -> None:
    app, _ = running
    _case(app)
    app.show_settings()
    dialog = app.settings_dialog
    monkeypatch.setattr("ips_desktop.ui.volunteer.settings_dialog.QMessageBox.warning",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr("ips_desktop.ui.volunteer.settings_dialog.QInputDialog.getText",
                        lambda *a, **k: ("wipe?", True))
    dialog.current.setText(PASSPHRASE)
    dialog.quick_wipe()
    assert "Nothing was wiped" in dialog.message.text()
    assert app.profile.exists()
    monkeypatch.setattr("ips_desktop.ui.volunteer.settings_dialog.QInputDialog.getText",
                        lambda *a, **k: (WIPE_WORD, True))
    dialog.quick_wipe()
    qtbot.waitUntil(lambda: not app.profile.dir.exists(), timeout=20000)
    assert app.vault is None
    assert app.wizard is not None
    assert app.wizard.isVisible()  # starts again from the first-run wizard
    qtbot.addWidget(app.wizard)


def test_corrupt_vault_offers_the_backup_and_keeps_the_damaged_file(running, qtbot, monkeypatch) -> None:
    app, _ = running
    case_id = _case(app, "PP-2026-0301")
    vault_path = app.profile.vault_path
    backup = app.profile.backups_dir / "vault-schema1-20260101-000000.db"
    app.vault.backup_to(backup)
    app.lock()
    damaged = vault_path.read_bytes()
    vault_path.write_bytes(damaged[:4096] + bytes(4096) + damaged[8192:])  # one page destroyed
    asked: list[str] = []

    def yes(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr("ips_desktop.ui.volunteer.launch.QMessageBox.question", yes)
    monkeypatch.setattr("ips_desktop.ui.volunteer.launch.QMessageBox.critical", lambda *a, **k: None)
    dialog = app.unlock_dialog
    dialog.passphrase.setText(PASSPHRASE)
    dialog.attempt()
    qtbot.waitUntil(lambda: bool(asked), timeout=20000)
    assert app.vault is None
    assert "damaged" in asked[0]
    assert "Restore the copy" in asked[0]
    (kept,) = vault_path.parent.glob("vault.damaged-*.db")  # never overwritten, kept beside it
    assert kept.read_bytes() == damaged[:4096] + bytes(4096) + damaged[8192:]
    dialog.passphrase.setText(PASSPHRASE)
    dialog.attempt()
    qtbot.waitUntil(lambda: app.vault is not None, timeout=20000)
    assert [c.id for c in app.book.case_list()] == [case_id]
