"""Sealed sync end to end through a drop folder: real SQLCipher vaults on both sides.

Enrol a laptop (both sides show the same six digits), send notes, papers and a Level 1
tally, the office opens and verifies them, receipts come back, and the laptop purges on
schedule — after which the canary is nowhere in the data directory, not even in the
decrypted pages of the vault.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import PASSPHRASE, Clock, files_containing
from sqlcipher_pages import decrypt_pages
from sync_world import Laptop, Office, enrol, enrolled_world

from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.domain.records import ContactKind, ContactRecord, Level1Contact, Level1Focus, PapersHeld
from ips_desktop.office.inbox import pull
from ips_desktop.store.casebook import CaseBook, InputError
from ips_desktop.sync.engine import DeviceSync
from ips_desktop.sync.transport import Busy, FolderTransport

CANARY = "Canary-Wombat-5532"


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> tuple[Laptop, Office]:
    return enrolled_world(tmp_path, clock)


def note(text: str) -> ContactRecord:
    return ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 10, 30), 25, summary=text)


def test_records_reach_the_office_and_are_purged_on_schedule(world: tuple[Laptop, Office], clock: Clock) -> None:
    laptop, office = world
    case = laptop.book.open_case("PP-2026-1234")
    note_id = laptop.book.save(None, case, note(f"Parent rang about the annual review. {CANARY}"))
    papers_id = laptop.book.save(None, case, PapersHeld("Copy of the draft EHC plan", clock.now.date()))
    laptop.book.add_level1(Level1Contact(clock.now.date(), "school admissions", "", Level1Focus.PARENT))

    sent = laptop.sync.run()
    assert (sent.status, sent.sealed, sent.sent) == ("ok", 3, 3)
    assert laptop.sync.state.counts().waiting_for_office == 3

    pulled = pull(office.service, office.transport)
    assert (pulled.verified, pulled.rejected, pulled.dropped) == (3, 0, 0)
    held = office.service.repo.records("PP-2026-1234")
    assert {r.record_type for r in held} == {"contact", "papers"}
    assert any(CANARY in r.content["body"]["summary"] for r in held if r.record_type == "contact")

    back = laptop.sync.run()
    assert back.verified == 3
    assert laptop.sync.state.counts().waiting_for_office == 0
    assert laptop.book.record(note_id)  # verified, but kept while the case is open

    record_keys = [bytes(r[0]) for r in laptop.vault.query("SELECT key FROM record_keys")]
    clock.now += timedelta(days=31)
    later = laptop.sync.run()
    assert later.purged == 1  # the Level 1 tally; the note stays with its open case, the papers until returned
    assert laptop.book.record(note_id)
    reasons = {d.record_id: d.why for d in laptop.sync.decisions()}
    assert "kept while the case is open" in reasons[note_id]
    laptop.book.close_case(case)
    assert laptop.sync.run().purged == 1  # the note goes with the closed case
    pull(office.service, office.transport)  # the office is told the case is closed, papers still out
    closing = [r for r in office.service.repo.records("PP-2026-1234") if r.record_type == "case_status"]
    assert [(r.content["body"]["closed"], r.content["body"]["papers_held"]) for r in closing] == [(True, 1)]
    assert laptop.sync.run().purged == 1  # that message, once the office confirmed it
    remaining = {r.id for r in laptop.book.records.all()}
    assert remaining == {papers_id}
    reasons = {d.record_id: d.why for d in laptop.sync.decisions()}
    assert "returned with proof of posting" in reasons[papers_id]

    # The office filed signed certificates of deletion for all three (the tally, the note, the closing).
    pull(office.service, office.transport)
    device = office.service.repo.devices()[0]
    assert sum(n for _, _, n in office.service.repo.purge_certificates(device.device_kid)) == 3

    live = laptop.vault.query_one("SELECT key FROM record_keys WHERE record_id = ?", (papers_id,))
    laptop.vault.close()
    assert files_containing(laptop.profile.dir, CANARY.encode()) == []
    pages = b"".join(decrypt_pages(laptop.profile.vault_path, laptop.db_key))
    assert b"wombat" not in pages  # the search index's token went with the note
    assert [k for k in record_keys if k in pages] == [bytes(live[0])]  # only the papers' key remains


def test_nothing_is_purged_without_the_offices_receipt(world: tuple[Laptop, Office], clock: Clock) -> None:
    laptop, _ = world
    case = laptop.book.open_case("PP-2026-2000")
    kept = laptop.book.save(None, case, note("A note the office never received."))
    laptop.book.close_case(case)
    laptop.sync.run()
    clock.now += timedelta(days=400)
    result = laptop.sync.run()
    assert result.purged == 0
    assert laptop.book.record(kept)
    why = {d.record_id: d.why for d in laptop.sync.decisions()}[kept]
    assert "office confirms" in why


def test_an_edit_is_sent_again_and_supersedes_the_first(world: tuple[Laptop, Office], clock: Clock) -> None:
    laptop, office = world
    case = laptop.book.open_case("PP-2026-3000")
    rid = laptop.book.save(None, case, note("First version."))
    laptop.sync.run()
    pull(office.service, office.transport)
    laptop.book.save(rid, case, note("Second version, corrected."))
    laptop.sync.run()
    pull(office.service, office.transport)
    held = office.service.repo.records("PP-2026-3000")
    assert len(held) == 2
    assert held[1].supersedes == held[0].record_id


def test_a_closed_case_is_purged_once_verified(world: tuple[Laptop, Office], clock: Clock) -> None:
    laptop, office = world
    case = laptop.book.open_case("PP-2026-4000")
    rid = laptop.book.save(None, case, note("Final meeting; case closing."))
    laptop.book.close_case(case)
    laptop.sync.run()
    pull(office.service, office.transport)
    result = laptop.sync.run()
    assert result.purged == 2  # the note, and the message telling the office the case is closed
    assert laptop.book.records.all() == []
    assert rid not in {r.id for r in laptop.book.records.all()}


def test_a_missing_drop_folder_keeps_records_queued(world: tuple[Laptop, Office], tmp_path: Path,
                                                    clock: Clock) -> None:
    laptop, _ = world
    case = laptop.book.open_case("PP-2026-5000")
    laptop.book.save(None, case, note("Written while the USB stick is out."))
    (tmp_path / "share").rename(tmp_path / "share-away")
    result = laptop.sync.run()
    assert result.status == "offline"
    assert "not available" in result.message
    assert laptop.sync.state.counts().waiting_for_office == 1  # sealed and held, not lost
    (tmp_path / "share-away").rename(tmp_path / "share")
    clock.now += timedelta(hours=2)
    assert laptop.sync.run().sent == 1


def test_the_offices_policy_reaches_the_laptop(world: tuple[Laptop, Office], clock: Clock) -> None:
    """The office may set 0 days for an open case's notes (DESIGN §5): the signed bundle carries it."""
    laptop, office = world
    office.transport.publish_bundle(office.service.set_policy({"retention": {"open_case_max_days": 0}}))
    case = laptop.book.open_case("PP-2026-6000")
    rid = laptop.book.save(None, case, note("Removed as soon as the office has it."))
    laptop.sync.run()
    assert laptop.sync.policy().open_case_max_days == 0
    pull(office.service, office.transport)
    assert laptop.sync.run().purged == 1
    assert rid not in {r.id for r in laptop.book.records.all()}


