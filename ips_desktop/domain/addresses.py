"""E-mail addresses and UK mobile numbers as the overdue ladder takes them (the office's
contacts dialog and the relay both check them: one set of rules)."""

from __future__ import annotations

import re

_UK_MOBILE = re.compile(r"(?:\+44|0044|0)7\d{9}")


def uk_mobile(text: str) -> str | None:
    """A UK mobile number written as +447…, or None when ``text`` is not one. Spaces, dashes
    and brackets are allowed: "07700 900123", "+44 (0)7700 900123" is not (the 0 after +44)."""
    digits = re.sub(r"[\s()-]", "", text)
    if not _UK_MOBILE.fullmatch(digits):
        return None
    return "+44" + digits[-10:]


def is_email(text: str) -> bool:
    """One plain address, name@domain.tld; no display names, spaces or lists."""
    name, at, domain = text.partition("@")
    return bool(at and name and "@" not in domain and "." in domain.strip(".") and len(text) <= 254
                and text.isprintable() and not any(c.isspace() or c in ",;<>\"" for c in text))


def display_mobile(text: str) -> str:
    """A mobile as people write it in England, "07700 900123"; anything else as it is."""
    number = uk_mobile(text)
    return f"0{number[3:7]} {number[7:]}" if number else text
