"""Families referred by volunteers, at the office (issue 17, item 5; the laptop's side is
domain/referral.py). Each referral carries the parent's name and telephone number so the office
can ring them; the PPO allocates it as a case (office/allocation.py) or records that it was
dealt with another way. A referral not yet dealt with stays at the top of the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain.referral import RECORD_TYPE
from .service import OfficeError, OfficeService

ALLOCATED = "allocated"
OTHER = "dealt with"


@dataclass(frozen=True)
class ReferralView:
    record_id: bytes
    device_kid: bytes
    label: str
    received_at: datetime
    parent_name: str
    phone: str
    approached_at: str
    approach: str
    need: str
    outcome: tuple[str, str, datetime, str] | None  # (outcome, reference or note, when, by whom)

    @property
    def approached_words(self) -> str:
        """When the family approached the volunteer, as a UK date and time ("as sent" if it is not one)."""
        try:
            return f"{datetime.fromisoformat(self.approached_at):%d/%m/%Y %H:%M}"
        except ValueError:
            return self.approached_at

    @property
    def state(self) -> str:
        if self.outcome is None:
            return "new: ring the family"
        what, detail, when, by = self.outcome
        if what == ALLOCATED:
            return f"allocated as {detail} on {when:%d/%m/%Y} by {by}"
        return f"dealt with on {when:%d/%m/%Y} by {by}: {detail}"


def _text(body: dict[str, Any], key: str, most: int) -> str:
    value = body.get(key, "")
    return str(value)[:most] if isinstance(value, str) else ""


def referrals(service: OfficeService, labels: dict[bytes, str]) -> list[ReferralView]:
    """Every referral, the ones not dealt with first, then newest first. A laptop's words are
    hostile until shown otherwise: only strings are shown, cut to a sensible length."""
    outcomes = service.repo.referral_outcomes()
    out = []
    for record in service.repo.records(record_types=(RECORD_TYPE,), newest_only=True):
        body = record.content.get("body", {})
        if not isinstance(body, dict):
            continue
        out.append(ReferralView(
            record.record_id, record.device_kid, labels.get(record.device_kid, "a laptop no longer enrolled"),
            record.received_at, _text(body, "parent_name", 80), _text(body, "phone", 24),
            _text(body, "approached_at", 32), _text(body, "approach", 40), _text(body, "need", 2000),
            outcomes.get(record.record_id)))
    return sorted(out, key=lambda r: (r.outcome is not None, -r.received_at.timestamp()))


def mark(service: OfficeService, record_id: bytes, outcome: str, detail: str, by: str) -> None:
    """Record that a referral was allocated (``detail`` the case reference) or dealt with another
    way (``detail`` says how: "signposted to the council's transport team")."""
    detail = " ".join(detail.split())
    if outcome not in (ALLOCATED, OTHER):
        raise OfficeError("A referral is allocated as a case or dealt with another way.")
    if not detail:
        raise OfficeError("Say how it was dealt with, e.g. “rang the parent; signposted to Citizens Advice”.")
    if not service.repo.records(record_types=(RECORD_TYPE,), record_ids=(record_id,)):
        raise OfficeError("That referral is not in this office.")
    with service.repo.vault.transaction():
        service.repo.referral_done(record_id, outcome, detail[:200], by)
        service.audit.append(f"referral {outcome}", record_id.hex()[:16])
