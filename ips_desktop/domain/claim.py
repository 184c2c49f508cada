"""The monthly claim on form CT/PumaV (DESIGN §7; handbook "Guidance for completing expense
forms"): what goes on it, what is still missing, and the JSON the store seals.

Handbook: "IPS complete sections 1, 2, 3 and the top box on the reverse of the form";
Section 1 "every time a claim is made and sign as the claimant"; Section 2 "Check you use the
correct month"; Section 3 "for the first claim only: National Insurance number, Details of
car; registration, exact cc capacity, Date started claiming in this role". "We will need
copies of receipts to accompany all claims, this will include copies of telephone bills."
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .expenses import (
    CATEGORY_WORDS,
    Category,
    ExpenseItem,
    ExpenseRates,
    Journey,
    MileageLine,
    PhoneCall,
    Problem,
    Totals,
    Vehicle,
    check_call,
    check_item,
    check_journey,
    check_ni_number,
    claim_month_number,
    due_date,
    financial_year,
    last_safe_posting,
    likely_duplicates,
    mileage_lines,
    totals,
)
from .words import counted

_REGISTRATION = re.compile(r"^[A-Z0-9]{2,8}$")


class ClaimState(StrEnum):
    OPEN = "open"            # items are still being added
    SUBMITTED = "submitted"  # sealed to the office; items are frozen
    RECEIVED = "received"    # the PPO marked it received (office message)
    APPROVED = "approved"    # the PPO approved it for payment
    RETURNED = "returned"    # sent back with a reason: open for changes again


@dataclass(frozen=True, order=True)
class ClaimMonth:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 2000 <= self.year <= 2100:
            raise ValueError("not a claim month")

    @classmethod
    def of(cls, day: date) -> ClaimMonth:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, key: str) -> ClaimMonth:
        year, month = key.split("-")
        return cls(int(year), int(month))

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def number(self) -> int:
        """Section 2: April = month 1 … March = month 12."""
        return claim_month_number(self.month)

    @property
    def financial_year(self) -> str:
        return financial_year(self.year, self.month)

    @property
    def title(self) -> str:
        return f"{date(self.year, self.month, 1):%B %Y}"

    @property
    def due(self) -> date:
        return due_date(self.year, self.month)

    def post_by(self, rates: ExpenseRates) -> date:
        return last_safe_posting(self.due, rates.post_days, rates.delivery_days)

    def contains(self, day: date) -> bool:
        return (day.year, day.month) == (self.year, self.month)

    def previous(self) -> ClaimMonth:
        return ClaimMonth(self.year - 1, 12) if self.month == 1 else ClaimMonth(self.year, self.month - 1)


@dataclass(frozen=True)
class FirstClaimDetails:
    """Section 3, on the first claim only."""

    ni_number: str = ""
    car_registration: str = ""
    engine_cc: int | None = None
    started_on: date | None = None

    def problems(self, uses_car: bool) -> list[str]:
        out = []
        ni = check_ni_number(self.ni_number)
        if ni:
            out.append(ni)
        if uses_car:
            reg = re.sub(r"\s", "", self.car_registration).upper()
            if not _REGISTRATION.match(reg):
                out.append("Type your car's registration, like WK19 ABC.")
            if self.engine_cc is None or not 50 <= self.engine_cc <= 8000:
                out.append("Type the car's exact engine size in cc (on the V5C log book, box P.1), like 1398.")
        if self.started_on is None:
            out.append("Type the date you started claiming as an IPS.")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"ni_number": re.sub(r"\s", "", self.ni_number).upper(),
                "car_registration": re.sub(r"\s", "", self.car_registration).upper(),
                "engine_cc": self.engine_cc, "started_on": self.started_on.isoformat() if self.started_on else None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FirstClaimDetails:
        cc = d.get("engine_cc")
        started = d.get("started_on")
        return cls(str(d.get("ni_number", "")), str(d.get("car_registration", "")),
                   int(cc) if cc is not None else None, date.fromisoformat(started) if started else None)

    @property
    def ni_display(self) -> str:
        n = self.ni_number.replace(" ", "")
        return f"{n[:2]} {n[2:4]} {n[4:6]} {n[6:8]} {n[8:]}".strip() if len(n) == 9 else n


# -- the JSON the store seals ----------------------------------------------------------------------------
def journey_to_dict(j: Journey) -> dict[str, Any]:
    return {"on": j.on.isoformat(), "start": j.start, "end": j.end, "purpose": j.purpose, "miles": str(j.miles),
            "vehicle": j.vehicle.value, "passengers": j.passengers}


def journey_from_dict(d: dict[str, Any]) -> Journey:
    return Journey(date.fromisoformat(d["on"]), d["start"], d["end"], d["purpose"], Decimal(d["miles"]),
                   Vehicle(d["vehicle"]), int(d["passengers"]))


def item_to_dict(i: ExpenseItem) -> dict[str, Any]:
    return {"on": i.on.isoformat(), "category": i.category.value, "amount": str(i.amount),
            "description": i.description}


def item_from_dict(d: dict[str, Any], receipts: int = 0) -> ExpenseItem:
    return ExpenseItem(date.fromisoformat(d["on"]), Category(d["category"]), Decimal(d["amount"]),
                       d["description"], receipts)


def call_to_dict(c: PhoneCall) -> dict[str, Any]:
    return {"on": c.on.isoformat(), "number": c.number, "minutes": c.minutes, "purpose": c.purpose}


def call_from_dict(d: dict[str, Any]) -> PhoneCall:
    return PhoneCall(date.fromisoformat(d["on"]), d["number"], int(d["minutes"]), d["purpose"])


# -- one month, put together ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """One thing on the month's list, with the id of the record that holds it."""

    record_id: str
    value: ExpenseItem | Journey | PhoneCall
    receipts: tuple[tuple[str, str], ...] = ()  # (attachment id, SHA-256 of the file)


