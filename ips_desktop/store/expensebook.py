"""Expenses in the vault: items with their receipts, the journey log, the phone log, the
first-claim details and the monthly claim (DESIGN §7).

Every entry is its own sealed record (``expense_item``, ``journey``, ``phone_log``) holding its
claim month; receipts are attachments of their item, so they live inside the vault and go
with it. Nothing is queued for the office until the month is submitted: then the claim and
every entry go in one transaction and the month is frozen until the office returns it. The
retention rules follow (DESIGN §5): the claim and its entries 30 days after VERIFIED, the
phone log when the claim covering it is VERIFIED.

Single-threaded: use from the thread that opened the vault.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..domain import claim as c
from ..domain import expenses as x
from ..domain.claim import ClaimMonth, ClaimState, Entry, FirstClaimDetails, MonthClaim, PreparedReceipt
from ..domain.expenses import Category, ExpenseItem, ExpenseRates, Journey, PhoneCall, Vehicle, tax_year_of
from ..domain.pii import FindingKind, screen_fields
from .casebook import CaseBook, InputError, read_file_at_most
from .errors import RecordNotFound
from .records import StoredRecord

log = logging.getLogger(__name__)

PROFILE_KEY = "expense_profile"
KINDS = ("expense_item", "journey", "phone_log")
Prepare = Callable[[str, bytes], PreparedReceipt]


@dataclass(frozen=True)
class ExpenseProfile:
    """The claimant's own details, kept in the vault's settings: Section 1's name on every
    claim, Section 3's details for the first, miles already driven for other organisations
    this tax year (HMRC EIM71155), and the car miles each submitted month used up."""

    claimant: str = ""
    details: FirstClaimDetails = field(default_factory=FirstClaimDetails)
    first_claim_sent: bool = False
    other_miles: dict[int, Decimal] | None = None
    month_miles: dict[str, dict[int, Decimal]] | None = None

    def to_json(self) -> str:
        return json.dumps({
            "claimant": self.claimant, "details": self.details.to_dict(), "first_claim_sent": self.first_claim_sent,
            "other_miles": {str(k): str(v) for k, v in (self.other_miles or {}).items()},
            "month_miles": {m: {str(k): str(v) for k, v in d.items()} for m, d in (self.month_miles or {}).items()},
        }, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ExpenseProfile:
        d = json.loads(text)
        return cls(str(d.get("claimant", "")), FirstClaimDetails.from_dict(d.get("details", {})),
                   bool(d.get("first_claim_sent", False)),
                   {int(k): Decimal(v) for k, v in d.get("other_miles", {}).items()},
                   {m: {int(k): Decimal(v) for k, v in y.items()} for m, y in d.get("month_miles", {}).items()})


@dataclass(frozen=True)
class ClaimStatus:
    state: ClaimState
    record_id: str | None
    submitted_at: datetime | None = None
    reason: str = ""


def read_receipt_file(path: Path) -> bytes:
    """The file's bytes, refusing one too large before reading it."""
    return read_file_at_most(path, c.MAX_RECEIPT_BYTES, "a receipt can be at most 25 MB. Take the photo again, "
                             "or scan the receipt at 150 dpi.")


def no_receipts(name: str, data: bytes) -> PreparedReceipt:
    """For an expense book that only reads, or applies the office's word: receipts are refused."""
    raise c.ReceiptError("Receipts cannot be added here.")


