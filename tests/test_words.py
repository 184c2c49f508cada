"""Counts and spans of time in plain English."""

from __future__ import annotations

from ips_desktop.domain.words import counted, minutes_words


def test_counts_say_one_or_many() -> None:
    assert counted(1, "note") == "1 note"
    assert counted(0, "note") == "0 notes"
    assert counted(2, "carry", "carries") == "2 carries"


def test_a_span_in_hours_and_minutes() -> None:
    assert minutes_words(446) == "7 hours 26 minutes"
    assert minutes_words(60) == "1 hour"
    assert minutes_words(61) == "1 hour 1 minute"
    assert minutes_words(5) == "5 minutes"
    assert minutes_words(0) == "less than a minute"