@dataclass(frozen=True)
class Row:
    """A row of the reverse-side table: date and description always, then one money column."""

    on: date
    description: str
    category: Category
    amount: Decimal
    miles: Decimal | None = None
    receipts: tuple[str, ...] = ()   # labels R1…Rn of this row's receipts
    record_id: str = ""


@dataclass(frozen=True)
class Check:
    """One line of the month's checklist."""

    text: str
    blocking: bool = True


@dataclass(frozen=True)
class MonthClaim:
    month: ClaimMonth
    items: Sequence[Entry]
    journeys: Sequence[Entry]
    calls: Sequence[Entry]
    first_claim: bool
    details: FirstClaimDetails
    rates: ExpenseRates
    earlier_miles: dict[int, Decimal] = field(default_factory=dict)

    def mileage(self) -> list[MileageLine]:
        return mileage_lines([e.value for e in self.journeys if isinstance(e.value, Journey)],
                             self.earlier_miles, self.rates)

    def expense_items(self) -> list[ExpenseItem]:
        return [e.value for e in self.items if isinstance(e.value, ExpenseItem)]

    def totals(self) -> Totals:
        return totals(self.mileage(), self.expense_items())

    def rows(self) -> list[Row]:
        """Date order; mileage rows first on a day. Receipt labels follow the row order."""
        lines = self.mileage()
        by_journey = {id(line.journey): line for line in lines}
        unordered: list[tuple[date, int, Row]] = []
        for entry in self.journeys:
            j = entry.value
            assert isinstance(j, Journey)
            line = by_journey.get(id(j))
            amount = line.amount if line else Decimal("0.00")
            words = f"{j.start} to {j.end} ({j.purpose}); {line.explanation if line else ''}".rstrip("; ")
            unordered.append((j.on, 0, Row(j.on, words, Category.MILEAGE, amount, j.miles, (), entry.record_id)))
        for entry in self.items:
            i = entry.value
            assert isinstance(i, ExpenseItem)
            unordered.append((i.on, 1, Row(i.on, i.description, i.category, i.amount, None,
                                           tuple(a for a, _ in entry.receipts), entry.record_id)))
        unordered.sort(key=lambda t: (t[0], t[1]))
        rows, n = [], 0
        for _, _, row in unordered:
            labels = []
            for _ in row.receipts:
                n += 1
                labels.append(f"R{n}")
            rows.append(Row(row.on, row.description, row.category, row.amount, row.miles, tuple(labels),
                            row.record_id))
        return rows

    def problems(self) -> list[tuple[str, Problem]]:
        """(record id, problem) for every entry; refusals and what is still missing."""
        y, m = self.month.year, self.month.month
        out: list[tuple[str, Problem]] = []
        for e in self.items:
            assert isinstance(e.value, ExpenseItem)
            out += [(e.record_id, p) for p in check_item(e.value, y, m, self.rates)]
        for e in self.journeys:
            assert isinstance(e.value, Journey)
            out += [(e.record_id, p) for p in check_journey(e.value, y, m, self.rates)]
        for e in self.calls:
            assert isinstance(e.value, PhoneCall)
            out += [(e.record_id, p) for p in check_call(e.value, y, m)]
        return out

    def missing(self) -> list[Check]:
        """The checklist the month view shows: what stops this claim being right first time
        (blocking) and what only looks wrong (a likely duplicate)."""
        out = []
        items = self.expense_items()
        unreceipted = [i for i in items if i.receipts == 0 and i.category is not Category.TELEPHONE]
        if unreceipted:
            out.append(Check(f"{counted(len(unreceipted), 'item')} without a receipt: "
                             + ", ".join(f"{i.on:%d/%m} {i.description}" for i in unreceipted[:3])
                             + ("…" if len(unreceipted) > 3 else "") + "."))
        phone = [i for i in items if i.category is Category.TELEPHONE]
        if self.calls and not phone:
            out.append(Check(f"{counted(len(self.calls), 'call')} in the phone log but no telephone item: add the cost "
                             "from your bill."))
        if any(i.receipts == 0 for i in phone):
            out.append(Check("The copy of the telephone bill."))
        if phone and not self.calls:
            out.append(Check("The calls in the phone log, so the office can check the bill."))
        if self.first_claim:
            uses_car = any(isinstance(e.value, Journey) and e.value.vehicle is Vehicle.CAR for e in self.journeys)
            out += [Check(f"First claim: {p}") for p in self.details.problems(uses_car)]
        for a, _ in likely_duplicates(items):
            out.append(Check(f"Possible duplicate: {items[a].on:%d/%m/%Y} {CATEGORY_WORDS[items[a].category]} "
                             f"£{items[a].amount:.2f} is entered twice.", blocking=False))
        seen: set[str] = set()
        for e in self.items:
            for _, h in e.receipts:
                if h in seen:
                    out.append(Check("The same receipt file is attached to two items.", blocking=False))
                seen.add(h)
        broken = {rid for rid, p in self.problems() if p.blocking}
        if broken:
            out.append(Check(f"{len(broken)} entry(ies) break a rule; fix them first."))
        if not (self.items or self.journeys):
            out.append(Check("Nothing to claim yet."))
        return out

    @property
    def receipts_in_order(self) -> list[tuple[str, str, Row]]:
        """(label, attachment id, row) in R1…Rn order."""
        out = []
        by_id = {e.record_id: e for e in self.items}
        for row in self.rows():
            entry = by_id.get(row.record_id)
            if entry is None:
                continue
            for label, (attachment_id, _) in zip(row.receipts, entry.receipts, strict=True):
                out.append((label, attachment_id, row))
        return out


