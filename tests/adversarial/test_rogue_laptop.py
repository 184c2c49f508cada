"""Issue 14, items 1 and 2: an enrolled laptop turned hostile (its keys in an attacker's hands)
against the real office core: real SQLCipher vaults, the real enrolment, a real drop folder.

The attacker seals and signs envelopes with the laptop's own device key, so every signature
check passes; what it controls is the header (sequence number, record id) and the content
(which record an edit "supersedes"). Record ids travel in the clear in envelope headers, so
another volunteer's ids are known to anyone who can read the relay or the drop folder.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from conftest import Clock
from sync_world import Laptop, Office, enrol, enrolled_world

from ips_desktop.crypto import envelope, office_keys
from ips_desktop.crypto.envelope import ZERO_HASH, RecordContent
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.domain.risk import Factor
from ips_desktop.domain.visits import Slot, VenueKind
from ips_desktop.office.console import OfficeConsole
from ips_desktop.office.inbox import pull
from ips_desktop.store.visitbook import VisitBook
from ips_desktop.sync.transport import FolderTransport


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> tuple[Laptop, Laptop, Office]:
    rogue, office = enrolled_world(tmp_path, clock)
    honest = enrol(office, tmp_path / "honest", clock, "IPS-08")
    return rogue, honest, office


class Forger:
    """Envelopes signed with a stolen laptop key, delivered straight into the drop folder."""

    def __init__(self, laptop: Laptop, office: Office, folder: Path, clock: Clock) -> None:
        self.keys, self.clock = laptop.keys, clock
        self.bundle = office_keys.open_bundle(office.service.bundle(), office.service.root_public())
        self.transport = FolderTransport(folder)

    def content(self, *, supersedes: bytes | None = None, record_type: str = "contact",
                case_ref: str = "PP-2026-0900", body: dict | None = None) -> RecordContent:
        now = int(self.clock.now.timestamp())
        note = ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 10, 0), 5, summary="Forged.")
        return RecordContent(record_type, case_ref, now, now, "keep", body or note.to_dict(), supersedes)

    def send(self, seq: int, prev_hash: bytes, record_id: bytes, content: RecordContent) -> bytes:
        data = envelope.seal(content, device_key=self.keys.signing, bundle=self.bundle, seq=seq,
                             prev_hash=prev_hash, record_id=record_id, now=int(self.clock.now.timestamp()),
                             sender_kid=self.keys.kid)
        self.transport.deliver(self.keys.kid, seq, data)
        return envelope.envelope_hash(data)


def test_two_signed_envelopes_with_one_record_id_are_refused_and_the_inbox_goes_on(
        world: tuple[Laptop, Laptop, Office], tmp_path: Path, clock: Clock) -> None:
    """Item 1. Before: the second INSERT hit the record id's primary key, receive() let the
    error out, the envelope was never marked done and, listed first on every pull, stopped
    the office opening anything from anybody."""
    rogue, honest, office = world
    forger = Forger(rogue, office, tmp_path / "share", clock)
    same_id = os.urandom(16)
    first = forger.send(1, ZERO_HASH, same_id, forger.content())
    forger.send(2, first, same_id, forger.content())
    case = honest.book.open_case("PP-2026-0901")
    honest.book.save(None, case, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 21, 9, 0), 10,
                                               summary="A real call about the annual review."))
    assert honest.sync.run().sent == 1

    result = pull(office.service, office.transport)  # raised VaultConflictError before the fix

    assert result.verified == 2  # the rogue's first envelope and the honest record
    assert result.rejected == 1
    assert office.transport.waiting_envelopes() == []  # nothing left to block the next pull
    alerts = [a for a in office.service.repo.alerts() if a.device_kid == rogue.keys.kid]
    assert any("already holds" in a.detail for a in alerts), [a.detail for a in alerts]
    cases = {r.case_ref for r in office.service.repo.records()}
    assert "PP-2026-0901" in cases
    again = pull(office.service, office.transport)
    assert (again.verified, again.rejected) == (0, 0)


def test_a_rogue_laptop_cannot_hide_another_volunteers_visit_plan(
        world: tuple[Laptop, Laptop, Office], tmp_path: Path, clock: Clock) -> None:
    """Item 2. Before: ``supersedes`` was honoured across devices, so an "edit" from the rogue
    laptop naming the honest volunteer's plan (its id read from the envelope header) took the
    plan off "Visits to approve", and the overdue pack then had no address for the police."""
    rogue, honest, office = world
    console = OfficeConsole(office.service)
    visits = VisitBook(honest.book, clock)
    case = honest.book.open_case("PP-2026-0902")
    visits.plan(case, Slot(VenueKind.PARENT_HOME, datetime(2026, 11, 25, 14, 0), 60),
                place="14 Victoria Road, Exeter EX4 6PQ", attendees=("parent",), risk=frozenset({Factor.ANIMALS}))
    assert honest.sync.run().sent == 1
    pull(office.service, office.transport)
    (plan,) = office.service.repo.records(record_types=("visit_plan",))
    assert [p.reference for p in console.plans_to_approve()] == ["PP-2026-0902"]

    forger = Forger(rogue, office, tmp_path / "share", clock)
    header_id = honest.sync.state.all()[-1].envelope_id  # what the drop folder or the relay shows of it
    # The same plan "edited" by the rogue, and a note of another type and case naming it too.
    first = forger.send(1, ZERO_HASH, os.urandom(16), forger.content(
        supersedes=header_id, record_type="visit_plan", case_ref="PP-2026-0902", body=plan.content["body"]))
    forger.send(2, first, os.urandom(16), forger.content(supersedes=header_id))
    pull(office.service, office.transport)

    honest_plans = [p for p in console.plans_to_approve() if p.device_kid == honest.keys.kid]
    assert [p.reference for p in honest_plans] == ["PP-2026-0902"], "the honest plan is still to approve"
    newest = office.service.repo.records(record_types=("visit_plan",), newest_only=True)
    assert plan.record_id in {r.record_id for r in newest}, "and still the newest version of itself"
    alerts = [a.detail for a in office.service.repo.alerts() if a.device_kid == rogue.keys.kid]
    assert sum("another laptop's record" in d for d in alerts) == 2, alerts


def test_a_rogue_laptop_cannot_take_another_volunteers_record_id_first(
        world: tuple[Laptop, Laptop, Office], tmp_path: Path, clock: Clock) -> None:
    """Item 1, the rest. Before: record ids were one namespace for every laptop, so a rogue
    laptop that read the honest volunteer's record id from an envelope header, and was opened
    first, had the honest record refused as a duplicate (a visit plan off "Visits to approve").
    Now each laptop's ids are its own; both records are kept and the PPO is told."""
    rogue, honest, office = world
    case = honest.book.open_case("PP-2026-0903")
    honest.book.save(None, case, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 9, 0), 10,
                                               summary="The honest note."))
    assert honest.sync.run().sent == 1  # in the drop folder, its header readable
    header_id = honest.sync.state.all()[-1].envelope_id

    forger = Forger(rogue, office, tmp_path / "share", clock)
    stolen = envelope.seal(forger.content(case_ref="PP-2026-0903"), device_key=rogue.keys.signing,
                           bundle=forger.bundle, seq=1, prev_hash=ZERO_HASH, record_id=header_id,
                           now=int(clock.now.timestamp()), sender_kid=rogue.keys.kid)
    assert office.service.receive(stolen).outcome == "verified"  # opened first: the rogue's copy
    assert pull(office.service, office.transport).verified == 1  # then the honest one, kept too

    honest.sync.run()
    assert honest.sync.state.counts().verified == 1  # the honest laptop hears VERIFIED, not "refused"
    kept = office.service.repo.records(case_ref="PP-2026-0903")
    assert sorted(r.device_kid for r in kept) == sorted([rogue.keys.kid, honest.keys.kid])
    assert any(a.kind == "record id used twice" for a in office.service.repo.alerts())
