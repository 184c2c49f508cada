"""Inline findings of the PII guard: the handbook's advice, a one-click fix, or keep-with-reason."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.pii import FieldFinding, KeepReason
from ...domain.words import counted

_FIELD_NAMES = {"summary": "summary", "parent_initials": "parent initials",
                "safeguarding.actions": "safeguarding actions", "description": "description"}


def field_label(field: str) -> str:
    """"action.0.what" → "agreed action 1"; any other field by its own name."""
    if field in _FIELD_NAMES:
        return _FIELD_NAMES[field]
    head, _, rest = field.partition(".")
    index = rest.split(".")[0]
    if head in ("action", "consent") and index.isdigit():
        return f"agreed action {int(index) + 1}" if head == "action" else f"consent {int(index) + 1}"
    return field.replace("_", " ").replace(".", " ")


class FindingRow(QFrame):
    replace_requested = Signal(object, str)
    keep_requested = Signal(object, object)

    def __init__(self, finding: FieldFinding, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.finding = finding
        self.setFrameShape(QFrame.Shape.StyledPanel)
        f = finding.finding
        title = QLabel(f"<b>{f.kind.value.capitalize()}</b> in the {field_label(finding.field)}: "
                       f"“{f.text[:60]}”")
        title.setWordWrap(True)
        advice = QLabel(f.advice)
        advice.setWordWrap(True)
        advice.setStyleSheet("color: #3c3c3c;")
        self.fix = QPushButton(f"Replace with “{f.suggestion}”")
        self.fix.setAccessibleName(f"Replace {f.kind.value} with {f.suggestion}")
        self.fix.clicked.connect(lambda: self.replace_requested.emit(finding, f.suggestion))
        self.reason = QComboBox()
        self.reason.setAccessibleName("Reason for keeping it")
        # The reasons are long: the list shows them whole, the closed box does not widen the editor.
        self.reason.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.reason.setMinimumContentsLength(16)
        self.reason.addItem("Keep it because…", None)
        for reason in KeepReason:
            self.reason.addItem(reason.value, reason)
        self.keep = QPushButton("Keep")
        self.keep.setEnabled(False)
        self.keep.setAccessibleName(f"Keep this {f.kind.value}")
        self.reason.currentIndexChanged.connect(
            lambda: self.keep.setEnabled(self.reason.currentData() is not None))
        self.keep.clicked.connect(lambda: self.keep_requested.emit(finding, self.reason.currentData()))
        replace_row = QHBoxLayout()
        replace_row.addWidget(self.fix)
        replace_row.addStretch()
        keep_row = QHBoxLayout()  # a line of its own: the panel fits the narrow editor
        keep_row.addWidget(self.reason, 1)
        keep_row.addWidget(self.keep)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(advice)
        layout.addLayout(replace_row)
        layout.addLayout(keep_row)


class PiiPanel(QWidget):
    """Shows the findings that block saving. Emits the volunteer's decision for each."""

    replace_requested = Signal(object, str)
    replace_all_requested = Signal(object)  # list[FieldFinding]
    keep_requested = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Identifying details found")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.replace_all = QPushButton("Replace all")
        self.replace_all.setToolTip("Replace every detail below with its suggestion, then save")
        self.replace_all.clicked.connect(lambda: self.replace_all_requested.emit([r.finding for r in self.rows]))
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.replace_all)
        self._layout.addLayout(top)
        self.rows: list[FindingRow] = []
        self.hide()

    def show_findings(self, findings: list[FieldFinding]) -> None:
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        if not findings:
            self.hide()
            return
        self.heading.setText(
            f"<b>Before saving: {counted(len(findings), 'detail')} could identify someone.</b> "
            "Use roles and initials instead, or keep a detail with a reason.")
        self.replace_all.setText(f"Replace all {len(findings)}" if len(findings) > 1 else "Replace it")
        for finding in findings:
            row = FindingRow(finding, self)
            row.replace_requested.connect(self.replace_requested)
            row.keep_requested.connect(self.keep_requested)
            self._layout.addWidget(row)
            self.rows.append(row)
        self.show()
