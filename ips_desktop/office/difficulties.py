"""Difficult visits and incidents at the office (issue 17, items 10 and 11).

Handbook: "If the meeting has been difficult you should draw the circumstances to the attention
of your PPO so that others visiting may be suitably forewarned. The PPO should mark the file
accordingly. In some circumstances the continuation of a service to the Service user may be
reviewed. If any IPS is threatened with, or subjected to violence … This must be drawn to the
attention of the Senior Manager. Form PO3 … must be completed." And: "The PPO has a statutory
duty to report appropriate incidents to the Health and Safety Executive within 10 days."

The PPO marks the case's file (the mark shows in the pre-visit check of every later plan on the
case), records the day the incident went to the HSE (it then leaves the 10-day list), and tells
the volunteer whether the case continues or stops (a sealed message to the laptop).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..crypto.office_message import MessageKind
from ..domain.incident import IncidentReport, VisitOutcome
from ..store.office_store import MarkRow
from ..sync.transport import OfficeTransport
from .messages import send
from .service import OfficeError, OfficeService

DIFFICULT = "difficult visit"
INCIDENT = "incident (Form PO3)"
DECISIONS = {"continue": "continue the case", "stop": "stop the case"}


@dataclass(frozen=True)
class Difficulty:
    record_id: bytes
    device_kid: bytes
    label: str
    reference: str
    kind: str  # DIFFICULT or INCIDENT
    received_at: datetime
    words: str
    hse_deadline: date | None = None  # incidents only
    hse_reported_on: date | None = None

    @property
    def hse_words(self) -> str:
        if self.hse_deadline is None:
            return ""
        if self.hse_reported_on is not None:
            return f"reported {self.hse_reported_on:%d/%m/%Y}"
        return f"by {self.hse_deadline:%d/%m/%Y}"


def difficulties(service: OfficeService, labels: dict[bytes, str]) -> list[Difficulty]:
    """Difficult visits and PO3 incidents, newest first; incidents not yet reported to the HSE
    before everything else, nearest deadline first."""
    reported = service.repo.hse_reports()
    out = []
    for record in service.repo.records(record_types=("visit_outcome", "incident"), newest_only=True):
        body = record.content.get("body", {})
        label = labels.get(record.device_kid, "a laptop no longer enrolled")
        try:
            if record.record_type == "visit_outcome":
                outcome = VisitOutcome.from_dict(body)
                if outcome.difficult:
                    out.append(Difficulty(record.record_id, record.device_kid, label, record.case_ref or "—",
                                          DIFFICULT, record.received_at, outcome.notes[:300]))
            else:
                report = IncidentReport.from_dict(body)
                out.append(Difficulty(record.record_id, record.device_kid, label, record.case_ref or "—",
                                      INCIDENT, record.received_at, report.what_happened[:300],
                                      report.hse_deadline, reported.get(record.record_id, (None, ""))[0]))
        except (KeyError, TypeError, ValueError):
            continue  # a body this version cannot read is left in the inbox, not guessed at
    return sorted(out, key=lambda d: (not (d.hse_deadline and d.hse_reported_on is None),
                                      d.hse_deadline or date.max, -d.received_at.timestamp()))


def marks(service: OfficeService) -> dict[str, list[MarkRow]]:
    out: dict[str, list[MarkRow]] = {}
    for row in service.repo.file_marks():
        out.setdefault(row.reference, []).append(row)
    return out


def mark_words(rows: list[MarkRow]) -> str:
    """What the pre-visit check shows first for a case whose file is marked."""
    return "\n".join(f"⚠ FILE MARKED on {m.marked_at:%d/%m/%Y} by {m.by}: {m.reason}" for m in rows)


def mark_file(service: OfficeService, reference: str, reason: str, by: str) -> None:
    reason = " ".join(reason.split())
    if not reference or reference == "—":
        raise OfficeError("Only a case's file can be marked: this record has no case reference.")
    if not reason:
        raise OfficeError("Say what others visiting should be forewarned about.")
    if len(reason) > 300:
        raise OfficeError("Keep the mark to 300 characters: the detail stays in the records.")
    with service.repo.vault.transaction():
        service.repo.mark_file(reference, reason, by)
        service.audit.append("file marked", reference)


def hse_reported(service: OfficeService, record_id: bytes, on: date, by: str) -> None:
    if on > service.now().date():
        raise OfficeError("The day it was reported to the HSE cannot be later than today.")
    if not service.repo.records(record_types=("incident",), record_ids=(record_id,)):
        raise OfficeError("That is not an incident report in this office.")
    with service.repo.vault.transaction():
        service.repo.hse_reported(record_id, on, by)
        service.audit.append("incident reported to the HSE", record_id.hex()[:16], on.isoformat())


def decide(service: OfficeService, transport: OfficeTransport, device_kid: bytes, reference: str, decision: str,
           note: str, by: str) -> int:
    """Tell the volunteer whether the case continues or stops; kept here too."""
    note = " ".join(note.split())
    if decision not in DECISIONS:
        raise OfficeError("The case either continues or stops.")
    if decision == "stop" and not note:
        raise OfficeError("Say why the case stops and what the volunteer should tell the family.")
    if len(note) > 500:
        raise OfficeError("Keep the note to 500 characters.")
    serial = send(service, transport, device_kid, MessageKind.CASE_DECISION,
                  {"reference": reference, "decision": decision, "note": note, "by": by}, reference)
    with service.repo.vault.transaction():
        service.repo.decide_case(reference, device_kid, decision, note, by)
        service.audit.append(f"case decision: {decision}", reference)
    return serial
