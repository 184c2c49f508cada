"""Reading dates and times the way volunteers type them (ips_desktop.domain.typed_when)."""

from datetime import date, time

import pytest

from ips_desktop.domain.typed_when import format_date, format_time, read_date, read_time

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(("text", "meant"), [
    ("05/12/2026", date(2026, 12, 5)),
    ("5/12/2026", date(2026, 12, 5)),
    ("5.12.26", date(2026, 12, 5)),
    ("5-12-2026", date(2026, 12, 5)),
    ("5 12 2026", date(2026, 12, 5)),
    ("05122026", date(2026, 12, 5)),
    ("051226", date(2026, 12, 5)),
    ("5/12", date(2026, 12, 5)),
    ("2026-12-05", date(2026, 12, 5)),
    ("15 Jan 2027", date(2027, 1, 15)),
    ("15th of January 2027", date(2027, 1, 15)),
    ("3 sept", date(2026, 9, 3)),
    ("Wed 02/12/2026", date(2026, 12, 2)),
    (format_date(date(2027, 2, 28)), date(2027, 2, 28)),
    ("  today ", TODAY),
    ("Tomorrow", date(2026, 12, 3)),
    ("yesterday", date(2026, 12, 1)),
    ("29/02/2028", date(2028, 2, 29)),
])
def test_a_date_is_read_as_typed_day_first(text, meant):
    assert read_date(text, TODAY) == meant


@pytest.mark.parametrize("text", [
    "", "   ", "31/02/2026", "29/02/2027", "13/13/2026", "0/12/2026", "12/2026/5", "5/12/123",
    "next week", "32 Jan", "15 Janvier", "2026-13-01", "1234567", "Wed",
])
def test_what_is_not_a_date_is_refused_not_guessed(text):
    assert read_date(text, TODAY) is None


@pytest.mark.parametrize(("text", "meant"), [
    ("14:30", time(14, 30)), ("14.30", time(14, 30)), ("14 30", time(14, 30)), ("1430", time(14, 30)),
    ("930", time(9, 30)), ("09:05", time(9, 5)), ("9", time(9, 0)), ("14", time(14, 0)),
    ("2pm", time(14, 0)), ("2.30pm", time(14, 30)), ("2:30 PM", time(14, 30)), ("12pm", time(12, 0)),
    ("12am", time(0, 0)), ("11 a.m.", time(11, 0)), ("noon", time(12, 0)), ("Midday", time(12, 0)),
    ("midnight", time(0, 0)), ("0:00", time(0, 0)), ("23:59", time(23, 59)), ("14h30", time(14, 30)),
])
def test_a_time_is_read_as_typed(text, meant):
    assert read_time(text) == meant


@pytest.mark.parametrize("text", [
    "", "24:00", "25:00", "14:60", "13pm", "0am", "14:3", "ten", "1:2:3", "12345", "-1",
])
def test_what_is_not_a_time_is_refused(text):
    assert read_time(text) is None


def test_the_shown_forms_are_unambiguous_and_read_back():
    assert format_date(date(2026, 12, 2)) == "Wed 02/12/2026"
    assert format_time(time(9, 5)) == "09:05"
    assert read_time(format_time(time(9, 5))) == time(9, 5)
