"""Safeguarding concerns at the office (issue 17, item 9): every contact record with the concern
flag, the ones with no follow-up recorded first, and the PPO's follow-up ("It is then the
responsibility of the PPO to look into the situation further … and decide if a referral needs to
be passed to the relevant agency"): what was done, by whom and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain.safeguarding import FOLLOW_UPS
from ..store.office_store import FollowUpRow, OfficeRecord
from .service import OfficeError, OfficeService


@dataclass(frozen=True)
class Concern:
    record: OfficeRecord
    label: str
    follow_up: FollowUpRow | None

    @property
    def reference(self) -> str:
        return self.record.case_ref or ""

    def about(self) -> str:
        """Which concern: the case, the volunteer and when it arrived."""
        return (f"Safeguarding concern on case {self.reference} from {self.label}, received "
                f"{self.record.received_at:%H:%M on %d/%m/%Y}")

    def words(self) -> str:
        """One line for the inbox's banner or the case's list."""
        said = self.about()
        if self.follow_up is None:
            return f"⚠ {said}: ring the volunteer, look into it and record what was done."
        f = self.follow_up
        return f"{said}: {f.action} by {f.who} on {f.done_at:%d/%m/%Y at %H:%M}."


def is_concern(record: OfficeRecord) -> bool:
    """A contact record whose body carries the safeguarding note (its presence is the flag)."""
    body = record.content.get("body", {})
    return (record.record_type == "contact" and isinstance(body, dict)
            and isinstance(body.get("safeguarding"), dict))


def concerns(records: list[OfficeRecord], service: OfficeService, labels: dict[bytes, str]) -> list[Concern]:
    """The concerns among ``records`` (each record's newest version), open ones first, newest first."""
    follow_ups = service.repo.follow_ups()
    found = [Concern(r, labels.get(r.device_kid, "a laptop no longer enrolled"), follow_ups.get(r.record_id))
             for r in records if is_concern(r)]
    return sorted(found, key=lambda c: (c.follow_up is not None, -c.record.received_at.timestamp()))


def record_follow_up(service: OfficeService, record_id: bytes, action: str, who: str, done_at: datetime,
                     note: str, recorded_by: str) -> None:
    if action not in FOLLOW_UPS:
        raise OfficeError("Choose what was done: " + ", ".join(FOLLOW_UPS) + ".")
    who, note = " ".join(who.split()), " ".join(note.split())
    if not who:
        raise OfficeError("Say who did it (a PPO's name, or the agency).")
    if len(who) > 80 or len(note) > 500:
        raise OfficeError("Keep who to 80 characters and the note to 500.")
    if done_at > service.now() + timedelta(minutes=5):  # a minute or two of clock skew, never tomorrow
        raise OfficeError("When it was done cannot be later than now.")
    if not any(is_concern(r) for r in service.repo.records(record_types=("contact",), record_ids=(record_id,))):
        raise OfficeError("That record is not a safeguarding concern in this office.")
    with service.repo.vault.transaction():
        service.repo.record_follow_up(record_id, action, who, done_at, note, recorded_by)
        service.audit.append("safeguarding followed up", record_id.hex()[:16], action)
