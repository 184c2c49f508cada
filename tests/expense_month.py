"""A realistic month of expenses in a real vault, shared by the store, PDF and window tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from receipt_files import pdf_receipt, photo

from ips_desktop.domain.claim import ClaimMonth, FirstClaimDetails
from ips_desktop.domain.expenses import Category, ExpenseItem, Journey, PhoneCall, parse_phone_number
from ips_desktop.store.expensebook import ExpenseBook

NOV = ClaimMonth(2026, 11)
DETAILS = FirstClaimDetails("AB123456C", "WK19ABC", 1398, date(2026, 9, 1))


def item(day: int, category: Category, amount: str, words: str) -> ExpenseItem:
    return ExpenseItem(date(2026, 11, day), category, Decimal(amount), words)


def fill_month(expenses: ExpenseBook, tmp_path: Path) -> dict[str, str]:
    """Parking (photo), stamps (PDF), calls (two-page bill), a journey and a logged call."""
    ids = {
        "parking": expenses.add_item(NOV, item(3, Category.PARKING, "3.40", "Parking for PP-2026-0142 meeting")),
        "stamps": expenses.add_item(NOV, item(5, Category.POSTAGE, "1.70", "Papers returned, proof of posting")),
        "phone": expenses.add_item(NOV, item(30, Category.TELEPHONE, "2.15", "Calls on the November bill")),
        "journey": expenses.add_journey(NOV, Journey(date(2026, 11, 3), "Crediton", "Exeter", "PP-2026-0142",
                                                     Decimal("18.4"))),
        "call": expenses.add_call(NOV, PhoneCall(date(2026, 11, 4), parse_phone_number("01392 383080"), 12,
                                                 "PP-2026-0142")),
    }
    (tmp_path / "car-park.jpg").write_bytes(photo(orientation=6))
    (tmp_path / "post-office.pdf").write_bytes(pdf_receipt())
    (tmp_path / "bill.pdf").write_bytes(pdf_receipt("BT bill: calls", pages=2))
    expenses.attach_receipt(ids["parking"], tmp_path / "car-park.jpg")
    expenses.attach_receipt(ids["stamps"], tmp_path / "post-office.pdf")
    expenses.attach_receipt(ids["phone"], tmp_path / "bill.pdf")
    return ids
