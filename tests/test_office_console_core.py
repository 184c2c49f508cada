"""The console's core over real vaults and a drop folder: records by case, home-visit plans
waiting for the PPO (answered ones drop off), claims with their entries and status, export."""

from __future__ import annotations

import io
import os
import stat
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Clock
from pypdf import PdfReader
from receipt_files import photo
from sync_world import enrolled_world

from ips_desktop.domain.claim import ClaimMonth, FirstClaimDetails
from ips_desktop.domain.expenses import Category, ExpenseItem, ExpenseRates
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.domain.risk import Factor
from ips_desktop.domain.visit_flow import State
from ips_desktop.domain.visits import Slot, VenueKind
from ips_desktop.office.console import OfficeConsole
from ips_desktop.office.service import OfficeError
from ips_desktop.reports.receipts import prepare_receipt
from ips_desktop.store.expensebook import ExpenseBook
from ips_desktop.store.visitbook import VisitBook


def test_plans_claims_and_cases_at_the_office(tmp_path: Path, clock: Clock) -> None:
    laptop, office = enrolled_world(tmp_path, clock)
    console = OfficeConsole(office.service)
    visits = VisitBook(laptop.book, clock)
    case = laptop.book.open_case("PP-2026-0600")
    laptop.book.save(None, case, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 10, 0), 20,
                                               summary="Talked through the annual review."))
    home = visits.plan(case, Slot(VenueKind.PARENT_HOME, datetime(2026, 11, 25, 14, 0), 60),
                       place="14 Victoria Road, Exeter EX4 6PQ", attendees=("parent",),
                       risk=frozenset({Factor.ANIMALS}))
    visits.plan(case, Slot(VenueKind.PUBLIC, datetime(2026, 11, 26, 10, 0), 60), place="Library, Crediton")
    expenses = ExpenseBook(laptop.book, clock, ExpenseRates, prepare_receipt)
    nov = ClaimMonth(2026, 11)
    item = expenses.add_item(nov, ExpenseItem(date(2026, 11, 3), Category.PARKING, Decimal("3.40"), "Parking"))
    expenses.attach_receipt_data(item, "r.jpg", photo())
    expenses.save_claimant("A. Volunteer", FirstClaimDetails("AB123456C", "", None, date(2026, 9, 1)))
    expenses.submit(nov)
    laptop.sync.run()
    console.pull()

    assert list(console.cases()) == ["PP-2026-0600"]
    assert {r.record_type for r in console.cases()["PP-2026-0600"]} == {"contact", "visit_plan"}
    assert "Talked through the annual review." in console.export_text("PP-2026-0600")
    with pytest.raises(OfficeError, match="No records"):
        console.export_text("PP-2026-9999")

    [plan] = console.plans_to_approve()  # the public-place meeting needs no approval
    late = console.readiness("IPS-07", plan.plan)
    assert late[0].startswith("The office works through a drop folder")
    office.service.set_policy({**office.service.repo.state().policy, "ladder": {"cover_until": "15:30"}})
    office.service.set_relay("https://relay.test/", None)
    gaps = console.readiness("IPS-07", plan.plan)
    assert "No e-mail or mobile for the PPO on the ladder." in gaps
    assert any("after office cover ends at 15:30" in g for g in gaps)  # 14:00 + 60 + 45 = 15:45
    office.service.set_relay(str(office.transport.root), None)
    assert (plan.label, plan.reference) == ("IPS-07", "PP-2026-0600")
    assert plan.plan["risk"] == ["animals"]
    console.approve(plan, "PPO Jane", "Case file checked: nothing of concern.")
    assert console.plans_to_approve() == []
    laptop.sync.run()
    assert visits.get(home).visit.state is State.APPROVED

    [claim] = console.claims()
    assert (claim.label, claim.month, claim.status) == ("IPS-07", "2026-11", "")
    assert claim.claim["totals"]["total"] == "3.40"
    assert [e["item"]["description"] for e in claim.entries] == ["Parking"]
    office_pdf = console.claim_pdf(claim)
    office_pages = [p.extract_text() for p in PdfReader(io.BytesIO(office_pdf)).pages]
    assert "Total claimed £3.40" in office_pages[0].replace("\n", " ")
    assert "R1 · 03/11/2026 · car parking · £3.40" in office_pages[2]  # the receipt came with the record
    console.claim_status(claim, "received", "PPO Jane")
    assert console.claims()[0].status == "received"
    assert console.board() == []  # a drop folder has no board



    case_pdf = PdfReader(io.BytesIO(console.case_pdf("PP-2026-0600")))
    assert "Talked through the annual review." in " ".join(p.extract_text() for p in case_pdf.pages)

    from ips_desktop.domain.incident import IncidentReport

    visits.report_incident(case, IncidentReport(datetime(2026, 11, 23, 9, 30), "Library, Crediton",
                                                "A man shouted at the parent and me; we left."))
    laptop.sync.run()
    console.pull()
    [(label, reference, report)] = console.incidents()
    assert (label, reference, report.hse_deadline) == ("IPS-07", "PP-2026-0600", date(2026, 12, 3))

    pack = console.overdue_pack(laptop_kid(office), visits.get(home).visit.visit_id)
    text = PdfReader(io.BytesIO(pack)).pages[0].extract_text().replace("\n", " ")
    assert "14 Victoria Road, Exeter EX4 6PQ" in text
    assert "IPS-07" in text
    assert "PP-2026-0600" in text
    with pytest.raises(OfficeError, match="has not received this visit's plan"):
        console.overdue_pack(laptop_kid(office), "no-such-visit")


