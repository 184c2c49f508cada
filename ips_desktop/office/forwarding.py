"""Notes to forward, at the office (issue 17, items 7 and 8): volunteers' notes and letters for a
parent or a professional, which the PPO forwards from the office's address ("to keep your own
email address confidential"), and the parent's copy of a contact record's agreed actions made
here from the record. Each is a one-page PDF (reports/letter_pdf.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..domain.forward import RECORD_TYPE, NoteToForward
from ..domain.records import ContactRecord
from ..reports.letter_pdf import forward_pdf
from ..store.office_store import OfficeRecord
from .service import OfficeError, OfficeService


@dataclass(frozen=True)
class ToForward:
    record_id: bytes
    label: str
    reference: str
    received_at: datetime
    note: NoteToForward
    forwarded: tuple[date, str] | None

    @property
    def state(self) -> str:
        return "to forward" if self.forwarded is None else f"forwarded {self.forwarded[0]:%d/%m/%Y}"


def queue(service: OfficeService, labels: dict[bytes, str]) -> list[ToForward]:
    """Every note, those still to forward first, oldest first among them."""
    done = service.repo.forwarded()
    out = []
    for record in service.repo.records(record_types=(RECORD_TYPE,), newest_only=True):
        try:
            note = NoteToForward.from_dict(record.content.get("body", {}))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # not a note this version can read: it stays in the inbox
        out.append(ToForward(record.record_id, labels.get(record.device_kid, "a laptop no longer enrolled"),
                             record.case_ref or "", record.received_at, note, done.get(record.record_id)))
    return sorted(out, key=lambda n: (n.forwarded is not None, n.received_at))


def pdf(service: OfficeService, note: NoteToForward, reference: str, office_phone: str) -> bytes:
    state = service.repo.state()
    return forward_pdf(state.office_name if state else "", office_phone, reference, note)


def parents_copy(record: OfficeRecord) -> NoteToForward:
    """The parent's copy of a contact record's agreed actions: the actions, who and by when; no
    summary, no consents, never the safeguarding note."""
    if record.record_type != "contact":
        raise OfficeError("Only a contact record has agreed actions.")
    try:
        contact = ContactRecord.from_dict(record.content.get("body", {}))
    except (KeyError, TypeError, ValueError):
        raise OfficeError("This record cannot be read as a contact record.") from None
    if not contact.agreed_actions:
        raise OfficeError("This record has no agreed actions to copy.")
    day = contact.occurred_at.date()
    return NoteToForward("parent", f"What we agreed on {day.day} {day:%B %Y}", "", contact.agreed_actions, day)


def mark_forwarded(service: OfficeService, record_id: bytes, on: date, by: str) -> None:
    if on > service.now().date():
        raise OfficeError("The day it was forwarded cannot be later than today.")
    if not service.repo.records(record_types=(RECORD_TYPE,), record_ids=(record_id,)):
        raise OfficeError("That note is not in this office.")
    with service.repo.vault.transaction():
        service.repo.mark_forwarded(record_id, on, by)
        service.audit.append("note forwarded", record_id.hex()[:16])
