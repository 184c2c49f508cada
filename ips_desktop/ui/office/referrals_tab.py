"""The console's referrals queue (office/referrals.py): families a volunteer referred, with the
parent's name and number to ring, the new ones first; allocate one as a case, or record that it
was dealt with another way."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from ...office.allocation import Allocation
from ...office.console import OfficeConsole
from ...office.referrals import ReferralView
from ..common.widgets import chosen_row
from .allocate import AllocateDialog, allocated_words
from .tabs import Background, ConsoleTab, fill_table, make_table

RULE = ("Handbook: a family who approaches a volunteer is referred to the office “on the same working day … "
        "with parent's name and telephone number”. Ring the family, then allocate the case to a volunteer or "
        "record how it was dealt with. The volunteer's laptop deletes its copy once this office has it.")
EMPTY = "No referrals yet. When a volunteer sends one from their laptop it appears here at the next pull."


class ReferralsTab(ConsoleTab):
    def __init__(self, console: OfficeConsole, who: Callable[[], str], parent: QWidget | None = None,
                 background: Background | None = None) -> None:
        super().__init__(console, who, parent, background)
        self.setWindowTitle("Referrals")
        self.shown: list[ReferralView] = []
        rule = QLabel(RULE)
        rule.setWordWrap(True)
        self.table = make_table(("State", "Received", "From", "Parent", "Telephone", "Approached", "Needs help with"),
                                "Referrals")
        self.empty = QLabel(EMPTY)
        self.allocate_button = QPushButton("Allocate as a case…")
        self.allocate_button.clicked.connect(self.allocate)
        self.other_button = QPushButton("Dealt with another way…")
        self.other_button.clicked.connect(self.dealt_with)
        row = QHBoxLayout()
        row.addWidget(self.allocate_button)
        row.addWidget(self.other_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(rule)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(row)
        self.refresh()

    def new_count(self) -> int:
        return sum(1 for r in self.shown if r.outcome is None)

    def refresh(self) -> None:
        self.shown = self.console.referrals()
        fill_table(self.table, [(r.state, f"{r.received_at:%d/%m/%Y %H:%M}", r.label, r.parent_name, r.phone,
                                 r.approached_words, r.need) for r in self.shown])
        for row, referral in enumerate(self.shown):
            item = self.table.item(row, 0)
            if referral.outcome is None and item is not None:
                item.setForeground(Qt.GlobalColor.darkRed)
        self.empty.setVisible(not self.shown)
        for button in (self.allocate_button, self.other_button):
            button.setEnabled(bool(self.shown))

    def chosen(self) -> ReferralView | None:
        row = chosen_row(self.table)
        return self.shown[row] if row is not None and row < len(self.shown) else None

    def allocate(self) -> AllocateDialog | None:
        referral = self.chosen()
        if referral is None:
            self.table.setFocus()
            return None
        record_id = referral.record_id

        def send(checked: Allocation) -> None:
            self._send(lambda console: console.allocate_referral(record_id, checked, self.who()),
                       allocated_words(self.console, checked))

        dialog = AllocateDialog(self.console, send, device_kid=referral.device_kid, parent=self)
        dialog.brief.setPlainText(referral.need)
        dialog.reference.setFocus()
        dialog.open()
        return dialog

    def dealt_with(self) -> None:
        referral = self.chosen()
        if referral is None:
            self.table.setFocus()
            return
        how, ok = QInputDialog.getText(self, "Dealt with another way", "How was it dealt with? (e.g. rang the "
                                       "parent; signposted to Citizens Advice)")
        if ok:
            record_id = referral.record_id
            self._try(lambda: self.console.referral_dealt_with(record_id, how, self.who()))
