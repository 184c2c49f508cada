"""Expense rules (DESIGN §7): categories, receipts, fines and alcohol, HMRC mileage with the
10,000-mile split across the tax year, month numbers and the date the claim must arrive."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ips_desktop.domain.expenses import (
    Category,
    ExpenseItem,
    ExpenseRates,
    Journey,
    MoneyError,
    Vehicle,
    check_item,
    check_journey,
    check_ni_number,
    claim_month_number,
    due_date,
    financial_year,
    last_safe_posting,
    likely_duplicates,
    mileage_lines,
    parse_pounds,
    tax_year_of,
    totals,
)

RATES = ExpenseRates()
D = Decimal


def item(category: Category, description: str = "", amount: str = "3.40", receipts: int = 1,
         on: date = date(2026, 11, 10)) -> ExpenseItem:
    return ExpenseItem(on, category, D(amount), description, receipts)


def rules(found: ExpenseItem) -> set[str]:
    return {p.rule for p in check_item(found, 2026, 11, RATES)}


@pytest.mark.parametrize("category", [Category.FARE, Category.PARKING, Category.POSTAGE, Category.TELEPHONE,
                                      Category.DRINKS])
def test_each_category_is_paid_with_its_receipt_and_reminded_without(category: Category) -> None:
    assert rules(item(category, "for case PP-2026-0142")) == set()
    missing = check_item(item(category, receipts=0), 2026, 11, RATES)
    assert [p.rule for p in missing] == ["receipts"]
    assert not missing[0].blocking
    expected = "phone bill" if category is Category.TELEPHONE else "a receipt"
    assert expected in missing[0].message


def test_mileage_is_a_journey_not_an_item() -> None:
    assert "allowed" in rules(item(Category.MILEAGE, receipts=0))


@pytest.mark.parametrize("words", ["Parking fine", "PCN from the council", "Penalty charge notice",
                                   "overstay charge at Guildhall car park", "clamping release"])
def test_fines_and_penalties_are_refused_with_the_handbooks_words(words: str) -> None:
    (problem,) = [p for p in check_item(item(Category.PARKING, words), 2026, 11, RATES) if p.rule == "fines"]
    assert problem.blocking
    assert "will NOT be paid" in problem.handbook


def test_alcohol_is_refused_but_alcohol_free_is_fine() -> None:
    assert "alcohol" in rules(item(Category.DRINKS, "2 glasses of wine"))
    assert "alcohol" in rules(item(Category.DRINKS, "pint of cider and a tea"))
    assert rules(item(Category.DRINKS, "tea and a coffee")) == set()
    assert rules(item(Category.DRINKS, "alcohol-free beer and a tea")) == set()
    assert rules(item(Category.POSTAGE, "stamps for the Wine Street office")) == set()  # only drinks are checked


def test_line_rental_is_not_claimable() -> None:
    assert "line_rental" in rules(item(Category.TELEPHONE, "line rental November"))
    assert rules(item(Category.TELEPHONE, "calls to DPPS, 23 minutes")) == set()


def test_dates_outside_the_claim_month_and_absurd_amounts() -> None:
    assert "date" in rules(item(Category.POSTAGE, on=date(2026, 10, 31)))
    assert "amount" in rules(item(Category.POSTAGE, amount="-2.00"))
    assert "amount" in rules(item(Category.POSTAGE, amount="9000"))


@pytest.mark.parametrize(("text", "message"), [("-3", "more than £0.00"), ("0", "more than £0.00"),
                                               ("abc", "not an amount"), ("3.456", "pounds and pence"),
                                               ("1e9", "more than"), ("NaN", "like 3.40")])
def test_typed_amounts_are_checked(text: str, message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        parse_pounds(text)


def test_typed_amounts_become_pence() -> None:
    assert parse_pounds(" £1,234.5 ".replace("1,234.5", "123.5")) == D("123.50")
    assert parse_pounds("3") == D("3.00")


def test_the_tax_year_turns_on_6_april() -> None:
    assert tax_year_of(date(2027, 4, 5)) == 2026
    assert tax_year_of(date(2027, 4, 6)) == 2027
    assert [tax_year_of(date(2026, 4, d)) for d in range(1, 8)] == [2025] * 5 + [2026] * 2


def test_a_journey_crossing_10000_miles_is_split() -> None:
    trip = Journey(date(2026, 11, 10), "Exeter library", "Crediton children's centre", "PP-2026-0142", D("30"))
    (line,) = mileage_lines([trip], {2026: D("9980")}, RATES)
    assert (line.miles_at_first_rate, line.miles_at_second_rate) == (D("20"), D("10"))
    assert line.amount == D("11.50")  # 20 × 45p + 10 × 25p
    assert "25p" in line.explanation


def test_miles_for_other_organisations_count_towards_the_band() -> None:
    """EIM71155: the 10,000 miles are for all the organisations the volunteer drives for."""
    trips = [Journey(date(2026, 11, d), "Exeter", "Tiverton", "PP-2026-0142", D("40")) for d in (3, 17)]
    lines = mileage_lines(trips, {2026: D("9950")}, RATES)  # earlier claims plus other charities
    assert [line.amount for line in lines] == [D("18.00"), D("12.00")]  # 40×45p; then 10×45p + 30×25p


def test_miles_on_1_to_5_april_count_in_the_old_tax_year() -> None:
    """April is claim month 1, but 1–5 April miles are the previous tax year's."""
    trips = [Journey(date(2027, 4, 2), "a", "b", "PP-1", D("20")), Journey(date(2027, 4, 8), "a", "b", "PP-1", D("20"))]
    lines = mileage_lines(trips, {2026: D("9990"), 2027: D("0")}, RATES)
    assert [(ln.miles_at_first_rate, ln.miles_at_second_rate) for ln in lines] == [(D("10"), D("10")),
                                                                                   (D("20"), D("0"))]


