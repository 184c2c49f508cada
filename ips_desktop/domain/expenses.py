"""Expense rules (DESIGN §7; handbook "Expense claims" and "Guidance for completing expense
forms"; HMRC's Approved Mileage Allowance Payments, EIM31240 and EIM71155).

Pure functions over frozen values with the clock and the office's rates passed in. Money is
``Decimal`` pounds rounded to the penny; every total is recomputed from its lines, never typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from .bank_holidays import is_bank_holiday
from .words import counted

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


class Category(StrEnum):
    MILEAGE = "mileage"
    FARE = "fare"              # bus or train
    PARKING = "parking"
    POSTAGE = "postage"
    TELEPHONE = "telephone"    # calls from the phone log, proved by the bill
    DRINKS = "drinks"          # non-alcoholic, for a quiet café meeting


class Vehicle(StrEnum):
    CAR = "car"
    MOTORCYCLE = "motorcycle"
    BICYCLE = "bicycle"


CATEGORY_WORDS = {Category.MILEAGE: "mileage", Category.FARE: "bus or train fare", Category.PARKING: "car parking",
                  Category.POSTAGE: "postage", Category.TELEPHONE: "telephone calls",
                  Category.DRINKS: "drinks for a quiet café meeting"}

HANDBOOK = {
    "allowed": "“Expenses will only be paid with an appropriate receipt for legitimate expenses; telephoning "
               "DPPS, stamps, bus or train travel, hot or cold non alcoholic drinks for the use of a quiet café, "
               "car parking.”",
    "fines": "“Fines for overstay in a car park or illegal parking will NOT be paid by DPPS.”",
    "alcohol": "Drinks are paid only if “non alcoholic”.",
    "drinks": "“A receipt for two hot or cold non-alcoholic drinks will be accepted for the use of a quiet café.”",
    "training": "For training sessions: “You may claim for travel expenses only.”",
    "receipts": "“We will need copies of receipts to accompany all claims, this will include copies of telephone "
                "bills.”",
    "line_rental": "Calls are claimable; line rental is not (HMRC EIM71165).",
    "due": "“Monthly expense claims should be posted to your PPO to arrive no later than the 14th of each month.”",
    "month": "“Check you use the correct month; e.g. April = month 1, … May = month 2.”",
}

# Every name a parking or traffic penalty goes by on a receipt or a letter.
_FINES = re.compile(r"\b(fines?|fined|penalty|penalties|PCN|FPN|ECN|overstay(ed|ing)?|clamp(ed|ing)?|"
                    r"parking charge notice|penalty charge notice|excess charge( notice)?|fixed penalty|"
                    r"notice to owner|charge certificate|release fee|removal fee|tow(ed|ing)?( away)?|"
                    r"enforcement (fee|charge|notice)|late payment (fee|charge)|bus lane)\b", re.IGNORECASE)
_ALCOHOL = re.compile(r"\b(alcohol(ic)?|beers?|lagers?|ales?|ciders?|wines?|prosecco|champagne|gin|vodka|"
                      r"whisk(e)?y|rum|pints?|spirits?|brandy|port|sherry|shandy|cocktails?|bitter|stout|"
                      r"mulled)\b", re.IGNORECASE)
# Soft drinks whose names hold an alcohol word, and drinks said to be alcohol-free: taken out
# before the alcohol check, so a ginger beer is paid and a "pint of milk" is not refused.
_NON_ALCOHOLIC = re.compile(
    r"\b(non[- ]?alcoholic|alcohol[- ]free|low[- ]alcohol[- ]free|0\.0%?)(\s+\w+)?|"
    r"\b(ginger (ale|beer)s?|root beers?|birch beers?|butterbeers?|cream sodas?|dandelion (and|&) burdock|"
    r"(half )?(a )?pints? of (milk|water|squash|lemonade|orange( juice)?|apple juice|juice|cola|coke|tap water))\b",
    re.IGNORECASE)
_FOOD = re.compile(r"\b(food|cakes?|sandwich(es)?|biscuits?|scones?|croissants?|muffins?|paninis?|toasties?|"
                   r"crisps|lunch(es)?|breakfasts?|brunch|dinner|soups?|cookies?|brownies?|flapjacks?|meals?|"
                   r"sausage rolls?|pastr(y|ies)|pies?|chips|snacks?|buns?|teacakes?|doughnuts?|donuts?|"
                   r"pizza|burgers?|wraps?|salads?|baguettes?|bacon rolls?|ice creams?|cream tea)\b",
                   re.IGNORECASE)
_DRINK_WORDS = (r"coffees?|teas?|lattes?|cappuccinos?|flat whites?|americanos?|espressos?|mochas?|hot chocolates?|"
                r"chocolates?|juices?|waters?|lemonades?|colas?|cokes?|squash|smoothies?|milkshakes?|milks?|"
                r"herbal teas?|fruit teas?|decafs?|sodas?|drinks?|ginger beers?|ginger ales?|orange juices?")
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "2x": 2,
                 "3x": 3, "4x": 4}
_COUNTED = re.compile(rf"\b(\d+|{'|'.join(re.escape(w) for w in _NUMBER_WORDS)})\s*(x\s*)?({_DRINK_WORDS})\b",
                      re.IGNORECASE)
_DRINK = re.compile(rf"\b({_DRINK_WORDS})\b", re.IGNORECASE)
_TRAINING = re.compile(r"\b(training|induction|course|workshop|conference|study day)\b", re.IGNORECASE)
MOST_DRINKS = 2  # "a receipt for two hot or cold non-alcoholic drinks will be accepted"
_LINE_RENTAL = re.compile(r"\b(line rental|rental|monthly (plan|contract|charge)|subscription|broadband)\b",
                          re.IGNORECASE)
_NINO = re.compile(r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$")


class MoneyError(ValueError):
    """An amount the volunteer typed that cannot be right; the message says why."""


def parse_pounds(text: str, most: Decimal = Decimal("500.00")) -> Decimal:
    """"£3.40", "3.4", "3" → Decimal("3.40"). Refuses negative, zero, sub-penny and absurd."""
    cleaned = text.strip().replace("£", "").replace(",", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError(f"“{text.strip()}” is not an amount of money. Type it like 3.40.") from None
    if not value.is_finite():
        raise MoneyError("Type the amount like 3.40.")
    if value <= 0:
        raise MoneyError("An amount must be more than £0.00. To take an item off, delete it.")
    if value != value.quantize(PENNY):
        raise MoneyError("Amounts are in pounds and pence, like 3.40.")
    if value > most:
        raise MoneyError(f"£{value:,.2f} is more than the £{most:,.2f} a single item can be. Check the amount, "
                         "or ask your PPO.")
    return value.quantize(PENNY)


def money(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def pounds(value: Decimal) -> str:
    return f"£{money(value):,.2f}"


# -- rates ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExpenseRates:
    """The office's rates (in the signed policy); the defaults are HMRC's AMAP."""

    car_first: Decimal = Decimal("0.45")
    car_after: Decimal = Decimal("0.25")
    car_threshold_miles: Decimal = Decimal("10000")
    motorcycle: Decimal = Decimal("0.24")
    bicycle: Decimal = Decimal("0.20")
    passenger: Decimal = Decimal("0.05")
    most_per_item: Decimal = Decimal("500.00")
    most_miles_per_day: Decimal = Decimal("400")
    post_days: int = 3  # delivery days the post may take
    # The postal service the last posting day assumes (an office setting: Royal Mail's delivery
    # days have changed and will again): its class, and the weekdays it delivers letters on,
    # Monday = 0.
    post_class: str = "second"
    delivery_days: str = "012345"

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any]) -> ExpenseRates:
        given = policy.get("expenses", {})
        base = cls()
        if not isinstance(given, Mapping):
            return base
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            default = getattr(base, name)
            raw = given.get(name)
            if raw is None or isinstance(raw, bool):
                continue
            if isinstance(default, Decimal):
                try:
                    value = Decimal(str(raw))
                except InvalidOperation:
                    continue
                if value.is_finite() and 0 <= value <= Decimal("100000"):
                    values[name] = value
            elif isinstance(default, str):
                if name == "post_class" and raw in ("first", "second"):
                    values[name] = raw
                elif (name == "delivery_days" and isinstance(raw, str) and raw
                      and set(raw) <= set("0123456") and len(raw) == len(set(raw))):
                    values[name] = "".join(sorted(raw))
            elif isinstance(raw, int) and 0 <= raw <= 10:
                values[name] = raw
        return replace(base, **values)

    @property
    def delivered_words(self) -> str:
        """The days letters are delivered: "Monday to Saturday", "Monday, Wednesday and Friday"."""
        names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        days = [int(d) for d in self.delivery_days]
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            return f"{names[days[0]]} to {names[days[-1]]}"
        return " and ".join(", ".join(names[d] for d in days).rsplit(", ", 1))

    @property
    def postal_words(self) -> str:
        """The assumption in plain words: "second class, up to 3 delivery days; letters delivered
        Monday to Saturday"."""
        return (f"{self.post_class} class, up to {counted(self.post_days, 'delivery day')}; "
                f"letters delivered {self.delivered_words}")


