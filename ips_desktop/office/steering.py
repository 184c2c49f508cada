"""Gathering a period's facts for the report to the Steering Group (issue 17, item 14): the
office's records, feedback and HSE reports, and, with a relay, the board's alerts. What the
laptops sent is hostile until read: a record whose fields are not what they should be is left
out of the counts, never guessed at."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..domain.escalation import Reader
from ..domain.steering import Alert, Contact, Facts, Period
from ..store.office_store import OfficeRecord
from ..sync.watch_client import BoardEntry
from .feedback import recorded
from .service import OfficeService


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)
    return number if number.is_finite() and number >= 0 else Decimal(0)


def _body(record: OfficeRecord) -> dict[str, Any]:
    body = record.content.get("body", {})
    return body if isinstance(body, dict) else {}


def gather(service: OfficeService, period: Period, labels: dict[bytes, str],
           board: Iterable[BoardEntry] | None) -> Facts:
    records = service.repo.records(newest_only=True)
    contacts: list[Contact] = []
    level1: list[tuple[str, str]] = []
    closed: set[str] = set()
    first_seen: dict[str, datetime] = {}
    events, event_hours, families, referrals = 0, Decimal(0), 0, 0
    home, public, difficult, incidents, reported_hse = 0, 0, 0, 0, 0
    claims, claims_total, claims_miles = 0, Decimal(0), Decimal(0)
    hse = service.repo.hse_reports()
    for record in records:
        body, kind = _body(record), record.record_type
        if record.case_ref and kind not in ("case_status",):
            seen = first_seen.get(record.case_ref)
            first_seen[record.case_ref] = min(seen, record.received_at) if seen else record.received_at
        if kind == "contact":
            at = _when(body.get("occurred_at"))
            minutes = body.get("duration_minutes", 0)
            if at and at in period and isinstance(minutes, int) and 0 <= minutes <= 1440:
                contacts.append(Contact(str(body.get("kind", "other"))[:30], at, minutes,
                                        labels.get(record.device_kid, "?")))
        elif kind == "case_status":
            at = _when(body.get("at"))
            if at and at in period and body.get("closed") is True and record.case_ref:
                closed.add(record.case_ref)
        elif kind == "level1":
            on = _when(body.get("on"))
            if on and on in period:
                level1.append((str(body.get("category", "other"))[:60], str(body.get("focus", ""))[:10]))
        elif kind == "event":
            on = _when(body.get("on"))
            count = body.get("families_approached", 0)
            if on and on in period:
                events += 1
                event_hours += min(_decimal(body.get("hours", "0")), Decimal(24))
                families += count if isinstance(count, int) and 0 <= count <= 500 else 0
        elif kind == "referral":
            referrals += record.received_at in period
        elif kind == "visit_plan":
            slot = body.get("slot", {}) if isinstance(body.get("slot"), dict) else {}
            start = _when(slot.get("start"))
            if start and start in period and body.get("state") not in ("refused", "cancelled"):
                home += slot.get("venue") == "parent_home"
                public += slot.get("venue") != "parent_home"
        elif kind == "visit_outcome":
            difficult += record.received_at in period and body.get("difficult") is True
        elif kind == "incident":
            at = _when(body.get("occurred_at"))
            if at and at in period:
                incidents += 1
                reported_hse += record.record_id in hse
        elif kind == "expense_claim":
            at = _when(body.get("submitted_at"))
            totals = body.get("totals", {}) if isinstance(body.get("totals"), dict) else {}
            if at and at in period:
                claims += 1
                claims_total += _decimal(totals.get("total", "0"))
                claims_miles += _decimal(totals.get("miles", "0"))
    allocated = {row.reference: row.allocated_at for row in service.repo.allocations()}
    opened = sum(1 for ref, seen in first_seen.items() if allocated.get(ref, seen) in period)
    opened += sum(1 for ref, at in allocated.items() if ref not in first_seen and at in period)
    alerts = None
    if board is not None:
        alerts = []
        for entry in board:
            watch = entry.watch
            if watch.drill or not watch.alerted_at:
                continue
            if date.fromtimestamp(watch.alerted_at) in period:
                alerts.append(Alert(any(r is not Reader.PPO for r in watch.told), watch.duress,
                                    watch.closed_reason))
    feedback = [f for _ref, _kid, f in recorded(service) if f.asked_on in period]
    return Facts(contacts, opened, len(closed), event_hours, events, families, referrals, level1, home, public,
                 difficult, alerts, incidents, reported_hse, feedback, claims, claims_total, claims_miles)
