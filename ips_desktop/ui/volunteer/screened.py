"""A form whose free text is screened by the PII guard before it is sent (visit outcome, incident
report, referral, event summary): one way to replace or keep each finding in every such form."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.pii import FieldFinding, KeepReason, apply_all, apply_replacement
from ...domain.visit_flow import TransitionError
from ...store.casebook import InputError, Kept, UnresolvedFindings
from ...store.errors import VaultError
from ..common.widgets import accept_or_cancel, error_label
from .pii_panel import PiiPanel

PROBLEMS = (TransitionError, InputError, VaultError)


class ScreenedDialog(QDialog):
    """A form whose free text is screened before it is sent: findings show in :attr:`pii`,
    each replaced or kept with a reason, then the form submits again."""

    title = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kept: list[Kept] = []
        self.error: QLabel | None = None  # the form's error line, when lay_out made it
        self.pii = PiiPanel()
        self.pii.replace_requested.connect(self._replace)
        self.pii.replace_all_requested.connect(self._replace_all)
        self.pii.keep_requested.connect(self._keep)

    def submit(self) -> None:
        raise NotImplementedError

    def editor(self, field: str) -> QLineEdit | QPlainTextEdit:
        raise NotImplementedError

    def save(self) -> None:
        try:
            self.submit()
        except UnresolvedFindings as exc:
            self.pii.show_findings(list(exc.findings))
            return
        except PROBLEMS as exc:
            self.problem(str(exc))
            return
        self.accept()

    def problem(self, words: str) -> None:
        """Say what to put right: on the form's error line when it has one, else in a message box."""
        if self.error is not None:
            self.error.setText(words)
        else:
            QMessageBox.warning(self, self.title, words)

    def lay_out(self, rule: str, rows: Sequence[tuple[str, QWidget]], accept: str,
                after: Sequence[QWidget] = ()) -> QPushButton:
        """The form most screened dialogs are: the handbook's rule, the rows, anything ``after``
        them, the findings, the error line, and Cancel beside the one action (which screens and
        sends). Returns the action's button."""
        said = QLabel(rule)
        said.setWordWrap(True)
        self.error = error = error_label()
        form = QFormLayout()
        for words, widget in rows:
            form.addRow(words, widget)
        buttons, action = accept_or_cancel(accept, self.save, self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(said)
        layout.addLayout(form)
        for widget in (*after, self.pii, error):
            layout.addWidget(widget)
        layout.addWidget(buttons)
        return action

    def _replace(self, finding: FieldFinding, replacement: str) -> None:
        editor = self.editor(finding.field)
        if isinstance(editor, QLineEdit):
            editor.setText(apply_replacement(editor.text(), finding.finding, replacement))
        else:
            editor.setPlainText(apply_replacement(editor.toPlainText(), finding.finding, replacement))
        self.save()

    def _replace_all(self, findings: list[FieldFinding]) -> None:
        """Every finding by its suggestion, field by field, then submit again."""
        for field in dict.fromkeys(f.field for f in findings):
            editor = self.editor(field)
            found = [f.finding for f in findings if f.field == field]
            if isinstance(editor, QLineEdit):
                editor.setText(apply_all(editor.text(), found))
            else:
                editor.setPlainText(apply_all(editor.toPlainText(), found))
        self.save()

    def _keep(self, finding: FieldFinding, reason: KeepReason) -> None:
        self.kept.append(Kept(finding.field, finding.finding.text, reason))
        self.save()
