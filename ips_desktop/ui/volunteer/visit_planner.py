"""Plan a meeting or home visit: the office's rules checked as you type, each refusal with the
handbook's words, and the risk questions with what each answer does to the plan."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import date, datetime, time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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
    QVBoxLayout,
    QWidget,
)

from ...domain.pii import FieldFinding, KeepReason, apply_all, apply_replacement
from ...domain.risk import ADVICE, QUESTIONS, Factor
from ...domain.visit_flow import PlanDraft, PlanRefused, TransitionError
from ...domain.visits import HANDBOOK, Rule, Slot, VenueKind
from ...store.casebook import InputError, Kept, UnresolvedFindings
from ...store.errors import VaultError
from ...store.session import VaultSession
from ...store.visitbook import VisitBook
from ..common.when_fields import DateField, TimeField
from ..common.widgets import fit_to_screen, message_label
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

    def __init__(self, session: VaultSession, case_id: str, reference: str, now: Callable[[], datetime],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.case_id, self.now = session, case_id, now
        self.kept: list[Kept] = []
        self.draft_id: str | None = None
        self.autosave = QTimer(self)
        self.autosave.setSingleShot(True)
        self.autosave.setInterval(1500)
        self.autosave.timeout.connect(self.save_draft)
        self.setWindowTitle(f"Plan a meeting · case {reference}")
        fit_to_screen(self, 760, 720)
        self.venue = QComboBox()
        self.venue.setAccessibleName("Where you will meet")
        for kind, words in VENUES:
            self.venue.addItem(words, kind)
        self.place = QLineEdit()
        self.place.setAccessibleName("Venue or address")
        self.place.setPlaceholderText("e.g. Central Library café, or the address for a home visit (no names)")
        today = now().date()
        self.day = DateField("Date", today, today=lambda: self.now().date())
        self.start = TimeField("Start time", time(10, 0))
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

        # The questions never move: what each "yes" does is shown below them, in an area of its
        # own that scrolls, so ticking one never shifts the next under the pointer.
        self.risk_box = QGroupBox("Risk assessment (handbook Appendix 3)")
        risk_layout = QVBoxLayout(self.risk_box)
        self.answers: dict[Factor, QCheckBox] = {}
        self.effects: dict[Factor, QLabel] = {}
        effects_body = QWidget()
        effects_layout = QVBoxLayout(effects_body)
        effects_layout.setContentsMargins(4, 4, 4, 4)
        self.no_effects = QLabel("Tick a question to see what that answer means for the visit.")
        self.no_effects.setStyleSheet("color: #555;")
        effects_layout.addWidget(self.no_effects)
        for factor in Factor:
            box = QCheckBox(QUESTIONS[factor])
            box.setAccessibleName(QUESTIONS[factor])
            effect = QLabel(f"<b>{QUESTIONS[factor]}</b> {EFFECT.get(factor, DEFAULT_EFFECT)} {ADVICE[factor]}")
            effect.setWordWrap(True)
            effect.setStyleSheet("color: #5a3d00;")
            effect.setVisible(False)
            box.toggled.connect(self.check)
            self.answers[factor], self.effects[factor] = box, effect
            risk_layout.addWidget(box)
            effects_layout.addWidget(effect)
        effects_layout.addStretch(1)
        effects_area = QScrollArea()
        effects_area.setWidgetResizable(True)
        effects_area.setWidget(effects_body)
        effects_area.setFixedHeight(120)
        effects_area.setAccessibleName("What your answers mean")
        risk_layout.addWidget(QLabel("What your answers mean:"))
        risk_layout.addWidget(effects_area)

        self.verdict = message_label("What the rules say about this plan")
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.pii = PiiPanel()
        self.pii.replace_requested.connect(self._replace)
        self.pii.replace_all_requested.connect(self._replace_all)
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
        for signal in (self.venue.currentIndexChanged, self.day.changed, self.start.changed,
                       self.minutes.valueChanged):
            signal.connect(self.check)
        self.restored = QLabel()
        layout.insertWidget(0, self.restored)
        self.restore()
        for signal in (self.venue.currentIndexChanged, self.day.changed, self.start.changed,
                       self.minutes.valueChanged, self.place.textChanged, self.attendees.textChanged,
                       self.vehicle.textChanged):
            signal.connect(self.autosave.start)
        for box in self.answers.values():
            box.toggled.connect(self.autosave.start)
        self.check()

    # -- the half-typed plan survives a crash ---------------------------------------------------

    @property
    def visits(self) -> VisitBook:
        """The visit book of the vault open now (docs/architecture.md, "Sessions")."""
        return self.session.visits

    def draft(self) -> PlanDraft:
        """The plan as it stands; a date or time not yet readable is kept as typed."""
        day, start = self.day.value(), self.start.value()
        return PlanDraft(VenueKind(self.venue.currentData()).value, self.place.text(),
                         day.isoformat() if day else self.day.text(),
                         f"{start:%H:%M}" if start else self.start.text(), self.minutes.value(),
                         self.attendees.text(), self.vehicle.text(), tuple(sorted(f.value for f in self.risk())))

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
        try:
            self.day.set_value(date.fromisoformat(draft.day))
        except ValueError:
            self.day.line.setText(draft.day)
        try:
            self.start.set_value(time.fromisoformat(draft.start))
        except ValueError:
            self.start.setText(draft.start)
        self.minutes.setValue(draft.minutes)
        self.attendees.setText(draft.attendees)
        self.vehicle.setText(draft.vehicle)
        for factor, box in self.answers.items():
            box.setChecked(factor.value in draft.risk)
        self.restored.setText("Your unfinished plan for this case was kept; carry on where you left off.")
        self.restored.setStyleSheet("color: #1a57c4;")

    def reject(self) -> None:
        """Cancel means the plan is not wanted: its draft goes too."""
        self.autosave.stop()
        if self.draft_id is not None:
            with suppress(VaultError):
                self.visits.discard_draft(self.draft_id)
            self.draft_id = None
        super().reject()

    # -- reading the form ---------------------------------------------------------------------
    def slot(self) -> Slot | None:
        """The meeting's place and time, or None while the date or time cannot be read."""
        day, start = self.day.value(), self.start.value()
        if day is None or start is None:
            return None
        return Slot(VenueKind(self.venue.currentData()), datetime.combine(day, start), self.minutes.value())

    def when_problem(self) -> str | None:
        """What to put right in the date or time before the plan can be checked."""
        if (problem := self.day.problem()):
            return f"Date: {problem}"
        if (problem := self.start.problem()):
            return f"Start time: {problem}"
        return None

    def risk(self) -> frozenset[Factor]:
        return frozenset(f for f, box in self.answers.items() if box.isChecked())

    def roles(self) -> tuple[str, ...]:
        return tuple(r.strip() for r in self.attendees.text().split(",") if r.strip())

    # -- live check ---------------------------------------------------------------------------
    def answers_summary(self) -> str:
        """The risk answers in one line, read before Save plan."""
        ticked = [QUESTIONS[f] for f in Factor if self.answers[f].isChecked()]
        if not ticked:
            return f"Your risk answers: no to all {len(QUESTIONS)} questions."
        rest = len(QUESTIONS) - len(ticked)
        return f"Your risk answers: yes to {len(ticked)}: {' '.join(ticked)} " + (
            f"No to the other {rest}." if rest else "That is every question.")

    def check(self) -> None:
        slot = self.slot()
        summary = f"<p>{html.escape(self.answers_summary())}</p>"
        if slot is None:
            self.verdict.setText(f"<p style='color:#b00020'><b>✗ {self.when_problem()}</b></p>{summary}")
            self.save_button.setEnabled(False)
            return
        preview = self.visits.preview(slot, self.risk())
        for factor, label in self.effects.items():
            label.setVisible(self.answers[factor].isChecked())
        self.no_effects.setVisible(not any(box.isChecked() for box in self.answers.values()))
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
        self.verdict.setText("".join(lines) + summary)
        self.save_button.setEnabled(not preview.refusals and not preview.effects.blocked)

    # -- saving -------------------------------------------------------------------------------
    def save(self) -> None:
        slot = self.slot()
        if slot is None:
            QMessageBox.warning(self, "Plan a meeting", self.when_problem() or "")
            return
        try:
            self.autosave.stop()
            record_id = self.visits.plan(self.case_id, slot, place=self.place.text(), attendees=self.roles(),
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

    def _replace_all(self, findings: list[FieldFinding]) -> None:
        self.place.setText(apply_all(self.place.text(), [f.finding for f in findings]))
        self.pii.show_findings(self.visits.screen({"place": self.place.text()}, "place"))

    def _keep(self, finding: FieldFinding, reason: KeepReason) -> None:
        self.kept.append(Kept(finding.field, finding.finding.text, reason))
        self.save()
