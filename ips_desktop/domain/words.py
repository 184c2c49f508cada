"""Counts in plain English: "1 note", "3 notes", never "3 note(s)"."""

from __future__ import annotations


def counted(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the word for it: ``counted(1, "note")`` is "1 note", ``counted(2, "note")``
    "2 notes"; ``many`` for a plural that is not the word and an "s" ("1 carry", "2 carries")."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
