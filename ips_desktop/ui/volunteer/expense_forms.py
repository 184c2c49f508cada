"""The small forms of the expenses window: an item with its receipt, a journey, a call, the
claimant's details. Each keeps what was typed when the book refuses it, and says why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...domain.claim import ClaimMonth, FirstClaimDetails
from ...domain.expenses import (
    CATEGORY_WORDS,
    HANDBOOK,
    Category,
    ExpenseItem,
    Journey,
    MoneyError,
    PhoneCall,
    Vehicle,
    parse_phone_number,
    parse_pounds,
)
from ...store.errors import VaultError
from ...store.expensebook import ExpenseBook
from ...store.session import VaultSession
from ..common.when_fields import DateField
from ..common.widgets import documents_folder, error_label

RECEIPT_FILTER = "Receipts (*.jpg *.jpeg *.png *.pdf *.JPG *.JPEG *.PNG *.PDF);;All files (*)"


def _date_edit(month: ClaimMonth, name: str) -> DateField:
    """A date inside the claim's month (a claim covers one calendar month), today if it can."""
    first = date(month.year, month.month, 1)
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    edit = DateField(name)
    edit.set_range(first, last, f"This claim is for {month.title}: type a date from {first:%d/%m/%Y} to "
                                f"{last:%d/%m/%Y}, or put it on that month's claim.")
    today = clock.today()
    edit.set_value(today if first <= today <= last else first)
    return edit