class ExpenseBook:
    def __init__(self, book: CaseBook, now: Callable[[], datetime], rates: Callable[[], ExpenseRates],
                 prepare_receipt: Prepare = no_receipts) -> None:
        self._book = book
        self._now = now
        self._rates = rates
        self._prepare = prepare_receipt

    @property
    def rates(self) -> ExpenseRates:
        return self._rates()

    # -- the claimant --------------------------------------------------------------------------------
    def profile(self) -> ExpenseProfile:
        stored = self._book.settings_store.value(PROFILE_KEY)
        if stored is None:
            return ExpenseProfile()
        try:
            return ExpenseProfile.from_json(stored)
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("expense profile unreadable; starting from an empty one")
            return ExpenseProfile()

    def _save_profile(self, profile: ExpenseProfile) -> None:
        self._book.settings_store.put_value(PROFILE_KEY, profile.to_json())

    def save_claimant(self, claimant: str, details: FirstClaimDetails) -> None:
        """Section 1's name and Section 3's details. The NI number's format is checked here;
        the rest is listed in the month's checklist until it is complete."""
        if details.ni_number.strip() and (problem := x.check_ni_number(details.ni_number)):
            raise InputError(problem)
        with self._book.vault.transaction():
            self._save_profile(replace(self.profile(), claimant=claimant.strip(), details=details))
            self._book.audit.append("claimant details changed", "expenses")

    def set_other_miles(self, tax_year: int, miles: Decimal) -> None:
        """Business miles driven this tax year for other organisations (they share the band)."""
        if miles < 0 or miles > 100000:
            raise InputError("Type the miles as a number from 0 to 100,000.")
        profile = self.profile()
        other = dict(profile.other_miles or {})
        other[tax_year] = miles
        with self._book.vault.transaction():
            self._save_profile(replace(profile, other_miles=other))

    # -- reading -------------------------------------------------------------------------------------
    def _entries(self, kind: str, month: ClaimMonth) -> list[StoredRecord]:
        return [r for r in self._book.records.all(kind=kind) if r.payload.get("month") == month.key]

    def _claim_record(self, month: ClaimMonth) -> StoredRecord | None:
        found = [r for r in self._book.records.all(kind="expense_claim") if r.payload.get("month") == month.key]
        return found[-1] if found else None

    def status(self, month: ClaimMonth) -> ClaimStatus:
        record = self._claim_record(month)
        if record is None:
            return ClaimStatus(ClaimState.OPEN, None)
        p = record.payload
        at = p.get("submitted_at")
        return ClaimStatus(ClaimState(p["state"]), record.id, datetime.fromisoformat(at) if at else None,
                           str(p.get("reason", "")))

    def months(self) -> list[ClaimMonth]:
        """Every month with something in it, newest first."""
        keys = {r.payload.get("month") for kind in (*KINDS, "expense_claim") for r in self._book.records.all(kind=kind)}
        return sorted((ClaimMonth.parse(k) for k in keys if isinstance(k, str)), reverse=True)

    def is_first_claim(self) -> bool:
        return not self.profile().first_claim_sent

    def earlier_miles(self, month: ClaimMonth) -> dict[int, Decimal]:
        """Car miles already in each tax year's 10,000-mile band before ``month``: other
        organisations', submitted months' (as recorded when sent) and earlier months still
        on this laptop."""
        profile = self.profile()
        out: dict[int, Decimal] = dict(profile.other_miles or {})
        counted: set[str] = set()
        for key, years in (profile.month_miles or {}).items():
            if ClaimMonth.parse(key) < month:
                counted.add(key)
                for year, miles in years.items():
                    out[year] = out.get(year, Decimal(0)) + miles
        for record in self._book.records.all(kind="journey"):
            month_key = record.payload.get("month")
            if not isinstance(month_key, str) or month_key in counted or ClaimMonth.parse(month_key) >= month:
                continue
            j = c.journey_from_dict(record.payload["journey"])
            if j.vehicle is Vehicle.CAR:
                year = tax_year_of(j.on)
                out[year] = out.get(year, Decimal(0)) + j.miles
        return out

    def month(self, month: ClaimMonth) -> MonthClaim:
        items = [Entry(r.id, c.item_from_dict(r.payload["item"], len(r.payload.get("receipts", []))),
                       tuple((x["id"], x["sha256"]) for x in r.payload.get("receipts", [])))
                 for r in self._entries("expense_item", month)]
        journeys = [Entry(r.id, c.journey_from_dict(r.payload["journey"])) for r in self._entries("journey", month)]
        calls = [Entry(r.id, c.call_from_dict(r.payload["call"])) for r in self._entries("phone_log", month)]
        profile = self.profile()
        return MonthClaim(month, items, journeys, calls, not profile.first_claim_sent, profile.details, self.rates,
                          self.earlier_miles(month))

    def receipt(self, attachment_id: str) -> tuple[str, bytes]:
        """(mime, bytes) of one stored receipt."""
        row = self._book.vault.query_one("SELECT record_id FROM attachments WHERE id = ?", (attachment_id,))
        if row is None:
            raise InputError("That receipt is no longer on this laptop.")
        mime: str = next(a.mime for a in self._book.records.attachments(row[0]) if a.id == attachment_id)
        return mime, self._book.records.attachment_data(attachment_id)

    # -- changing a month ----------------------------------------------------------------------------
    def _open_for_changes(self, month: ClaimMonth) -> None:
        status = self.status(month)
        if status.state in (ClaimState.SUBMITTED, ClaimState.RECEIVED, ClaimState.APPROVED):
            when = f" on {status.submitted_at:%d/%m/%Y}" if status.submitted_at else ""
            raise InputError(f"The {month.title} claim was sent to the office{when} and cannot be changed. "
                             "If something is wrong, ask your PPO to return it.")

    @staticmethod
    def _refuse(problems: list[x.Problem]) -> None:
        blocking = [p for p in problems if p.blocking]
        if blocking:
            raise InputError(" ".join(p.message for p in blocking))

    def _screen(self, fields: dict[str, str]) -> None:
        """Expense text names places and purposes, never people or addresses."""
        findings = [f for f in screen_fields(fields) if not (
            f.finding.kind is FindingKind.NAME
            and x.names_a_business(fields[f.field], f.finding.start, f.finding.end))]
        if findings:
            f = findings[0].finding
            raise InputError(f"“{f.text}” looks like a {f.kind.value}. Expense entries name places and the case "
                             "reference only (a town or “school”, not a street or a person).")

    def _put(self, record_id: str | None, kind: str, month: ClaimMonth, body: dict[str, Any]) -> str:
        if record_id is not None:
            old = self._book.records.get(record_id)
            if old.kind != kind:
                raise InputError("That entry is of another kind.")
            self._open_for_changes(ClaimMonth.parse(old.payload["month"]))
            body = {**old.payload, **body}
        self._open_for_changes(month)
        payload = {"type": kind, "month": month.key, **body}
        with self._book.vault.transaction():
            new_id = self._book.records.put(record_id, None, kind, payload, "saved", "")
            self._book.audit.append(f"{kind} {'changed' if record_id else 'added'}", new_id)
        return new_id

    def add_item(self, month: ClaimMonth, item: ExpenseItem, record_id: str | None = None) -> str:
        """A receipted item. Fines, alcohol, line rental, wrong month and absurd amounts are
        refused with the handbook's words; a missing receipt is a reminder, not a refusal."""
        if item.category is Category.MILEAGE:
            raise InputError("Mileage goes in the journey log.")
        receipts = 0
        if record_id is not None:
            receipts = len(self._book.records.get(record_id).payload.get("receipts", []))
        self._refuse(x.check_item(replace(item, receipts=max(1, receipts)), month.year, month.month, self.rates))
        self._screen({"description": item.description})
        return self._put(record_id, "expense_item", month, {"item": c.item_to_dict(item)})

    def add_journey(self, month: ClaimMonth, journey: Journey, record_id: str | None = None) -> str:
        self._refuse(x.check_journey(journey, month.year, month.month, self.rates))
        self._screen({"from": journey.start, "to": journey.end, "purpose": journey.purpose})
        return self._put(record_id, "journey", month, {"journey": c.journey_to_dict(journey)})

    def add_call(self, month: ClaimMonth, call: PhoneCall, record_id: str | None = None) -> str:
        self._refuse(x.check_call(call, month.year, month.month))
        self._screen({"purpose": call.purpose})
        return self._put(record_id, "phone_log", month, {"call": c.call_to_dict(call)})

    def remove(self, record_id: str) -> None:
        try:
            stored = self._book.records.get(record_id)
        except RecordNotFound:
            return
        if stored.kind not in KINDS:
            raise InputError("Only expense entries can be removed here.")
        self._open_for_changes(ClaimMonth.parse(stored.payload["month"]))
        self._book.purge(record_id, f"{stored.kind} removed")

    def attach_receipt(self, record_id: str, path: Path) -> str:
        """A photo or PDF of the receipt, checked and kept inside the vault."""
        return self.store_receipt(record_id, self.prepare_file(path))

    def attach_receipt_data(self, record_id: str, name: str, data: bytes) -> str:
        return self.store_receipt(record_id, self.prepare(name, data))

    def prepare_file(self, path: Path) -> PreparedReceipt:
        """Read and check a receipt file. Touches no vault: safe on a worker thread."""
        return self.prepare(path.name, read_receipt_file(path))

    def prepare(self, name: str, data: bytes) -> PreparedReceipt:
        """Check and normalise a receipt (the slow part). Touches no vault: safe on a worker thread."""
        try:
            return self._prepare(name, data)
        except c.ReceiptError as exc:
            raise InputError(str(exc)) from None

    def store_receipt(self, record_id: str, prepared: PreparedReceipt) -> str:
        """Keep a prepared receipt with its item, inside the vault (the vault's thread)."""
        try:
            stored = self._book.records.get(record_id)
        except RecordNotFound:
            raise InputError("That expense is no longer on this laptop.") from None
        if stored.kind != "expense_item":
            raise InputError("Receipts belong to an expense item.")
        self._open_for_changes(ClaimMonth.parse(stored.payload["month"]))
        number = len(stored.payload.get("receipts", [])) + 1
        neutral = f"receipt-{stored.payload['item']['on']}-{number}" + (
            ".pdf" if prepared.mime == "application/pdf" else ".jpg")
        with self._book.vault.transaction():
            attachment_id = self._book.records.add_attachment(record_id, neutral, prepared.mime, prepared.data)
            receipts = [*stored.payload.get("receipts", []),
                        {"id": attachment_id, "sha256": prepared.sha256, "pages": prepared.pages}]
            self._book.records.put(record_id, None, "expense_item", {**stored.payload, "receipts": receipts},
                                   "saved", "")
            self._book.audit.append("receipt added", record_id)
        return attachment_id

    def same_receipt_elsewhere(self, record_id: str) -> bool:
        """True when a receipt of this item is also attached to another item (any month)."""
        mine = {x["sha256"] for x in self._book.records.get(record_id).payload.get("receipts", [])}
        return any(x["sha256"] in mine for r in self._book.records.all(kind="expense_item") if r.id != record_id
                   for x in r.payload.get("receipts", []))

    # -- sending -------------------------------------------------------------------------------------
    def submit(self, month: ClaimMonth) -> str:
        """Seal the month for the office: the claim record and every entry with its receipts
        are queued in one transaction, and the month is frozen. Refused, with the checklist,
        while anything that would stop it being paid is missing."""
        self._open_for_changes(month)
        claim = self.month(month)
        blockers = [m.text for m in claim.missing() if m.blocking]
        if blockers:
            raise InputError("Before sending: " + " ".join(blockers))
        profile = self.profile()
        t = claim.totals()
        car_miles: dict[int, Decimal] = {}
        for line in claim.mileage():
            if line.journey.vehicle is Vehicle.CAR:
                year = tax_year_of(line.journey.on)
                car_miles[year] = car_miles.get(year, Decimal(0)) + line.journey.miles
        now = self._now()
        status = self.status(month)
        entries = [e.record_id for e in (*claim.items, *claim.journeys, *claim.calls)]
        payload: dict[str, Any] = {
            "type": "expense_claim", "month": month.key, "state": ClaimState.SUBMITTED.value,
            "submitted_at": now.isoformat(timespec="seconds"), "month_number": month.number,
            "financial_year": month.financial_year, "claimant": profile.claimant,
            "first_claim": claim.first_claim,
            "details": profile.details.to_dict() if claim.first_claim else None,
            "entries": entries,
            # So the office prices the mileage exactly as this laptop did (HMRC's 10,000-mile band).
            "earlier_miles": {str(y): str(m) for y, m in claim.earlier_miles.items()},
            "totals": {"total": str(t.total), "mileage": str(t.mileage), "miles": str(t.miles),
                       "columns": {str(k): str(v) for k, v in t.by_column.items()}},
        }
        month_miles = dict(profile.month_miles or {})
        month_miles[month.key] = car_miles
        with self._book.vault.transaction():
            claim_id = self._book.records.put(status.record_id, None, "expense_claim", payload, "saved", "")
            for record_id in entries:
                self._book.records.enqueue(record_id)
            self._book.records.enqueue(claim_id)
            self._save_profile(replace(profile, first_claim_sent=True, month_miles=month_miles))
            self._book.audit.append("expense claim submitted", claim_id, month.key)
        return claim_id

    def apply_office_status(self, month: ClaimMonth, state: ClaimState, reason: str, by: str) -> bool:
        """The PPO's word on a sent claim (an office message): received, approved, or returned
        with a reason — which opens the month for changes again. False when no such claim is
        on this laptop any more."""
        record = self._claim_record(month)
        if record is None or state not in (ClaimState.RECEIVED, ClaimState.APPROVED, ClaimState.RETURNED):
            return False
        payload = {**record.payload, "state": state.value, "reason": reason, "status_by": by}
        with self._book.vault.transaction():
            self._book.records.put(record.id, None, "expense_claim", payload, "saved", "")
            self._book.audit.append(f"expense claim {state.value} by the office", record.id, month.key)
        return True

    def reminder(self, today: date) -> str | None:
        """The nudge in the days before the last safe posting date of last month's claim."""
        month = ClaimMonth.of(today).previous()
        if self.status(month).state is not ClaimState.OPEN:
            return None
        claim = self.month(month)
        if not (claim.items or claim.journeys):
            return None
        return c.posting_reminder(month, today, self.rates)