# -- calendar ------------------------------------------------------------------------------------------
def tax_year_of(day: date) -> int:
    """The calendar year the HMRC tax year containing ``day`` starts in (6 April to 5 April)."""
    return day.year if (day.month, day.day) >= (4, 6) else day.year - 1


def claim_month_number(month: int) -> int:
    """The council's financial-year month: April = 1 … March = 12."""
    if not 1 <= month <= 12:
        raise ValueError("month must be 1 to 12")
    return (month - 4) % 12 + 1


def financial_year(year: int, month: int) -> str:
    """The financial year a claim month falls in, as the form writes it: "2026/27"."""
    start = year if month >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def due_date(year: int, month: int) -> date:
    """A month's claim must arrive by the 14th of the following month."""
    return date(year + 1, 1, 14) if month == 12 else date(year, month + 1, 14)


def _delivery_day(day: date, delivery_days: str = "012345") -> bool:
    """A day the post delivers letters: one of ``delivery_days`` (Monday = 0; Royal Mail's have
    been Monday to Saturday), never a bank holiday, Christmas Day or Boxing Day (even when a bank
    holiday stands in for them on a Monday)."""
    return (str(day.weekday()) in delivery_days and not is_bank_holiday(day)
            and (day.month, day.day) not in ((12, 25), (12, 26)))


