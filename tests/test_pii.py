"""The PII guard's individual rules, each the way a volunteer would type it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ips_desktop.domain.pii import FindingKind, apply_replacement, screen


def kinds(text: str) -> list[tuple[FindingKind, str]]:
    return [(f.kind, f.text) for f in screen(text)]


@pytest.mark.parametrize(("text", "name"), [
    ("Mum says Harry is struggling.", "Harry"),               # ambiguous, capitalised mid-sentence
    ("Jack and Harry both have plans.", "Jack"),              # paired with a name after "and"
    ("spoke to sharon about the review", "sharon"),           # lower case after a contact verb
    ("Her son kai is in Y3.", "kai"),                         # lower case after a kin word
    ("Meeting with Mrs Henderson today.", "Mrs Henderson"),   # honorific
    ("Jayden's EHCP is late.", "Jayden"),                     # possessive at the start
])
def test_names_are_found(text: str, name: str) -> None:
    assert (FindingKind.NAME, name) in kinds(text)


@pytest.mark.parametrize("text", [
    "The review is in May and the plan is due in June.",
    "Mum says her son has Down's syndrome.",
    "Signposted to Contact's helpline.",
    "The Parent Carer Forum meets monthly.",
    "Said she would ring back. Comfort and reassurance help most.",
    "Met at St Thomas library.",
])
def test_ordinary_words_are_not_names(text: str) -> None:
    assert [k for k, _ in kinds(text) if k is FindingKind.NAME] == []


def test_helpline_numbers_are_not_findings_but_personal_numbers_are() -> None:
    text = ("IPSEA advice line 0800 018 4016, council 0345 155 1015; "
            "mum on 07700 900461, home 01392 496123, France +33 1 42 68 53 00.")
    phones = [t for k, t in kinds(text) if k is FindingKind.PHONE]
    assert [p.strip("( ,.") for p in phones] == ["07700 900461", "01392 496123", "+33 1 42 68 53 00"]


@pytest.mark.parametrize("text", [
    "DOB 12/07/2015", "born on 3rd June 2014", "date of birth is 24.11.2017",
    "wrote her date of birth as 14 February 1986",
])
def test_dates_of_birth(text: str) -> None:
    assert [k for k, _ in kinds(text)] == [FindingKind.DATE_OF_BIRTH]


def test_a_meeting_date_is_not_a_date_of_birth() -> None:
    assert kinds("Review meeting on 12/03/2026 at 10:30.") == []


def test_replacement_uses_initials_for_names() -> None:
    text = "Met Mrs Patricia O'Neill at school."
    (finding,) = screen(text)
    assert finding.suggestion == "P.O."
    assert apply_replacement(text, finding, finding.suggestion) == "Met P.O. at school."


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_screens_without_error(text: str) -> None:
    for finding in screen(text):
        assert text[finding.start:finding.end] == finding.text
