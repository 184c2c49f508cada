"""The overdue pack and the visit card, generated and read back as PDFs: what the office and
the volunteer need is there, a parent's name never is, and the bytes are reproducible."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader

from ips_desktop.domain.risk import Factor
from ips_desktop.domain.sun import EXETER
from ips_desktop.domain.visit_flow import approve, check_out, extend, log_ppo_call, plan
from ips_desktop.domain.visits import Slot, VenueKind, VisitPolicy
from ips_desktop.reports.visit_pdf import OverduePack, Step, VisitCard, overdue_pack, visit_card

DAY = datetime(2026, 11, 25, 14, 0)
PARENT = "Okonkwo"  # the name the parent gave; it must appear on neither paper


def text_of(pdf: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages), reader


@pytest.fixture
def visit():  # type: ignore[no-untyped-def]
    v, _ = plan("v1", Slot(VenueKind.PARENT_HOME, DAY, 60), VisitPolicy(), DAY - timedelta(days=2), EXETER,
                place="Flat 5, 22 Cowick Street, Exeter EX4 1AL", attendees=("parent", "interpreter"),
                vehicle="silver Toyota Yaris WK19 ABC",
                risk=frozenset({Factor.POOR_RECEPTION, Factor.ANIMALS, Factor.RESTRICTED_EXIT}))
    v, _ = approve(v, "PPO", "by phone", DAY - timedelta(days=1))
    v, _ = log_ppo_call(v, DAY - timedelta(minutes=25))
    v, _ = check_out(v, DAY - timedelta(minutes=20))
    v, _ = extend(v, 15, VisitPolicy())
    return v


def test_the_overdue_pack_has_what_the_police_would_ask(visit) -> None:  # type: ignore[no-untyped-def]
    pack = OverduePack("IPS-07 (Jane Volunteer)", "07700 900456", "PP-2026-0142", visit, DAY + timedelta(minutes=95),
                       (Step(DAY + timedelta(minutes=80), "PPO rang the volunteer's mobile: no answer"),
                        Step(DAY + timedelta(minutes=92), "Service manager told")))
    pdf = overdue_pack(pack)
    words, reader = text_of(pdf)
    assert len(reader.pages) == 1
    for expected in ("OVERDUE VOLUNTEER", "IPS-07 (Jane Volunteer)", "07700 900456", "22 Cowick Street",
                     "parent, interpreter", "15:15 on Wednesday 25/11/2026", "15:20",  # due, then alert at +5
                     "silver Toyota Yaris WK19 ABC", "mobile reception", "animals", "exit",
                     "13:40 25/11/2026: checked out", "PPO rang the volunteer's mobile", "police decision"):
        assert expected in words.replace("\n", " "), expected
    assert PARENT not in words
    assert reader.metadata.title == "Overdue pack PP-2026-0142"
    assert overdue_pack(pack) == pdf  # the same data, the same bytes


def test_the_visit_card_names_no_parent_and_gives_no_address(visit) -> None:  # type: ignore[no-untyped-def]
    pdf = visit_card(VisitCard("PP-2026-0142", visit, "01392 111222", "01392 383080", "0845 6000 388"))
    words, reader = text_of(pdf)
    flat = words.replace("\n", " ")
    assert len(reader.pages) == 1
    for expected in ("Back by 15:15", "by 15:20", "01392 111222", "01392 383080", "0845 6000 388",
                     "identification badge", "between the client and the door", "Possession of any kind of weapon",
                     "phone your PPO before you go in", "Form PO3"):
        assert expected in flat, expected
    assert PARENT not in flat
    assert "Cowick" not in flat
    assert "EX4" not in flat
    fonts = {str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts
    assert all("IPSSans" in f or "Vera" in f for f in fonts)
    assert visit_card(VisitCard("PP-2026-0142", visit, "01392 111222", "01392 383080", "0845 6000 388")) == pdf
