"""A month of expenses through the real volunteer app: items with receipts (one dropped onto
the window), a journey, a call, bad input explained with nothing lost, the checklist of what
is missing, the claim PDF built with progress and read back, sending to the office, the
reminder before the last posting day, and the window closing on lock."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QMessageBox
from receipt_files import pdf_receipt, photo

from ips_desktop.domain.expenses import Category
from ips_desktop.ui.volunteer.expense_forms import CallForm, ClaimantForm, ItemForm, JourneyForm

pytestmark = pytest.mark.gui


def checklist(dialog) -> list[str]:  # type: ignore[no-untyped-def]
    return [dialog.checklist.item(i).text() for i in range(dialog.checklist.count())]


def column(dialog, col: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [dialog.table.item(r, col).text() for r in range(dialog.table.rowCount())]


def select_row_with(dialog, text: str) -> None:  # type: ignore[no-untyped-def]
    dialog.table.selectRow(column(dialog, 2).index(text))


def item_form(dialog, category: Category, amount: str, words: str, receipt: Path | None = None) -> ItemForm:  # type: ignore[no-untyped-def]
    form = ItemForm(dialog.session, dialog.month, dialog, receipt)
    form.category.setCurrentIndex(form.category.findData(category))
    form.amount.setText(amount)
    form.description.setText(words)
    return form


def test_a_month_from_first_receipt_to_the_office(running, qtbot, tmp_path: Path, monkeypatch) -> None:
    app, clock = running
    clock.now = datetime(2026, 12, 3, 10, 0)
    app.book.open_case("PP-2026-0142")
    dialog = app.expenses.show_expenses()
    qtbot.addWidget(dialog)
    assert dialog.month_box.currentText() == "November 2026 — month 8 of 2026/27"  # early December: last month
    assert dialog.empty.isVisible()
    assert any("Nothing to claim yet" in line for line in checklist(dialog))
    assert "Must arrive by Monday 14/12/2026: post it by Thursday 10/12/2026" in dialog.due.text()
    assert not dialog.send_button.isEnabled()

    # An amount that is not money is explained, and what was typed stays.
    form = item_form(dialog, Category.PARKING, "three pounds", "Parking at the school, PP-2026-0142")
    form.save_button.click()
    assert form.error.isVisibleTo(form)
    assert "is not an amount of money" in form.error.text()
    assert form.description.text() == "Parking at the school, PP-2026-0142"
    form.amount.setText("3.40")
    form.save_button.click()
    assert form.result() == form.DialogCode.Accepted
    dialog.refresh()
    assert column(dialog, 4) == ["£3.40"]
    assert column(dialog, 5) == ["missing"]
    assert any("1 item without a receipt" in line for line in checklist(dialog))

    # A damaged photo is refused but the item is kept; a good one dropped onto the row is taken.
    (tmp_path / "broken.jpg").write_bytes(photo()[:4000])
    (tmp_path / "stamps.jpg").write_bytes(photo(orientation=6, text="POST OFFICE £1.70"))
    form = item_form(dialog, Category.POSTAGE, "1.70", "Papers returned, proof of posting", tmp_path / "broken.jpg")
    form.save_button.click()
    assert "The item is saved, but not its receipt" in form.error.text()
    assert "damaged or unfinished photo" in form.error.text()
    form.reject()
    dialog.refresh()
    select_row_with(dialog, "Papers returned, proof of posting")
    dialog.receive_files([tmp_path / "stamps.jpg"])
    qtbot.waitUntil(lambda: column(dialog, 5).count("1 attached") == 1, timeout=10000)
    (tmp_path / "parking.jpg").write_bytes(photo())
    select_row_with(dialog, "Parking at the school, PP-2026-0142")
    dialog.receive_files([tmp_path / "parking.jpg"])
    qtbot.waitUntil(lambda: column(dialog, 5) == ["1 attached", "1 attached"], timeout=10000)
    # Each receipt shows small beside its row: the photo itself as stored (the parking ticket
    # landscape, the stamps turned upright from a phone held sideways), not a stock icon.
    def thumbnail(words: str) -> QSize:
        cell = dialog.table.item(column(dialog, 2).index(words), 5)
        assert cell is not None
        return cell.icon().pixmap(dialog.THUMBNAIL).size()

    assert thumbnail("Parking at the school, PP-2026-0142") == QSize(53, 40)
    assert thumbnail("Papers returned, proof of posting") == QSize(30, 40)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    (tmp_path / "minutes.docx").write_bytes(b"PK\x03\x04 not a receipt")
    select_row_with(dialog, "Parking at the school, PP-2026-0142")
    dialog.receive_files([tmp_path / "minutes.docx"])
    qtbot.waitUntil(lambda: bool(warned), timeout=10000)
    assert "is not a photo or a PDF" in warned[0]
    assert column(dialog, 5) == ["1 attached", "1 attached"]  # nothing lost

    # A typo is put right in place (F2 or a double-click); the receipt stays with the item.
    select_row_with(dialog, "Parking at the school, PP-2026-0142")
    change = dialog.edit_form()
    assert change.amount.text() == "3.40"
    change.description.setText("Parking at the school for PP-2026-0142")
    change.save_button.click()
    dialog.refresh()
    assert "Parking at the school for PP-2026-0142" in column(dialog, 2)
    assert dialog.table.rowCount() == 2
    assert column(dialog, 5) == ["1 attached", "1 attached"]

    # A journey of 10,000 miles is refused; the real one is priced at 45p.
    journey = JourneyForm(dialog.session, dialog.month, ["PP-2026-0142"], dialog)
    journey.start.setText("Crediton")
    journey.end.setText("Exeter")
    journey.miles.setText("10000")
    journey.save_button.click()
    assert "more than the 400 a day" in journey.error.text()
    journey.miles.setText("18.4")
    journey.save_button.click()
    assert journey.result() == journey.DialogCode.Accepted

    # A call: the number is checked as the bill prints it and shown masked.
    call = CallForm(dialog.session, dialog.month, ["PP-2026-0142"], dialog)
    call.number.setText("ring the school")
    call.save_button.click()
    assert "is not a phone number" in call.error.text()
    call.number.setText("01392 383080")
    call.minutes.setValue(12)
    call.save_button.click()
    dialog.refresh()
    assert "01392 ••• 080 (PP-2026-0142)" in column(dialog, 2)
    assert "01392383080" not in " ".join(column(dialog, 2))
    assert dialog.total.text() == "Total £13.38 — including 18.4 miles, £8.28"
    lines = checklist(dialog)
    assert any("no telephone item" in line for line in lines)
    assert any("First claim: That is not a National Insurance number" in line
               or "First claim: Type your National Insurance number" in line for line in lines)

    (tmp_path / "bill.pdf").write_bytes(pdf_receipt("BT bill: calls", pages=2))
    form = item_form(dialog, Category.TELEPHONE, "2.15", "Calls on the November bill", tmp_path / "bill.pdf")
    form.save_button.click()
    details = ClaimantForm(dialog.session, dialog)
    assert details.ni.isVisibleTo(details)  # Section 3: first claim only
    details.claimant.setText("Alex Volunteer")
    details.ni.setText("AB 12 34 56")
    details.save_button.click()
    assert "not a National Insurance number" in details.error.text()
    details.ni.setText("AB 12 34 56 C")
    details.registration.setText("WK19 ABC")
    details.cc.setValue(1398)
    details.save_button.click()
    assert details.result() == details.DialogCode.Accepted
    dialog.refresh()
    assert checklist(dialog) == ["✓ Ready to send: everything the office needs is here."]
    assert dialog.send_button.isEnabled()

    # The preview shows the form's sections and columns before any PDF is made.
    preview = dialog.preview()
    qtbot.addWidget(preview)
    shown = preview.view.toPlainText()
    assert "Month 8 of 2026/27" in shown
    assert "Section 3 — First claim only" in shown
    assert "AB 12 34 56 C" in shown
    assert "6 Postage or phone" in shown
    assert "Total claimed: £15.53" in shown
    preview.reject()

    # Build the PDF, with progress, and read it back.
    target = tmp_path / "out" / "claim.pdf"
    target.parent.mkdir()
    dialog.save_path = lambda parent, name: target
    dialog.build_pdf()
    qtbot.waitUntil(lambda: dialog.last_pdf == target, timeout=20000)
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]
    assert "Section 3 — First claim only" in pages[0]
    assert "Month number 8" in pages[0]
    assert "Total claimed £15.53" in pages[0]
    assert len(pages) == 2 + 2 + 2  # front, reverse, two photos, two pages of bill
    assert "R3 (page 2 of 2)" in pages[5]
    assert list(target.parent.iterdir()) == [target]  # no half-written file left beside it

    # Send it: frozen afterwards, and queued for the office; this laptop is not enrolled, so the
    # window says so instead of "sent".
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.send()
    assert dialog.state.text().startswith("Waiting to send: this laptop is not enrolled with the office yet")
    assert not dialog.add_item_button.isEnabled()
    assert app.book.unsent_count() == 6  # the claim, three items, a journey, a call
    assert not ClaimantForm(dialog.session, dialog).ni.isVisibleTo(dialog)  # Section 3 only the first time


def test_the_reminder_comes_before_the_last_posting_day_and_lock_hides_the_window(running, qtbot) -> None:
    app, clock = running
    clock.now = datetime(2026, 12, 1, 9, 0)
    dialog = app.expenses.show_expenses()
    qtbot.addWidget(dialog)
    form = item_form(dialog, Category.FARE, "4.20", "Bus to Exeter for PP-2026-0142")
    form.save_button.click()
    assert app.expenses.check_reminder() is None  # two weeks to go: no nagging yet
    clock.now = datetime(2026, 12, 8, 9, 0)
    text = app.expenses.check_reminder()
    assert text is not None
    assert "Post your November 2026 claim by Thursday 10/12/2026 so it arrives by 14/12/2026" in text
    assert app.expenses.reminder.isVisibleTo(app.window)
    app.lock()
    assert not dialog.isVisible()
    assert not app.expenses.reminder.isVisibleTo(app.window)
