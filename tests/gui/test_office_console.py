"""The PPO's console window over a real office vault: enrolment (the console and the
volunteer's window show the same six digits), the inbox by case, a home visit approved and the
approval reaching the volunteer's window, a claim returned; the first run will not open the
console until the office keys are backed up; the visit board alarms through a real relay."""

from __future__ import annotations

import shutil
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import PASSPHRASE
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from ips_desktop.crypto.key_backup import read_backup
from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.domain.escalation import WatchState
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.domain.visit_flow import State
from ips_desktop.domain.visits import Slot, VenueKind
from ips_desktop.office.console import OfficeConsole
from ips_desktop.office.service import OfficeService
from ips_desktop.store.profile import Profile
from ips_desktop.sync.transport import FolderTransport
from ips_desktop.ui.common.tasks import TaskRunner
from ips_desktop.ui.office.launch import BackupDialog, CreateOfficeDialog, OfficeApp
from ips_desktop.ui.office.window import OfficeWindow, Workers

pytestmark = pytest.mark.gui


@pytest.fixture
def console_window(tmp_path: Path, running, qtbot):
    _app, clock = running
    folder = tmp_path / "share"
    folder.mkdir()
    profile = Profile(tmp_path / "office", "office", schema="office")
    secrets, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    service = OfficeService(vault, clock)
    service.create("Test Parent Partnership", address=str(folder))
    window = OfficeWindow(OfficeConsole(service), TaskRunner(), Workers.open(profile.vault_path, secrets.db_key, clock))
    qtbot.addWidget(window)
    window.set_who("PPO Jane")
    window.show()
    yield window, FolderTransport(folder)
    window.stop()
    vault.close()


def rows(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def enrol_through_both_windows(app, window: OfficeWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    code = window.devices.new_invite("IPS-17")
    assert code in window.devices.invite_text.toPlainText()
    assert not window.devices.invite_code.pixmap().isNull()  # the QR code of the invite
    app.window.enrol_requested.emit()
    dialog = app.enrol_dialog
    dialog.poll.setInterval(50)
    dialog.code.setPlainText(code)
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 1, timeout=10000)
    pull(window, qtbot)  # answers the laptop's first message
    qtbot.waitUntil(lambda: bool(dialog.sas.text()), timeout=10000)
    pull(window, qtbot)
    assert rows(window.devices.pending) == [["IPS-17", dialog.sas.text()]]  # both screens, the same digits
    window.devices.pending.selectRow(0)
    window.devices.accept()
    qtbot.waitUntil(lambda: not window.devices.sending, timeout=20000)
    qtbot.waitUntil(lambda: "Enrolled" in dialog.waiting.text(), timeout=10000)
    dialog.accept()
    assert rows(window.devices.devices)[0][0] == "IPS-17"


def pull(window: OfficeWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.pull()
    qtbot.waitUntil(lambda: not window.pulling, timeout=20000)


def send(app, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not app.sync.busy, timeout=20000)
    app.window.send_requested.emit()
    qtbot.waitUntil(lambda: not app.sync.busy, timeout=20000)


def test_enrol_inbox_approve_and_return_a_claim(running, console_window, qtbot, tmp_path: Path,
                                               monkeypatch) -> None:
    app, clock = running
    window, _ = console_window
    clock.now = datetime(2026, 11, 23, 10, 0)
    enrol_through_both_windows(app, window, qtbot)

    case = app.book.open_case("PP-2026-0640")
    app.book.save(None, case, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 9, 0), 15,
                                            summary="Parent asked about the annual review."))
    rid = app.visits.visits.plan(case, Slot(VenueKind.PARENT_HOME, datetime(2026, 11, 25, 14, 0), 60),
                                 place="14 Victoria Road, Exeter EX4 6PQ", attendees=("parent",))
    send(app, qtbot)
    pull(window, qtbot)
    assert "Pulled: 2 new records" in window.pulled.text()
    window.inbox.cases.setCurrentRow(0)
    assert window.inbox.cases.currentItem().text() == "PP-2026-0640"
    assert any("Parent asked about the annual review." in r[2] for r in rows(window.inbox.records))
    out = tmp_path / "export.jsonl"
    window.inbox.export(out)
    assert "annual review" in out.read_text(encoding="utf-8")

    assert [r[:2] for r in rows(window.visits.table)] == [["IPS-17", "PP-2026-0640"]]
    window.visits.table.selectRow(0)
    assert "Where: 14 Victoria Road, Exeter EX4 6PQ" in window.visits.detail.toPlainText()
    assert "Are there animals at the house?" in window.visits.detail.toPlainText() or \
        "animals" in window.visits.detail.toPlainText().lower()
    window.visits.checks.setPlainText("Case file checked: nothing of concern.")
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    window.visits.approve()
    qtbot.waitUntil(lambda: not window.visits.sending, timeout=20000)
    assert window.visits.table.rowCount() == 0
    heard: list[str] = []
    app.sync.office_spoke.connect(heard.extend)
    send(app, qtbot)
    assert app.visits.visits.get(rid).visit.state is State.APPROVED
    assert heard == ["The office approved your visit for case PP-2026-0640."]

    # A claim: the office opens it with its receipt, then returns it with a reason.
    from receipt_files import photo

    from ips_desktop.domain.claim import ClaimMonth, ClaimState, FirstClaimDetails
    from ips_desktop.domain.expenses import Category, ExpenseItem

    clock.now = datetime(2026, 12, 2, 10, 0)
    expenses = app.expenses.expenses
    nov = ClaimMonth(2026, 11)
    item = expenses.add_item(nov, ExpenseItem(date(2026, 11, 3), Category.PARKING, Decimal("3.40"), "Parking"))
    expenses.attach_receipt_data(item, "r.jpg", photo())
    expenses.save_claimant("A. Volunteer", FirstClaimDetails("AB123456C", "", None, date(2026, 9, 1)))
    expenses.submit(nov)
    send(app, qtbot)
    pull(window, qtbot)
    assert rows(window.claims.table) == [["IPS-17", "2026-11", "£3.40", "new"]]
    window.claims.table.selectRow(0)
    assert "Parking" in window.claims.detail.toPlainText()
    saved = window.claims.save_pdf(tmp_path / "claim.pdf")
    assert saved is not None
    assert saved.read_bytes().startswith(b"%PDF")
    window.claims.table.selectRow(0)
    window.claims.mark("returned", "The receipt is unreadable: add a clearer photo.")
    qtbot.waitUntil(lambda: not window.claims.sending, timeout=20000)
    assert rows(window.claims.table)[0][3] == "returned"
    send(app, qtbot)
    assert expenses.status(nov).state is ClaimState.RETURNED


