"""Expenses in a real SQLCipher vault: entries and receipts, bad input explained with nothing
lost, the month's checklist, submission to the office through a drop folder, and purging by
the retention rules (the phone log when its claim is verified)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Clock, files_containing
from expense_month import DETAILS, NOV, fill_month, item
from PIL import Image
from receipt_files import pdf_receipt, photo
from sync_world import enrolled_world

from ips_desktop.domain.claim import ClaimMonth, ClaimState
from ips_desktop.domain.expenses import Category, ExpenseItem, ExpenseRates, Journey, PhoneCall, parse_phone_number
from ips_desktop.office.inbox import pull
from ips_desktop.reports.receipts import prepare_receipt
from ips_desktop.store.casebook import CaseBook, InputError
from ips_desktop.store.expensebook import ExpenseBook


@pytest.fixture
def expenses(book: CaseBook, clock: Clock) -> ExpenseBook:
    return ExpenseBook(book, clock, ExpenseRates, prepare_receipt)


def test_a_month_adds_up_and_lists_what_is_missing(expenses: ExpenseBook, tmp_path: Path) -> None:
    parking = expenses.add_item(NOV, item(3, Category.PARKING, "3.40", "Parking at the school"))
    expenses.add_journey(NOV, Journey(date(2026, 11, 3), "Crediton", "Exeter", "PP-2026-0142", Decimal("18.4")))
    expenses.add_call(NOV, PhoneCall(date(2026, 11, 4), "01392 383080", 12, "PP-2026-0142"))
    month = expenses.month(NOV)
    assert month.totals().total == Decimal("3.40") + Decimal("8.28")  # 18.4 mi at 45p
    missing = [m.text for m in month.missing()]
    assert any("without a receipt" in m and "Parking at the school" in m for m in missing)
    assert any("no telephone item" in m for m in missing)
    assert any("National Insurance" in m for m in missing)  # first claim: Section 3
    with pytest.raises(InputError, match="Before sending"):
        expenses.submit(NOV)
    (tmp_path / "r.jpg").write_bytes(photo())
    expenses.attach_receipt(parking, tmp_path / "r.jpg")
    assert not any("without a receipt" in m.text for m in expenses.month(NOV).missing())


def test_receipt_photos_are_kept_upright_small_and_without_their_gps(expenses: ExpenseBook, tmp_path: Path) -> None:
    rid = expenses.add_item(NOV, item(3, Category.PARKING, "3.40", "Parking"))
    (tmp_path / "IMG_2291.jpg").write_bytes(photo(4000, 3000, orientation=6))
    attachment = expenses.attach_receipt(rid, tmp_path / "IMG_2291.jpg")
    mime, data = expenses.receipt(attachment)
    stored = Image.open(io.BytesIO(data))
    assert mime == "image/jpeg"
    assert stored.size == (1500, 2000)  # turned upright (portrait) and scaled to 2000 px
    exif = stored.getexif()
    assert 0x8825 not in exif
    assert 0x0112 not in exif
    names = [a.name for a in expenses._book.attachments(rid)]
    assert names == ["receipt-2026-11-03-1.jpg"]  # the phone's file name is not kept


@pytest.mark.parametrize(("name", "data", "message"), [
    ("notes.docx", b"PK\x03\x04 word document", "not a photo or a PDF"),
    ("broken.jpg", photo()[:5000], "damaged or unfinished photo"),
    ("locked.pdf", pdf_receipt(password="secret"), "protected by a password"),
    ("broken.pdf", b"%PDF-1.4\n garbage", "damaged PDF"),
    ("iphone.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "HEIC"),
])
def test_bad_receipts_are_explained_and_nothing_is_lost(expenses: ExpenseBook, tmp_path: Path, name: str,
                                                        data: bytes, message: str) -> None:
    rid = expenses.add_item(NOV, item(3, Category.PARKING, "3.40", "Parking"))
    (tmp_path / name).write_bytes(data)
    with pytest.raises(InputError, match=message):
        expenses.attach_receipt(rid, tmp_path / name)
    assert expenses.month(NOV).items[0].value.description == "Parking"
    assert expenses._book.attachments(rid) == []


def test_a_200_mb_file_is_refused_before_it_is_read(expenses: ExpenseBook, tmp_path: Path) -> None:
    rid = expenses.add_item(NOV, item(3, Category.PARKING, "3.40", "Parking"))
    huge = tmp_path / "scan.pdf"
    with huge.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: no 200 MB written to the test disk
    with pytest.raises(InputError, match="200 MB; a receipt can be at most 25 MB"):
        expenses.attach_receipt(rid, huge)


@pytest.mark.parametrize(("call", "message"), [
    (lambda e: e.add_item(NOV, item(3, Category.PARKING, "35.00", "Parking fine (PCN)")), "fines"),
    (lambda e: e.add_item(NOV, item(3, Category.DRINKS, "7.80", "Two glasses of wine")), "Alcohol"),
    (lambda e: e.add_item(NOV, item(3, Category.TELEPHONE, "18.00", "Line rental")), "Line rental"),
    (lambda e: e.add_item(NOV, ExpenseItem(date(2026, 10, 31), Category.POSTAGE, Decimal("1.70"), "Stamps")),
     "not in November 2026"),
    (lambda e: e.add_item(NOV, item(3, Category.POSTAGE, "-1.70", "Stamps")), "cannot be right"),
    (lambda e: e.add_item(NOV, item(3, Category.POSTAGE, "9999.00", "Stamps")), "cannot be right"),
    (lambda e: e.add_journey(NOV, Journey(date(2026, 11, 3), "Exeter", "Barnstaple", "PP-2026-0142",
                                          Decimal("10000"))), "more than the 400"),
    (lambda e: e.add_journey(NOV, Journey(date(2026, 11, 3), "14 Victoria Road, Exeter EX4 6PQ", "Crediton",
                                          "PP-2026-0142", Decimal("9"))), "places and the case reference only"),
])
def test_bad_entries_are_refused_and_nothing_already_entered_is_lost(expenses: ExpenseBook, call: object,
                                                                     message: str) -> None:
    kept = expenses.add_item(NOV, item(2, Category.FARE, "4.20", "Bus to Exeter"))
    with pytest.raises(InputError, match=message):
        call(expenses)  # type: ignore[operator]
    assert [e.record_id for e in expenses.month(NOV).items] == [kept]
    assert expenses.month(NOV).journeys == []


def test_a_phone_number_that_is_not_a_number_is_explained() -> None:
    with pytest.raises(ValueError, match="is not a phone number"):
        parse_phone_number("call the school")


def test_duplicates_are_flagged_but_do_not_block(expenses: ExpenseBook, tmp_path: Path) -> None:
    (tmp_path / "r.jpg").write_bytes(photo())
    a = expenses.add_item(NOV, item(3, Category.PARKING, "3.40", "Parking"))
    b = expenses.add_item(NOV, item(3, Category.PARKING, "3.40", "Parking again"))
    expenses.attach_receipt(a, tmp_path / "r.jpg")
    expenses.attach_receipt(b, tmp_path / "r.jpg")
    checks = expenses.month(NOV).missing()
    warnings = [m.text for m in checks if not m.blocking]
    assert any("Possible duplicate: 03/11/2026 car parking £3.40" in w for w in warnings)
    assert any("same receipt file" in w for w in warnings)
    assert expenses.same_receipt_elsewhere(a)


def test_earlier_months_and_other_organisations_fill_the_10000_mile_band(expenses: ExpenseBook) -> None:
    expenses.set_other_miles(2026, Decimal("9950"))
    expenses.add_journey(ClaimMonth(2026, 10), Journey(date(2026, 10, 20), "Crediton", "Exeter", "PP-2026-0142",
                                                       Decimal("30")))
    expenses.add_journey(NOV, Journey(date(2026, 11, 3), "Crediton", "Tiverton", "PP-2026-0142", Decimal("40")))
    line = expenses.month(NOV).mileage()[0]
    assert (line.miles_at_first_rate, line.miles_at_second_rate) == (Decimal("20"), Decimal("20"))
    assert line.amount == Decimal("14.00")  # 20 × 45p + 20 × 25p


def test_a_submitted_month_goes_to_the_office_and_is_purged_by_its_rules(tmp_path: Path, clock: Clock,
                                                                        private_tmp: Path) -> None:
    clock.now = datetime(2026, 12, 2, 10, 0)
    laptop, office = enrolled_world(tmp_path, clock)
    expenses = ExpenseBook(laptop.book, clock, ExpenseRates, prepare_receipt)
    ids = fill_month(expenses, tmp_path)
    expenses.add_item(NOV, item(6, Category.FARE, "4.20", "Bus Canary-Wren-8812"))
    with pytest.raises(InputError, match="without a receipt"):
        expenses.submit(NOV)
    extra = next(e.record_id for e in expenses.month(NOV).items if "Canary" in e.value.description)
    (tmp_path / "bus.jpg").write_bytes(photo(text="STAGECOACH"))
    expenses.attach_receipt(extra, tmp_path / "bus.jpg")
    expenses.save_claimant("A. Volunteer", DETAILS)
    claim_id = expenses.submit(NOV)
    assert expenses.status(NOV).state is ClaimState.SUBMITTED
    assert not expenses.is_first_claim()
    with pytest.raises(InputError, match="sent to the office"):
        expenses.add_item(NOV, item(7, Category.POSTAGE, "1.70", "Stamps"))
    with pytest.raises(InputError, match="sent to the office"):
        expenses.remove(ids["parking"])

    assert laptop.sync.run().sent == 7  # the claim, four items, a journey and a call
    pull(office.service, office.transport)
    held = {r.record_type: r for r in office.service.repo.records() if r.record_type.startswith(("exp", "jour",
                                                                                                "phone"))}
    assert held["expense_claim"].content["body"]["totals"]["total"] == "19.73"
    assert held["expense_claim"].content["body"]["month_number"] == 8
    assert held["expense_claim"].content["body"]["details"]["ni_number"] == "AB123456C"

    laptop.sync.run()  # VERIFIED receipts: the call goes with its claim, the rest 30 days later
    left = {r.kind for r in laptop.book.records.all()}
    assert "phone_log" not in left
    assert {"expense_claim", "expense_item", "journey"} <= left
    clock.now += timedelta(days=31)
    laptop.sync.run()
    assert laptop.book.records.all() == []
    assert claim_id not in {r[0] for r in laptop.vault.query("SELECT id FROM records")}
    laptop.vault.close()
    assert files_containing(laptop.profile.dir, b"Canary-Wren-8812") == []
    assert files_containing(private_tmp, b"Canary-Wren-8812") == []


def test_reminders_come_in_the_days_before_the_last_posting_date(expenses: ExpenseBook) -> None:
    expenses.add_item(NOV, item(3, Category.PARKING, "3.40", "Parking"))
    assert expenses.reminder(date(2026, 12, 1)) is None          # two weeks to go
    text = expenses.reminder(date(2026, 12, 8))
    assert text is not None
    assert "Thursday 10/12/2026" in text
    assert "14/12/2026" in text
    late = expenses.reminder(date(2026, 12, 15))
    assert late is not None
    assert "Send it now" in late


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2026, 11, 23)])
def test_the_demo_month_passes_the_rules_and_shows_what_is_missing(book: CaseBook, clock: Clock,
                                                                   today: date) -> None:
    from ips_desktop.store.demo import fill_expenses

    fill_expenses(book, today)
    month = ExpenseBook(book, clock, ExpenseRates, prepare_receipt).month(ClaimMonth.of(today))
    assert len(month.items) == 2
    assert len(month.journeys) == 1
    assert any("2 items without a receipt" in m.text for m in month.missing())


def test_a_cafe_named_after_someone_is_a_place_but_a_parent_is_not(expenses: ExpenseBook) -> None:
    """The real path: the description is screened, and a shop's or café's name passes."""
    assert expenses.add_item(NOV, item(4, Category.DRINKS, "3.10", "Two teas at Betty's café, PP-2026-0142"))
    assert expenses.add_item(NOV, item(4, Category.PARKING, "2.00", "Parking at John Lewis"))
    with pytest.raises(InputError, match="“Mrs Okafor” looks like a"):
        expenses.add_item(NOV, item(4, Category.DRINKS, "3.10", "Two teas with Mrs Okafor"))
    with pytest.raises(InputError, match="two are paid"):
        expenses.add_item(NOV, item(4, Category.DRINKS, "4.60", "Three coffees at Costa"))
