"""The claim PDF read back with pypdf: sections, month number, totals, receipt labels on their
pages, Section 3 only on the first claim, embedded fonts, language, identical bytes."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from conftest import Clock
from expense_month import DETAILS, NOV, fill_month
from pypdf import PdfReader

from ips_desktop.domain.expenses import ExpenseRates
from ips_desktop.reports.claim_pdf import Cancelled, ClaimInput, ReceiptUnreadable, StoredReceipt, build_claim_pdf
from ips_desktop.reports.receipts import prepare_receipt
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.expensebook import ExpenseBook


@pytest.fixture
def expenses(book: CaseBook, clock: Clock) -> ExpenseBook:
    return ExpenseBook(book, clock, ExpenseRates, prepare_receipt)


def claim_input(expenses: ExpenseBook) -> ClaimInput:
    month = expenses.month(NOV)
    receipts = {a: StoredReceipt(*expenses.receipt(a)) for _, a, _ in month.receipts_in_order}
    return ClaimInput(month, expenses.profile().claimant, "IPS-07", receipts)


def pages_text(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_first_claim_reads_back_with_every_section_and_receipt(expenses: ExpenseBook, tmp_path: Path) -> None:
    fill_month(expenses, tmp_path)
    expenses.save_claimant("Alex Volunteer", DETAILS)
    pdf = build_claim_pdf(claim_input(expenses))
    pages = pages_text(pdf)
    front, reverse = pages[0], pages[1]
    assert "Section 1 — Claimant (every claim)" in front
    assert "Alex Volunteer" in front
    assert "Signature of claimant" in front
    assert "Section 2 — Claim month" in front
    assert "Month number 8" in front
    assert "November 2026 (financial year 2026/27" in front
    assert "Section 3 — First claim only" in front
    assert "AB 12 34 56 C" in front
    assert "1398 cc" in front
    assert "01/09/2026" in front
    assert "Total claimed £15.53" in front  # 3.40 + 1.70 + 2.15 + 18.4 mi × 45p
    assert "R1 to R3 (3 receipts)" in front
    assert "Monday 14/12/2026 (post by Thursday 10/12/2026)" in front

    assert "1 Date" in reverse
    assert "3 Mileage" in reverse
    assert "6 Postage or phone" in reverse
    assert "Crediton to Exeter (PP-2026-0142)" in reverse
    assert "8.28" in reverse
    assert "Totals" in reverse
    assert "Total claimed: £15.53" in reverse
    # rows in date order: journey and parking on the 3rd, stamps on the 5th, calls on the 30th
    assert reverse.index("Crediton") < reverse.index("Parking for") < reverse.index("Papers returned") \
        < reverse.index("Calls on the November")

    receipts = pages[2:]
    assert len(receipts) == 4  # parking photo, stamps PDF, two pages of the bill
    assert "R1 · 03/11/2026 · car parking · £3.40 · Parking for PP-2026-0142" in receipts[0]
    assert "R2 · 05/11/2026 · postage · £1.70" in receipts[1]
    assert "Royal Mail receipt £1.70 (page 1)" in receipts[1]  # the PDF receipt itself, under its stamp
    assert "R3 (page 1 of 2)" in receipts[2]
    assert "R3 (page 2 of 2)" in receipts[3]
    assert "BT bill: calls (page 2)" in receipts[3]

    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.metadata is not None
    assert reader.metadata.title == "Expense claim, month 8 (November 2026)"
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            fonts.add((str(font["/BaseFont"]), "/FontFile2" in font["/DescendantFonts"][0].get_object()
                       ["/FontDescriptor"] if "/DescendantFonts" in font else "/FontDescriptor" in font))
    ours = {name for name, _ in fonts if "Vera" in name or "IPSSans" in name}
    assert ours
    assert all(embedded for name, embedded in fonts if name in ours)


def test_regenerating_gives_identical_bytes(expenses: ExpenseBook, tmp_path: Path) -> None:
    fill_month(expenses, tmp_path)
    assert build_claim_pdf(claim_input(expenses)) == build_claim_pdf(claim_input(expenses))


def test_section_3_is_only_on_the_first_claim(expenses: ExpenseBook, tmp_path: Path) -> None:
    fill_month(expenses, tmp_path)
    expenses.save_claimant("Alex Volunteer", DETAILS)
    expenses.submit(NOV)
    later = claim_input(expenses)
    assert not later.claim.first_claim
    front = pages_text(build_claim_pdf(later))[0]
    assert "Section 1" in front
    assert "Section 3" not in front
    assert "National Insurance" not in front


def test_progress_is_reported_and_a_build_can_be_stopped(expenses: ExpenseBook, tmp_path: Path) -> None:
    fill_month(expenses, tmp_path)
    seen: list[tuple[int, int]] = []
    build_claim_pdf(claim_input(expenses), progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (4, 4)  # three receipts, then the assembly
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    calls = iter(range(100))
    with pytest.raises(Cancelled):
        build_claim_pdf(claim_input(expenses), cancelled=lambda: next(calls) >= 1)


@pytest.mark.parametrize("which", ["R2", "R3"])
def test_a_receipt_that_cannot_be_read_is_named(expenses: ExpenseBook, tmp_path: Path, which: str) -> None:
    """Issue 14, item 19: a receipt kept by an earlier version, or damaged since, stops the build
    with its own label and line, not "a receipt may be damaged"."""
    fill_month(expenses, tmp_path)
    expenses.save_claimant("Alex Volunteer", DETAILS)
    data = claim_input(expenses)
    label_of = {label: a for label, a, _ in data.claim.receipts_in_order}
    broken = dict(data.receipts)
    good = broken[label_of[which]]
    broken[label_of[which]] = StoredReceipt(good.mime, good.data[: len(good.data) // 3])  # cut short
    with pytest.raises(ReceiptUnreadable) as caught:
        build_claim_pdf(ClaimInput(data.claim, data.claimant, data.ips_code, broken))
    assert caught.value.label == which
    assert ("05/11/2026, postage, £1.70" if which == "R2" else "/11/2026") in caught.value.what