REMIND_DAYS = 5


def posting_reminder(month: ClaimMonth, today: date, rates: ExpenseRates) -> str | None:
    """The nudge for an unsent claim: from five days before the last safe posting day, and a
    late notice once the due date has passed (handbook: "to arrive no later than the 14th")."""
    post_by = month.post_by(rates)
    days = (post_by - today).days
    if days < 0:
        return (f"The {month.title} claim was due at the office by {month.due:%d/%m/%Y}. Send it now and tell "
                "your PPO it is late.")
    if days <= REMIND_DAYS:
        when = "today" if days == 0 else f"by {post_by:%A %d/%m/%Y}"
        return (f"Post your {month.title} claim {when} so it arrives by {month.due:%d/%m/%Y} "
                "(the handbook: “to arrive no later than the 14th of each month”).")
    return None


# -- receipts --------------------------------------------------------------------------------------------
MAX_RECEIPT_BYTES = 25 * 1024 * 1024
MAX_RECEIPT_PAGES = 20


class ReceiptError(ValueError):
    """A receipt file that cannot be used; the message says what to do instead."""


@dataclass(frozen=True)
class PreparedReceipt:
    """A receipt as the vault keeps it: a photo upright, scaled and stripped of its metadata
    (a phone photo's GPS position can point at a family's home), or a PDF checked readable."""

    mime: str            # image/jpeg or application/pdf
    data: bytes
    pages: int
    sha256: str          # of the file as it was given, to spot the same receipt twice
