"""The PII guard's individual rules, each the way a volunteer would type it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ips_desktop.domain.pii import FindingKind, apply_all, apply_replacement, screen


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


@pytest.mark.parametrize(("text", "number"), [
    ("The UPN from the previous school is T12345678901A.", "T12345678901A"),
    ("pupil number: 88AB12CD", "88AB12CD"),
])
def test_a_pupil_number_after_its_cue_is_the_number_not_a_word(text: str, number: str) -> None:
    assert [t for k, t in kinds(text) if k is FindingKind.PUPIL_NUMBER] == [number]


def test_a_meeting_date_is_not_a_date_of_birth() -> None:
    assert kinds("Review meeting on 12/03/2026 at 10:30.") == []


def test_replacement_uses_initials_for_names() -> None:
    text = "Met Mrs Patricia O'Neill at school."
    (finding,) = screen(text)
    assert finding.suggestion == "P.O."
    assert apply_replacement(text, finding, finding.suggestion) == "Met P.O. at school."


@pytest.mark.parametrize(("text", "name"), [
    ("Met Mr Imran Chaudhry at school.", "Mr Imran Chaudhry"),      # title, first name, surname
    ("Visit to Mr Abdul Karim Miah today.", "Mr Abdul Karim Miah"),  # every part after the title
    ("rang mrs mcallister re transport", "mrs mcallister"),          # a title in lower case
    ("Siân emailed overnight about the panel.", "Siân"),             # accents, at the start
    ("Seán Murphy rang, very upset.", "Seán Murphy"),
    ("Dad, Łukasz Wójcik, called from work.", "Łukasz Wójcik"),
    ("Her daughter Summer has been refused a place.", "Summer"),     # a name that is a word
    ("Bill rang again about the transport.", "Bill"),                # a word-name starting a note
    ("Rang Faith (Mum) back about the review.", "Faith"),
    ("Mary-Jane Tremayne said the plan is late.", "Mary-Jane Tremayne"),
    ("email from priya patel re her son. she wants the EP there.", "priya patel"),  # all lower case
])
def test_whole_names_are_found(text: str, name: str) -> None:
    assert (FindingKind.NAME, name) in kinds(text)


@pytest.mark.parametrize(("text", "fixed"), [
    ("She met the class teacher, Mr David Hughes, who will call.", "She met the class teacher who will call."),
    ("The paediatrician, Dr Yusuf Al-Rashid, has written a letter.", "The paediatrician has written a letter."),
    ("Agreed with the EP, Dr Kate Marsh, to meet again.", "Agreed with the EP to meet again."),
    ("Mr Okafor (class teacher) will start a home-school book.", "The class teacher will start a home-school book."),
    ("Rang Mrs Sarah Jones about the review.", "Rang S.J. about the review."),
])
def test_a_professional_is_replaced_by_their_role_and_a_parent_by_initials(text: str, fixed: str) -> None:
    assert apply_all(text, screen(text)) == fixed


@pytest.mark.parametrize("text", [
    "Met Mum in the Sainsbury's café after drop-off.",
    "Left a voicemail for the SENCO at Queen Elizabeth's School.",
    "He is settling in the Rose Room; the Holly Class teacher agrees.",
    "On the behaviour chart he went from Amber to Green.",
    "Dad works in London in the week.",
    "The SENCO, Mrs P., will ring back.",
    "As agreed, I attach the template. He wants a copy too.",
])
def test_places_shops_classes_and_initials_are_not_names(text: str) -> None:
    assert [t for k, t in kinds(text) if k is FindingKind.NAME] == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_screens_without_error(text: str) -> None:
    for finding in screen(text):
        assert text[finding.start:finding.end] == finding.text
