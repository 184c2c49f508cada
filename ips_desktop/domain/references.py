"""Case references: the only key a record may have.

Handbook, "Record keeping": "Email your record to your PPO identifying the parent using only
the DPPS reference number." The format is an office setting (a regular expression in the
office policy); until enrolment brings the office's own, :data:`DEFAULT_FORMAT` applies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

POLICY_KEY = "reference_example"  # in the office policy: one of the service's references


@dataclass(frozen=True)
class ReferenceFormat:
    pattern: str
    example: str

    def check(self, text: str) -> str | None:
        """``None`` when ``text`` is a valid reference, else a message to show inline."""
        candidate = normalise_reference(text)
        if not candidate:
            return "Type the case reference your PPO gave you, for example " + self.example + "."
        if not re.fullmatch(self.pattern, candidate):
            return (
                f"“{candidate[:40]}” is not a case reference in this service's format "
                f"(for example {self.example}). Use the reference number only, never a name."
            )
        return None

    def is_valid(self, text: str) -> bool:
        return self.check(text) is None


DEFAULT_FORMAT = ReferenceFormat(pattern=r"[A-Z]{2,4}-\d{4}-\d{3,5}", example="PP-2026-0142")


def format_from_example(example: str) -> ReferenceFormat:
    """The format of references shaped like ``example``: "DPPS/123/25" takes four letters, a
    slash, three digits, a slash and two; so no one need ever read or write a pattern. Until the
    office's own format arrives at enrolment, the volunteer types one of their references."""
    reference = normalise_reference(example)
    if not reference:
        return DEFAULT_FORMAT
    parts = []
    for run in re.finditer(r"[A-Z]+|\d+|[^A-Z\d]+", reference):
        text = run.group()
        if text[0].isalpha():
            parts.append(f"[A-Z]{{{len(text)}}}")
        elif text[0].isdigit():
            parts.append(f"\\d{{{len(text)}}}")
        else:
            parts.append(re.escape(text))
    return ReferenceFormat("".join(parts), reference)


_REFERENCE_CHARS = re.compile(r"[A-Z0-9/._-]{3,40}")


def reference_shaped(reference: str) -> bool:
    """Whether normalised text could be a case reference in any service's format: 3 to 40
    letters, digits and - / . _ (what an office may send a laptop, whatever its own format)."""
    return _REFERENCE_CHARS.fullmatch(reference) is not None


def normalise_reference(text: str) -> str:
    """Upper case, no surrounding or inner spaces: what people paste from an e-mail."""
    return re.sub(r"\s+", "", text).upper()


def office_format(policy: Mapping[str, Any]) -> ReferenceFormat | None:
    """The format the office set in its policy (by an example reference), or None when it set
    none or what it set cannot be one (the laptop then keeps the format it has)."""
    example = policy.get(POLICY_KEY)
    if not isinstance(example, str) or not 3 <= len(normalise_reference(example)) <= 40:
        return None
    fmt = format_from_example(example)
    return fmt if fmt.is_valid(example) else None