def laptop_kid(office) -> str:  # type: ignore[no-untyped-def]
    return office.service.repo.devices()[0].device_kid.hex()


def test_what_a_volunteer_tells_the_office_reaches_the_ladder_and_leaves_the_laptop(tmp_path: Path,
                                                                                     clock: Clock) -> None:
    from ips_desktop.domain.about_me import AboutMe
    from ips_desktop.store.casebook import InputError

    laptop, office = enrolled_world(tmp_path, clock)
    console = OfficeConsole(office.service)
    with pytest.raises(InputError, match="is not an e-mail address"):
        laptop.book.tell_office_about_me(AboutMe(family_email="my partner"))
    with pytest.raises(InputError, match="type a UK mobile number"):
        laptop.book.tell_office_about_me(AboutMe(mobile="0123"))
    about = AboutMe("Sarah  Jones", "07700 900456", "Ford Fiesta", "blue", "wa12 abc", "red coat",
                    "partner@home.test", "07700 900789")
    assert laptop.book.tell_office_about_me(about) is not None
    assert laptop.book.tell_office_about_me(about) is None  # unchanged: nothing sent
    assert laptop.book.settings.about_me.vehicle == "blue Ford Fiesta, WA12 ABC"
    laptop.sync.run()
    console.pull()
    assert console.contacts()["family"] == {"IPS-07": ["partner@home.test", "+447700900789"]}
    assert console.volunteer_profiles()["IPS-07"] == {"name": "Sarah Jones", "mobile": "+447700900456",
                                                      "vehicle": "blue Ford Fiesta, WA12 ABC",
                                                      "description": "red coat"}
    assert console.volunteer_cards() == {"IPS-07": {"first_name": "Sarah", "mobile": "+447700900456"}}
    assert "No nominated family contact for IPS-07." not in console.readiness("IPS-07")
    laptop.sync.run()  # VERIFIED: the laptop's copy goes
    assert [r.kind for r in laptop.book.records.all()] == []


def test_todays_plans_are_found_by_their_day_and_only_their_newest_version(tmp_path: Path, clock: Clock) -> None:
    """The board's "planned today": the day is kept beside each plan at the office, so only that
    day's plans are opened; a plan moved to another day leaves the first day's list."""
    laptop, office = enrolled_world(tmp_path, clock)
    console = OfficeConsole(office.service)
    visits = VisitBook(laptop.book, clock)
    case = laptop.book.open_case("PP-2026-0601")
    today = datetime(2026, 11, 25, 9, 0)
    kept = visits.plan(case, Slot(VenueKind.PUBLIC, today.replace(hour=10), 60), place="Library, Crediton")
    moved = visits.plan(case, Slot(VenueKind.PUBLIC, today.replace(hour=13), 60), place="Library, Tiverton")
    visits.plan(case, Slot(VenueKind.PUBLIC, datetime(2026, 11, 26, 10, 0), 60), place="Library, Exeter")
    laptop.sync.run()
    console.pull()
    assert sorted(p.plan["place"] for p in console.planned_today(today)) == ["Library, Crediton",
                                                                            "Library, Tiverton"]
    visits.cancel(moved)  # a newer version of that plan supersedes the one the office holds
    laptop.sync.run()
    console.pull()
    assert [p.plan["place"] for p in console.planned_today(today)] == ["Library, Crediton"]
    days = office.service.repo.vault.query("SELECT DISTINCT visit_day FROM office_records WHERE visit_day IS NOT NULL")
    assert sorted(d for (d,) in days) == ["2026-11-25", "2026-11-26"]
    _ = kept


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_office_keys_backup_is_readable_by_its_owner_only(tmp_path: Path, clock: Clock) -> None:
    """The backup holds the office keys under a recovery passphrase: nobody else on the computer
    may read it (a shared office PC), and a second save replaces it whole."""
    from ips_desktop.crypto import key_backup
    from ips_desktop.crypto.keyslot import MINIMUM_KDF

    _laptop, office = enrolled_world(tmp_path, clock)
    console = OfficeConsole(office.service)
    target = tmp_path / "usb" / "office-keys.ipsokb"
    target.parent.mkdir()
    for _ in range(2):
        console.backup_keys(target, "a long recovery passphrase", MINIMUM_KDF)
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["office-keys.ipsokb"]
    restored = key_backup.read_backup(target.read_bytes(), "a long recovery passphrase")
    assert restored.to_dict() == office.service.keys().to_dict()
