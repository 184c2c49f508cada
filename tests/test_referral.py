"""Records with no case (issue 17, items 5 and 6). A family's referral: the same working day's
deadline, the two fields that may carry a name and a number, the office's queue, and the laptop's
copy gone after the receipt. An event's summary for the PPO."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Clock, files_containing
from sync_world import Laptop, Office, enrolled_world

from ips_desktop.domain.records import EventSummary, PapersHeld
from ips_desktop.domain.referral import Approach, Referral, deadline, deadline_words
from ips_desktop.office import allocation
from ips_desktop.office.console import OfficeConsole
from ips_desktop.office.inbox import pull
from ips_desktop.office.service import OfficeError
from ips_desktop.store.casebook import InputError, UnresolvedFindings

NAME = "Zebedee Quartermaine"
PHONE = "01392 383999"
NEED = "Worried the school is not meeting the child's needs; asks about an EHC needs assessment."


def referral(at: datetime = datetime(2026, 12, 7, 11, 0), **kw) -> Referral:  # type: ignore[no-untyped-def]
    fields = {"parent_name": NAME, "phone": PHONE, "approached_at": at, "approach": Approach.EVENT,
              "need": NEED, "parent_agreed": True} | kw
    return Referral(**fields)


@pytest.mark.parametrize(("at", "due"), [
    (datetime(2026, 12, 7, 11, 0), datetime(2026, 12, 7, 17, 0)),     # Monday morning: that day
    (datetime(2026, 12, 7, 17, 30), datetime(2026, 12, 8, 17, 0)),    # after five: the next working day
    (datetime(2026, 12, 12, 10, 0), datetime(2026, 12, 14, 17, 0)),   # Saturday: Monday
    (datetime(2026, 12, 24, 18, 0), datetime(2026, 12, 29, 17, 0)),   # Christmas Eve evening: past two bank holidays
])
def test_the_same_working_days_deadline(at: datetime, due: datetime) -> None:
    assert deadline(at) == due


def test_the_deadline_in_words() -> None:
    due = datetime(2026, 12, 7, 17, 0)
    assert deadline_words(due, datetime(2026, 12, 7, 12, 0)) == "by 17:00 today"
    assert deadline_words(due, datetime(2026, 12, 6, 12, 0)) == "by 17:00 tomorrow"
    assert deadline_words(due, datetime(2026, 12, 4, 12, 0)) == "by 17:00 on Monday 7 December"
    assert deadline_words(due, datetime(2026, 12, 7, 17, 5)).startswith("it was due by 17:00 on Monday 7 December")


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> tuple[Laptop, Office]:
    return enrolled_world(tmp_path, clock)


def test_what_a_referral_must_have(world: tuple[Laptop, Office]) -> None:
    laptop, _office = world
    with pytest.raises(InputError, match="parent's telephone number"):
        laptop.book.send_referral(referral(phone="ring me"))
    with pytest.raises(InputError, match="parent's name"):
        laptop.book.send_referral(referral(parent_name="  "))
    with pytest.raises(InputError, match="give them the office's number to ring instead"):
        laptop.book.send_referral(referral(parent_agreed=False))
    # A name in the free text beyond the two fields is screened like any record.
    with pytest.raises(UnresolvedFindings) as found:
        laptop.book.send_referral(referral(need="Mrs Okafor said her son is unhappy."))
    assert [f.field for f in found.value.findings] == ["need"]
    assert laptop.book.referrals_held() == []
    assert laptop.sync.state.counts().queued == 0


def test_a_referral_reaches_the_office_and_leaves_the_laptop(world: tuple[Laptop, Office], tmp_path: Path) -> None:
    laptop, office = world
    # Something queued before it: the referral still goes.
    laptop.book.save(None, laptop.book.open_case("PP-2026-0001"), PapersHeld("EP report", date(2026, 12, 1)))
    record_id = laptop.book.send_referral(referral())
    assert [r.parent_name for _id, r in laptop.book.referrals_held()] == [NAME]
    assert laptop.book.search("Quartermaine") == []  # never indexed
    assert laptop.sync.run().sent == 2
    pull(office.service, office.transport)
    console = OfficeConsole(office.service)
    (shown,) = console.referrals()
    assert (shown.parent_name, shown.phone, shown.label, shown.need) == (NAME, PHONE, "IPS-07", NEED)
    assert shown.state == "new: ring the family"
    assert shown.approached_words == "07/12/2026 11:00"

    result = laptop.sync.run()  # the office's receipt: the laptop's copy goes
    assert result.purged >= 1
    assert laptop.book.referrals_held() == []
    assert record_id not in {r.id for r in laptop.book.records.all()}
    laptop.vault.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert files_containing(laptop.profile.dir, NAME.encode()) == []

    # The PPO rings the family and allocates the case to the volunteer.
    (kid,) = [d.device_kid for d in office.service.repo.devices()]
    checked = allocation.check(office.service, kid, "PP-2026-0600", "Z", NEED)
    console.allocate_referral(shown.record_id, checked, "PPO Jane")
    (shown,) = console.referrals()
    assert shown.state.startswith("allocated as PP-2026-0600 on ")
    assert laptop.sync.run().office_said == ["Your PPO gave you case PP-2026-0600 (parent Z): it is in your cases now."]
    with pytest.raises(OfficeError, match="Say how it was dealt with"):
        console.referral_dealt_with(shown.record_id, " ", "PPO Jane")


def test_an_event_summary_goes_to_the_office_with_no_case(world: tuple[Laptop, Office]) -> None:
    """Handbook, at events: "Email your PPO a brief summary of the event or contacts made"."""
    laptop, office = world
    summary = EventSummary(date(2026, 12, 5), "coffee morning at the children's centre",
                           "Talked to six parents about EHC needs assessments; two asked for leaflets.",
                           Decimal("2.5"), 1)
    with pytest.raises(InputError, match="Say what the event was"):
        laptop.book.send_event_summary(EventSummary(date(2026, 12, 5), " ", "x"))
    with pytest.raises(UnresolvedFindings):
        laptop.book.send_event_summary(EventSummary(date(2026, 12, 5), "drop-in", "Met Mrs Okafor there."))
    record_id = laptop.book.send_event_summary(summary)
    assert laptop.book.record(record_id).case_id is None
    laptop.sync.run()
    pull(office.service, office.transport)
    (event,) = OfficeConsole(office.service).events()
    assert event.case_ref is None
    assert EventSummary.from_dict(event.content["body"]) == summary
    laptop.sync.run()
    assert record_id not in {r.id for r in laptop.book.records.all()}  # the office has it
