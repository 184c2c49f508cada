"""A note or letter for the PPO to forward to a parent or a professional, and the parent's copy of
a record's agreed actions (domain/forward.py)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QWidget

from ...domain.forward import NoteToForward
from ...domain.records import ROLES, AgreedAction
from ...domain.words import counted
from ...store.session import VaultSession
from .screened import ScreenedDialog

RULE = ("Handbook: “Any notes you wish to email to parents or professionals should be sent to your PPO who will "
        "forward them … to keep your own email address confidential.” Your PPO adds the address; write the note "
        "with roles and initials.")


class ForwardDialog(ScreenedDialog):
    sent = Signal(str)
    title = "Note to forward via your PPO"

    def __init__(self, session: VaultSession, case_id: str, reference: str, actions: tuple[AgreedAction, ...],
                 meeting_on: date | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.case_id, self.agreed, self.meeting_on = session, case_id, actions, meeting_on
        self.setWindowTitle(f"{self.title} · case {reference}")
        self.resize(620, 520)
        self.to = QComboBox()
        self.to.setEditable(True)
        self.to.addItems([r for r in ROLES if r not in ("IPS", "PPO", "child")])
        self.to.setCurrentText("parent")
        self.to.setAccessibleName("Who it is for, by role")
        self.subject = QLineEdit()
        self.subject.setAccessibleName("Subject")
        self.subject.setMaxLength(120)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("The note")
        self.text.setTabChangesFocus(True)
        self.include = QCheckBox(f"Include this note's {counted(len(actions), 'agreed action')}: the parent's copy")
        self.include.setEnabled(bool(actions))
        self.include.setChecked(bool(actions))
        if actions:
            self.subject.setText("What we agreed" + (f" on {meeting_on.day} {meeting_on:%B}" if meeting_on else ""))
        self.send_button = self.lay_out(RULE, (("&To", self.to), ("&Subject", self.subject), ("&Note", self.text),
                                               ("", self.include)), "Send to your &PPO")
        self.subject.setFocus()

    def note(self) -> NoteToForward:
        actions = tuple(AgreedAction(a.what, a.who, a.by_when) for a in self.agreed) if self.include.isChecked() \
            else ()
        return NoteToForward(self.to.currentText().strip(), self.subject.text().strip(),
                             self.text.toPlainText().strip(), actions, self.meeting_on if actions else None)

    def editor(self, field: str) -> QLineEdit | QPlainTextEdit:
        return self.subject if field == "subject" else self.text

    def submit(self) -> None:
        self.sent.emit(self.session.book.send_forward(self.case_id, self.note(), self.kept))

