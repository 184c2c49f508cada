"""“What leaves this laptop, when and why”: every record's sync state and retention rule."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.retention import HANDBOOK
from ...sync.engine import RetentionRow
from .models import uk

KIND_WORDS = {"contact": "Contact record", "papers": "Papers held", "level1": "Level 1 tally",
              "visit_plan": "Visit plan", "visit_outcome": "Visit outcome", "incident": "Incident report",
              "expense_claim": "Expense claim", "expense_item": "Expense item", "journey": "Journey",
              "phone_log": "Phone log", "family_contact": "Family contact (for the ladder)",
              "ladder_profile": "About you (for the overdue ladder)", "case_status": "Case closed or reopened",
              "allocation": "Your PPO's brief for the case", "referral": "Referral of a family",
              "event": "Event summary", "case_decision": "Your PPO's decision on the case",
              "forward": "Note for your PPO to forward"}
COLUMNS = ("Case", "Record", "Status", "Removed from this laptop", "Why")
EMPTY = "Nothing is held on this laptop."


class RetentionDialog(QDialog):
    def __init__(self, rows: list[RetentionRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("What leaves this laptop, when and why")
        intro = QLabel("Your notes leave this laptop only after the office has confirmed that it holds them — "
                       "and then only when the office's rule for that kind of note says so. Nothing unsent is ever "
                       "removed automatically.\n\n"
                       + HANDBOOK["contact"])
        intro.setWordWrap(True)
        self.table = QTableWidget(len(rows), len(COLUMNS))
        self.table.setAccessibleName("Records and when they are removed")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for r, row in enumerate(rows):
            when = uk(row.due_at, False) if row.due_at else "not scheduled"
            for c, text in enumerate((row.case_ref, KIND_WORDS.get(row.record_type, row.record_type),
                                      row.sync_state, when, row.why)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.empty = QLabel(EMPTY)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setVisible(not rows)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        self.resize(900, 480)
