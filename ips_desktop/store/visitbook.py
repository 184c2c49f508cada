"""Home visits in the vault: plans, each step of the state machine, outcomes and Form PO3.

Each step is one transaction holding the new version of the record, its audit event and its
place in the outbox (DESIGN §6, §5): what the office learns about a visit can never lag
behind what the laptop shows. Check-outs, check-ins and incident reports go with the
safeguarding priority, so the sync runs at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ..domain import visit_flow as flow
from ..domain.incident import IncidentReport, VisitOutcome
from ..domain.pii import FieldFinding, screen_fields
from ..domain.risk import Effects, Factor
from ..domain.visit_flow import CheckInRoute, PlanDraft, Visit
from ..domain.visits import Refusal, Slot, VenueKind, VisitPolicy
from .casebook import PRIORITY_SAFEGUARDING, CaseBook, InputError, Kept
from .errors import RecordNotFound

PRIORITY_VISIT = 5


@dataclass(frozen=True)
class VisitView:
    record_id: str
    case_id: str
    reference: str
    visit: Visit
    outcome: VisitOutcome | None = None


@dataclass(frozen=True)
class Preview:
    """What the planner shows while the volunteer types."""

    refusals: list[Refusal]
    effects: Effects
    needs_approval: bool


class VisitBook:
    def __init__(self, book: CaseBook, now: Callable[[], datetime],
                 policy: Callable[[], VisitPolicy] = VisitPolicy) -> None:
        self._book = book
        self._now = now
        self._policy = policy

    @property
    def policy(self) -> VisitPolicy:
        return self._policy()

    # -- planning ---------------------------------------------------------------------------------
    def preview(self, slot: Slot, risk: frozenset[Factor]) -> Preview:
        policy = self.policy
        refusals, effects = flow.review(slot, risk, policy, self._now(), policy.location)
        return Preview(refusals, effects, slot.venue is VenueKind.PARENT_HOME)

    def screen(self, fields: dict[str, str], address_field: str | None = None) -> list[FieldFinding]:
        return screen_fields(fields, (address_field,) if address_field else ())

    # -- the half-typed plan ------------------------------------------------------------------------
    def save_draft(self, draft_id: str | None, case_id: str, draft: PlanDraft) -> str:
        """Autosave of the planner: a draft record, never queued, never purged automatically."""
        with self._book.vault.transaction():
            new_id = self._book.records.put(draft_id, case_id, "visit_draft", draft.to_dict(), "draft", "")
            if draft_id is None:
                self._book.audit.append("visit plan draft started", new_id)
        return new_id

    def draft_for(self, case_id: str) -> tuple[str, PlanDraft] | None:
        drafts = self._book.records.all(case_id=case_id, kind="visit_draft")
        return (drafts[-1].id, PlanDraft.from_dict(drafts[-1].payload)) if drafts else None

    def discard_draft(self, draft_id: str) -> None:
        with self._book.vault.transaction():
            self._book.records.purge_many([draft_id])
            self._book.audit.append("visit plan draft discarded", draft_id)

    def plan(self, case_id: str, slot: Slot, *, place: str, attendees: Sequence[str] = (), vehicle: str = "",
             risk: frozenset[Factor] = frozenset(), kept: Sequence[Kept] = (), draft_id: str | None = None) -> str:
        """Check the plan against every rule, screen the place, then save and queue it (and
        remove its draft in the same transaction)."""
        if self._book.cases.reference_of(case_id) is None:
            raise InputError("That case is no longer in your register.")
        policy = self.policy
        visit, _ = flow.plan(uuid.uuid4().hex, slot, policy, self._now(), policy.location,
                             place=place, attendees=attendees, vehicle=vehicle, risk=risk)
        decisions = self._book.resolve(self.screen(visit.text_fields(), "place"), kept)
        with self._book.vault.transaction():
            record_id = self._book.records.put(None, case_id, "visit_plan", visit.to_dict(), "saved", "",
                                               PRIORITY_VISIT)
            self._book.log_kept(record_id, decisions)
            self._book.records.enqueue(record_id, PRIORITY_VISIT)
            self._book.audit.append("visit planned", record_id, slot.venue.value)
            if draft_id is not None:
                self._book.records.purge_many([draft_id])
        return record_id

    # -- reading ----------------------------------------------------------------------------------
    def visits(self, include_finished: bool = True) -> list[VisitView]:
        refs = self._book.cases.references()
        outcomes: dict[str, VisitOutcome] = {}
        for stored in self._book.records.all(kind="visit_outcome"):
            outcome = VisitOutcome.from_dict(stored.payload)
            outcomes[outcome.visit_id] = outcome
        views = []
        for stored in self._book.records.all(kind="visit_plan"):
            visit = Visit.from_dict(stored.payload)
            if include_finished or not visit.finished:
                views.append(VisitView(stored.id, stored.case_id or "", refs.get(stored.case_id or "", "—"),
                                       visit, outcomes.get(visit.visit_id)))
        return sorted(views, key=lambda v: v.visit.slot.start)

    def get(self, record_id: str) -> VisitView:
        try:
            stored = self._book.records.get(record_id)
        except RecordNotFound:
            raise InputError("That visit is no longer on this laptop.") from None
        if stored.kind != "visit_plan":
            raise InputError("That record is not a visit plan.")
        visit = Visit.from_dict(stored.payload)
        reference = self._book.cases.reference_of(stored.case_id or "") or "—"
        return VisitView(record_id, stored.case_id or "", reference, visit)

    def incidents(self) -> list[tuple[str, IncidentReport]]:
        return [(s.id, IncidentReport.from_dict(s.payload)) for s in self._book.records.all(kind="incident")]

    # -- steps ------------------------------------------------------------------------------------
    def _step(self, record_id: str, step: Callable[[Visit], tuple[Visit, str]],
              priority: int = PRIORITY_VISIT) -> Visit:
        view = self.get(record_id)
        visit, event = step(view.visit)
        with self._book.vault.transaction():
            self._book.records.put(record_id, view.case_id, "visit_plan", visit.to_dict(), "saved", "", priority)
            self._book.records.enqueue(record_id, priority)
            self._book.audit.append(event, record_id)
        return visit

    def approve_by_phone(self, record_id: str, by: str) -> Visit:
        """Until the office's signed message exists: "approved by phone", with who and when."""
        return self._step(record_id, lambda v: flow.approve(v, by, "by phone", self._now()))

    def approve_by_office(self, record_id: str, signer: str, at: datetime) -> Visit:
        return self._step(record_id, lambda v: flow.approve(v, signer, "office message", at))

    def refuse(self, record_id: str, reason: str) -> Visit:
        return self._step(record_id, lambda v: flow.refuse(v, reason, self._now()))

    def cancel(self, record_id: str) -> Visit:
        return self._step(record_id, lambda v: flow.cancel(v, self._now()))

    def log_ppo_call(self, record_id: str) -> Visit:
        return self._step(record_id, lambda v: flow.log_ppo_call(v, self._now()))

    def check_out(self, record_id: str) -> Visit:
        return self._step(record_id, lambda v: flow.check_out(v, self._now()), PRIORITY_SAFEGUARDING)

    def confirm_watch(self, record_id: str, due: datetime | None = None) -> Visit:
        """The office or relay confirmed it is watching (with ``due`` as the time it holds): the
        visit is monitored from now."""
        view = self.get(record_id)
        if view.visit.monitored:
            return view.visit
        return self._step(record_id, lambda v: flow.confirm_watch(v, due))

    def relay_told(self, record_id: str, step: flow.RelayStep, due: datetime | None = None) -> Visit:
        """The relay holds this step now. Kept in the vault (not sent to the office: it is the
        laptop's own bookkeeping), so nothing owed to the relay is forgotten by a restart."""
        view = self.get(record_id)
        visit = flow.relay_told(view.visit, step, due)
        with self._book.vault.transaction():
            self._book.records.put(record_id, view.case_id, "visit_plan", visit.to_dict(), "saved", "", PRIORITY_VISIT)
            self._book.audit.append(f"relay told: {step.value}", record_id)
        return visit

    def extend(self, record_id: str, minutes: int) -> Visit:
        return self._step(record_id, lambda v: flow.extend(v, minutes, self.policy), PRIORITY_SAFEGUARDING)

    def check_in(self, record_id: str, route: CheckInRoute = CheckInRoute.APP) -> Visit:
        return self._step(record_id, lambda v: flow.check_in(v, self._now(), route), PRIORITY_SAFEGUARDING)

    def close(self, record_id: str, difficult: bool, notes: str = "", kept: Sequence[Kept] = ()) -> Visit:
        """The outcome: the difficult-visit flag and notes go to the PPO with the closed plan."""
        view = self.get(record_id)
        incident = any(r.visit_id == view.visit.visit_id for _, r in self.incidents())
        visit, event = flow.close(view.visit, self._now(), difficult, incident)
        outcome = VisitOutcome(visit.visit_id, difficult, notes.strip())
        decisions = self._book.resolve(self.screen(outcome.text_fields()), kept)
        with self._book.vault.transaction():
            self._book.records.put(record_id, view.case_id, "visit_plan", visit.to_dict(), "saved", "",
                                   PRIORITY_VISIT)
            self._book.records.enqueue(record_id, PRIORITY_VISIT)
            outcome_id = self._book.records.put(None, view.case_id, "visit_outcome", outcome.to_dict(), "saved",
                                                "", PRIORITY_VISIT)
            self._book.log_kept(outcome_id, decisions)
            self._book.records.enqueue(outcome_id, PRIORITY_VISIT)
            self._book.audit.append(event, record_id)
        return visit

    def report_incident(self, case_id: str, report: IncidentReport, kept: Sequence[Kept] = ()) -> str:
        """Form PO3 to the PPO at once. Marks the visit it happened on, if any."""
        report = replace(report, reported_at=report.reported_at or self._now())
        problems = report.problems(self._now())
        if problems:
            raise InputError(" ".join(problems))
        if self._book.cases.reference_of(case_id) is None:
            raise InputError("That case is no longer in your register.")
        decisions = self._book.resolve(self.screen(report.text_fields(), "place"), kept)
        marked = [v for v in self.visits() if report.visit_id and v.visit.visit_id == report.visit_id]
        with self._book.vault.transaction():
            record_id = self._book.records.put(None, case_id, "incident", report.to_dict(), "saved", "",
                                               PRIORITY_SAFEGUARDING)
            self._book.log_kept(record_id, decisions)
            self._book.records.enqueue(record_id, PRIORITY_SAFEGUARDING)
            self._book.audit.append("incident reported (PO3)", record_id)
            for view in marked:
                if not view.visit.incident:
                    visit = replace(view.visit, incident=True)
                    self._book.records.put(view.record_id, view.case_id, "visit_plan", visit.to_dict(), "saved",
                                           "", PRIORITY_SAFEGUARDING)
                    self._book.records.enqueue(view.record_id, PRIORITY_SAFEGUARDING)
        return record_id