def test_motorcycle_bicycle_and_passengers() -> None:
    lines = mileage_lines([
        Journey(date(2026, 11, 2), "a", "b", "PP-1", D("10"), Vehicle.MOTORCYCLE),
        Journey(date(2026, 11, 3), "a", "b", "PP-1", D("10"), Vehicle.BICYCLE),
        Journey(date(2026, 11, 4), "a", "b", "PP-1", D("10"), Vehicle.CAR, passengers=2),
    ], {}, RATES)
    assert [line.amount for line in lines] == [D("2.40"), D("2.00"), D("5.50")]


def test_office_rates_come_from_the_policy_and_bad_values_are_ignored() -> None:
    rates = ExpenseRates.from_policy({"expenses": {"car_first": "0.50", "car_after": "x", "post_days": 2,
                                                   "passenger": True}})
    assert (rates.car_first, rates.car_after, rates.post_days, rates.passenger) == (D("0.50"), D("0.25"), 2,
                                                                                    D("0.05"))


def test_absurd_journeys_are_refused() -> None:
    far = Journey(date(2026, 11, 3), "Exeter", "Exeter", "PP-1", D("10000"))
    assert "miles" in {p.rule for p in check_journey(far, 2026, 11, RATES)}
    assert check_journey(Journey(date(2026, 11, 3), "Exeter", "Barnstaple", "PP-1", D("44")), 2026, 11, RATES) == []


@pytest.mark.parametrize(("month", "number"), [(4, 1), (5, 2), (6, 3), (7, 4), (8, 5), (9, 6), (10, 7), (11, 8),
                                               (12, 9), (1, 10), (2, 11), (3, 12)])
def test_month_numbers_for_all_twelve_months(month: int, number: int) -> None:
    assert claim_month_number(month) == number


def test_financial_year_labels() -> None:
    assert financial_year(2027, 3) == "2026/27"
    assert financial_year(2026, 4) == "2026/27"


@pytest.mark.parametrize(("year", "month", "due", "post_by"), [
    (2026, 11, date(2026, 12, 14), date(2026, 12, 10)),   # due Monday; post by the Thursday
    (2026, 12, date(2027, 1, 14), date(2027, 1, 11)),     # December's claim is due in January
    (2027, 2, date(2027, 3, 14), date(2027, 3, 10)),      # due on a Sunday: it must arrive on the Saturday
    (2027, 3, date(2027, 4, 14), date(2027, 4, 10)),
])
def test_due_dates_and_the_last_safe_posting_day(year: int, month: int, due: date, post_by: date) -> None:
    assert due_date(year, month) == due
    assert last_safe_posting(due) == post_by


def test_posting_skips_bank_holidays() -> None:
    # Easter 2027: arrive by Tue 30/3 → Mon 29 (Easter Monday) and Fri 26 (Good Friday) are skipped.
    assert last_safe_posting(date(2027, 3, 30), post_days=1) == date(2027, 3, 27)
    assert last_safe_posting(date(2027, 3, 30), post_days=2) == date(2027, 3, 25)
    # Christmas 2026: arrive by Tue 29/12 → back over Mon 28 (substitute), Sat 26 and Fri 25.
    assert last_safe_posting(date(2026, 12, 29), post_days=1) == date(2026, 12, 24)


def test_likely_duplicates() -> None:
    items = [item(Category.POSTAGE), item(Category.FARE), item(Category.POSTAGE)]
    assert likely_duplicates(items) == [(0, 2)]


def test_national_insurance_numbers() -> None:
    assert check_ni_number("AB 12 34 56 C") is None
    assert "not a National Insurance number" in (check_ni_number("QQ123456E") or "")
    assert "not a National Insurance number" in (check_ni_number("BG123456A") or "")


def test_totals_are_recomputed_from_the_lines() -> None:
    lines = mileage_lines([Journey(date(2026, 11, 3), "a", "b", "PP-1", D("10"))], {}, RATES)
    found = totals(lines, [item(Category.POSTAGE, amount="1.70"), item(Category.TELEPHONE, amount="2.30"),
                           item(Category.DRINKS, amount="4.10"), item(Category.FARE, amount="5.00")])
    assert found.by_column == {3: D("4.50"), 4: D("5.00"), 6: D("4.00"), 7: D("4.10")}
    assert found.total == D("17.60")
    assert found.miles == D("10")


