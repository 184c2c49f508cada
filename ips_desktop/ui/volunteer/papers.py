"""Papers a parent lent the volunteer, until they go back with proof of posting."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.pii import FieldFinding, KeepReason, apply_all, apply_replacement
from ...domain.records import PapersHeld
from ...store.casebook import CaseBook, InputError, Kept, RecordView, UnresolvedFindings
from ...store.errors import VaultError
from ...store.session import VaultSession
from ..common.when_fields import DateField
from ..common.widgets import chosen_row
from .models import uk
from .pii_panel import PiiPanel

RULE = ("Handbook: “All reports, notes and papers given to you by the parent should be kept safely "
        "and securely … They should be returned (posted with proof of posting) to the parent at the "
        "earliest opportunity.”")


def papers_out(views: list[RecordView]) -> list[RecordView]:
    return [v for v in views if isinstance(v.record, PapersHeld) and not v.record.returned]


class PapersDialog(QDialog):
    def __init__(self, session: VaultSession, case_id: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.case_id, self.today = session, case_id, today
        self.kept: list[Kept] = []
        self.setWindowTitle("Papers held")
        self.resize(640, 420)
        rule = QLabel(RULE)
        rule.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName("Papers held")
        self.table.setHorizontalHeaderLabels(("Papers", "Received", "Returned (proof of posting)"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.description = QLineEdit()
        self.description.setAccessibleName("Description of the papers")
        self.description.setPlaceholderText("e.g. EP report and school's provision map (originals)")
        self.received = DateField("Date received", today)
        self.pii = PiiPanel()
        self.pii.replace_requested.connect(self._replace)
        self.pii.replace_all_requested.connect(self._replace_all)
        self.pii.keep_requested.connect(self._keep)
        add = QPushButton("Add papers")
        add.clicked.connect(self.add)
        self.returned_button = QPushButton("Mark returned…")
        self.returned_button.clicked.connect(self.mark_returned)
        form = QFormLayout()
        form.addRow("Papers", self.description)
        form.addRow("Received on", self.received)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addStretch()
        row.addWidget(self.returned_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(rule)
        layout.addWidget(self.table)
        layout.addLayout(form)
        layout.addWidget(self.pii)
        layout.addLayout(row)
        layout.addWidget(close)
        self.refresh()


    @property
    def book(self) -> CaseBook:
        """The case book of the vault open now (docs/architecture.md, "Sessions")."""
        return self.session.book

    def views(self) -> list[RecordView]:
        return [v for v in self.book.records_for_case(self.case_id) if isinstance(v.record, PapersHeld)]

    def refresh(self) -> None:
        views = self.views()
        self.table.setRowCount(len(views))
        for row, view in enumerate(views):
            papers = view.record
            assert isinstance(papers, PapersHeld)
            returned = (f"{uk(papers.returned_on)} ({papers.proof_of_posting})" if papers.returned
                        and papers.returned_on else "not yet — return with proof of posting")
            for column, text in enumerate((papers.description, uk(papers.received_on), returned)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, view.id)
                self.table.setItem(row, column, item)
        self.returned_button.setEnabled(bool(views))

    def _papers(self) -> PapersHeld:
        return PapersHeld(self.description.text().strip(), self.received.required("Date received"))

    def add(self) -> None:
        try:
            papers = self._papers()
        except InputError as exc:
            QMessageBox.warning(self, "Papers held", str(exc))
            self.received.setFocus()
            return
        if not papers.description:
            self.description.setFocus()
            return
        self._save(None, papers)

    def _save(self, record_id: str | None, papers: PapersHeld) -> bool:
        try:
            self.book.save(record_id, self.case_id, papers, self.kept)
        except UnresolvedFindings as exc:
            self.pii.show_findings(list(exc.findings))
            return False
        except (InputError, VaultError) as exc:
            QMessageBox.warning(self, "Papers held", str(exc))
            return False
        self.kept = []
        self.pii.show_findings([])
        self.description.clear()
        self.refresh()
        return True

    def _replace(self, finding: FieldFinding, replacement: str) -> None:
        self.description.setText(apply_replacement(self.description.text(), finding.finding, replacement))
        self.add()

    def _replace_all(self, findings: list[FieldFinding]) -> None:
        self.description.setText(apply_all(self.description.text(), [f.finding for f in findings]))
        self.add()

    def _keep(self, finding: FieldFinding, reason: KeepReason) -> None:
        self.kept.append(Kept(finding.field, finding.finding.text, reason))
        self.add()

    def mark_returned(self) -> None:
        row = chosen_row(self.table)
        if row is None:
            QMessageBox.information(self, "Papers held", "Choose the papers you posted back first.")
            return
        cell = self.table.item(row, 0)
        if cell is None:
            return
        record_id = cell.data(Qt.ItemDataRole.UserRole)
        proof, ok = QInputDialog.getText(
            self, "Papers returned", "Proof of posting (the certificate number from the Post Office):")
        if not ok:
            return
        if not proof.strip():
            QMessageBox.information(self, "Papers held", "The handbook asks for proof of posting: "
                                    "type the certificate number from the Post Office receipt.")
            return
        papers = self.book.record(record_id).record
        assert isinstance(papers, PapersHeld)
        self._save(record_id, replace(papers, returned_on=self.today, proof_of_posting=proof.strip()))
