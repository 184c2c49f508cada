"""Feedback calls and the report to the Steering Group (issue 17, items 13 and 14): a closed case
becomes a call to make; the questionnaire's answers are kept by case and screened; the report's
figures, charts and CSV, read back from the PDF; a period with nothing in it says so."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import Clock
from pypdf import PdfReader
from sync_world import enrolled_world

from ips_desktop.domain.feedback import Feedback
from ips_desktop.domain.records import ContactKind, ContactRecord, Level1Contact, Level1Focus
from ips_desktop.domain.steering import Period
from ips_desktop.office.console import OfficeConsole
from ips_desktop.office.service import OfficeError

PERIOD = Period(date(2026, 8, 1), date(2026, 11, 30))


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_a_closed_case_becomes_a_feedback_call_and_the_report_counts_it(tmp_path: Path, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 20, 10, 0)
    laptop, office = enrolled_world(tmp_path, clock)
    console = OfficeConsole(office.service)
    case = laptop.book.open_case("PP-2026-0900")
    for kind, minutes in ((ContactKind.TELEPHONE, 30), (ContactKind.MEETING, 90), (ContactKind.TELEPHONE, 15)):
        laptop.book.save(None, case, ContactRecord(kind, datetime(2026, 11, 10, 10, 0), minutes, summary="Talked."))
    laptop.book.add_level1(Level1Contact(date(2026, 11, 12), "transport", "none", Level1Focus.CHILD))
    laptop.book.close_case(case)
    laptop.sync.run()
    console.pull()

    (call,) = console.feedback_calls()
    assert (call.reference, call.label, call.state) == ("PP-2026-0900", "IPS-07", "call the parent")
    assert list(console.closed_cases()) == ["PP-2026-0900"]  # the inbox shows it closed
    with pytest.raises(OfficeError, match="Mrs Okafor"):
        console.record_feedback("PP-2026-0900", Feedback(date(2026, 11, 20), helpful="Mrs Okafor was lovely."),
                                "PPO Jane")
    kept = console.record_feedback("PP-2026-0900", Feedback(
        date(2026, 11, 20), ("Support by telephone", "Support at meetings"), "yes", "yes", "", "no", "yes",
        "Excellent", "She explained the draft plan so I could reply in time.", "More evening calls."), "PPO Jane")
    assert not kept.early
    (call,) = console.feedback_calls()
    assert call.state == "done 20/11/2026: excellent"
    early = console.record_feedback("PP-2026-0901", Feedback(date(2026, 11, 20), rating="Good"), "PPO Jane")
    assert early.early  # a case not closed (here, never seen): allowed, marked early

    pdf, text = console.steering_report(PERIOD)
    rows = {(r["section"], r["item"]): r["value"] for r in csv.DictReader(io.StringIO(text))}
    assert rows[("IPS activity", "Contacts recorded")] == "3"
    assert rows[("IPS activity", "Contacts: telephone")] == "2"
    assert rows[("IPS activity", "Hours with families (contacts)")] == "2.3"
    assert rows[("IPS activity", "Cases closed")] == "1"
    assert rows[("Level 1 contacts", "transport")] == "1"
    assert rows[("Feedback from service users", "Questionnaires")] == "2"
    assert rows[("Feedback from service users", "Rated excellent")] == "1"
    assert rows[("Feedback from service users", "Asked before support ended")] == "1"
    assert rows[("Home visits and safety", "Overdue alerts")].startswith("not known")
    pages = [page.replace("\n", " ") for page in pdf_text(pdf)]
    assert pages[0].startswith("Report to the Steering Group: 1 August 2026 to 30 November 2026")
    assert "Contacts recorded 3" in pages[0]
    charts = " ".join(pages)
    assert "Contacts by kind" in charts
    assert "How service users rated the IPS support" in charts
    assert "Helpful: She explained the draft plan so I could reply in time." in charts
    assert "PP-2026-0900" not in " ".join(pages)  # nothing identifies a family
    assert "PP-2026-0900" not in text


def test_a_period_with_nothing_says_so(tmp_path: Path, clock: Clock) -> None:
    _laptop, office = enrolled_world(tmp_path, clock)
    pdf, text = OfficeConsole(office.service).steering_report(Period(date(2025, 1, 1), date(2025, 4, 30)))
    (page,) = pdf_text(pdf)
    assert "No activity was recorded from 1 January 2025 to 30 April 2025" in page.replace("\n", " ")
    assert "Contacts recorded,0" in text
