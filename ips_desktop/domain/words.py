"""Counts in plain English: "1 note", "3 notes", never "3 note(s)"; "7 hours 26 minutes", never
"446 min"."""

from __future__ import annotations


def counted(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the word for it: ``counted(1, "note")`` is "1 note", ``counted(2, "note")``
    "2 notes"; ``many`` for a plural that is not the word and an "s" ("1 carry", "2 carries")."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def minutes_words(minutes: int) -> str:
    """A span in plain words: "7 hours 26 minutes", "1 hour", "5 minutes", "less than a minute"."""
    if minutes < 1:
        return "less than a minute"
    hours, mins = divmod(minutes, 60)
    return " ".join(([counted(hours, "hour")] if hours else []) + ([counted(mins, "minute")] if mins else []))
