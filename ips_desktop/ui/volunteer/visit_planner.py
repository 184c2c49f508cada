"""Plan a meeting or home visit: the office's rules checked as you type, each refusal with the
handbook's words, and the risk questions with what each answer does to the plan."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import date, datetime, time

from PySide6.QtCore import QDate, Qt, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QScrollArea,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain.pii import FieldFinding, KeepReason, apply_replacement
from ...domain.risk import ADVICE, QUESTIONS, Factor
from ...domain.visit_flow import PlanDraft, PlanRefused, TransitionError
from ...domain.visits import HANDBOOK, Rule, Slot, VenueKind
from ...store.casebook import InputError, Kept, UnresolvedFindings
from ...store.errors import VaultError
from ...store.visitbook import VisitBook
from .pii_panel import PiiPanel

log = logging.getLogger(__name__)

VENUES = ((VenueKind.PUBLIC, "A public place (library, café, children's centre, school)"),
          (VenueKind.PARENT_HOME, "The parent's home (needs your PPO's agreement)"),
          (VenueKind.VOLUNTEER_HOME, "My own home"))

EFFECT = {
    Factor.AGGRESSIVE_OCCUPANT: "This visit cannot go ahead.",
    Factor.POOR_RECEPTION: "You will phone your PPO before you go in, and the office is alerted 5 minutes after "
                           "your due time instead of 15.",
    Factor.PARKING_OR_DARK: "Checked against sunset for that day; your vehicle goes in the overdue pack.",
}
DEFAULT_EFFECT = "Goes to your PPO and into the overdue pack, with the handbook's advice."


class VisitPlannerDialog(QDialog):
    planned = Signal(str)

    def __init__(self, visits: VisitBook, case_id: str, reference: str, now: Callable[[], datetime],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.visits, self.case_id, self.now = visits, case_id, now
        self.kept: list[Kept] = []
        self.draft_id: str | None = None
        self.autosave = QTimer(self)
        self.autosave.setSingleShot(True)
        self.autosave.setInterval(1500)
        self.autosave.timeout.connect(self.save_draft)
        self.setWindowTitle(f"Plan a meeting · case {reference}")
        self.resize(760, 720)
        self.venue = QComboBox()
        self.venue.setAccessibleName("Where you will meet")
        for kind, words in VENUES:
            self.venue.addItem(words, kind)
        self.place = QLineEdit()
        self.place.setAccessibleName("Venue or address")
        self.place.setPlaceholderText("e.g. Central Library café, or the address for a home visit (no names)")
        today = now().date()
        self.day = QDateEdit(QDate(today.year, today.month, today.day))
        self.day.setDisplayFormat("dd/MM/yyyy")
        self.day.setCalendarPopup(True)
        self.day.setAccessibleName("Date")
        self.start = QTimeEdit(QTime(10, 0))
        self.start.setDisplayFormat("HH:mm")
        self.start.setAccessibleName("Start time")
        self.minutes = QSpinBox()
        self.minutes.setRange(0, 600)
        self.minutes.setSingleStep(15)
        self.minutes.setValue(60)
        self.minutes.setSuffix(" min")
        self.minutes.setAccessibleName("Length in minutes")
        self.attendees = QLineEdit("parent")
        self.attendees.setAccessibleName("Expected attendees, by role")
        self.attendees.setToolTip("Roles, not names: parent, SENCO, interpreter …")
        self.vehicle = QLineEdit()
        self.vehicle.setAccessibleName("Vehicle")
        self.vehicle.setPlaceholderText("make, colour and registration, if you drive (for the overdue pack)")
        form = QFormLayout()
        form.addRow("Where", self.venue)
        form.addRow("Venue or address", self.place)
        when = QHBoxLayout()
        when.addWidget(self.day)
        when.addWidget(QLabel("at"))
        when.addWidget(self.start)
        when.addWidget(QLabel("for"))
        when.addWidget(self.minutes)
        when.addStretch()
        form.addRow("When", when)
        form.addRow("Meeting whom (roles)", self.attendees)
        form.addRow("Vehicle", self.vehicle)

        self.risk_box = QGroupBox("Risk assessment (handbook Appendix 3)")
        risk_layout = QVBoxLayout(self.risk_box)
        self.answers: dict[Factor, QCheckBox] = {}
        self.effects: dict[Factor, QLabel] = {}
        for factor in Factor:
            box = QCheckBox(QUESTIONS[factor])
            box.setAccessibleName(QUESTIONS[factor])
            effect = QLabel(f"{EFFECT.get(factor, DEFAULT_EFFECT)} {ADVICE[factor]}")
            effect.setWordWrap(True)
            effect.setStyleSheet("color: #5a3d00; margin-left: 22px;")
            effect.setVisible(False)
            box.toggled.connect(self.check)
            self.answers[factor], self.effects[factor] = box, effect
            risk_layout.addWidget(box)
            risk_layout.addWidget(effect)

        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("What the rules say about this plan")
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.pii = PiiPanel()
        self.pii.replace_requested.connect(self._replace)
        self.pii.keep_requested.connect(self._keep)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Save plan")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        body = QWidget()
        inner = QVBoxLayout(body)
        inner.addLayout(form)
        inner.addWidget(self.risk_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.verdict)
        layout.addWidget(self.pii)
        layout.addWidget(self.buttons)
        for signal in (self.venue.currentIndexChanged, self.day.dateChanged, self.start.timeChanged,
                       self.minutes.valueChanged):
            signal.connect(self.check)
        self.restored = QLabel()
        layout.insertWidget(0, self.restored)
        self.restore()
        for signal in (self.venue.currentIndexChanged, self.day.dateChanged, self.start.timeChanged,
                       self.minutes.valueChanged, self.place.textChanged, self.attendees.textChanged,
                       self.vehicle.textChanged):
            signal.connect(self.autosave.start)
        for box in self.answers.values():
            box.toggled.connect(self.autosave.start)
        self.check()

    # -- the half-typed plan survives a crash ---------------------------------------------------
    def draft(self) -> PlanDraft:
        slot = self.slot()
        return PlanDraft(slot.venue.value, self.place.text(), slot.start.date().isoformat(),
                         f"{slot.start:%H:%M}", slot.minutes, self.attendees.text(), self.vehicle.text(),
                         tuple(sorted(f.value for f in self.risk())))

    def save_draft(self) -> None:
        try:
            self.draft_id = self.visits.save_draft(self.draft_id, self.case_id, self.draft())
        except VaultError:
            log.warning("planner draft not saved")

    def restore(self) -> None:
        found = self.visits.draft_for(self.case_id)
        if found is None:
            self.restored.hide()
            return
        self.draft_id, draft = found
        index = self.venue.findData(draft.venue)
        self.venue.setCurrentIndex(max(index, 0))
        self.place.setText(draft.place)
        with suppress(ValueError):
            day = date.fromisoformat(draft.day)
            self.day.setDate(QDate(day.year, day.month, day.day))
        with suppress(ValueError):
            start = time.fromisoformat(draft.start)
            self.start.setTime(QTime(start.hour, start.minute))
        self.minutes.setValue(draft.minutes)
        self.attendees.setText(draft.attendees)
        self.vehicle.setText(draft.vehicle)
        for factor, box in self.answers.items():
            box.setChecked(factor.value in draft.risk)
        self.restored.setText("Your unfinished plan for this case was kept; carry on where you left off.")
        self.restored.setStyleSheet("color: #1a57c4;")

    def close_for_lock(self) -> None:
        """Locking: keep what was typed as the draft, then close so nothing stays on screen."""
        self.autosave.stop()
        self.save_draft()
        self.draft_id = None
        super().reject()

    def reject(self) -> None:
        """Cancel means the plan is not wanted: its draft goes too."""
        self.autosave.stop()
        if self.draft_id is not None:
            with suppress(VaultError):
                self.visits.discard_draft(self.draft_id)
            self.draft_id = None
        super().reject()

    # -- reading the form ---------------------------------------------------------------------
    def slot(self) -> Slot:
        day: date = self.day.date().toPython()  # type: ignore[assignment]
        start: time = self.start.time().toPython()  # type: ignore[assignment]
        return Slot(VenueKind(self.venue.currentData()), datetime.combine(day, start), self.minutes.value())

    def risk(self) -> frozenset[Factor]:
        return frozenset(f for f, box in self.answers.items() if box.isChecked())

    def roles(self) -> tuple[str, ...]:
        return tuple(r.strip() for r in self.attendees.text().split(",") if r.strip())

    # -- live check ---------------------------------------------------------------------------
    def check(self) -> None:
        preview = self.visits.preview(self.slot(), self.risk())
        for factor, label in self.effects.items():
            label.setVisible(self.answers[factor].isChecked())
        lines = []
        for refusal in preview.refusals:
            lines.append(f"<p style='color:#b00020'><b>✗ {refusal.message}</b><br/>"
                         f"<i>{HANDBOOK[refusal.rule]}</i></p>")
        if preview.effects.blocked:
            lines.append(f"<p style='color:#b00020'><b>✗ This visit cannot go ahead.</b><br/>"
                         f"<i>{preview.effects.blocked}</i> Talk to your PPO.</p>")
        if not lines:
            notes = ["<b style='color:#1b5e20'>✓ This plan meets the office's rules.</b>"]
            if preview.needs_approval:
                notes.append(f"Next: your PPO's agreement. <i>{HANDBOOK[Rule.HOME_NEEDS_PPO]}</i>")
            if preview.effects.call_ppo_before:
                notes.append("On the day, phone your PPO before you go in; the app asks you to log the call.")
            if preview.effects.sunset and preview.effects.ends_after_sunset:
                notes.append(f"It ends after sunset ({preview.effects.sunset:%H:%M} that day): plan to park "
                             "somewhere well lit.")
            notes.append(f"The office is alerted {preview.effects.grace_minutes} minutes after your due time "
                         "if you have not checked in.")
            lines.append("<p>" + "<br/>".join(notes) + "</p>")
        self.verdict.setText("".join(lines))
        self.save_button.setEnabled(not preview.refusals and not preview.effects.blocked)

    # -- saving -------------------------------------------------------------------------------
    def save(self) -> None:
        try:
            self.autosave.stop()
            record_id = self.visits.plan(self.case_id, self.slot(), place=self.place.text(), attendees=self.roles(),
                                         vehicle=self.vehicle.text(), risk=self.risk(), kept=self.kept,
                                         draft_id=self.draft_id)
        except UnresolvedFindings as exc:
            self.pii.show_findings(list(exc.findings))
            return
        except (PlanRefused, TransitionError, InputError, VaultError) as exc:
            QMessageBox.warning(self, "Plan a meeting", str(exc))
            return
        self.draft_id = None
        self.planned.emit(record_id)
        self.accept()

    def _replace(self, finding: FieldFinding, replacement: str) -> None:
        self.place.setText(apply_replacement(self.place.text(), finding.finding, replacement))
        self.pii.show_findings(self.visits.screen({"place": self.place.text()}, "place"))

    def _keep(self, finding: FieldFinding, reason: KeepReason) -> None:
        self.kept.append(Kept(finding.field, finding.finding.text, reason))
        self.save()
