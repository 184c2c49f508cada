"""The console's Feedback tab (office/feedback.py): closed cases to ring for feedback, the
Appendix 4 questionnaire, and the report to the Steering Group (office/steering.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...domain.feedback import RATINGS, SUPPORT, YES_NO, Feedback
from ...domain.steering import Period
from ...office.console import OfficeConsole
from ...office.feedback import FeedbackCall
from ...office.service import OfficeError
from ...store.errors import VaultError
from ...sync.transport import TransportError
from ..common.when_fields import DateField
from ..common.widgets import accept_or_cancel, button_row, chosen_row, documents_folder, error_label
from .tabs import ConsoleTab, fill_table, make_table

RULE = ("Handbook, Appendix 4: “Following parent support being provided by an IPS the PPO will contact the service "
        "user by phone to check that the parent is happy with the service provided.” A case a volunteer closes "
        "appears here; the answers are kept by case reference, never the parent's name.")
QUESTIONS = (("leaflet", "Received the leaflet about IPS"), ("office_hours", "IPS contacted them in office hours"),
             ("offered_babysitting", "IPS offered to babysit or look after children"),
             ("unbiased", "The support was unbiased"))


class FeedbackDialog(QDialog):
    """The Appendix 4 questionnaire for one case."""

    def __init__(self, console: OfficeConsole, reference: str, who: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console, self.who = console, who
        self.setWindowTitle("Feedback from the service user")
        self.resize(620, 600)
        intro = QLabel("Ask the parent the Appendix 4 questions by phone and note the answers. No names: "
                       "roles and initials only.")
        intro.setWordWrap(True)
        self.reference = QLineEdit(reference)
        self.reference.setAccessibleName("Case reference")
        self.asked_on = DateField("Date of the call", clock.today())
        grid = QGridLayout()
        self.support: dict[str, QCheckBox] = {}
        for n, kind in enumerate(SUPPORT):
            box = QCheckBox(kind)
            self.support[kind] = box
            grid.addWidget(box, n // 2, n % 2)
        self.answers: dict[str, QComboBox] = {}
        form = QFormLayout()
        form.addRow("Case &reference", self.reference)
        form.addRow("Date of the call", self.asked_on)
        form.addRow("1. How did the IPS support you?", grid)
        for name, words in QUESTIONS:
            combo = QComboBox()
            combo.addItems(YES_NO)
            combo.setCurrentText("not asked")
            combo.setAccessibleName(words)
            form.addRow(words, combo)
            self.answers[name] = combo
        self.when = QLineEdit()
        self.when.setAccessibleName("If not in office hours, when")
        form.addRow("If not in office hours, when", self.when)
        self.rating = QComboBox()
        self.rating.addItems(("not given", *RATINGS))
        self.rating.setAccessibleName("How would you describe the IPS support")
        form.addRow("6. How would you describe the support?", self.rating)
        self.helpful = QPlainTextEdit()
        self.helpful.setAccessibleName("What was helpful")
        self.helpful.setTabChangesFocus(True)
        self.improve = QPlainTextEdit()
        self.improve.setAccessibleName("How could the service be improved")
        self.improve.setTabChangesFocus(True)
        form.addRow("What was &helpful", self.helpful)
        form.addRow("7. How could it be &improved?", self.improve)
        self.error = error_label()
        buttons, self.save_button = accept_or_cancel("&Record", self.save, self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def feedback(self) -> Feedback:
        asked = self.asked_on.value()
        if asked is None:
            raise OfficeError(f"Date of the call: {self.asked_on.problem()}")
        rating = self.rating.currentText()
        return Feedback(asked, tuple(k for k, box in self.support.items() if box.isChecked()),
                        self.answers["leaflet"].currentText(), self.answers["office_hours"].currentText(),
                        self.when.text().strip(), self.answers["offered_babysitting"].currentText(),
                        self.answers["unbiased"].currentText(), "" if rating == "not given" else rating,
                        self.helpful.toPlainText().strip(), self.improve.toPlainText().strip())

    def save(self) -> None:
        try:
            kept = self.console.record_feedback(self.reference.text(), self.feedback(), self.who())
        except (OfficeError, VaultError) as exc:
            self.error.setText(str(exc))
            return
        if kept.early:
            QMessageBox.information(self, "Feedback", "Recorded, marked early: the case is not closed yet.")
        self.accept()


class SteeringDialog(QDialog):
    """The report to the Steering Group for a period: a PDF, and its figures in a CSV beside it."""

    def __init__(self, console: OfficeConsole, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.setWindowTitle("Report to the Steering Group")
        today = clock.today()
        start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        for _ in range(3):  # four whole months: the Steering Group meets three times a year
            start = (start - timedelta(days=1)).replace(day=1)
        end = today.replace(day=1) - timedelta(days=1)
        intro = QLabel("Handbook: the Steering Group meets three times a year to monitor the service. The report "
                       "has IPS activity, Level 1 contacts, home visits and alerts, incidents, service users' "
                       "feedback and claims, with charts. Nothing in it identifies a family.")
        intro.setWordWrap(True)
        self.start = DateField("From", start)
        self.end = DateField("To", end)
        self.file = QLineEdit(str(documents_folder() / f"Steering Group report {start:%Y-%m-%d} to {end:%Y-%m-%d}.pdf"))
        self.file.setAccessibleName("Save the report as")
        self.error = error_label()
        form = QFormLayout()
        form.addRow("From", self.start)
        form.addRow("To", self.end)
        form.addRow("Save as", self.file)
        buttons, self.save_button = accept_or_cancel("&Save the report", self.save, self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(620, 260)

    def save(self) -> None:
        start, end = self.start.value(), self.end.value()
        if start is None or end is None or end < start:
            self.error.setText("Type the period's first and last days, the last on or after the first.")
            return
        path = Path(self.file.text().strip()).expanduser()
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        if not path.parent.is_dir():
            self.error.setText(f"There is no folder {path.parent}: choose one that exists.")
            return
        try:
            pdf, figures = self.console.steering_report(Period(start, end))
            path.write_bytes(pdf)
            path.with_suffix(".csv").write_text(figures, encoding="utf-8")
        except (OfficeError, VaultError, TransportError) as exc:
            self.error.setText(str(exc))
            return
        except OSError as exc:
            self.error.setText(f"The report could not be saved there ({exc.strerror}). Choose another folder.")
            return
        sheet = path.with_suffix(".csv").name
        QMessageBox.information(self, "Report saved",
                                f"Saved {path.name}, and its figures for a spreadsheet in {sheet}, in {path.parent}.")
        self.accept()


class FeedbackTab(ConsoleTab):
    def __init__(self, console: OfficeConsole, who: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(console, who, parent)
        self.setWindowTitle("Feedback")
        self.calls: list[FeedbackCall] = []
        rule = QLabel(RULE)
        rule.setWordWrap(True)
        self.table = make_table(("State", "Case", "Volunteer", "Closed"), "Feedback calls")
        self.empty = QLabel("No closed cases yet. When a volunteer closes a case it appears here for a feedback "
                            "call.")
        record = QPushButton("Record feedback…")
        record.clicked.connect(lambda: self.record())
        other = QPushButton("Feedback for another case…")
        other.setToolTip("A case not in the list, or still open (it is marked early)")
        other.clicked.connect(lambda: self.record(""))
        report = QPushButton("Report to the Steering Group…")
        report.clicked.connect(lambda: self.report())
        layout = QVBoxLayout(self)
        layout.addWidget(rule)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(button_row(record, other, report))
        self.refresh()

    def refresh(self) -> None:
        self.calls = self.console.feedback_calls()
        fill_table(self.table, [(c.state, c.reference, c.label, f"{c.closed_at:%d/%m/%Y}") for c in self.calls])
        self.empty.setVisible(not self.calls)

    def to_call(self) -> int:
        return sum(1 for c in self.calls if c.done is None)

    def record(self, reference: str | None = None) -> FeedbackDialog:
        if reference is None:
            row = chosen_row(self.table)
            reference = self.calls[row].reference if row is not None and row < len(self.calls) else ""
        dialog = FeedbackDialog(self.console, reference, self.who, self)
        dialog.accepted.connect(self._recorded)
        dialog.open()
        return dialog

    def _recorded(self) -> None:
        self.refresh()
        self.changed.emit()

    def report(self) -> SteeringDialog:
        dialog = SteeringDialog(self.console, self)
        dialog.open()
        return dialog