def test_an_open_cases_notes_outlast_30_days_and_go_the_policys_days_after_it_closes(
        world: tuple[Laptop, Office], clock: Clock) -> None:
    """A term-long case keeps its first month's notes; closing it starts the office's count."""
    laptop, office = world
    office.transport.publish_bundle(office.service.set_policy({"retention": {"closed_case_days": 7}}))
    case = laptop.book.open_case("PP-2026-6050")
    rid = laptop.book.save(None, case, note("First meeting: agreed to ring the SENCO."))
    laptop.sync.run()
    pull(office.service, office.transport)
    assert laptop.sync.run().verified == 1
    clock.now += timedelta(days=45)
    assert laptop.sync.run().purged == 0
    assert laptop.book.record(rid)
    laptop.book.close_case(case)
    clock.now += timedelta(days=6, hours=23)
    assert laptop.sync.run().purged == 0
    assert "removed 7 days after closing" in {d.record_id: d.why for d in laptop.sync.decisions()}[rid]
    clock.now += timedelta(hours=1)
    assert laptop.sync.run().purged == 1
    assert rid not in {r.id for r in laptop.book.records.all()}


def test_later_record_types_travel_and_wait_for_their_rules(world: tuple[Laptop, Office], clock: Clock) -> None:
    laptop, office = world
    case = laptop.book.open_case("PP-2026-6100")
    with laptop.vault.transaction():
        for kind in ("visit_plan", "expense_claim", "incident"):
            laptop.book.records.enqueue(laptop.book.records.put(None, case, kind, {"type": kind}, "saved", ""))
    laptop.sync.run()
    pull(office.service, office.transport)
    result = laptop.sync.run()
    assert result.verified == 3
    assert result.purged == 1  # the incident report goes once the PPO holds it
    assert {r.kind for r in laptop.book.records.all()} == {"visit_plan", "expense_claim"}