def last_safe_posting(due: date, post_days: int = 3, delivery_days: str = "012345") -> date:
    """The last day to post so the claim arrives by ``due``: back to the last delivery day on
    or before it, then back ``post_days`` delivery days."""
    arrive = due
    while not _delivery_day(arrive, delivery_days):
        arrive -= timedelta(days=1)
    posting = arrive
    for _ in range(post_days):
        posting -= timedelta(days=1)
        while not _delivery_day(posting, delivery_days):
            posting -= timedelta(days=1)
    return posting



# -- mileage -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Journey:
    """A journey in the log: places, never a parent's address; the purpose is a case reference."""

    on: date
    start: str
    end: str
    purpose: str
    miles: Decimal
    vehicle: Vehicle = Vehicle.CAR
    passengers: int = 0


@dataclass(frozen=True)
class MileageLine:
    journey: Journey
    miles_at_first_rate: Decimal
    miles_at_second_rate: Decimal
    amount: Decimal
    explanation: str


def mileage_lines(journeys: Iterable[Journey], earlier_miles: Mapping[int, Decimal],
                  rates: ExpenseRates) -> list[MileageLine]:
    """Price each journey in date order. Car miles count against the 10,000-mile band of the
    tax year they were driven in, after ``earlier_miles`` for that tax year (earlier claims
    and other organisations, EIM71155); a journey crossing the threshold is split."""
    driven: dict[int, Decimal] = {year: Decimal(m) for year, m in earlier_miles.items()}
    out = []
    for journey in sorted(journeys, key=lambda j: j.on):
        passengers = rates.passenger * journey.passengers * journey.miles
        if journey.vehicle is Vehicle.CAR:
            year = tax_year_of(journey.on)
            before = driven.get(year, Decimal(0))
            room = max(Decimal(0), rates.car_threshold_miles - before)
            first = min(journey.miles, room)
            second = journey.miles - first
            driven[year] = before + journey.miles
            amount = first * rates.car_first + second * rates.car_after + passengers
            words = (f"{first} mi at {rates.car_first * 100:.0f}p" +
                     (f" and {second} mi at {rates.car_after * 100:.0f}p (over {rates.car_threshold_miles:,.0f} "
                      f"miles in the {year}/{(year + 1) % 100:02d} tax year)" if second else ""))
        else:
            rate = rates.motorcycle if journey.vehicle is Vehicle.MOTORCYCLE else rates.bicycle
            first, second = journey.miles, Decimal(0)
            amount = journey.miles * rate + passengers
            words = f"{journey.miles} mi at {rate * 100:.0f}p"
        if journey.passengers:
            words += f", {counted(journey.passengers, 'passenger')} at {rates.passenger * 100:.0f}p"
        out.append(MileageLine(journey, first, second, money(amount), words))
    return out