def test_the_phone_log_takes_real_numbers_and_shows_them_masked() -> None:
    from ips_desktop.domain.expenses import PhoneCall, check_call, parse_phone_number

    assert parse_phone_number("01392383080") == "01392 383080"
    assert parse_phone_number("+44 7911 123456") == "07911 123456"
    assert parse_phone_number("01632 960811") == "01632 960811"  # a whole number the library holds unassigned
    for bad in ("not a number", "12", "0139"):
        with pytest.raises(ValueError, match="not a phone number"):
            parse_phone_number(bad)
    call = PhoneCall(date(2026, 11, 4), "01392 383080", 12, "DPPS office")
    assert call.masked == "01392 ••• 080"
    assert check_call(call, 2026, 11) == []
    assert {p.rule for p in check_call(PhoneCall(date(2026, 12, 1), "01392 383080", 0, "x"), 2026, 11)} == {
        "date", "amount"}


def refusals(description: str, category: Category = Category.DRINKS) -> set[str]:
    return {p.rule for p in check_item(item(category, description), 2026, 11, RATES) if p.blocking}


@pytest.mark.parametrize(("description", "refused"), [
    ("Two teas at the café with the parent", set()),
    ("Coffee and a hot chocolate", set()),
    ("2 lattes and a tea", {"drinks"}),                     # three drinks: two are paid
    ("Coffee, tea and a juice", {"drinks"}),
    ("Tea and cake", {"drinks"}),                           # food is not a drink
    ("Two coffees and a sausage roll", {"drinks"}),
    ("Ginger beer and a coffee", set()),                    # a soft drink with "beer" in its name
    ("Ginger ale for the parent, tea for me", set()),
    ("Root beer and a water", set()),
    ("A pint of milk and a tea", set()),
    ("Gingerbread latte and a tea", set()),                 # "gin" only as a whole word
    ("Alcohol-free lager and a tea", set()),
    ("A glass of wine and a tea", {"alcohol"}),
    ("Two pints", {"alcohol"}),
    ("Mulled cider", {"alcohol"}),
])
def test_two_non_alcoholic_drinks_for_a_quiet_cafe(description: str, refused: set[str]) -> None:
    assert refusals(description) == refused


@pytest.mark.parametrize("words", ["Excess charge notice", "Notice to owner", "Charge certificate", "Release fee",
                                   "Removal fee after the car was towed", "Enforcement fee", "FPN",
                                   "Penalty charge notice", "Bus lane fine", "Late payment charge"])
def test_a_penalty_under_any_name_is_refused(words: str) -> None:
    assert "fines" in refusals(f"{words} in the car park", Category.PARKING)


def test_training_pays_travel_only() -> None:
    assert refusals("Train to Exeter for the induction training", Category.FARE) == set()
    assert refusals("Parking at County Hall for the training day", Category.PARKING) == set()
    assert refusals("Coffee at the training course", Category.DRINKS) == {"training"}
    assert refusals("Stamps for the workshop handouts", Category.POSTAGE) == {"training"}


@pytest.mark.parametrize("place", ["Betty's café", "Marks & Spencer café", "Patisserie Valerie", "John Lewis",
                                   "the Mary Rose café"])
def test_a_shop_or_cafe_is_never_taken_for_a_person(place: str) -> None:
    from ips_desktop.domain.expenses import names_a_business
    from ips_desktop.domain.pii import screen

    text = f"Two teas at {place}"
    assert [f.text for f in screen(text) if not names_a_business(text, f.start, f.end)] == []
    named = "Two teas with Mrs Okafor at Costa"
    assert [f.text for f in screen(named) if not names_a_business(named, f.start, f.end)] == ["Mrs Okafor"]


def test_the_postal_service_is_the_offices_setting() -> None:
    """The last posting day names the service it assumes; the office sets it, because delivery
    days change (second class on weekdays only from 2025)."""
    rates = ExpenseRates()
    assert rates.postal_words == "second class, up to 3 delivery days; letters delivered Monday to Saturday"
    due = date(2026, 12, 14)  # a Monday
    assert last_safe_posting(due, 3, rates.delivery_days) == date(2026, 12, 10)  # Thu: Fri, Sat, Mon
    weekdays = ExpenseRates.from_policy({"expenses": {"post_class": "second", "delivery_days": "01234",
                                                       "post_days": 3}})
    assert weekdays.postal_words == "second class, up to 3 delivery days; letters delivered Monday to Friday"
    assert last_safe_posting(due, 3, weekdays.delivery_days) == date(2026, 12, 9)  # Wed: Thu, Fri, Mon
    first = ExpenseRates.from_policy({"expenses": {"post_class": "first", "post_days": 1}})
    assert first.postal_words.startswith("first class, up to 1 delivery day;")
    odd = ExpenseRates.from_policy({"expenses": {"post_class": "pigeon", "delivery_days": "9x"}})
    assert (odd.post_class, odd.delivery_days) == ("second", "012345")  # nonsense is ignored
    alternate = ExpenseRates.from_policy({"expenses": {"delivery_days": "420"}})
    assert alternate.postal_words.endswith("letters delivered Monday, Wednesday and Friday")
