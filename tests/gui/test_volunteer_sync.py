"""Sealed sync from the volunteer's window: enrol by pasting the invite and comparing the six
digits, see the status bar follow a record to the office, see when it leaves, and the vault
re-keyed after a closed case is purged. Real vaults on both sides, a real drop folder."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import PASSPHRASE, files_containing

from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.office.inbox import accept, pull
from ips_desktop.office.service import OfficeService
from ips_desktop.store.profile import Profile
from ips_desktop.sync.transport import FolderTransport
from ips_desktop.ui.volunteer.expense_forms import ItemForm
from ips_desktop.ui.volunteer.sync_ui import SyncStatus

pytestmark = pytest.mark.gui

CANARY = "Canary-Quoll-2207"


@pytest.fixture
def office(tmp_path: Path, running):
    _app, clock = running
    folder = tmp_path / "share"
    folder.mkdir()
    profile = Profile(tmp_path / "office", "office", schema="office")
    _, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    service = OfficeService(vault, clock)
    service.create("Test Parent Partnership", address=str(folder))
    yield service, FolderTransport(folder)
    vault.close()


def sync_label(app):
    return app.window.findChild(SyncStatus).label


def sync_text(app) -> str:
    return sync_label(app).text()


def enrol(app, service, transport, qtbot) -> None:
    """Through the dialog: paste the invite, the PPO accepts, the dialog sees it."""
    app.window.enrol_requested.emit()
    dialog = app.enrol_dialog
    dialog.poll.setInterval(50)
    dialog.code.setPlainText(service.make_invite("IPS-17").code())
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 1, timeout=10000)
    pull(service, transport)  # the office answers the laptop's first message
    qtbot.waitUntil(lambda: bool(dialog.sas.text()), timeout=10000)
    waiting = pull(service, transport).enrolments
    accept(service, transport, waiting[0].invite_id)
    qtbot.waitUntil(lambda: "Enrolled" in dialog.waiting.text(), timeout=10000)
    dialog.accept()


def send_and_wait(app, qtbot) -> None:
    qtbot.waitUntil(lambda: not app.sync.busy, timeout=20000)
    app.window.send_requested.emit()
    qtbot.waitUntil(lambda: not app.sync.busy, timeout=20000)


def test_enrol_send_verify_purge_and_rekey(running, office, qtbot) -> None:
    app, _clock = running
    service, transport = office
    qtbot.waitUntil(lambda: "Not enrolled" in sync_text(app), timeout=20000)

    # Enrol: paste the invite, compare the six digits with the PPO, wait for acceptance.
    app.window.enrol_requested.emit()
    dialog = app.enrol_dialog
    dialog.poll.setInterval(50)
    dialog.code.setPlainText("not an invite")
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: "not an IPS Desktop invite" in dialog.message.text(), timeout=10000)
    dialog.code.setPlainText(service.make_invite("IPS-17").code())
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 1, timeout=10000)
    assert dialog.sas.text() == ""  # no digits before the office has answered the laptop's first message
    assert "answers by itself" in dialog.waiting.text()
    pull(service, transport)
    qtbot.waitUntil(lambda: bool(dialog.sas.text()), timeout=10000)
    assert "accept this laptop" in dialog.waiting.text()
    waiting = pull(service, transport).enrolments
    assert waiting[0].sas == dialog.sas.text()  # what the PPO reads back
    accept(service, transport, waiting[0].invite_id)
    qtbot.waitUntil(lambda: "Enrolled" in dialog.waiting.text(), timeout=10000)
    dialog.accept()

    # A record goes to the office; the status bar follows it.
    case_id = app.book.open_case("PP-2026-0310")
    app.book.save(None, case_id, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 9, 0), 10,
                                                 summary=f"Parent asked about respite. {CANARY}"))
    app.window.refresh()
    send_and_wait(app, qtbot)
    assert "1 sent, waiting for the office" in sync_text(app)
    assert "Test Parent Partnership" in sync_label(app).toolTip()  # and the office key fingerprint
    assert pull(service, transport).verified == 1
    send_and_wait(app, qtbot)
    assert sync_text(app).startswith("All sent")

    # Settings show the office's key fingerprint to compare with the PPO's screen.
    app.show_settings()
    assert app.settings_dialog.fingerprint.text() == sync_label(app).toolTip().split("check code: ")[1].split("\n")[0]
    app.settings_dialog.reject()

    # What leaves, when and why.
    app.window.retention_requested.emit()
    table = app.retention_dialog.table
    assert table.rowCount() == 1
    assert table.item(0, 2).text() == "the office has it"
    assert "kept while the case is open" in table.item(0, 4).text()
    app.retention_dialog.reject()

    # Closing the case removes it once verified, and the vault is re-keyed; windows left open
    # carry on over the new vault file.
    expenses, visits = app.expenses.show_expenses(), app.visits.show_visits()
    key_before = app.secrets.db_key
    app.book.close_case(case_id)
    send_and_wait(app, qtbot)
    qtbot.waitUntil(lambda: app.secrets.db_key != key_before, timeout=20000)
    assert app.book.case_list()[0].record_count == 0
    visits.refresh()
    form = ItemForm(expenses.session, expenses.month, expenses)
    form.amount.setText("1.70")
    form.description.setText("Stamps")
    form.save_button.click()
    assert form.result() == form.DialogCode.Accepted
    expenses.refresh()
    assert expenses.table.rowCount() == 1
    app.shutdown()
    assert files_containing(app.profile.dir, CANARY.encode()) == []


def test_status_bar_explains_an_unreachable_office(running, office, qtbot, tmp_path: Path) -> None:
    app, _clock = running
    service, transport = office
    enrol(app, service, transport, qtbot)

    (tmp_path / "share").rename(tmp_path / "share-away")
    case_id = app.book.open_case("PP-2026-0311")
    app.book.save(None, case_id, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 9, 0), 10,
                                                 summary="Written while the share is away."))
    send_and_wait(app, qtbot)
    text = sync_text(app)
    assert "1 sent, waiting for the office" in text
    assert "not available" in text


def test_a_long_send_shows_progress_and_can_be_stopped(running, office, qtbot) -> None:
    app, _clock = running
    service, transport = office
    enrol(app, service, transport, qtbot)
    qtbot.waitUntil(lambda: not app.sync.busy, timeout=20000)

    case_id = app.book.open_case("PP-2026-0312")
    for n in range(150):
        app.book.save(None, case_id, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 9, 0), 5,
                                                     summary=f"Call number {n} about the review."))
    status = app.window.findChild(SyncStatus)
    seen: list[str] = []
    app.sync.progress.connect(lambda step, done, total: seen.append(f"{step} {done + 1} of {total}"))
    app.window.send_requested.emit()
    qtbot.waitUntil(lambda: len(seen) >= 2, timeout=20000)
    assert status.button.text() == "Stop"
    status.button.click()
    qtbot.waitUntil(lambda: not app.sync.busy, timeout=20000)
    assert "Stopped" in sync_text(app)
    counts = app.sync.snapshot.counts
    assert counts.queued + counts.waiting_for_office == 150  # nothing lost, some still to seal
    assert counts.queued > 0
    assert seen[0] == "Sealing 1 of 150"


def test_an_old_draft_is_a_reminder_not_a_purge(running, qtbot) -> None:
    app, clock = running
    case_id = app.book.open_case("PP-2026-0313")
    draft = app.book.save_draft(None, case_id, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 9, 0),
                                                               5, summary="Half-typed note."))
    qtbot.waitUntil(lambda: not app.sync.busy, timeout=20000)
    clock.now += timedelta(days=4)
    send_and_wait(app, qtbot)
    assert "1 unfinished draft over 3 days old" in sync_text(app)
    assert app.book.record(draft).state == "draft"  # kept: never removed automatically
