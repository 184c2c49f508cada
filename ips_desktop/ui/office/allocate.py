"""Allocate a case to a volunteer's laptop (office/allocation.py): the reference, the parent's
initial and a short brief with no names. Checked here before anything is sent; the sending
happens on the records' lane, so a slow relay never freezes the console."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain.records import MOST_BRIEF
from ...domain.references import DEFAULT_FORMAT, office_format
from ...office import allocation
from ...office.console import OfficeConsole
from ...office.service import OfficeError
from ..common.widgets import accept_or_cancel, error_label

RULE = ("Handbook: the PPO sends the volunteer “a file number and initial to use to identify the case”. "
        "The case appears on the volunteer's laptop at its next sync, with the initial and the brief. "
        "Notes that arrive under a reference not allocated to the laptop that sent them are pointed out.")


def allocated_words(console: OfficeConsole, checked: allocation.Allocation) -> str:
    """What the console says once an allocation has gone."""
    label = dict(console.volunteers()).get(checked.device_kid, "the volunteer")
    return f"Case {checked.reference} is allocated to {label}. It appears on their laptop at its next sync."


class AllocateDialog(QDialog):
    """Fills in an allocation; ``allocate`` gets the checked allocation to send."""

    def __init__(self, console: OfficeConsole, allocate: Callable[[allocation.Allocation], None],
                 reference: str = "", device_kid: bytes | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console, self._allocate = console, allocate
        self.setWindowTitle("Allocate a case")
        self.resize(560, 420)
        rule = QLabel(RULE)
        rule.setWordWrap(True)
        self.volunteer = QComboBox()
        self.volunteer.setAccessibleName("Volunteer")
        for kid, label in console.volunteers():
            self.volunteer.addItem(label, kid)
        if device_kid is not None and self.volunteer.findData(device_kid) >= 0:
            self.volunteer.setCurrentIndex(self.volunteer.findData(device_kid))
        state = console.service.repo.state()
        fmt = office_format(state.policy if state else {})
        self.reference = QLineEdit(reference)
        self.reference.setAccessibleName("Case reference")
        self.reference.setPlaceholderText(f"e.g. {(fmt or DEFAULT_FORMAT).example}")
        self.initial = QLineEdit()
        self.initial.setAccessibleName("Parent's initial")
        self.initial.setPlaceholderText("e.g. H.T.")
        self.initial.setMaxLength(6)
        self.brief = QPlainTextEdit()
        self.brief.setAccessibleName("Brief")
        self.brief.setTabChangesFocus(True)
        self.brief.setPlaceholderText("What the family wants help with, in roles and initials, e.g. “Parent of a "
                                      "Year 4 child; draft EHC plan due 15/12; wants help with the response.”")
        self.count = QLabel()
        self.brief.textChanged.connect(self._count)
        self.error = error_label()
        form = QFormLayout()
        form.addRow("&Volunteer", self.volunteer)
        form.addRow("Case &reference", self.reference)
        form.addRow("Parent's &initial", self.initial)
        form.addRow("&Brief", self.brief)
        form.addRow("", self.count)
        buttons, self.allocate_button = accept_or_cancel("&Allocate", self.submit, self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(rule)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        if not console.volunteers():
            self.error.setText("No volunteer's laptop is enrolled yet: make an invite in the Devices tab first.")
            self.allocate_button.setEnabled(False)
        self._count()
        (self.initial if reference else self.reference).setFocus()

    def _count(self) -> None:
        self.count.setText(f"{len(self.brief.toPlainText())} of {MOST_BRIEF} characters; roles and initials, "
                           "never names")

    def submit(self) -> None:
        kid = self.volunteer.currentData()
        try:
            checked = allocation.check(self.console.service, kid, self.reference.text(), self.initial.text(),
                                       self.brief.toPlainText())
        except OfficeError as exc:
            self.error.setText(str(exc))
            return
        self._allocate(checked)
        self.accept()
