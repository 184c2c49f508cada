"""What the PII guard reports, and the handbook's advice for each kind of finding."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FindingKind(StrEnum):
    NAME = "name"
    PHONE = "phone number"
    EMAIL = "e-mail address"
    POSTCODE = "postcode"
    ADDRESS = "street address"
    DATE_OF_BIRTH = "date of birth"
    NI_NUMBER = "National Insurance number"
    PUPIL_NUMBER = "pupil number"


_NAMES_RULE = (
    "Handbook: “When emailing your PPO, you should maintain confidentiality by using initials "
    "instead of names” and “names of professionals or other parents or children are not used …; "
    "use roles instead e.g. class teacher, Educational Psychologist.”"
)
_REFERENCE_RULE = (
    "Handbook: “Email your record to your PPO identifying the parent using only the DPPS "
    "reference number … ensuring that there are no identifying details within the email.”"
)

ADVICE: dict[FindingKind, str] = {
    FindingKind.NAME: _NAMES_RULE,
    FindingKind.PHONE: _REFERENCE_RULE + " Keep phone numbers in the phone log, not in notes.",
    FindingKind.EMAIL: _REFERENCE_RULE,
    FindingKind.POSTCODE: _REFERENCE_RULE,
    FindingKind.ADDRESS: _REFERENCE_RULE,
    FindingKind.DATE_OF_BIRTH: _REFERENCE_RULE + " An age or school year is usually enough.",
    FindingKind.NI_NUMBER: _REFERENCE_RULE,
    FindingKind.PUPIL_NUMBER: _REFERENCE_RULE,
}

PLACEHOLDER: dict[FindingKind, str] = {
    FindingKind.PHONE: "[phone number removed]",
    FindingKind.EMAIL: "[e-mail removed]",
    FindingKind.POSTCODE: "[postcode removed]",
    FindingKind.ADDRESS: "[address removed]",
    FindingKind.DATE_OF_BIRTH: "[date of birth removed]",
    FindingKind.NI_NUMBER: "[NI number removed]",
    FindingKind.PUPIL_NUMBER: "[pupil number removed]",
}


class KeepReason(StrEnum):
    """Why a volunteer kept a finding. A fixed list, so the audit log stays content-free."""

    NOT_A_PERSON = "not a person (a place, organisation or thing)"
    PUBLIC_SERVICE = "a public service's contact detail, not a family's"
    ALREADY_INITIALS = "already initials or a role"
    PPO_ASKED = "my PPO asked me to record it"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    start: int
    end: int
    text: str
    suggestion: str

    @property
    def advice(self) -> str:
        return ADVICE[self.kind]

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class FieldFinding:
    """A finding in one named text field of a record."""

    field: str
    finding: Finding