def test_first_run_insists_on_the_key_backup(qtbot, tmp_path: Path) -> None:
    office = OfficeApp(Profile(tmp_path / "office", "office", schema="office"), kdf=lambda: MINIMUM_KDF)
    office.start()
    create = office.dialog
    assert isinstance(create, CreateOfficeDialog)
    qtbot.addWidget(create)
    create.name.setText("Test Parent Partnership")
    create.who.setText("PPO Jane")
    create.first.setText("office passphrase 2026")
    create.second.setText("office passphrase 2027")
    ok = create.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    assert create.error.text().startswith("Type the relay's address (https://…) or the shared folder")
    create.address.setText("relay.council.example")
    ok.click()
    assert create.error.text() == "A relay's address starts with https:// (https://relay.council.example)."
    create.address.setText("http://relay.council.example")
    ok.click()
    assert create.error.text().startswith("A relay's address must start with https://: over plain http://")
    create.address.setText(str(tmp_path / "share"))
    ok.click()
    assert create.error.text() == f"There is no folder {tmp_path / 'share'}. Create it first, or check the path."
    assert not (tmp_path / "share").exists()
    (tmp_path / "share").mkdir()
    ok.click()
    assert create.error.text() == "The two passphrases differ."
    create.second.setText("office passphrase 2026")
    ok.click()
    qtbot.waitUntil(lambda: isinstance(office.dialog, BackupDialog), timeout=20000)
    backup = office.dialog
    assert isinstance(backup, BackupDialog)
    qtbot.addWidget(backup)
    backup.reject()  # Escape: the console does not open without the backup
    assert office.window is None
    assert "once the keys are backed up" in backup.error.text()
    target = tmp_path / "safe" / "office-keys.ipsokb"
    target.parent.mkdir()
    backup.path.setText(str(target))
    backup.first.setText("short")
    backup.second.setText("short")
    assert not backup.write()
    assert "at least 12 characters" in backup.error.text()
    backup.first.setText("harbour lantern violet ninety")
    backup.second.setText("harbour lantern violet ninety")
    assert backup.write()
    assert office.window is not None
    qtbot.addWidget(office.window)
    keys = read_backup(target.read_bytes(), "harbour lantern violet ninety")
    assert keys.root_public == office.console.service.root_public()
    office.shutdown()

    # The next day: the console unlocks straight to the window (the backup is done).
    again = OfficeApp(Profile(tmp_path / "office", "office", schema="office"), kdf=lambda: MINIMUM_KDF)
    again.start()
    unlock = again.dialog
    qtbot.addWidget(unlock)
    unlock.passphrase.setText("wrong passphrase here")
    unlock.attempt()
    qtbot.waitUntil(lambda: unlock.button.isEnabled(), timeout=20000)
    assert again.window is None
    unlock.passphrase.setText("office passphrase 2026")
    unlock.attempt()
    qtbot.waitUntil(lambda: again.window is not None, timeout=20000)
    qtbot.addWidget(again.window)
    assert again.window.windowTitle() == "IPS Office — Test Parent Partnership"
    # A drop-folder office has no relay: the board says plainly that nothing watches visits
    # (not that a relay that does not exist "still runs the ladder").
    again.window.board.refresh()
    qtbot.waitUntil(lambda: again.window.board.not_live.text().startswith("NOTHING WATCHES HOME VISITS"),
                    timeout=10000)
    assert "relay still runs" not in again.window.board.not_live.text()
    assert again.window.board.status.text().startswith("No relay: 0 visits planned today")
    qtbot.waitUntil(lambda: not again.window.pulling, timeout=20000)  # the pull as the console opened
    shutil.rmtree(tmp_path / "share")  # the network drive is not mounted today
    again.window.pull()  # on a worker with its own connection; the share is not there
    qtbot.waitUntil(lambda: not again.window.pulling, timeout=20000)
    assert again.window.pulled.text().startswith("Not pulled: The drop folder")
    (tmp_path / "share").mkdir()
    again.window.pull()
    qtbot.waitUntil(lambda: not again.window.pulling, timeout=20000)
    assert again.window.pulled.text() == "Pulled: 0 new records"
    again.shutdown()


