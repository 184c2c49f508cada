"""Passphrase strength for the first-run meter: an estimate, not a gate beyond the minimum."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MIN_LENGTH = 10
COMMON = frozenset({"password", "passw0rd", "12345678", "qwerty", "letmein", "iloveyou",
                    "welcome", "admin", "monkey", "dragon", "football", "baseball", "sunshine"})


@dataclass(frozen=True)
class Strength:
    score: int  # 0 (unusable) … 4 (strong)
    label: str
    advice: str
    acceptable: bool


def estimate(passphrase: str) -> Strength:
    """Rough entropy from length and character classes, with penalties for repeats and
    common words. Accepts from :data:`MIN_LENGTH` characters and score 2."""
    if len(passphrase) < MIN_LENGTH:
        return Strength(0, "Too short", f"Use at least {MIN_LENGTH} characters: "
                        "three or four unrelated words work well.", False)
    lowered = passphrase.lower()
    pool = 0
    pool += 26 if re.search(r"[a-z]", passphrase) else 0
    pool += 26 if re.search(r"[A-Z]", passphrase) else 0
    pool += 10 if re.search(r"\d", passphrase) else 0
    pool += 33 if re.search(r"[^\w\s]", passphrase) else 0
    pool += 1 if " " in passphrase else 0
    distinct = len(set(passphrase))
    bits = min(len(passphrase), distinct * 2) * math.log2(max(pool, 2))
    if any(word in lowered for word in COMMON):
        bits -= 30
    if distinct <= 3:
        bits = min(bits, 20)
    if bits < 40:
        return Strength(1, "Weak", "Add another unrelated word or two.", False)
    if bits < 60:
        return Strength(2, "Fair", "Acceptable; another word would make it stronger.", True)
    if bits < 80:
        return Strength(3, "Good", "A good passphrase.", True)
    return Strength(4, "Strong", "A strong passphrase.", True)
