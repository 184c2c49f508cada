"""Feedback calls at the office (issue 17, item 13): "Following parent support being provided by
an IPS the PPO will contact the service user by phone". A case a volunteer closed is a call to
make until its feedback is recorded; the Appendix 4 answers are kept by case reference. Feedback
for a case still open is allowed, and marked early."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ..domain.feedback import Feedback
from ..domain.pii import screen_fields
from ..domain.references import normalise_reference
from .service import OfficeError, OfficeService


@dataclass(frozen=True)
class FeedbackCall:
    reference: str
    device_kid: bytes
    label: str
    closed_at: datetime
    done: Feedback | None  # the feedback recorded since the case closed, if any

    @property
    def state(self) -> str:
        if self.done is None:
            return "call the parent"
        return f"done {self.done.asked_on:%d/%m/%Y}" + (f": {self.done.rating.lower()}" if self.done.rating else "")


def closings(service: OfficeService) -> dict[str, tuple[bytes, datetime, bool]]:
    """Each case's latest status from its laptop: (laptop, when, closed)."""
    out: dict[str, tuple[bytes, datetime, bool]] = {}
    for record in service.repo.records(record_types=("case_status",), newest_only=True):
        body = record.content.get("body", {})
        if not isinstance(body, dict) or not record.case_ref:
            continue
        try:
            at = datetime.fromisoformat(str(body.get("at")))
        except ValueError:
            continue
        if record.case_ref not in out or out[record.case_ref][1] <= at:
            out[record.case_ref] = (record.device_kid, at, body.get("closed") is True)
    return out


def recorded(service: OfficeService) -> list[tuple[str, bytes | None, Feedback]]:
    """Every feedback kept, oldest first: (reference, laptop, answers)."""
    out = []
    for reference, kid, answers, _by, _at in service.repo.feedback():
        try:
            out.append((reference, kid, Feedback.from_dict(answers)))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def calls(service: OfficeService, labels: dict[bytes, str]) -> list[FeedbackCall]:
    """Closed cases, the ones still to call first, most recently closed first."""
    given: dict[str, Feedback] = {}
    for reference, _kid, feedback in recorded(service):
        given[reference] = feedback
    out = []
    for reference, (kid, at, closed) in closings(service).items():
        if not closed:
            continue
        done = given.get(reference)
        if done is not None and done.asked_on < at.date() and not done.early:
            done = None  # feedback from an earlier spell of support
        out.append(FeedbackCall(reference, kid, labels.get(kid, "a laptop no longer enrolled"), at, done))
    return sorted(out, key=lambda c: (c.done is not None, -c.closed_at.timestamp()))


def record(service: OfficeService, reference: str, feedback: Feedback, by: str) -> Feedback:
    """Check and keep the answers. Early when the case is not closed. Returns what was kept."""
    reference = normalise_reference(reference)
    if not reference:
        raise OfficeError("Type the case reference the feedback is about.")
    problems = feedback.problems(service.now().date())
    if problems:
        raise OfficeError(" ".join(problems))
    findings = screen_fields(feedback.text_fields())
    if findings:
        first = findings[0].finding
        raise OfficeError(f"“{first.text}”: {first.advice} The answers go into the Steering Group report, so "
                          "they carry roles and initials only.")
    state = closings(service).get(reference)
    kept = replace(feedback, early=state is None or not state[2], helpful=feedback.helpful.strip(),
                   improve=feedback.improve.strip())
    with service.repo.vault.transaction():
        service.repo.add_feedback(reference, state[0] if state else None, kept.to_dict(), by)
        service.audit.append("feedback recorded", reference, "early" if kept.early else "")
    return kept
