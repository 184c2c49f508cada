"""Bank holidays in England and Wales, computed (no network): the fixed rules, Easter, the
substitute days when a holiday falls at a weekend, and the one-off changes the government
made by proclamation. The office policy adds its own closure dates on top.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

# Proclaimed changes: moved or extra days. Moved days replace the rule's day.
_MOVED = {
    2020: {date(2020, 5, 4): date(2020, 5, 8)},    # early May → VE Day 75
    2022: {date(2022, 5, 30): date(2022, 6, 2)},   # spring → Platinum Jubilee
}
_EXTRA = {
    2022: (date(2022, 6, 3), date(2022, 9, 19)),   # Platinum Jubilee; State Funeral
    2023: (date(2023, 5, 8),),                     # Coronation
}


def easter_sunday(year: int) -> date:
    """Anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
    return day - timedelta(days=day.weekday())


@cache
def bank_holidays(year: int) -> frozenset[date]:
    days: set[date] = set()
    new_year = date(year, 1, 1)
    days.add(new_year + timedelta(days={5: 2, 6: 1}.get(new_year.weekday(), 0)))
    easter = easter_sunday(year)
    days.update({easter - timedelta(days=2), easter + timedelta(days=1)})
    days.update({_first_monday(year, 5), _last_monday(year, 5), _last_monday(year, 8)})
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    if christmas.weekday() == 5:      # Saturday: Monday and Tuesday
        days.update({date(year, 12, 27), date(year, 12, 28)})
    elif christmas.weekday() == 6:    # Sunday: Boxing Day stays, Christmas moves to Tuesday
        days.update({boxing, date(year, 12, 27)})
    elif christmas.weekday() == 4:    # Friday: Boxing Day (Saturday) moves to Monday
        days.update({christmas, date(year, 12, 28)})
    else:
        days.update({christmas, boxing})
    for old, new in _MOVED.get(year, {}).items():
        days.discard(old)
        days.add(new)
    days.update(_EXTRA.get(year, ()))
    return frozenset(days)


def is_bank_holiday(day: date) -> bool:
    return day in bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday: the office's working days."""
    return day.weekday() < 5 and not is_bank_holiday(day)
