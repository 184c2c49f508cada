"""Office → laptop messages through a drop folder, with real vaults on both sides: a visit
approved (with the office's pre-visit check) or refused, a check-in the PPO took by phone, a
claim returned with a reason and then received. Tampered, replayed and misaddressed messages
change nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Clock
from enrolling import enrol_laptop
from receipt_files import photo
from sync_world import Laptop, Office, enrolled_world

from ips_desktop.crypto.office_message import MessageKind
from ips_desktop.domain.claim import ClaimMonth, ClaimState, FirstClaimDetails
from ips_desktop.domain.expenses import Category, ExpenseItem, ExpenseRates
from ips_desktop.domain.visit_flow import CheckInRoute, State
from ips_desktop.domain.visits import Slot, VenueKind
from ips_desktop.office import messages
from ips_desktop.office.inbox import pull
from ips_desktop.reports.receipts import prepare_receipt
from ips_desktop.store.expensebook import ExpenseBook
from ips_desktop.store.visitbook import VisitBook

DAY = datetime(2026, 11, 25, 14, 0)  # a Wednesday


def device_of(office: Office) -> bytes:
    return office.service.repo.devices()[0].device_kid


def home_visit(laptop: Laptop, clock: Clock, reference: str = "PP-2026-0500") -> tuple[VisitBook, str]:
    visits = VisitBook(laptop.book, clock)
    case = laptop.book.open_case(reference)
    rid = visits.plan(case, Slot(VenueKind.PARENT_HOME, DAY, 60), place="14 Victoria Road, Exeter EX4 6PQ",
                      attendees=("parent",))
    return visits, rid


def test_the_office_approves_and_refuses_visits(tmp_path: Path, clock: Clock) -> None:
    laptop, office = enrolled_world(tmp_path, clock)
    visits, rid = home_visit(laptop, clock)
    _, other = home_visit(laptop, clock, "PP-2026-0501")
    laptop.sync.run()
    pull(office.service, office.transport)
    visit_id = visits.get(rid).visit.visit_id
    messages.approve_visit(office.service, office.transport, device_of(office), visit_id, "PPO Jane",
                           checks="Case file checked: nothing of concern.")
    with pytest.raises(messages.OfficeError, match="Say why"):
        messages.refuse_visit(office.service, office.transport, device_of(office), "x", "PPO Jane", " ")
    messages.refuse_visit(office.service, office.transport, device_of(office), visits.get(other).visit.visit_id,
                          "PPO Jane", "A previous incident at this address: meet at the library instead.")
    result = laptop.sync.run()
    approved = visits.get(rid).visit
    assert (approved.state, approved.approved_by, approved.approved_how) == (State.APPROVED, "PPO Jane",
                                                                             "office message")
    refused = visits.get(other).visit
    assert refused.state is State.REFUSED
    assert refused.refused_reason == "A previous incident at this address: meet at the library instead."
    assert result.office_said == ["The office approved your visit for case PP-2026-0500.",
                                  "The office refused your visit for case PP-2026-0501: A previous incident at "
                                  "this address: meet at the library instead."]
    assert list(office.transport.root.glob("messages/*/*.msg")) == []  # taken once applied
    sent = office.service.repo.messages_sent(device_of(office))
    assert [(kind, subject) for _, kind, subject, _ in sent] == [("visit_approved", visit_id),
                                                                 ("visit_refused", visits.get(other).visit.visit_id)]


def test_a_check_in_the_ppo_took_by_phone_reaches_the_laptop(tmp_path: Path, clock: Clock) -> None:
    laptop, office = enrolled_world(tmp_path, clock)
    visits, rid = home_visit(laptop, clock)
    visits.approve_by_phone(rid, "PPO")
    clock.now = DAY - timedelta(minutes=10)
    visits.check_out(rid)
    messages.record_phone_check_in(office.service, office.transport, device_of(office),
                                   visits.get(rid).visit.visit_id, "PPO Jane")
    clock.now = DAY + timedelta(minutes=65)
    laptop.sync.run()
    visit = visits.get(rid).visit
    assert (visit.state, visit.check_in_route) == (State.IN, CheckInRoute.PPO_RECORDED)


def test_a_claim_returned_with_a_reason_opens_for_changes_then_is_received(tmp_path: Path, clock: Clock) -> None:
    clock.now = datetime(2026, 12, 2, 10, 0)
    laptop, office = enrolled_world(tmp_path, clock)
    expenses = ExpenseBook(laptop.book, clock, ExpenseRates, prepare_receipt)
    nov = ClaimMonth(2026, 11)
    item = expenses.add_item(nov, ExpenseItem(date(2026, 11, 3), Category.PARKING, Decimal("3.40"), "Parking"))
    expenses.attach_receipt_data(item, "r.jpg", photo())
    expenses.save_claimant("A. Volunteer", FirstClaimDetails("AB123456C", "", None, date(2026, 9, 1)))
    expenses.submit(nov)
    laptop.sync.run()
    pull(office.service, office.transport)
    with pytest.raises(messages.OfficeError, match="Say why the claim is returned"):
        messages.claim_status(office.service, office.transport, device_of(office), nov.key, "returned", "PPO")
    messages.claim_status(office.service, office.transport, device_of(office), nov.key, "returned", "PPO Jane",
                          "The parking receipt is unreadable: add a clearer photo.")
    said = laptop.sync.run().office_said
    assert said == ["The office has returned your November 2026 claim: The parking receipt is unreadable: add a "
                    "clearer photo."]
    status = expenses.status(nov)
    assert (status.state, status.reason) == (ClaimState.RETURNED, "The parking receipt is unreadable: add a "
                                                                  "clearer photo.")
    expenses.attach_receipt_data(item, "clearer.jpg", photo(text="CAR PARK 3.40 CLEAR"))  # open again
    expenses.submit(nov)
    laptop.sync.run()
    pull(office.service, office.transport)
    messages.claim_status(office.service, office.transport, device_of(office), nov.key, "received", "PPO Jane")
    laptop.sync.run()
    assert expenses.status(nov).state is ClaimState.RECEIVED


def test_tampered_replayed_and_misaddressed_messages_change_nothing(tmp_path: Path, clock: Clock,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    laptop, office = enrolled_world(tmp_path, clock)
    visits, rid = home_visit(laptop, clock)
    laptop.sync.run()
    pull(office.service, office.transport)
    device = device_of(office)
    visit_id = visits.get(rid).visit.visit_id
    messages.approve_visit(office.service, office.transport, device, visit_id, "PPO Jane")
    [path] = office.transport.root.glob("messages/*/*.msg")
    good = path.read_bytes()
    tampered = bytearray(good)
    tampered[-70] ^= 1  # inside the ciphertext
    path.write_bytes(bytes(tampered))
    laptop.sync.run()
    assert visits.get(rid).visit.state is State.PLANNED
    assert "office message refused" in [e.event for e in laptop.book.audit.entries()]

    # Sealed to another laptop, dropped in this one's folder: not for us.
    stranger = Laptop(tmp_path / "stranger", clock)
    enrol_laptop(stranger.sync, office.service, office.transport, office.service.make_invite("IPS-99").code())
    other = next(d.device_kid for d in office.service.repo.devices() if d.device_kid != device)
    messages.approve_visit(office.service, office.transport, other, visit_id, "PPO Jane")
    [misaddressed] = office.transport.root.glob(f"messages/{other.hex()}/*.msg")
    (office.transport.root / "messages" / device.hex() / misaddressed.name).write_bytes(misaddressed.read_bytes())
    laptop.sync.run()
    assert visits.get(rid).visit.state is State.PLANNED

    # The genuine approval, then the same bytes again: applied once.
    from ips_desktop.sync.office_messages import MessageApplier

    applied: list[MessageKind] = []
    original = MessageApplier._apply
    monkeypatch.setattr(MessageApplier, "_apply",
                        lambda self, book, message: applied.append(message.kind) or original(self, book, message))
    messages.approve_visit(office.service, office.transport, device, visit_id, "PPO Jane")
    [genuine] = office.transport.root.glob(f"messages/{device.hex()}/*.msg")
    replay = genuine.read_bytes()
    laptop.sync.run()
    assert visits.get(rid).visit.state is State.APPROVED
    assert applied == [MessageKind.VISIT_APPROVED]
    genuine.write_bytes(replay)
    laptop.sync.run()
    assert applied == [MessageKind.VISIT_APPROVED]  # the replay was never applied
    assert not genuine.exists()