class ExpenseForm(QDialog):
    """OK runs ``self.save()``; a refusal shows in red under the form and nothing is cleared."""

    def __init__(self, title: str, rule: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.form = QFormLayout()
        self.error = error_label()
        self.error.hide()
        help_text = QLabel(rule)
        help_text.setWordWrap(True)
        help_text.setStyleSheet("color: #555;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(help_text)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.saved_id: str | None = None
        self.session: VaultSession

    @property
    def book(self) -> ExpenseBook:
        """The expense book of the vault open now (docs/architecture.md, "Sessions")."""
        return self.session.expenses

    def save(self) -> str:
        raise NotImplementedError

    def _ok(self) -> None:
        try:
            self.saved_id = self.save()
        except (VaultError, ValueError) as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()


class ItemForm(ExpenseForm):
    def __init__(self, session: VaultSession, month: ClaimMonth, parent: QWidget | None = None,
                 receipt: Path | None = None) -> None:
        super().__init__(f"Add an expense — {month.title}", f"Handbook: {HANDBOOK['allowed']} {HANDBOOK['fines']}",
                         parent)
        self.session, self.month = session, month
        self.on = _date_edit(month, "Date")
        self.category = QComboBox()
        self.category.setAccessibleName("Kind of expense")
        for category in Category:
            if category is not Category.MILEAGE:
                self.category.addItem(CATEGORY_WORDS[category].capitalize(), category)
        self.amount = QLineEdit()
        self.amount.setAccessibleName("Amount in pounds")
        self.amount.setPlaceholderText("3.40")
        self.description = QLineEdit()
        self.description.setAccessibleName("What it was for")
        self.description.setPlaceholderText("e.g. Parking for the PP-2026-0142 school meeting")
        self.receipt_path = receipt
        self.receipt_label = QLabel(receipt.name if receipt else "No receipt yet")
        choose = QPushButton("Choose receipt…")
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.receipt_label, 1)
        row.addWidget(choose)
        self.form.addRow("&Date", self.on)
        self.form.addRow("&Kind", self.category)
        self.form.addRow("&Amount (£)", self.amount)
        self.form.addRow("&What for", self.description)
        self.form.addRow("Receipt", row)

    def edit(self, record_id: str, i: ExpenseItem) -> None:
        self.saved_id = record_id
        self.setWindowTitle(f"Change an expense — {self.month.title}")
        self.on.set_value(i.on)
        self.category.setCurrentIndex(self.category.findData(i.category))
        self.amount.setText(f"{i.amount:.2f}")
        self.description.setText(i.description)
        self.receipt_label.setText(f"{i.receipts} attached; choose another to add it" if i.receipts
                                   else "No receipt yet")

    def _choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Receipt photo or PDF", str(documents_folder()), RECEIPT_FILTER)
        if name:
            self.receipt_path = Path(name)
            self.receipt_label.setText(self.receipt_path.name)

    def save(self) -> str:
        try:
            amount = parse_pounds(self.amount.text(), self.book.rates.most_per_item)
        except MoneyError as exc:
            self.amount.setFocus()
            raise ValueError(str(exc)) from None
        if not self.description.text().strip():
            raise ValueError("Say what it was for, with the case reference if there is one.")
        item = ExpenseItem(self.on.required(self.on.name), Category(self.category.currentData()), amount,
                           self.description.text().strip())
        record_id = self.book.add_item(self.month, item, self.saved_id)
        self.saved_id = record_id  # a refused receipt must not add the item twice
        if self.receipt_path is not None:
            try:
                self.book.attach_receipt(record_id, self.receipt_path)
            except VaultError as exc:
                self.receipt_path = None
                self.receipt_label.setText("No receipt yet")
                raise ValueError(f"The item is saved, but not its receipt: {exc}") from None
        return record_id


class JourneyForm(ExpenseForm):
    def __init__(self, session: VaultSession, month: ClaimMonth, references: list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(f"Add a journey — {month.title}",
                         "Places, not addresses: a town or “school”, never a family's street. The purpose is the "
                         "case reference. Mileage needs no receipt.", parent)
        self.session, self.month = session, month
        self.on = _date_edit(month, "Date of the journey")
        self.start = QLineEdit()
        self.start.setAccessibleName("From")
        self.start.setPlaceholderText("e.g. Crediton")
        self.end = QLineEdit()
        self.end.setAccessibleName("To")
        self.end.setPlaceholderText("e.g. Exeter")
        self.purpose = QComboBox()
        self.purpose.setEditable(True)
        self.purpose.setAccessibleName("Purpose (case reference)")
        self.purpose.addItems([*references, "DPPS office", "Training"])
        self.miles = QLineEdit()
        self.miles.setAccessibleName("Miles")
        self.miles.setPlaceholderText("18.4")
        self.vehicle = QComboBox()
        self.vehicle.setAccessibleName("Vehicle")
        for vehicle in Vehicle:
            self.vehicle.addItem(vehicle.value.capitalize(), vehicle)
        self.passengers = QSpinBox()
        self.passengers.setRange(0, 8)
        self.passengers.setAccessibleName("Passengers on business")
        for label, widget in (("&Date", self.on), ("&From", self.start), ("&To", self.end),
                              ("&Purpose", self.purpose), ("&Miles", self.miles), ("&Vehicle", self.vehicle),
                              ("Pa&ssengers", self.passengers)):
            self.form.addRow(label, widget)

    def save(self) -> str:
        try:
            miles = Decimal(self.miles.text().strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError("Type the miles as a number, like 18.4.") from None
        if not miles.is_finite() or miles != miles.quantize(Decimal("0.1")):
            raise ValueError("Type the miles to one decimal place at most, like 18.4.")
        journey = Journey(self.on.required(self.on.name), self.start.text().strip(), self.end.text().strip(),
                          self.purpose.currentText().strip(), miles, Vehicle(self.vehicle.currentData()),
                          self.passengers.value())
        return self.book.add_journey(self.month, journey, self.saved_id)

    def edit(self, record_id: str, j: Journey) -> None:
        self.saved_id = record_id
        self.setWindowTitle(f"Change a journey — {self.month.title}")
        self.on.set_value(j.on)
        self.start.setText(j.start)
        self.end.setText(j.end)
        self.purpose.setEditText(j.purpose)
        self.miles.setText(str(j.miles))
        self.vehicle.setCurrentIndex(self.vehicle.findData(j.vehicle))
        self.passengers.setValue(j.passengers)


class CallForm(ExpenseForm):
    def __init__(self, session: VaultSession, month: ClaimMonth, references: list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(f"Log a call — {month.title}",
                         "Handbook: “Create a list of each date you use your telephone as an IPS and every telephone "
                         "number you use and how much time was spent so that your telephone bill can be verified.” "
                         "And “Always dial 141 before the parent's number”.",
                         parent)
        self.session, self.month = session, month
        self.on = _date_edit(month, "Date of the call")
        self.number = QLineEdit()
        self.number.setAccessibleName("Number called")
        self.number.setPlaceholderText("as on your bill, e.g. 01392 383080")
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 600)
        self.minutes.setAccessibleName("Minutes")
        self.purpose = QComboBox()
        self.purpose.setEditable(True)
        self.purpose.setAccessibleName("Purpose (case reference)")
        self.purpose.addItems([*references, "DPPS office"])
        for label, widget in (("&Date", self.on), ("&Number", self.number), ("&Minutes", self.minutes),
                              ("&Purpose", self.purpose)):
            self.form.addRow(label, widget)

    def save(self) -> str:
        number = parse_phone_number(self.number.text())
        call = PhoneCall(self.on.required(self.on.name), number, self.minutes.value(),
                         self.purpose.currentText().strip())
        return self.book.add_call(self.month, call, self.saved_id)

    def edit(self, record_id: str, c: PhoneCall) -> None:
        self.saved_id = record_id
        self.setWindowTitle(f"Change a call — {self.month.title}")
        self.on.set_value(c.on)
        self.number.setText(c.number)
        self.minutes.setValue(c.minutes)
        self.purpose.setEditText(c.purpose)


class ClaimantForm(ExpenseForm):
    """Section 1's name always; Section 3's details only while the first claim is to be sent."""

    def __init__(self, session: VaultSession, parent: QWidget | None = None) -> None:
        super().__init__("Your details for the claim",
                         "Handbook: Section 1 “every time a claim is made”; Section 3 “for the first claim only: "
                         "National Insurance number, Details of car; registration, exact cc capacity, Date started "
                         "claiming in this role”.", parent)
        self.session = session
        profile = self.book.profile()
        d = profile.details
        self.claimant = QLineEdit(profile.claimant)
        self.claimant.setAccessibleName("Your name as the claimant")
        self.form.addRow("Your &name", self.claimant)
        self.first = self.book.is_first_claim()
        self.ni = QLineEdit(d.ni_display)
        self.ni.setAccessibleName("National Insurance number")
        self.ni.setPlaceholderText("AB 12 34 56 C")
        self.registration = QLineEdit(d.car_registration)
        self.registration.setAccessibleName("Car registration")
        self.cc = QSpinBox()
        self.cc.setRange(0, 8000)
        self.cc.setSpecialValueText("not given")
        self.cc.setSuffix(" cc")
        self.cc.setValue(d.engine_cc or 0)
        self.cc.setAccessibleName("Exact engine size in cc")
        self.started = DateField("Date you started claiming", d.started_on or clock.today())
        if self.first:
            self.form.addRow("National &Insurance number", self.ni)
            self.form.addRow("Car &registration", self.registration)
            self.form.addRow("Exact &engine size", self.cc)
            self.form.addRow("&Started claiming", self.started)
        else:
            for widget in (self.ni, self.registration, self.cc, self.started):
                widget.hide()

    def save(self) -> str:
        old = self.book.profile().details
        details = old if not self.first else FirstClaimDetails(
            self.ni.text(), self.registration.text(), self.cc.value() or None,
            self.started.required("Date you started claiming"))
        self.book.save_claimant(self.claimant.text(), details)
        return "profile"


def ask(form: ExpenseForm, done: Callable[[str | None], None]) -> ExpenseForm:
    """Show a form (window-modal, not a nested event loop: a lock hides it and the unlock brings
    it back as it was); ``done`` gets the id it saved, or None when it was cancelled."""
    form.finished.connect(lambda result: done(form.saved_id if result == QDialog.DialogCode.Accepted else None))
    form.open()
    return form
