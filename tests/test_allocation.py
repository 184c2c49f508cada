"""Cases allocated from the console reach the volunteer's laptop (issue 17, item 4): the checks
before anything is sent, the sealed message through a drop folder, the case and its brief on the
laptop, and the office pointing out notes under a reference never allocated to their laptop."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import Clock
from sync_world import Laptop, Office, enrol, enrolled_world

from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.office import allocation
from ips_desktop.office.console import OfficeConsole
from ips_desktop.office.inbox import pull
from ips_desktop.office.service import OfficeError

BRIEF = "Parent of a Year 4 child; draft EHC plan due 15/12; wants help with the response."


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> tuple[Laptop, Office]:
    return enrolled_world(tmp_path, clock)


def kid_of(office: Office) -> bytes:
    (device,) = office.service.repo.devices()
    return device.device_kid


def note(text: str) -> ContactRecord:
    return ContactRecord(ContactKind.TELEPHONE, datetime(2026, 12, 7, 10, 30), 25, summary=text)


def test_an_allocated_case_appears_on_the_laptop_with_its_brief(world: tuple[Laptop, Office], clock: Clock) -> None:
    laptop, office = world
    console = OfficeConsole(office.service)
    checked = allocation.check(office.service, kid_of(office), " pp-2026-0520 ", "h.t.", BRIEF)
    assert checked.reference == "PP-2026-0520"
    assert checked.initial == "H.T."
    console.allocate_case(checked, "PPO Jane")
    said = laptop.sync.run().office_said
    assert said == ["Your PPO gave you case PP-2026-0520 (parent H.T.): it is in your cases now."]
    (case,) = laptop.book.case_list()
    assert (case.reference, case.open, case.record_count) == ("PP-2026-0520", True, 0)
    given = laptop.book.allocation(case.id)
    assert given is not None
    assert (given.initial, given.brief, given.by) == ("H.T.", BRIEF, "PPO Jane")
    assert laptop.book.search("tribunal") == []
    assert laptop.sync.state.counts().queued == 0  # the brief never goes back

    # A new brief for the same case replaces the old; the case is not duplicated.
    console.allocate_case(allocation.check(office.service, kid_of(office), "PP-2026-0520", "H", "Now: annual "
                                           "review on 20/01."), "PPO Sam")
    assert laptop.sync.run().office_said == ["Your PPO sent a brief for case PP-2026-0520."]
    assert len(laptop.book.case_list()) == 1
    given = laptop.book.allocation(case.id)
    assert given is not None
    assert given.brief == "Now: annual review on 20/01."
    assert len(laptop.book.records.all(kind="allocation")) == 1

    # Notes under it arrive at the office, and are not flagged.
    laptop.book.save(None, case.id, note("Phoned the parent about the draft plan."))
    laptop.sync.run()
    pull(office.service, office.transport)
    assert "PP-2026-0520" in console.cases()
    assert console.unallocated_cases() == set()
    view = console.allocation_of("PP-2026-0520")
    assert view.not_allocated == ()
    assert view.words(console.labels()).startswith("Allocated to IPS-07 on ")
    assert "by PPO Sam; parent H. Brief: Now: annual review" in view.words(console.labels())


def test_notes_under_a_reference_never_allocated_to_their_laptop_are_pointed_out(
        world: tuple[Laptop, Office], clock: Clock) -> None:
    laptop, office = world
    console = OfficeConsole(office.service)
    console.allocate_case(allocation.check(office.service, kid_of(office), "PP-2026-0520", "H", ""), "PPO Jane")
    laptop.sync.run()
    typo = laptop.book.open_case("PP-2026-0502")  # two digits the wrong way round
    laptop.book.save(None, typo, note("Phoned the parent."))
    laptop.sync.run()
    pull(office.service, office.transport)
    assert console.unallocated_cases() == {"PP-2026-0502"}
    view = console.allocation_of("PP-2026-0502")
    assert [label for _kid, label in view.not_allocated] == ["IPS-07"]
    assert "⚠ Not allocated to IPS-07 from this console" in view.words(console.labels())
    # The PPO checks with the volunteer: it was a case given by phone. Allocating clears the flag.
    console.allocate_case(allocation.check(office.service, kid_of(office), "PP-2026-0502", "R", ""), "PPO Jane")
    assert console.unallocated_cases() == set()


@pytest.mark.parametrize(("reference", "initial", "brief", "says"), [
    ("", "H", "", "Type the case reference"),
    ("Sarah Jones", "H", "", "is not a case reference"),
    ("PP-2026-0520", "Helen", "", "the parent's initial"),
    ("PP-2026-0520", "H", "Mrs Okafor rang about her son.", "The brief has “Mrs Okafor”"),
    ("PP-2026-0520", "H", "Ring 07700 900123 after school.", "The brief has “07700 900123”"),
    ("PP-2026-0520", "H", "x" * 601, "Keep the brief to 600 characters"),
])
def test_an_allocation_is_checked_before_anything_is_sent(world: tuple[Laptop, Office], reference: str,
                                                          initial: str, brief: str, says: str) -> None:
    _laptop, office = world
    with pytest.raises(OfficeError, match=says):
        allocation.check(office.service, kid_of(office), reference, initial, brief)
    assert office.service.repo.messages_sent(kid_of(office)) == []


def test_the_offices_format_decides_what_a_reference_is(world: tuple[Laptop, Office]) -> None:
    _laptop, office = world
    office.service.set_policy({"reference_example": "DPPS/123/25"})
    with pytest.raises(OfficeError, match="for example DPPS/123/25"):
        allocation.check(office.service, kid_of(office), "PP-2026-0520", "H", "")
    assert allocation.check(office.service, kid_of(office), "dpps/456/26", "H", "").reference == "DPPS/456/26"


def test_a_revoked_laptop_gets_no_case(tmp_path: Path, clock: Clock) -> None:
    laptop, office = enrolled_world(tmp_path, clock)
    second = enrol(office, tmp_path / "second", clock, "IPS-09")
    revoked = kid_of_label(office, "IPS-07")
    office.service.revoke(revoked)
    with pytest.raises(OfficeError, match=r"IPS-07's laptop was revoked on .* a case cannot go to it"):
        allocation.check(office.service, revoked, "PP-2026-0520", "H", "")
    assert [label for _kid, label in OfficeConsole(office.service).volunteers()] == ["IPS-09"]
    assert second.book.case_list() == []
    assert laptop.book.case_list() == []


def kid_of_label(office: Office, label: str) -> bytes:
    return next(d.device_kid for d in office.service.repo.devices() if d.label == label)


def test_the_brief_goes_when_the_case_is_closed(world: tuple[Laptop, Office], clock: Clock) -> None:
    laptop, office = world
    OfficeConsole(office.service).allocate_case(
        allocation.check(office.service, kid_of(office), "PP-2026-0520", "H", BRIEF), "PPO Jane")
    laptop.sync.run()
    (case,) = laptop.book.case_list()
    clock.now += timedelta(days=400)  # far past any office confirmation count: still there while open
    laptop.sync.run()
    assert laptop.book.allocation(case.id) is not None
    laptop.book.close_case(case.id)
    laptop.sync.run()
    pull(office.service, office.transport)
    laptop.sync.run()
    assert laptop.book.allocation(case.id) is None
    assert laptop.book.records.all(kind="allocation") == []