def test_the_console_locks_its_screen_when_left(qtbot, tmp_path: Path) -> None:
    office = OfficeApp(Profile(tmp_path / "office", "office", schema="office"), kdf=lambda: MINIMUM_KDF,
                       idle_ms=400)
    office.start()
    create = office.dialog
    qtbot.addWidget(create)
    create.name.setText("Test Parent Partnership")
    create.who.setText("PPO Jane")
    (tmp_path / "share").mkdir()
    create.address.setText(str(tmp_path / "share"))
    create.first.setText("office passphrase 2026")
    create.second.setText("office passphrase 2026")
    create.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: isinstance(office.dialog, BackupDialog), timeout=20000)
    backup = office.dialog
    backup.path.setText(str(tmp_path / "keys.ipsokb"))
    backup.first.setText("harbour lantern violet ninety")
    backup.second.setText("harbour lantern violet ninety")
    assert backup.write()
    window = office.window
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: office.locked is not None, timeout=5000)
    assert not window.isVisible(), "nothing of the console shows while it is locked"
    lock = office.locked
    assert lock.heading.text() == "<b>The office console is locked.</b>"  # not a volunteer's "notes"
    lock.passphrase.setText("not the passphrase")
    lock.button.click()
    qtbot.waitUntil(lambda: lock.button.isEnabled(), timeout=20000)
    assert lock.message.text().startswith("That passphrase does not open the office console.")
    assert not window.isVisible()
    lock.passphrase.setText("office passphrase 2026")
    lock.button.click()
    qtbot.waitUntil(window.isVisible, timeout=20000)
    assert office.locked is None
    office.shutdown()


