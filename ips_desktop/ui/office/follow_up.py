"""Record what was done about a safeguarding concern (office/safeguarding.py)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ... import clock
from ...domain.safeguarding import FOLLOW_UPS
from ...office.console import OfficeConsole
from ...office.safeguarding import Concern
from ...office.service import OfficeError
from ...store.errors import VaultError
from ..common.when_fields import DateTimeField
from ..common.widgets import accept_or_cancel, error_label

RULE = ("Handbook: “It is then the responsibility of the PPO to look into the situation further, gain more "
        "information and decide if a referral needs to be passed to the relevant agency.”")


class FollowUpDialog(QDialog):
    def __init__(self, console: OfficeConsole, concern: Concern, who: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console, self.concern, self.who = console, concern, who
        self.setWindowTitle("Safeguarding: what was done")
        self.resize(560, 300)
        rule = QLabel(RULE)
        rule.setWordWrap(True)
        about = QLabel(concern.about() + ".")
        about.setWordWrap(True)
        self.action = QComboBox()
        self.action.setAccessibleName("What was done")
        self.action.addItems(FOLLOW_UPS)
        self.by = QLineEdit(who())
        self.by.setAccessibleName("Who did it")
        self.by.setMaxLength(80)
        self.when = DateTimeField("When", clock.now().replace(second=0, microsecond=0))
        self.note = QLineEdit()
        self.note.setAccessibleName("Note")
        self.note.setMaxLength(500)
        self.note.setPlaceholderText("e.g. MASH reference, or why no further action")
        self.error = error_label()
        form = QFormLayout()
        form.addRow("&What was done", self.action)
        form.addRow("&By", self.by)
        form.addRow("When", self.when)
        form.addRow("&Note", self.note)
        buttons, self.save_button = accept_or_cancel("&Record", self.save, self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(rule)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.action.setFocus()

    def save(self) -> None:
        when = self.when.value()
        if when is None:
            self.error.setText(f"When: {self.when.problem()}")
            return
        try:
            self.console.record_follow_up(self.concern.record.record_id, self.action.currentText(), self.by.text(),
                                          when, self.note.text(), self.who())
        except (OfficeError, VaultError) as exc:
            self.error.setText(str(exc))
            return
        self.accept()
