"""An event or community summary for the PPO (domain/records.EventSummary): no case, screened
like any record, gone from the laptop once the office has it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from ...domain.records import EventSummary
from ...store.casebook import InputError
from ...store.session import VaultSession
from ..common.when_fields import DateField
from .screened import ScreenedDialog

RULE = ("Handbook, at events: “Email your PPO a brief summary of the event or contacts made, adhering to the "
        "record keeping guidelines.” No names: a family who asked for support is a referral (Ctrl+Shift+F).")


class EventSummaryDialog(ScreenedDialog):
    sent = Signal(str)
    title = "Event or community summary"

    def __init__(self, session: VaultSession, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(self.title)
        self.resize(600, 480)
        self.on = DateField("Date of the event", today, today=lambda: today)
        self.what = QLineEdit()
        self.what.setAccessibleName("What the event was")
        self.what.setPlaceholderText("e.g. coffee morning at the children's centre")
        self.what.setMaxLength(120)
        self.summary = QPlainTextEdit()
        self.summary.setAccessibleName("Summary of the event or contacts made")
        self.summary.setTabChangesFocus(True)
        self.hours = QDoubleSpinBox()
        self.hours.setAccessibleName("Hours")
        self.hours.setRange(0, 24)
        self.hours.setSingleStep(0.5)
        self.hours.setDecimals(1)
        self.families = QSpinBox()
        self.families.setAccessibleName("Families who approached you")
        self.families.setRange(0, 500)
        self.send_button = self.lay_out(RULE, (("Date", self.on), ("&Event", self.what), ("&Summary", self.summary),
                                               ("&Hours", self.hours), ("&Families who approached you", self.families)),
                                        "Send to the &office")
        self.what.setFocus()

    def current(self) -> EventSummary:
        on = self.on.value()
        if on is None:
            raise InputError(f"Date of the event: {self.on.problem()}")
        return EventSummary(on, self.what.text().strip(), self.summary.toPlainText().strip(),
                            Decimal(str(self.hours.value())), self.families.value())

    def editor(self, field: str) -> QLineEdit | QPlainTextEdit:
        return self.what if field == "event" else self.summary

    def submit(self) -> None:
        self.sent.emit(self.session.book.send_event_summary(self.current(), self.kept))