def test_the_board_alarms_when_a_visit_is_overdue(qtbot, tmp_path: Path, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The board's real refresh (the lane, the worker's own connection, the relay)."""
    from ladder_world import World
    from relay_support import relay_process

    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    world = World(tmp_path, clock)
    monkeypatch.setenv("IPS_CLOCK_OFFSET_FILE", str(world.offset_file))  # the documented clock input
    with world.smtp() as inbox, \
            relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
        world.connect(url, key, enrol=True)
        console = OfficeConsole(world.office)
        window = OfficeWindow(console, TaskRunner(), Workers.open(world.office_vault.path, world.office_key, clock))
        qtbot.addWidget(window)
        window.set_who("PPO Jane")
        window.show()
        from ips_desktop.ui.office.contacts import ContactsDialog

        contacts = ContactsDialog(console, window)
        contacts.ppo.setText("desk@office.test")
        contacts.family.setPlainText("IPS-11 partner@home.test")
        assert not contacts.save()
        assert "write the IPS code, a colon" in contacts.error.text()
        contacts.family.setPlainText("IPS-11: partner@home.test")
        contacts.manager.setText("not an address")
        assert not contacts.save()
        assert "is neither an e-mail address nor a UK mobile number" in contacts.error.text()
        contacts.manager.setText("manager@office.test")
        contacts.police.setText("duty@office.test, 07700 9001")
        assert not contacts.save()
        assert "“07700 9001” is neither an e-mail address nor a UK mobile number" in contacts.error.text()
        contacts.police.setText("duty@office.test, 07700 900111")  # an SMS to the duty phone as well
        assert contacts.save()
        assert console.contacts()["sms"]["4"] == ["07700 900111"]
        assert "07700 900111" in ContactsDialog(console, window).police.text()
        assert console.readiness("IPS-11") == []
        assert console.readiness("IPS-12") == ["No nominated family contact for IPS-12."]
        due = world.working_day_at(10)  # in office hours: the PPO is told first, alone
        world.move_to(due - 10 * 60)
        world.laptop_watch.open_watch("visit-board-1", due, 5 * 60)
        window.board.refresh()
        qtbot.waitUntil(lambda: window.board.table.rowCount() == 1, timeout=10000)
        assert not window.board.banner.isVisible()
        assert rows(window.board.table)[0][:3] == ["IPS-11", "visit-bo", "out"]
        world.move_to(due + 5 * 60 + 1)
        time.sleep(0.6)
        window.board.refresh()
        qtbot.waitUntil(lambda: window.board.banner.isVisible(), timeout=10000)
        assert window.board.banner.text().startswith("OVERDUE: IPS-11 has not checked in")
        assert [to for to, _, _ in inbox.wait_for(1)] == ["desk@office.test"]  # the contacts set in the console
        assert rows(window.board.table)[0][2] == "OVERDUE"
        window.board.table.selectRow(0)
        window.board.acknowledge()
        assert warnings == []
        qtbot.waitUntil(lambda: not window.board.refreshing, timeout=10000)
        window.board.refresh()
        qtbot.waitUntil(lambda: rows(window.board.table)[0][2] == "acknowledged", timeout=10000)
        assert rows(window.board.table)[0][8] == "PPO Jane"
        assert not window.board.banner.isVisible()
        assert world.office_watch.board()[0].watch.state is WatchState.ACKNOWLEDGED
        window.stop()
    world.vault.close()
    world.office_vault.close()
    _ = timedelta


def test_the_office_policy_reaches_the_laptops(running, console_window, qtbot) -> None:
    from decimal import Decimal

    from ips_desktop.domain.escalation import LadderPolicy
    from ips_desktop.domain.expenses import ExpenseRates
    from ips_desktop.sync.engine import pinned_policy
    from ips_desktop.ui.office.policy import PolicyDialog

    app, clock = running
    window, _ = console_window
    enrol_through_both_windows(app, window, qtbot)
    dialog = PolicyDialog(window.console, window)
    qtbot.addWidget(dialog)
    assert dialog.money["car_first"].text() == "0.45"  # HMRC's default
    dialog.money["car_first"].setText("forty-five")
    assert not dialog.save()
    assert "type an amount like 0.45" in dialog.error.text()
    dialog.money["car_first"].setText("0.50")
    dialog.numbers[("ladder", "family_after")].setValue(18)  # before the office has had its chance
    assert not dialog.save()
    assert "The family contact would be told at 18 minutes, before the office" in dialog.error.text()
    dialog.numbers[("ladder", "family_after")].setValue(30)
    dialog.numbers[("ladder", "police_after")].setValue(25)
    assert not dialog.save()
    assert "The tiers must come in order" in dialog.error.text()
    dialog.cover_until.setText("5pm")
    assert not dialog.save()
    assert "type a time like 09:00" in dialog.error.text()
    dialog.cover_until.setText("17:30")
    dialog.office_phone.setText("01392 383080")
    dialog.numbers[("ladder", "police_after")].setValue(40)
    assert dialog.save()
    send(app, qtbot)
    policy = pinned_policy(app.vault, clock)
    assert ExpenseRates.from_policy(policy).car_first == Decimal("0.50")
    ladder = LadderPolicy.from_policy(policy)
    assert (ladder.police_after, ladder.cover_until.hour, ladder.office_phone) == (40, 17, "01392 383080")


def test_every_console_button_is_announced_by_its_words(console_window) -> None:  # type: ignore[no-untyped-def]
    from .test_button_names import mismatched

    window, _folder = console_window
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
    assert not mismatched(), "\n".join(mismatched())
