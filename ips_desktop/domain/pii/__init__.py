"""The PII guard (DESIGN §4): screen text for identifying details before a record is saved.

Pure: text in, findings out. The UI shows each finding with the handbook's advice and a
one-click replacement; keeping one needs a :class:`KeepReason`, which the store writes to the
audit log without the text itself.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

import phonenumbers
from stdnum.gb import upn

from .findings import (
    ADVICE,
    PLACEHOLDER,
    FieldFinding,
    Finding,
    FindingKind,
    KeepReason,
)
from .names import find_names, initials_for

__all__ = [
    "ADVICE", "FieldFinding", "Finding", "FindingKind", "KeepReason", "apply_all", "apply_replacement",
    "initials_for", "neutral_file_name", "screen", "screen_fields",
]

_UK_PHONE_SHAPE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|0|\(0)\d(?:[\s)-]{0,2}\d){8,9}(?!\d)")
# 03, 080 and 084/087 numbers belong to organisations (helplines, councils, the NHS); a
# family's or a professional's own number is a mobile (07) or a geographic one (01, 02).
_SERVICE_PREFIXES = ("3", "80", "84", "87")


def _national(number: str) -> str:
    """The UK national significant number: no +44, no (0), no trunk 0."""
    digits = re.sub(r"\D", "", number.replace("(0)", ""))
    return digits[2:] if digits.startswith("44") else digits.removeprefix("0")


def _is_service_number(number: str) -> bool:
    number = number.lstrip("( ")
    uk = not number.startswith("+") or number.startswith("+44")
    return uk and _national(number).startswith(_SERVICE_PREFIXES)


_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# The postcode shape published with Royal Mail's and ONS's data, incl. GIR 0AA.
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|(?:[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d(?:\d|[ABEHMNPRV-Y])?|\d[A-HJKPSTUW]))"
    r" ?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
_STREET_WORDS = (
    r"Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Crescent|Cres|Gardens|Terrace|"
    r"Place|Pl|Court|Ct|Hill|Grove|Rise|View|Walk|Mews|Row|Square|Sq|Park|Parade|Meadow|"
    r"Meadows|Green|Fields|Cottages|Villas|Estate"
)
_ADDRESS = re.compile(
    r"\b(?:(?:Flat|Apartment|Apt)\s+\d+[A-Za-z]?,?\s+)?\d{1,4}[A-Za-z]?,?\s+"
    r"(?:[A-Z][a-z'’]+\s+){1,3}(?:" + _STREET_WORDS + r")\b\.?"
    r"|\b(?:lives|living|live|moved|address(?:\s+is)?)\s+(?:on|in|at|to)\s+"
    r"(?:[A-Z][a-z'’]+\s+){1,3}(?:" + _STREET_WORDS + r")\b"
)
_DATE = (
    r"\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
    r"[a-z]*\.?,?\s+\d{4}"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
)
_DOB = re.compile(
    r"\b(?:d\.?o\.?b\.?|date\s+of\s+birth|born|birthday)\s*[:\-,]?\s*"
    r"(?:(?:is|was|as|on|the|of|given|written)\s+){0,3}"
    r"(" + _DATE + r")",
    re.IGNORECASE,
)
# HMRC's prefixes, and QQ: the specimen prefix on HMRC's own forms, which people copy.
_NINO = re.compile(
    r"\b(?:QQ|(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])"
    r"\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b",
    re.IGNORECASE,
)
_UPN_SHAPE = re.compile(r"\b[A-Z]\d{11}[0-9A-Z]\b")
# "UPN K123…", "pupil number: …", "UPN on the letter: …": the number within a few words of its name.
_UPN_CUE = re.compile(r"\b(?:UPN|pupil\s+(?:number|no\.?))(?:\s+[a-z]+\b){0,5}\s*[:\-]?\s*"
                      r"([A-Z]\d{11}[0-9A-Z]|(?=[A-Z]*\d)[A-Z0-9]{8,14})\b", re.IGNORECASE)  # a number has a digit


def _regex_findings(text: str) -> list[Finding]:
    found: list[Finding] = []

    def add(kind: FindingKind, start: int, end: int) -> None:
        found.append(Finding(kind, start, end, text[start:end], PLACEHOLDER[kind]))

    for m in _EMAIL.finditer(text):
        add(FindingKind.EMAIL, m.start(), m.end())
    phones = [(m.start, m.end) for m in
              phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.VALID)]
    # Numbers libphonenumber holds unassigned (e.g. Ofcom's drama ranges) still identify
    # nobody's business but look identical to a reader: catch UK-shaped ones too.
    for m in _UK_PHONE_SHAPE.finditer(text):
        national = _national(m.group())
        if 9 <= len(national) <= 10 and not any(s < m.end() and m.start() < e for s, e in phones):
            phones.append((m.start(), m.end()))
    for start, end in phones:
        if not _is_service_number(text[start:end]):
            add(FindingKind.PHONE, start, end)
    for m in _POSTCODE.finditer(text):
        token = m.group()
        # Lower-case look-alikes ("ex4 ...") count only with the space and a digit in place.
        if token.isupper() or " " in token:
            add(FindingKind.POSTCODE, m.start(), m.end())
    for m in _ADDRESS.finditer(text):
        add(FindingKind.ADDRESS, m.start(), m.end())
    for m in _DOB.finditer(text):
        add(FindingKind.DATE_OF_BIRTH, m.start(1), m.end(1))
    for m in _NINO.finditer(text):
        add(FindingKind.NI_NUMBER, m.start(), m.end())
    for m in _UPN_SHAPE.finditer(text):
        if upn.is_valid(m.group()):
            add(FindingKind.PUPIL_NUMBER, m.start(), m.end())
    for m in _UPN_CUE.finditer(text):
        add(FindingKind.PUPIL_NUMBER, m.start(1), m.end(1))
    return found


def screen(text: str) -> list[Finding]:
    """Every identifying detail found in ``text``, in order, without overlaps.

    Where two findings overlap the structured one wins (a phone number is not also a
    name), and the longer one wins among equals.
    """
    if not text:
        return []
    structured = _regex_findings(text)
    names = [n for n in find_names(text) if not any(n.overlaps(s.start, s.end) for s in structured)]
    chosen: list[Finding] = []
    for finding in sorted(structured + names, key=lambda f: (f.start, -(f.end - f.start))):
        if chosen and finding.overlaps(chosen[-1].start, chosen[-1].end):
            continue
        chosen.append(finding)
    return chosen


def screen_fields(fields: Mapping[str, str], address_fields: Collection[str] = ()) -> list[FieldFinding]:
    """Findings in each field. In ``address_fields`` (where a visit takes place: the office must
    know where the volunteer is) a street address or postcode is expected; names still count."""
    return [FieldFinding(name, f) for name, text in fields.items() for f in screen(text)
            if not (name in address_fields and f.kind in (FindingKind.ADDRESS, FindingKind.POSTCODE))]


def neutral_file_name(name: str, now: datetime) -> str:
    """A file's own name, unless it could identify someone ("Letter to Mrs Smith.pdf"):
    then a neutral "scan 22-11-2026 14.05.pdf", since the name travels with the record."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    if screen(stem.replace("_", " ")):
        return f"scan {now:%d-%m-%Y %H.%M}" + (f".{suffix.lower()}" if suffix else "")
    return name


def apply_replacement(text: str, finding: Finding, replacement: str) -> str:
    """Replace one finding, if the text still holds it where it was found."""
    if text[finding.start:finding.end] != finding.text:
        index = text.find(finding.text)
        if index < 0:
            return text
        return text[:index] + replacement + text[index + len(finding.text):]
    return text[:finding.start] + replacement + text[finding.end:]


def apply_all(text: str, findings: Sequence[Finding]) -> str:
    """Every finding replaced by its suggestion, the last first so that earlier offsets hold."""
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        text = apply_replacement(text, finding, finding.suggestion)
    return text