# -- items ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    rule: str        # a key of HANDBOOK, or "date", "amount", "miles"
    message: str
    blocking: bool = True  # False: a reminder (a receipt still to add), not a refusal

    @property
    def handbook(self) -> str:
        return HANDBOOK.get(self.rule, "")


@dataclass(frozen=True)
class ExpenseItem:
    on: date
    category: Category
    amount: Decimal
    description: str
    receipts: int = 0  # receipts (or, for telephone, pages of the bill) attached


def in_claim_month(day: date, year: int, month: int) -> bool:
    return (day.year, day.month) == (year, month)


def check_item(item: ExpenseItem, year: int, month: int, rates: ExpenseRates) -> list[Problem]:
    """Everything wrong with one item, refusals first, then what is still missing."""
    out: list[Problem] = []
    if not in_claim_month(item.on, year, month):
        out.append(Problem("date", f"{item.on:%d/%m/%Y} is not in {date(year, month, 1):%B %Y}. Put it on the "
                                   "claim for its own month."))
    if item.amount <= 0 or item.amount > rates.most_per_item or item.amount != item.amount.quantize(PENNY):
        out.append(Problem("amount", f"{pounds(item.amount)} cannot be right for one item. Check the amount."))
    text = item.description
    if _FINES.search(text):
        out.append(Problem("fines", "Parking fines and penalty charges are not paid. Handbook: " + HANDBOOK["fines"]))
    if item.category is Category.DRINKS:
        soft = _NON_ALCOHOLIC.sub("", text)
        if _ALCOHOL.search(soft):
            out.append(Problem("alcohol", "Alcohol is not paid: claim only the non-alcoholic drinks. Handbook: "
                                          + HANDBOOK["alcohol"]))
        if _FOOD.search(text):
            out.append(Problem("drinks", "Food is not paid, only the drinks: claim the drinks' part of the receipt. "
                                         "Handbook: " + HANDBOOK["drinks"]))
        drinks = drinks_counted(text)
        if drinks > MOST_DRINKS:
            out.append(Problem("drinks", f"{drinks} drinks: two are paid, for you and the parent. Claim the two. "
                                         "Handbook: " + HANDBOOK["drinks"]))
    if _TRAINING.search(text) and item.category not in TRAVEL:
        out.append(Problem("training", f"Training: claim your travel only, not {CATEGORY_WORDS[item.category]}. "
                                       "Handbook: " + HANDBOOK["training"]))
    if item.category is Category.TELEPHONE and _LINE_RENTAL.search(text):
        out.append(Problem("line_rental", "Line rental is not claimable: claim the calls from your phone log."))
    if item.category is Category.MILEAGE:
        out.append(Problem("allowed", "Mileage goes in the journey log, not as an item."))
    elif item.receipts == 0:
        what = "a copy of the phone bill" if item.category is Category.TELEPHONE else "a receipt"
        out.append(Problem("receipts", f"Add {what}: without it this cannot be paid.", blocking=False))
    return out


