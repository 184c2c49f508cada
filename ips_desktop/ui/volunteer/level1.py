"""The Level 1 tally: anonymous one-off queries, by category only."""

from __future__ import annotations

from collections import Counter
from datetime import date

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.records import LEVEL1_CATEGORIES, Level1Contact, Level1Focus
from ...domain.words import counted
from ...store.casebook import CaseBook
from ...store.errors import VaultError
from ...store.session import VaultSession
from ..common.when_fields import DateField
from ..common.widgets import message_label

RULE = ("Service description: Level 1 contacts are “recorded anonymously and simply indicate the "
        "category of the query …, which services were signposted, whether the query was mainly "
        "about a child or a parent”. No reference, no initials, no notes.")
# A fixed list, so nothing typed here can identify anyone.
SIGNPOSTED = ("none", "SENDIASS", "IPSEA", "Contact", "Citizens Advice", "Family Information Service",
              "the school's SENCO", "the LA's SEN team", "health (GP, health visitor, CAMHS)",
              "social care or Early Help", "other")


class Level1Dialog(QDialog):
    def __init__(self, session: VaultSession, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.today = session, today
        self.setWindowTitle("Level 1 contact (anonymous)")
        rule = QLabel(RULE)
        rule.setWordWrap(True)
        self.on = DateField("Date of the contact", today, today=lambda: self.today)
        self.category = QComboBox()
        self.category.addItems(LEVEL1_CATEGORIES)
        self.category.setAccessibleName("Category of the query")
        self.signposted = QComboBox()
        self.signposted.addItems(SIGNPOSTED)
        self.signposted.setAccessibleName("Signposted to")
        self.child = QRadioButton("mainly about a child")
        self.parent_focus = QRadioButton("mainly about a parent")
        self.child.setChecked(True)
        focus = QButtonGroup(self)
        focus.addButton(self.child)
        focus.addButton(self.parent_focus)
        focus_row = QHBoxLayout()
        focus_row.addWidget(self.child)
        focus_row.addWidget(self.parent_focus)
        form = QFormLayout()
        form.addRow("Date", self.on)
        form.addRow("Category", self.category)
        form.addRow("Signposted to", self.signposted)
        form.addRow("The query was", focus_row)
        self.tally = message_label("This month's Level 1 tally")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.record)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(rule)
        layout.addLayout(form)
        layout.addWidget(self.tally)
        layout.addWidget(buttons)
        self.refresh()


    @property
    def book(self) -> CaseBook:
        """The case book of the vault open now (docs/architecture.md, "Sessions")."""
        return self.session.book

    def refresh(self) -> None:
        month_start = self.today.replace(day=1)
        contacts = self.book.level1_contacts(since=month_start)
        if not contacts:
            self.tally.setText(f"No Level 1 contacts recorded since {month_start:%d/%m/%Y}.")
            return
        counts = Counter(c.category for c in contacts)
        lines = ", ".join(f"{category} {n}" for category, n in counts.most_common())
        self.tally.setText(f"Since {month_start:%d/%m/%Y}: {counted(len(contacts), 'contact')} — {lines}.")

    def record(self) -> None:
        on = self.on.value()
        if on is None:
            QMessageBox.warning(self, "Level 1 contact", f"Date of the contact: {self.on.problem()}")
            self.on.setFocus()
            return
        contact = Level1Contact(
            on, self.category.currentText(),
            self.signposted.currentText(), Level1Focus.CHILD if self.child.isChecked() else Level1Focus.PARENT)
        try:
            self.book.add_level1(contact)
        except VaultError as exc:
            QMessageBox.warning(self, "Level 1 contact", str(exc))
            return
        self.refresh()
