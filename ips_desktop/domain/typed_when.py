"""Dates and times as a volunteer types them.

Qt's date and time spin boxes only take typing into a selected section: a click into the hour
and "14" leaves 10:00 (the digits are inserted, the result is invalid, Qt drops it), and "15"
typed into the day of 02/12/2026 gives 12/12/2026. Nobody notices until the office is told the
wrong time. The app's date and time fields are therefore plain text, read here in the ways people
write them in this country, and shown back in one unambiguous form after typing (see
docs/architecture.md, "Dates and times").

Reading never guesses across a boundary: "31/02" is not a date, "25:00" is not a time, and a
two-figure year means 20xx. A day and month with no year takes the year of ``today``.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

DATE_HINT = "Type the date as day/month/year, for example 05/12/2026, or choose it from the calendar."
TIME_HINT = "Type the time on the 24-hour clock, for example 14:30 (or 2.30pm)."

MONTHS = {name: n for n, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for name in names}
WEEKDAYS = ("mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday", "tuesday",
            "wednesday", "thursday", "friday", "saturday", "sunday")
WORDS = {"today": 0, "tomorrow": 1, "yesterday": -1}

_NUMERIC = re.compile(r"(\d{1,4})[/.\- ]+(\d{1,2})(?:[/.\- ]+(\d{2}|\d{4}))?")
_NAMED = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?([a-z]+)\.?,?(?:\s+(\d{2}|\d{4}))?")
_TIME = re.compile(r"(\d{1,2})(?:[:. h]\s*(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?")


def format_date(day: date) -> str:
    """How a date field shows its value once typed: weekday, day, month, year (Wed 02/12/2026)."""
    return day.strftime("%a %d/%m/%Y")


def format_time(moment: time) -> str:
    return moment.strftime("%H:%M")


def read_date(text: str, today: date) -> date | None:
    """The date ``text`` means, or None when it is not one (then show DATE_HINT)."""
    words = text.strip().lower().replace(",", " ").split()
    if words and words[0].rstrip(".") in WEEKDAYS:  # "Wed 02/12/2026", as a field shows it
        words = words[1:]
    cleaned = " ".join(words)
    if not cleaned:
        return None
    if cleaned in WORDS:
        return today + timedelta(days=WORDS[cleaned])
    if cleaned.isdigit() and len(cleaned) in (6, 8):  # 02122026 or 021226
        return _day(int(cleaned[:2]), int(cleaned[2:4]), cleaned[4:], today)
    if (m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", cleaned)):  # 2026-12-02
        return _day(int(m[3]), int(m[2]), m[1], today)
    if (m := _NUMERIC.fullmatch(cleaned)) and len(m[1]) <= 2:
        return _day(int(m[1]), int(m[2]), m[3], today)
    if (m := _NAMED.fullmatch(cleaned)) and m[2] in MONTHS:
        return _day(int(m[1]), MONTHS[m[2]], m[3], today)
    return None


def _day(day: int, month: int, year: str | None, today: date) -> date | None:
    full = today.year if year is None else int(year) + (2000 if len(year) == 2 else 0)
    if year is not None and len(year) not in (2, 4):
        return None
    try:
        return date(full, month, day)
    except ValueError:
        return None


def read_time(text: str) -> time | None:
    """The time of day ``text`` means, or None when it is not one (then show TIME_HINT)."""
    cleaned = text.strip().lower()
    if cleaned in ("noon", "midday"):
        return time(12, 0)
    if cleaned == "midnight":
        return time(0, 0)
    if cleaned.isdigit() and len(cleaned) in (3, 4):  # 930, 1430
        hour, minute, half = int(cleaned[:-2]), int(cleaned[-2:]), None
    elif (m := _TIME.fullmatch(cleaned)):
        hour, minute, half = int(m[1]), int(m[2] or 0), m[3]
    else:
        return None
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
