"""What a volunteer tells the office for the ladder: checked on the laptop with reasons a
volunteer can act on, and read at the office as hostile input."""

from __future__ import annotations

from ips_desktop.domain.about_me import AboutMe
from ips_desktop.domain.addresses import is_email, uk_mobile


def test_mobiles_and_addresses() -> None:
    assert uk_mobile("07700 900123") == uk_mobile("+44 7700 900123") == uk_mobile("(07700) 900-123") == "+447700900123"
    for bad in ("01392 383080", "0770090012", "+4407700900123", "07700 900123 ext 2", ""):
        assert uk_mobile(bad) is None, bad
    assert is_email("partner@home.test")
    for bad in ("partner", "a@b", "a b@home.test", "x@home.test, y@home.test", "Sam <s@home.test>"):
        assert not is_email(bad), bad


def test_the_volunteer_is_told_what_to_correct() -> None:
    assert AboutMe("Sarah Jones", "07700 900456", vehicle_reg="WA12 ABC").cleaned().problems() == []
    problems = AboutMe(mobile="01392 383080", vehicle_reg="WA12-ABC!", family_email="partner",
                       description="x" * 201).problems()
    assert problems == ["The description is too long: at most 200 characters.",
                        "Your mobile: type a UK mobile number, like 07700 900123.",
                        "“partner” is not an e-mail address.",
                        "The registration: letters and numbers as on the number plate, like WA12 ABC."]


def test_the_office_keeps_only_what_checks_out() -> None:
    hostile = {"name": "Sarah\x1b[2J", "mobile": "not a number", "vehicle_make": ["Ford"], "family_email": "a@b",
               "family_mobile": "07700 900789", "description": "d" * 5000, "extra": "ignored"}
    about = AboutMe.from_record(hostile)
    assert about == AboutMe(family_mobile="07700 900789")
    assert about.family == ["07700 900789"]