TRAVEL = frozenset({Category.MILEAGE, Category.FARE, Category.PARKING})


def drinks_counted(text: str) -> int:
    """How many drinks a description names: "2 lattes and a tea" is 3; "coffee, tea and a juice" is
    3; "two teas" is 2. A drink named without a number counts as one."""
    total, spans = 0, []
    for match in _COUNTED.finditer(text):
        word = match.group(1).lower()
        total += int(word) if word.isdigit() else _NUMBER_WORDS.get(word, 1)
        spans.append(match.span())
    for match in _DRINK.finditer(text):
        if match.group(1).lower() in ("drink", "drinks") or any(s <= match.start() < e for s, e in spans):
            continue
        total += 1
    return total


# Shops, cafés and chains a description names as places: a "Betty's café" or "John Lewis" is not a
# person. A name the PII guard finds is left alone when it is one of these or reads as a business.
_CHAINS = re.compile(
    r"\b(John Lewis|Marks (and|&) Spencer|M&S|Patisserie Valerie|Betty'?s|Bettys|Sainsbury'?s|Costa( Coffee)?|"
    r"Caff[eè] Nero|Pret( A Manger)?|Greggs|Boots|W\.?\s?H\.?\s?Smith|Waitrose|Morrisons|Tesco|Asda|Starbucks|"
    r"Debenhams|Dobbies|Wilko|Lidl|Aldi|Harvester|Frankie (and|&) Benny'?s|Nando'?s|Wagamama|Bella Italia|"
    r"Caf[eé] Rouge|Gail'?s|Hotel Chocolat|Pizza Express|Brewers Fayre|Beefeater|Toby Carvery|Zizzi|Prezzo|"
    r"Carluccio'?s|Bill'?s|Dunelm|IKEA|Primark|Superdrug|Lloyds Pharmacy|Sue Ryder|Barnardo'?s|Marie Curie)\b",
    re.IGNORECASE)
_BUSINESS_AFTER = re.compile(r"^(’s|'s|s)?\s+(caf[eé]s?|coffee( shop| house)?|tea ?rooms?|tea shop|bakery|"
                             r"restaurant|kitchen|bistro|brasserie|deli|garden cent(re|er)|shop|stores?|"
                             r"car park|pub|inn|hotel|centre|pharmacy)\b", re.IGNORECASE)
_BUSINESS_BEFORE = re.compile(r"\b(caf[eé]|patisserie|chez|brasserie|bistro)\s+$", re.IGNORECASE)


