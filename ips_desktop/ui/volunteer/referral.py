"""A family's referral, sent to the office at once (domain/referral.py): the one form with a
parent's name and telephone number, in their own two fields."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from ... import clock
from ...domain.referral import Approach, Referral, deadline, deadline_words
from ...store.session import VaultSession
from ..common.when_fields import DateTimeField
from ..common.widgets import message_label
from .screened import ScreenedDialog

RULE = ("Handbook: “If approached for support by a family, Devon Parent Partnership Service must be informed on "
        "the same working day … with parent's name and telephone number.” This form is the one place for a name "
        "and a number: it goes to the office now, locked so only the office can read it, and leaves this "
        "laptop as soon as the office has it.")


class ReferralDialog(ScreenedDialog):
    sent = Signal(str)  # record id: the caller sends it now
    title = "Referral from a family"

    def __init__(self, session: VaultSession, office_phone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(self.title)
        self.resize(620, 560)
        self.name = QLineEdit()
        self.name.setAccessibleName("Parent's name")
        self.name.setMaxLength(80)
        self.phone = QLineEdit()
        self.phone.setAccessibleName("Parent's telephone number")
        self.phone.setPlaceholderText("e.g. 01392 383080")
        self.phone.setMaxLength(24)
        self.when = DateTimeField("When the family approached you", clock.now().replace(second=0, microsecond=0))
        self.approach = QComboBox()
        self.approach.setAccessibleName("How the family approached you")
        for approach in Approach:
            self.approach.addItem(approach.value, approach)
        self.need = QPlainTextEdit()
        self.need.setAccessibleName("What the family wants help with")
        self.need.setTabChangesFocus(True)
        self.need.setPlaceholderText("In roles, no names: e.g. “Worried the school is not meeting their child's needs; "
                                     "wants to know about an EHC needs assessment.”")
        self.agreed = QCheckBox("The parent agreed that their name and number go to the office")
        self.due = message_label("Referral deadline")
        self.when.changed.connect(self._show_due)
        self.send_button = self.lay_out(RULE, (("Parent's &name", self.name), ("&Telephone", self.phone),
                                               ("When", self.when), ("How", self.approach),
                                               ("&What they want help with", self.need), ("", self.agreed)),
                                        "&Send to the office now", after=(self.due,))
        self.office_phone = office_phone
        self._show_due()
        self.name.setFocus()
        if not session.book.enrolled():
            # A name and a number must not sit on a laptop that cannot send them.
            ring = f"ring the office on {office_phone}" if office_phone else "ring the office"
            self.problem(f"This laptop is not enrolled with the office yet, so it cannot send a referral: "
                         f"{ring} with the parent's name and number today, as the handbook says.")
            self.send_button.setEnabled(False)

    def _show_due(self) -> None:
        when = self.when.value()
        if when is None:
            return
        due = deadline(when)
        ring = f" If it cannot go (no internet), ring the office on {self.office_phone}." if self.office_phone else ""
        self.due.setText(f"The office must have it {deadline_words(due, clock.now())}.{ring}")

    def referral(self) -> Referral:
        return Referral(self.name.text(), self.phone.text(), self.when.required("When the family approached you"),
                        Approach(self.approach.currentData()), self.need.toPlainText().strip(), self.agreed.isChecked())

    def editor(self, field: str) -> QLineEdit | QPlainTextEdit:
        return self.need

    def submit(self) -> None:
        self.sent.emit(self.session.book.send_referral(self.referral(), self.kept))

