"""The expenses window: one claim month at a time, its rows as the form's reverse side shows
them, a running total, the checklist of what is missing, "Build claim PDF" with progress,
and "Send to the office". Receipts may be dropped onto the window.

Handbook: "Monthly expense claims should be posted to your PPO to arrive no later than the
14th of each month"; "We will need copies of receipts to accompany all claims, this will
include copies of telephone bills."
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QIcon, QImage, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStyle,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.claim import ClaimMonth, ClaimState, MonthClaim, PreparedReceipt
from ...domain.expenses import CATEGORY_WORDS, ExpenseItem, Journey, PhoneCall, pounds, tax_year_of
from ...store.errors import VaultError
from ...store.expensebook import ExpenseBook
from ...store.session import VaultSession
from ..common.tasks import TaskRunner
from ..common.widgets import MessageLabel, chosen_row, documents_folder, list_table
from .claim_build import ClaimBuild
from .expense_forms import RECEIPT_FILTER, CallForm, ClaimantForm, ExpenseForm, ItemForm, JourneyForm, ask
from .expense_preview import ClaimPreviewDialog

log = logging.getLogger(__name__)

SavePath = Callable[[QWidget, str], Path | None]
NOT_ENROLLED_SENT = ("Waiting to send: this laptop is not enrolled with the office yet, so nothing has gone. "
                     "Print and post the PDF, or enrol first (Sync ▸ Enrol with the office…).")


def ask_save_path(parent: QWidget, name: str) -> Path | None:
    chosen, _ = QFileDialog.getSaveFileName(parent, "Save the claim PDF", str(documents_folder() / name), "PDF (*.pdf)")
    return Path(chosen) if chosen else None


class ExpensesDialog(QDialog):
    submitted = Signal()

    COLUMNS = ("Date", "Kind", "Description", "Miles / minutes", "Amount", "Receipt")
    THUMBNAIL = QSize(60, 40)

    def __init__(self, session: VaultSession, runner: TaskRunner, today: Callable[[], date],
                 references: Callable[[], list[str]], ips_code: Callable[[], str],
                 parent: QWidget | None = None, save_path: SavePath = ask_save_path) -> None:
        super().__init__(parent)
        self.session, self.runner, self.today = session, runner, today
        self.references, self.ips_code, self.save_path = references, ips_code, save_path
        self.last_pdf: Path | None = None
        self.building = False
        self.locked = False
        self.adding = 0  # receipts being prepared on the pool
        self.waiting_receipts: list[tuple[str, PreparedReceipt]] = []  # prepared while locked
        self.setWindowTitle("Expenses")
        self.resize(980, 640)
        self.setAcceptDrops(True)
        self._build()
        self._fill_months()
        self.refresh()

    # -- layout ---------------------------------------------------------------------------------

    @property
    def book(self) -> ExpenseBook:
        """The expense book of the vault open now (docs/architecture.md, "Sessions")."""
        return self.session.expenses

    def _build(self) -> None:
        self.month_box = QComboBox()
        self.month_box.setAccessibleName("Claim month")
        self.month_box.currentIndexChanged.connect(lambda _: self.refresh())
        self.state = MessageLabel()
        self.state.setAccessibleDescription("Claim status")
        self.due = MessageLabel()
        self.due.setAccessibleDescription("When the claim must arrive")
        top = QHBoxLayout()
        top.addWidget(QLabel("Claim month:"))
        top.addWidget(self.month_box)
        top.addWidget(self.state, 1)
        self.table = list_table("This month's expenses", self.COLUMNS, stretch=2)
        self.table.setIconSize(self.THUMBNAIL)
        self.thumbnails: dict[str, QIcon] = {}
        self.table.itemSelectionChanged.connect(self._selection)
        self.table.itemActivated.connect(lambda _item: self.edit())
        self.empty = QLabel("Nothing for this month yet. Add an expense (Ctrl+E), a journey (Ctrl+J) or a call "
                            "(Ctrl+K). You can drop a receipt photo or PDF onto this window.")
        self.empty.setWordWrap(True)
        self.empty.setAccessibleDescription("No expenses yet")
        self.total = MessageLabel()
        self.total.setAccessibleDescription("Running total")
        self.total.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.checklist = QListWidget()
        self.checklist.setAccessibleName("What is missing")
        self.checklist.setMaximumHeight(130)

        self.add_item_button = self._button("Add expense…", "Ctrl+E", self.add_item)
        self.add_journey_button = self._button("Add journey…", "Ctrl+J", self.add_journey)
        self.add_call_button = self._button("Log a call…", "Ctrl+K", self.add_call)
        self.receipt_button = self._button("Add receipt…", "Ctrl+R", self.add_receipt)
        self.edit_button = self._button("Change…", "F2", self.edit)
        self.remove_button = self._button("Remove", QKeySequence.StandardKey.Delete, self.remove)
        self.details_button = self._button("Your details…", "", self.edit_details)
        self.miles_button = self._button("Miles for other organisations…", "", self.other_miles)
        self.preview_button = self._button("Preview", "Ctrl+Shift+P", self.preview)
        self.pdf_button = self._button("Build claim PDF…", "Ctrl+P", self.build_pdf)
        self.send_button = self._button("Send to the office", "Ctrl+Return", self.send)
        entries = QHBoxLayout()
        for b in (self.add_item_button, self.add_journey_button, self.add_call_button, self.receipt_button,
                  self.edit_button, self.remove_button):
            entries.addWidget(b)
        entries.addStretch(1)
        finish = QHBoxLayout()
        for b in (self.details_button, self.miles_button):
            finish.addWidget(b)
        finish.addStretch(1)
        finish.addWidget(self.preview_button)
        finish.addWidget(self.pdf_button)
        finish.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.due)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(entries)
        layout.addWidget(self.total)
        layout.addWidget(QLabel("Before you send:"))
        layout.addWidget(self.checklist)
        layout.addLayout(finish)

    def _button(self, text: str, keys: QKeySequence | QKeySequence.StandardKey | str,
                slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        if keys:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(button.click)  # does nothing while the button is greyed out
            self.addAction(action)
            button.setToolTip(QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText))
        return button

    def _fill_months(self) -> None:
        today = self.today()
        current = ClaimMonth.of(today)
        with_entries = self.book.months()
        months = sorted({current, current.previous(), *with_entries}, reverse=True)
        # Early in a month the claim to finish is last month's: unless it has gone already, or
        # only this month has anything in it yet.
        last = current.previous()
        last_open = self.book.status(last).state in (ClaimState.OPEN, ClaimState.RETURNED)
        only_this_month = current in with_entries and last not in with_entries
        default = last if today.day <= 14 and last_open and not only_this_month else current
        self.month_box.blockSignals(True)
        self.month_box.clear()
        for m in months:
            self.month_box.addItem(f"{m.title} — month {m.number} of {m.financial_year}", m)
        self.month_box.setCurrentIndex(months.index(default))
        self.month_box.blockSignals(False)

    @property
    def month(self) -> ClaimMonth:
        chosen = self.month_box.currentData()
        assert isinstance(chosen, ClaimMonth)
        return chosen

    # -- refresh --------------------------------------------------------------------------------
    def unlocked(self) -> None:
        """After the unlock (or a re-key): the window carries on with the vault open now; a
        receipt that finished preparing while the notes were locked is stored now."""
        self.locked = False
        waiting, self.waiting_receipts = self.waiting_receipts, []
        for record_id, prepared in waiting:
            self._store_receipt(record_id, prepared)
        self.refresh()

    def refresh(self) -> None:
        if self.locked:
            return
        month = self.month
        claim = self.book.month(month)
        status = self.book.status(month)
        open_ = status.state in (ClaimState.OPEN, ClaimState.RETURNED)
        enrolled = self.session.book.enrolled()
        sent = ("Sent to the office" + (f" on {status.submitted_at:%d/%m/%Y}" if status.submitted_at else "") + "."
                if enrolled else NOT_ENROLLED_SENT)
        words = {ClaimState.OPEN: "Open: add what you spent this month.",
                 ClaimState.SUBMITTED: sent,
                 ClaimState.RECEIVED: "Received by the office.",
                 ClaimState.APPROVED: "Approved by the office for payment.",
                 ClaimState.RETURNED: f"Returned by the office: {status.reason}"}
        self.state.setText(words[status.state])
        post_by = month.post_by(self.book.rates)
        self.due.setText(f"Must arrive by {month.due:%A %d/%m/%Y}: post it by {post_by:%A %d/%m/%Y} "
                         f"({self.book.rates.postal_words}, as the office says). "
                         "Handbook: “to arrive no later than the 14th of each month”.")
        self._fill_table(claim)
        t = claim.totals()
        self.total.setText(f"Total {pounds(t.total)}" + (f" — including {t.miles} miles, {pounds(t.mileage)}"
                                                          if t.miles else ""))
        self._fill_checklist(claim, open_)
        for b in (self.add_item_button, self.add_journey_button, self.add_call_button):
            b.setEnabled(open_)
        self.send_button.setEnabled(open_ and not any(c.blocking for c in claim.missing()))
        self.pdf_button.setEnabled(bool(claim.items or claim.journeys) and not self.building)
        self.preview_button.setEnabled(bool(claim.items or claim.journeys))
        self._selection()

    def _fill_table(self, claim: MonthClaim) -> None:
        lines = {id(line.journey): line for line in claim.mileage()}
        rows: list[tuple[date, str, list[str]]] = []
        for e in claim.journeys:
            j = e.value
            assert isinstance(j, Journey)
            line = lines.get(id(j))
            rows.append((j.on, e.record_id, [f"{j.on:%d/%m/%Y}", "Mileage", f"{j.start} to {j.end} ({j.purpose})",
                                             f"{j.miles} mi", pounds(line.amount) if line else "", "not needed"]))
        pictures: dict[str, str] = {}  # record id → its first receipt, shown small in the list
        for e in claim.items:
            i = e.value
            assert isinstance(i, ExpenseItem)
            receipts = f"{len(e.receipts)} attached" if e.receipts else "missing"
            if e.receipts:
                pictures[e.record_id] = e.receipts[0][0]
            rows.append((i.on, e.record_id, [f"{i.on:%d/%m/%Y}", CATEGORY_WORDS[i.category].capitalize(),
                                             i.description, "", pounds(i.amount), receipts]))
        for e in claim.calls:
            c = e.value
            assert isinstance(c, PhoneCall)
            rows.append((c.on, e.record_id, [f"{c.on:%d/%m/%Y}", "Call (phone log)", f"{c.masked} ({c.purpose})",
                                             f"{c.minutes} min", "on the bill", ""]))
        rows.sort(key=lambda r: r[0])
        self.table.setRowCount(len(rows))
        for n, (_, record_id, cells) in enumerate(rows):
            for col, value in enumerate(cells):
                cell = QTableWidgetItem(value)
                cell.setData(Qt.ItemDataRole.UserRole, record_id)
                if col == 5 and value == "missing":
                    cell.setForeground(Qt.GlobalColor.red)
                if col == 5 and record_id in pictures:
                    cell.setIcon(self._thumbnail(pictures[record_id]))
                self.table.setItem(n, col, cell)
        self.table.resizeRowsToContents()
        self.empty.setVisible(not rows)

    def _thumbnail(self, attachment_id: str) -> QIcon:
        """A receipt photo, small, to see at a glance which ticket is which (a PDF shows as a
        page). Kept in memory only, and forgotten at the lock."""
        if attachment_id not in self.thumbnails:
            try:
                _mime, data = self.book.receipt(attachment_id)
            except VaultError:  # gone since the list was read: shown as a page
                data = b""
            image = QImage.fromData(data)
            if image.isNull():
                self.thumbnails[attachment_id] = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
            else:
                small = image.scaled(self.THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation)
                self.thumbnails[attachment_id] = QIcon(QPixmap.fromImage(small))
        return self.thumbnails[attachment_id]

    def _fill_checklist(self, claim: MonthClaim, open_: bool) -> None:
        self.checklist.clear()
        checks = claim.missing() if open_ else []
        if not open_ and not self.session.book.enrolled():
            self.checklist.addItem("! Not sent yet: this laptop is not enrolled with the office.")
        elif not open_:
            self.checklist.addItem("✓ Sent. It shows here when the office has confirmed it has it.")
        elif not any(c.blocking for c in checks):
            self.checklist.addItem("✓ Ready to send: everything the office needs is here.")
        for check in checks:
            item = QListWidgetItem(("✗ " if check.blocking else "! ") + check.text)
            item.setForeground(Qt.GlobalColor.red if check.blocking else Qt.GlobalColor.darkYellow)
            self.checklist.addItem(item)

    def selected_id(self) -> str | None:
        items = self.table.selectedItems()
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def _selected_kind(self) -> str:
        row = chosen_row(self.table)
        kind = self.table.item(row, 1) if row is not None else None
        return kind.text() if kind else ""

    def _selection(self) -> None:
        if self.locked:
            return
        open_ = self.book.status(self.month).state in (ClaimState.OPEN, ClaimState.RETURNED)
        kind = self._selected_kind()
        self.remove_button.setEnabled(open_ and bool(kind))
        self.edit_button.setEnabled(open_ and bool(kind))
        self.receipt_button.setEnabled(open_ and bool(kind) and kind not in ("Mileage", "Call (phone log)"))

    # -- entries --------------------------------------------------------------------------------
    def _after(self, saved: str | None) -> None:
        self.refresh()
        if saved:
            for row in range(self.table.rowCount()):
                cell = self.table.item(row, 0)
                if cell is not None and cell.data(Qt.ItemDataRole.UserRole) == saved:
                    self.table.selectRow(row)

    def add_item(self, receipt: Path | None = None) -> None:
        ask(ItemForm(self.session, self.month, self, receipt if isinstance(receipt, Path) else None), self._after)

    def add_journey(self) -> None:
        ask(JourneyForm(self.session, self.month, self.references(), self), self._after)

    def add_call(self) -> None:
        ask(CallForm(self.session, self.month, self.references(), self), self._after)

    def add_receipt(self, path: Path | None = None) -> None:
        record_id = self.selected_id()
        if record_id is None:
            return
        if not isinstance(path, Path):
            name, _ = QFileDialog.getOpenFileName(self, "Receipt photo or PDF", str(documents_folder()), RECEIPT_FILTER)
            if not name:
                return
            path = Path(name)
        # Checking, turning and scaling a phone photo takes a moment: done on the pool, stored here.
        book, chosen = self.book, path
        self.adding += 1
        self.state.setText(f"Adding the receipt “{chosen.name}”…")

        def done(prepared: PreparedReceipt) -> None:
            self.adding -= 1
            if self.locked:
                self.waiting_receipts.append((record_id, prepared))  # stored after the unlock
                return
            self._store_receipt(record_id, prepared)

        def failed(exc: Exception) -> None:
            self.adding -= 1
            if not self.locked:
                self.refresh()
                QMessageBox.warning(self, "Receipt not added", str(exc) if isinstance(exc, VaultError)
                                    else f"“{chosen.name}” could not be read as a receipt.")

        self.runner.run(lambda: book.prepare_file(chosen), done, failed)

    def _store_receipt(self, record_id: str, prepared: PreparedReceipt) -> None:
        try:
            self.book.store_receipt(record_id, prepared)
        except VaultError as exc:
            QMessageBox.warning(self, "Receipt not added", str(exc))
            return
        if self.book.same_receipt_elsewhere(record_id):
            QMessageBox.information(self, "Same receipt twice", "This receipt is also attached to another "
                                    "item. If it is the same expense, remove one of them.")
        self._after(record_id)

    def edit_form(self) -> ExpenseForm | None:
        """The form for the selected entry, filled in; None when nothing can be changed."""
        record_id = self.selected_id()
        if record_id is None or not self.edit_button.isEnabled():
            return None
        claim = self.book.month(self.month)
        for entry in (*claim.items, *claim.journeys, *claim.calls):
            if entry.record_id != record_id:
                continue
            value = entry.value
            form: ExpenseForm
            if isinstance(value, ExpenseItem):
                item_form = ItemForm(self.session, self.month, self)
                item_form.edit(record_id, value)
                form = item_form
            elif isinstance(value, Journey):
                journey_form = JourneyForm(self.session, self.month, self.references(), self)
                journey_form.edit(record_id, value)
                form = journey_form
            else:
                call_form = CallForm(self.session, self.month, self.references(), self)
                call_form.edit(record_id, value)
                form = call_form
            return form
        return None

    def edit(self) -> None:
        form = self.edit_form()
        if form is not None:
            ask(form, self._after)

    def remove(self) -> None:
        record_id = self.selected_id()
        if record_id is None:
            return
        answer = QMessageBox.question(self, "Remove", "Remove this entry and its receipts from the claim?")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.book.remove(record_id)
        except VaultError as exc:
            QMessageBox.warning(self, "Not removed", str(exc))
        self.refresh()

    def edit_details(self) -> None:
        ask(ClaimantForm(self.session, self), lambda _saved: self.refresh())

    def other_miles(self) -> None:
        year = tax_year_of(self.today())
        have = (self.book.profile().other_miles or {}).get(year, Decimal(0))
        miles, ok = QInputDialog.getDouble(
            self, "Miles for other organisations",
            f"Business miles you have driven since 6 April {year} for other organisations (HMRC counts them "
            "towards the same 10,000 miles at 45p):", float(have), 0, 100000, 1)
        if ok:
            try:
                self.book.set_other_miles(year, Decimal(str(round(miles, 1))))
            except VaultError as exc:
                QMessageBox.warning(self, "Not saved", str(exc))
            self.refresh()

    # -- drag and drop ------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        self.receive_files(paths)

    def receive_files(self, paths: list[Path]) -> None:
        """Dropped receipts: onto the selected item, or each starts a new item."""
        if not paths:
            return
        if self.selected_id() and self.receipt_button.isEnabled():
            for path in paths:
                self.add_receipt(path)
            return
        for path in paths:
            self.add_item(path)

    # -- the claim ------------------------------------------------------------------------------
    def preview(self) -> ClaimPreviewDialog:
        dialog = ClaimPreviewDialog(self.book.month(self.month), self.book.profile().claimant, self.ips_code(), self)
        dialog.open()
        return dialog

    def build_pdf(self) -> None:
        from ...reports.claim_pdf import ClaimInput, StoredReceipt

        month = self.month
        claim = self.book.month(month)
        receipts = {a: StoredReceipt(*self.book.receipt(a)) for _, a, _ in claim.receipts_in_order}
        data = ClaimInput(claim, self.book.profile().claimant, self.ips_code(), receipts)
        target = self.save_path(self, f"expense-claim-{month.key}.pdf")
        if target is None:
            return
        self.building = True
        self.pdf_button.setEnabled(False)
        build = ClaimBuild(self, self.runner, data, target)
        build.finished.connect(self._built)
        build.start()

    def _built(self, path: Path | None, message: str) -> None:
        self.building = False
        if self.locked:
            return
        self.refresh()
        if path is not None:
            self.last_pdf = path
        self.state.setText(message)

    def send(self) -> None:
        month = self.month
        total = pounds(self.book.month(month).totals().total)
        answer = QMessageBox.question(
            self, "Send to the office",
            f"Send the {month.title} claim ({total}) and its receipts to the office? After sending it cannot be "
            "changed unless your PPO returns it.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.book.submit(month)
        except VaultError as exc:
            QMessageBox.warning(self, "Not sent", str(exc))
            return
        self.submitted.emit()
        self.refresh()