def test_a_restored_backup_that_reuses_a_sequence_number_is_a_fork(world: tuple[Laptop, Office],
                                                                     tmp_path: Path, clock: Clock) -> None:
    """A laptop restored from an old copy seals a different envelope under a number already
    used: the office refuses it, says why, and raises an alert."""
    laptop, office = world
    case = laptop.book.open_case("PP-2026-6200")
    laptop.book.save(None, case, note("First note."))
    laptop.vault.checkpoint()
    copy = tmp_path / "vault-copy.db"
    copy.write_bytes(laptop.profile.vault_path.read_bytes())
    laptop.sync.run()
    pull(office.service, office.transport)
    laptop.vault.close()
    copy.replace(laptop.profile.vault_path)  # the old copy comes back
    secrets = laptop.profile.unlock(PASSPHRASE, clock)
    laptop.vault = laptop.profile.open_vault(secrets)
    laptop.book = CaseBook(laptop.vault, clock)
    laptop.sync = DeviceSync(laptop.vault, DeviceKeys.from_seed(secrets.device_seed),
                             lambda address: FolderTransport(Path(address)), clock)
    laptop.book.save(None, case, note("A different note sealed under the same number."))
    laptop.sync.run()
    result = pull(office.service, office.transport)
    assert result.rejected >= 1
    assert any(a.kind == "fork" for a in office.service.repo.alerts())
    back = laptop.sync.run()
    assert any("same sequence number" in r for r in back.rejected)
    assert laptop.sync.state.counts().rejected >= 1  # kept on the laptop, and the status bar says why


class SlowDownAt(FolderTransport):
    """The office's side of the drop folder, asked to slow down at one kind of request: the
    relay's rate limit, which this test needs at an exact step (the relay test meets it by load)."""

    def __init__(self, root: Path, step: str) -> None:
        super().__init__(root)
        self.step = step

    def purge_certificates(self):  # type: ignore[no-untyped-def]
        if self.step == "purge":
            raise Busy("Too many requests; slow down and try again shortly.")
        return super().purge_certificates()

    def publish_bundle(self, data: bytes) -> None:
        if self.step == "start":
            raise Busy("Too many requests; slow down and try again shortly.")
        super().publish_bundle(data)


def test_a_slow_down_after_the_records_keeps_them_and_says_more_are_waiting(
        world: tuple[Laptop, Office], tmp_path: Path) -> None:
    """The relay asking to slow down when the envelopes are opened (at the purge certificates)
    or before anything (the first request) is not a failed pull: what was opened is kept and
    counted, and the console is told to pull again."""
    laptop, office = world
    case = laptop.book.open_case("PP-2026-5001")
    laptop.book.save(None, case, note("Sent just before the relay got busy."))
    assert laptop.sync.run().sent == 1
    first = pull(office.service, SlowDownAt(tmp_path / "share", "start"))
    assert (first.verified, first.more_waiting) == (0, True)
    second = pull(office.service, SlowDownAt(tmp_path / "share", "purge"))
    assert (second.verified, second.more_waiting) == (1, True)
    assert [r.case_ref for r in office.service.repo.records()] == ["PP-2026-5001"]
    third = pull(office.service, office.transport)
    assert (third.verified, third.more_waiting) == (0, False)


def test_the_offices_reference_format_reaches_laptops(tmp_path: Path, clock: Clock) -> None:
    """Set in the office policy, carried at enrolment and by a later bundle; the first-run guess
    is replaced, and a reference of another shape is refused."""
    folder = tmp_path / "share"
    folder.mkdir()
    office = Office(tmp_path / "office", clock, folder)
    office.transport.publish_bundle(office.service.set_policy({"reference_example": "dpps/123/25"}))
    laptop = enrol(office, tmp_path / "laptop", clock, "IPS-08")
    assert laptop.book.settings.reference_format.example == "DPPS/123/25"
    assert laptop.book.open_case("DPPS/456/26")
    with pytest.raises(InputError, match="for example DPPS/123/25"):
        laptop.book.open_case("PP-2026-0142")
    assert "reference format from the office" in [e.event for e in laptop.book.audit.entries()]

    office.transport.publish_bundle(office.service.set_policy({"reference_example": "PP-2026-0142"}))
    laptop.sync.run()
    assert laptop.book.settings.reference_format.example == "PP-2026-0142"
    office.transport.publish_bundle(office.service.set_policy({"reference_example": "!!"}))  # not a reference
    laptop.sync.run()
    assert laptop.book.settings.reference_format.example == "PP-2026-0142"  # kept