def names_a_business(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` (a name the PII guard found) is a shop's or café's name."""
    if any(m.start() <= start < m.end() or start <= m.start() < end for m in _CHAINS.finditer(text)):
        return True
    return bool(_BUSINESS_AFTER.match(text[end:]) or _BUSINESS_BEFORE.search(text[:start]))


def check_journey(journey: Journey, year: int, month: int, rates: ExpenseRates) -> list[Problem]:
    out = []
    if not in_claim_month(journey.on, year, month):
        out.append(Problem("date", f"{journey.on:%d/%m/%Y} is not in {date(year, month, 1):%B %Y}."))
    if journey.miles <= 0:
        out.append(Problem("miles", "Type the miles driven, more than 0."))
    elif journey.miles > rates.most_miles_per_day:
        out.append(Problem("miles", f"{journey.miles} miles in one journey is more than the "
                                    f"{rates.most_miles_per_day} a day the office allows. Check the number."))
    if journey.passengers < 0 or journey.passengers > 8:
        out.append(Problem("miles", "Passengers: a number from 0 to 8."))
    if not journey.start.strip() or not journey.end.strip():
        out.append(Problem("miles", "Say where from and where to (places, not a parent's address)."))
    return out


def likely_duplicates(items: Sequence[ExpenseItem]) -> list[tuple[int, int]]:
    """Pairs of items with the same date, category and amount (index pairs, earlier first)."""
    seen: dict[tuple[date, Category, Decimal], int] = {}
    pairs = []
    for i, item in enumerate(items):
        key = (item.on, item.category, item.amount)
        if key in seen:
            pairs.append((seen[key], i))
        else:
            seen[key] = i
    return pairs


def check_ni_number(text: str) -> str | None:
    """None when it is a well-formed National Insurance number, else what is wrong."""
    compact = re.sub(r"\s", "", text).upper()
    if not compact:
        return "Type your National Insurance number, like AB 12 34 56 C."
    if not _NINO.match(compact):
        return ("That is not a National Insurance number: two letters, six digits and a letter A to D, "
                "like AB 12 34 56 C.")
    return None


# -- the claim's totals --------------------------------------------------------------------------------
FORM_COLUMN = {Category.MILEAGE: 3, Category.FARE: 4, Category.PARKING: 5, Category.POSTAGE: 6,
               Category.TELEPHONE: 6, Category.DRINKS: 7}


@dataclass(frozen=True)
class Totals:
    mileage: Decimal
    by_column: dict[int, Decimal]
    total: Decimal
    miles: Decimal


def totals(mileage: Sequence[MileageLine], items: Sequence[ExpenseItem]) -> Totals:
    """Recomputed from the lines every time."""
    columns: dict[int, Decimal] = {}
    for item in items:
        column = FORM_COLUMN[item.category]
        columns[column] = columns.get(column, ZERO) + item.amount
    paid_miles = sum((line.amount for line in mileage), ZERO)
    columns[3] = paid_miles
    return Totals(money(paid_miles), {k: money(v) for k, v in sorted(columns.items())},
                  money(sum(columns.values(), ZERO)), sum((line.journey.miles for line in mileage), Decimal(0)))


# -- the phone log -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PhoneCall:
    """Handbook: "Create a list of each date you use your telephone as an IPS and every telephone
    number you use and how much time was spent so that your telephone bill can be verified"."""

    on: date
    number: str      # national format, digits and spaces
    minutes: int
    purpose: str     # a case reference, or "DPPS office"

    @property
    def masked(self) -> str:
        """What the screen shows: enough to match the bill, not enough to read out."""
        digits = re.sub(r"\D", "", self.number)
        return f"{digits[:5]} {'•' * max(0, len(digits) - 8)} {digits[-3:]}" if len(digits) > 8 else digits


def parse_phone_number(text: str) -> str:
    """A UK number as the bill prints it ("01392 383080"); raises ValueError with advice."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise ValueError(f"“{text.strip()}” is not a phone number. Type it as it appears on your bill, "
                         "like 01392 383080.") from None
    # Valid, or at least a whole UK number (ten or eleven digits with the 0): numbers in ranges
    # newer than the library's metadata, or Ofcom's reserved ones, are still on people's bills.
    whole_uk = parsed.country_code == 44 and len(str(parsed.national_number)) in (9, 10)
    if not phonenumbers.is_possible_number(parsed) or not (phonenumbers.is_valid_number(parsed) or whole_uk):
        raise ValueError(f"“{text.strip()}” is not a phone number. Type it as it appears on your bill, "
                         "like 01392 383080.")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))


def check_call(call: PhoneCall, year: int, month: int) -> list[Problem]:
    out = []
    if not in_claim_month(call.on, year, month):
        out.append(Problem("date", f"{call.on:%d/%m/%Y} is not in {date(year, month, 1):%B %Y}."))
    if not 1 <= call.minutes <= 600:
        out.append(Problem("amount", "Minutes: from 1 to 600, as the bill shows."))
    return out
