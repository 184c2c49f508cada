"""Difficult visits and incidents at the office (issue 17, items 10 and 11): the file marked and
shown in the next plan's pre-visit check, the HSE report recorded so the 10-day list clears, and
the PPO's decision to continue or stop reaching the volunteer's laptop."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import Clock
from sync_world import enrolled_world

from ips_desktop.domain.incident import IncidentReport
from ips_desktop.domain.visits import Slot, VenueKind
from ips_desktop.office.console import OfficeConsole
from ips_desktop.office.difficulties import DIFFICULT, INCIDENT, mark_words
from ips_desktop.office.service import OfficeError
from ips_desktop.store.visitbook import VisitBook

REFERENCE = "PP-2026-0800"


def test_a_difficult_visit_marks_the_file_and_the_next_plan_shows_it(tmp_path: Path, clock: Clock) -> None:
    clock.now = datetime(2026, 12, 7, 9, 0)
    laptop, office = enrolled_world(tmp_path, clock)
    console = OfficeConsole(office.service)
    visits = VisitBook(laptop.book, clock)
    case = laptop.book.open_case(REFERENCE)
    home = visits.plan(case, Slot(VenueKind.PARENT_HOME, datetime(2026, 12, 7, 10, 0), 60),
                       place="14 Victoria Road, Exeter EX4 6PQ", attendees=("parent",))
    visits.approve_by_phone(home, "PPO Jane")
    clock.now = datetime(2026, 12, 7, 9, 55)
    visits.check_out(home)
    clock.now = datetime(2026, 12, 7, 11, 0)
    visits.check_in(home)
    visits.close(home, True, "Another adult in the house was hostile; we ended the meeting early.")
    visits.report_incident(case, IncidentReport(datetime(2026, 12, 7, 10, 30), "Parent's home",
                                                "An adult in the house shouted and stood in the doorway."))
    laptop.sync.run()
    console.pull()

    found = console.difficulties()
    assert [d.kind for d in found] == [INCIDENT, DIFFICULT]  # the incident's HSE deadline first
    incident, difficult = found
    assert incident.hse_words == "by 17/12/2026"
    assert difficult.words.startswith("Another adult in the house was hostile")

    with pytest.raises(OfficeError, match="Say what others visiting should be forewarned about"):
        console.mark_file(REFERENCE, "  ", "PPO Jane")
    console.mark_file(REFERENCE, "Hostile adult at the home: meet in a public place, two IPSs.", "PPO Jane")
    (mark,) = console.file_marks(REFERENCE)
    assert mark_words([mark]) == (f"⚠ FILE MARKED on {clock.now:%d/%m/%Y} by PPO Jane: Hostile adult at the home: "
                                  "meet in a public place, two IPSs.")

    # A later plan on the same case: the mark is in the office's pre-visit check.
    clock.now = datetime(2026, 12, 8, 9, 0)
    visits.plan(case, Slot(VenueKind.PARENT_HOME, datetime(2026, 12, 9, 10, 0), 60),
                place="14 Victoria Road, Exeter EX4 6PQ", attendees=("parent",))
    laptop.sync.run()
    console.pull()
    (plan,) = console.plans_to_approve()
    assert plan.reference == REFERENCE
    assert console.file_marks(plan.reference) == [mark]

    # The HSE report: recorded, and the incident no longer waits at the top.
    with pytest.raises(OfficeError, match="cannot be later than today"):
        console.hse_reported(incident.record_id, date(2026, 12, 9), "PPO Jane")
    console.hse_reported(incident.record_id, date(2026, 12, 8), "PPO Jane")
    reported = next(d for d in console.difficulties() if d.kind == INCIDENT)
    assert reported.hse_words == "reported 08/12/2026"

    # The decision goes back to the volunteer.
    records_before = laptop.book.case_list()[0].record_count
    with pytest.raises(OfficeError, match="Say why the case stops"):
        console.decide_case(incident.device_kid, REFERENCE, "stop", "", "PPO Jane")
    console.decide_case(incident.device_kid, REFERENCE, "stop", "Two incidents: the office will support the "
                        "family directly.", "PPO Jane")
    said = laptop.sync.run().office_said
    assert said == [f"Case {REFERENCE}: PPO Jane decided on 08/12/2026 that the case stops: Two incidents: the "
                    "office will support the family directly. Close the case once you have told the family."]
    decided = laptop.book.decision(case)
    assert decided is not None
    assert decided.decision == "stop"
    assert laptop.book.case_list()[0].record_count == records_before  # the decision is not one of the notes
