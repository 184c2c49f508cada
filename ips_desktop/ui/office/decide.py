"""The PPO's decision after a difficult visit or an incident: the case continues or stops, with a
note for the volunteer (office/difficulties.py). Handbook: "In some circumstances the
continuation of a service to the Service user may be reviewed.\""""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QButtonGroup, QDialog, QLabel, QLineEdit, QRadioButton, QVBoxLayout, QWidget

from ..common.widgets import accept_or_cancel, error_label


class DecideDialog(QDialog):
    """Asks; ``decided(decision, note)`` does the sending."""

    def __init__(self, reference: str, label: str, decided: Callable[[str, str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.decided = decided
        self.setWindowTitle("Continue or stop the case")
        about = QLabel(f"Case {reference}, {label}'s laptop. The volunteer sees your decision and the note under "
                       "the case.")
        about.setWordWrap(True)
        self.keep = QRadioButton("The case &continues")
        self.stop = QRadioButton("The case &stops")
        self.keep.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.keep)
        group.addButton(self.stop)
        self.note = QLineEdit()
        self.note.setAccessibleName("Note for the volunteer")
        self.note.setMaxLength(500)
        self.note.setPlaceholderText("e.g. public places only from now on; or why it stops")
        self.error = error_label()
        buttons, _send = accept_or_cancel("Send to the &volunteer", self.send, self.reject)
        layout = QVBoxLayout(self)
        for widget in (about, self.keep, self.stop, QLabel("Note for the volunteer:"), self.note, self.error):
            layout.addWidget(widget)
        layout.addWidget(buttons)

    def send(self) -> None:
        decision, note = ("stop" if self.stop.isChecked() else "continue"), self.note.text().strip()
        if decision == "stop" and not note:
            self.error.setText("Say why the case stops and what the volunteer should tell the family.")
            return
        self.decided(decision, note)
        self.accept()
