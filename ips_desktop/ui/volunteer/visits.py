"""The visits view and the forms after a visit: outcome, Form PO3, and the signs that mean
"leave now". Every step goes through :class:`VisitBook`, which refuses an impossible one
with words the volunteer can act on; those words are shown as they are."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.incident import IncidentReport
from ...domain.risk import THREAT_SIGNS
from ...domain.visit_flow import State, TransitionError, Visit
from ...domain.visits import VENUE_WORDS
from ...store.casebook import InputError
from ...store.errors import VaultError
from ...store.session import VaultSession
from ...store.visitbook import VisitBook, VisitView
from ..common.when_fields import DateTimeField
from ..common.widgets import documents_folder, fit_to_screen
from .screened import ScreenedDialog

STATE_WORDS = {State.PLANNED: "planned", State.APPROVED: "approved", State.REFUSED: "refused by PPO",
               State.OUT: "on the visit", State.IN: "checked in", State.CLOSED: "closed",
               State.CANCELLED: "cancelled"}
EMPTY = ("No visits planned. Meet in a public place where you can; a home visit needs your PPO's agreement. "
         "Choose a case and press “Plan a meeting…” (Ctrl+Alt+V).")
PROBLEMS = (TransitionError, InputError, VaultError)


def ask_extension(parent: QWidget) -> int | None:
    """Minutes more, asked of the volunteer; the visit book checks the 90-minute and 17:00 limits."""
    minutes, ok = QInputDialog.getInt(parent, "Extend", "More minutes:", 15, 5, 90, 5)
    return minutes if ok else None


def state_words(visit: Visit) -> str:
    words = STATE_WORDS[visit.state]
    if visit.state is State.OUT and not visit.monitored:
        words += " · not monitored"
    if visit.needs_ppo_call and visit.state in (State.PLANNED, State.APPROVED):
        words += " · call PPO first"
    return words


class VisitsDialog(QDialog):
    """Every visit with its state and due time, and the next step for the chosen one."""

    changed = Signal()

    def __init__(self, session: VaultSession, now: Callable[[], datetime], phones: Callable[[], tuple[str, str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.now, self.phones = session, now, phones
        self.setWindowTitle("Visits")
        self.resize(880, 460)
        self.table = QTableWidget(0, 6)
        self.table.setAccessibleName("Visits")
        self.table.setHorizontalHeaderLabels(("Date", "Time", "Case", "Where", "State", "Due back"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.itemSelectionChanged.connect(self._selected)
        self.empty = QLabel(EMPTY)
        self.empty.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, words, slot in (
                ("approve", "PPO agreed by phone…", self.approve), ("call", "Log call to PPO", self.log_call),
                ("out", "Check out", self.check_out), ("extend", "Extend…", self.extend),
                ("in", "Check in", self.check_in), ("close", "Record outcome…", self.record_outcome),
                ("incident", "Report incident (PO3)…", self.report_incident), ("card", "Visit card…", self.save_card),
                ("cancel", "Cancel visit", self.cancel)):
            button = QPushButton(words)
            button.clicked.connect(slot)
            self.buttons[key] = button
            row.addWidget(button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        layout.addWidget(self.hint)
        layout.addLayout(row)
        layout.addWidget(close)
        self.views: list[VisitView] = []
        self.refresh()


    @property
    def visits(self) -> VisitBook:
        """The visit book of the vault open now (docs/architecture.md, "Sessions")."""
        return self.session.visits

    def refresh(self, select: str | None = None) -> None:
        chosen = self.current()
        current = select or (chosen.record_id if chosen is not None else None)
        self.views = self.visits.visits()
        self.table.setRowCount(len(self.views))
        for i, view in enumerate(self.views):
            visit = view.visit
            cells = (f"{visit.slot.start:%a %d/%m/%Y}", f"{visit.slot.start:%H:%M}", view.reference,
                     VENUE_WORDS[visit.slot.venue], state_words(visit),
                     f"{visit.due_at:%H:%M}" if not visit.finished else "")
            for column, text in enumerate(cells):
                self.table.setItem(i, column, QTableWidgetItem(text))
            if view.record_id == current:
                self.table.selectRow(i)
        self.empty.setVisible(not self.views)
        self.table.setVisible(bool(self.views))
        if current is None and self.views:
            self.table.selectRow(0)
        self._selected()

    def current(self) -> VisitView | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.views[rows[0].row()] if rows and rows[0].row() < len(self.views) else None

    def _selected(self) -> None:
        view = self.current()
        state = view.visit.state if view else None
        visit = view.visit if view else None
        enabled = {
            "approve": state is State.PLANNED and bool(visit and visit.needs_approval),
            "call": state in (State.PLANNED, State.APPROVED) and bool(visit and visit.needs_ppo_call),
            "out": state in (State.PLANNED, State.APPROVED),
            "extend": state is State.OUT, "in": state is State.OUT, "close": state is State.IN,
            "incident": view is not None, "card": view is not None and not (visit and visit.finished),
            "cancel": state in (State.PLANNED, State.APPROVED),
        }
        for key, button in self.buttons.items():
            button.setEnabled(enabled[key])
        self.hint.setText(self._hint(visit) if visit else "")

    @staticmethod
    def _hint(visit: Visit) -> str:
        if visit.state is State.PLANNED and visit.needs_approval:
            return "This home visit needs your PPO's agreement before you check out."
        if visit.needs_ppo_call and visit.state in (State.PLANNED, State.APPROVED):
            return ("Reception is poor there: on the day, phone your PPO to say where you are and how long you "
                    "expect to be, then log the call.")
        if visit.state is State.OUT and not visit.monitored:
            return "Not monitored yet: until the office confirms, phone the office to tell them where you are."
        if visit.state is State.REFUSED:
            return f"Your PPO refused this visit: {visit.refused_reason}"
        return ""

    # -- steps --------------------------------------------------------------------------------
    def _do(self, step: Callable[[str], object]) -> bool:
        view = self.current()
        if view is None:
            return False
        try:
            step(view.record_id)
        except PROBLEMS as exc:
            QMessageBox.warning(self, "Visits", str(exc))
            return False
        self.refresh(view.record_id)
        self.changed.emit()
        return True

    def approve(self) -> None:
        by, ok = QInputDialog.getText(self, "PPO agreed by phone", "Who agreed it (their role, e.g. “PPO”)?",
                                      text="PPO")
        if ok:
            self._do(lambda rid: self.visits.approve_by_phone(rid, by))

    def log_call(self) -> None:
        self._do(self.visits.log_ppo_call)

    def check_out(self) -> None:
        self._do(self.visits.check_out)

    def extend(self) -> None:
        minutes = ask_extension(self)
        if minutes is not None:
            self._do(lambda rid: self.visits.extend(rid, minutes))

    def check_in(self) -> None:
        self._do(self.visits.check_in)

    def cancel(self) -> None:
        if QMessageBox.question(self, "Cancel visit", "Cancel this visit?") == QMessageBox.StandardButton.Yes:
            self._do(self.visits.cancel)

    def record_outcome(self) -> None:
        view = self.current()
        if view is not None:
            self._open_form(OutcomeDialog(self.session, view, self), view.record_id)

    def report_incident(self) -> None:
        view = self.current()
        if view is not None:
            self._open_form(IncidentDialog(self.session, view, self.now, self), view.record_id)

    def _open_form(self, dialog: QDialog, record_id: str) -> None:
        """Window-modal, not a nested event loop: a lock hides it and the unlock brings it back."""

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                self.refresh(record_id)
                self.changed.emit()

        dialog.finished.connect(finished)
        dialog.open()

    def save_card(self) -> None:
        """The card names no parent and gives no address, so it is safe to print or keep."""
        view = self.current()
        if view is None:
            return
        suggested = f"visit card {view.visit.slot.start:%d-%m-%Y}.pdf"
        name, _ = QFileDialog.getSaveFileName(self, "Save visit card", str(documents_folder() / suggested),
                                              "PDF (*.pdf)")
        if not name:
            return
        from ...reports.visit_pdf import VisitCard, visit_card  # reportlab loads only when a card is made

        ppo, office, edt = self.phones()
        try:
            with open(name, "wb") as out:
                out.write(visit_card(VisitCard(view.reference, view.visit, ppo, office, edt)))
        except OSError as exc:
            QMessageBox.warning(self, "Visit card", f"The card could not be saved there ({exc.strerror}). "
                                                    "Choose another folder.")


class OutcomeDialog(ScreenedDialog):
    """After the visit. Handbook: "If the meeting has been difficult you should draw the
    circumstances to the attention of your PPO so that others visiting may be suitably
    forewarned." Record the meeting itself as a contact record, as usual."""

    title = "Visit outcome"

    def __init__(self, session: VaultSession, view: VisitView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.view = session, view
        self.setWindowTitle(self.title)
        self.difficult = QCheckBox("The visit was difficult: forewarn others who visit")
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes for your PPO about the visit")
        self.notes.setPlaceholderText("What others visiting should know (roles, not names). The meeting itself "
                                      "goes in a contact record as usual.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.difficult)
        layout.addWidget(self.notes)
        layout.addWidget(self.pii)
        layout.addWidget(buttons)


    @property
    def visits(self) -> VisitBook:
        """The visit book of the vault open now (docs/architecture.md, "Sessions")."""
        return self.session.visits

    def submit(self) -> None:
        self.visits.close(self.view.record_id, self.difficult.isChecked(), self.notes.toPlainText(), self.kept)

    def editor(self, field: str) -> QLineEdit | QPlainTextEdit:
        return self.notes


class IncidentDialog(ScreenedDialog):
    """Form PO3. Handbook: "If any IPS is threatened with, or subjected to violence, they should
    make a full written report to their PPO." It goes to the PPO at once; the office tracks
    the 10-day deadline for reporting to the Health and Safety Executive."""

    title = "Incident report (Form PO3)"

    def __init__(self, session: VaultSession, view: VisitView, now: Callable[[], datetime],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.view, self.now = session, view, now
        self.setWindowTitle(self.title)
        fit_to_screen(self, 640, 700)
        at = min(now(), max(view.visit.checked_out_at or view.visit.slot.start, view.visit.slot.start))
        self.when = DateTimeField("When it happened", at, today=lambda: self.now().date())
        self.place = QLineEdit(view.visit.place)
        self.place.setAccessibleName("Where it happened")
        self.what = QPlainTextEdit()
        self.what.setAccessibleName("What happened")
        self.what.setPlaceholderText("What happened, in order. Roles, not names.")
        self.who = QLineEdit()
        self.who.setAccessibleName("Who, by role")
        self.who.setPlaceholderText("e.g. parent's partner")
        self.signs = [QCheckBox(sign) for sign in THREAT_SIGNS]
        self.injuries = QLineEdit()
        self.injuries.setAccessibleName("Injuries")
        self.injuries.setPlaceholderText("none, or what and whether treated")
        self.action = QPlainTextEdit()
        self.action.setAccessibleName("Action taken")
        self.action.setMaximumHeight(70)
        self.police = QCheckBox("The police were called")
        form = QFormLayout()
        form.addRow("When", self.when)
        form.addRow("Where", self.place)
        form.addRow("What happened", self.what)
        form.addRow("Who (role)", self.who)
        signs = QVBoxLayout()
        for box in self.signs:
            signs.addWidget(box)
        form.addRow("Signs seen", signs)
        form.addRow("Injuries", self.injuries)
        form.addRow("Action taken", self.action)
        form.addRow("", self.police)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Send to PPO")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Your PPO will help you complete Form PO3 and reports it to the Health and Safety "
                                "Executive within 10 days where needed."))
        layout.addLayout(form)
        layout.addWidget(self.pii)
        layout.addWidget(buttons)


    @property
    def visits(self) -> VisitBook:
        """The visit book of the vault open now (docs/architecture.md, "Sessions")."""
        return self.session.visits

    def report(self) -> IncidentReport:
        occurred = self.when.value()
        if occurred is None:
            raise InputError(f"When it happened: {self.when.problem()}")
        return IncidentReport(
            occurred.replace(second=0, microsecond=0), self.place.text().strip(), self.what.toPlainText().strip(),
            tuple(r.strip() for r in self.who.text().split(",") if r.strip()),
            tuple(box.text() for box in self.signs if box.isChecked()), self.injuries.text().strip(),
            self.action.toPlainText().strip(), self.police.isChecked(), self.view.visit.visit_id)

    def submit(self) -> None:
        self.visits.report_incident(self.view.case_id, self.report(), self.kept)

    def editor(self, field: str) -> QLineEdit | QPlainTextEdit:
        editors: dict[str, QLineEdit | QPlainTextEdit] = {"what_happened": self.what, "injuries": self.injuries,
                                                          "action_taken": self.action, "place": self.place}
        return editors[field]


class SignsDialog(QDialog):
    """The volunteer's own assessment during the visit: any of these, and it is time to leave."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Signs that mean leave now")
        layout = QVBoxLayout(self)
        intro = QLabel("Handbook: “If the person you are with starts to become aggressive or you feel intimidated, "
                       "indicate calmly that this is not a good time to discuss the particular issue and leave.”")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.boxes = [QCheckBox(sign) for sign in THREAT_SIGNS]
        for box in self.boxes:
            box.toggled.connect(self._update)
            layout.addWidget(box)
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.advice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.advice)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self._update()

    def _update(self) -> None:
        if any(box.isChecked() for box in self.boxes):
            self.advice.setText("Leave now. Say calmly this is not a good time, go, and phone your PPO.")
            self.advice.setStyleSheet("background: #b00020; color: white; font-weight: bold; padding: 8px;")
        else:
            self.advice.setText("None seen: carry on, and keep yourself between the client and the door.")
            self.advice.setStyleSheet("")
