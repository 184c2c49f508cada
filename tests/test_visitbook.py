"""Home visits in a real SQLCipher vault: each step is one transaction with its audit event
and its place in the outbox; bad input is explained and writes nothing; the office receives
the plan, the outcome and Form PO3; retention keeps a visit while an incident is open."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import Clock, files_containing
from sync_world import enrolled_world

from ips_desktop.domain.incident import IncidentReport
from ips_desktop.domain.pii import FindingKind, KeepReason
from ips_desktop.domain.risk import Factor
from ips_desktop.domain.visit_flow import PlanRefused, State, TransitionError
from ips_desktop.domain.visits import Rule, Slot, VenueKind, VisitPolicy
from ips_desktop.office.inbox import pull
from ips_desktop.store.casebook import PRIORITY_SAFEGUARDING, CaseBook, Kept, UnresolvedFindings
from ips_desktop.store.visitbook import VisitBook

DAY = datetime(2026, 11, 25, 14, 0)  # a Wednesday; the clock starts on Monday 23rd at 10:00
ADDRESS = "14 Victoria Road, Exeter EX4 6PQ"


@pytest.fixture
def visits(book: CaseBook, clock: Clock) -> VisitBook:
    return VisitBook(book, clock)


def outbox(book: CaseBook) -> dict[str, int]:
    return dict(book.vault.query("SELECT record_id, priority FROM outbox"))


def home_plan(visits: VisitBook, case_id: str, **kw: object) -> str:
    args: dict[str, object] = {"place": ADDRESS, "attendees": ("parent",), "vehicle": "blue Ford Fiesta"}
    return visits.plan(case_id, Slot(VenueKind.PARENT_HOME, DAY, 60), **(args | kw))  # type: ignore[arg-type]


def test_an_address_may_be_given_but_a_name_in_it_must_go(book: CaseBook, visits: VisitBook) -> None:
    case = book.open_case("PP-2026-0401")
    with pytest.raises(UnresolvedFindings) as caught:
        home_plan(visits, case, place=f"Mrs Okafor, {ADDRESS}")
    assert [(f.finding.kind, f.finding.text) for f in caught.value.findings] == [(FindingKind.NAME, "Mrs Okafor")]
    assert book.records.all() == []  # nothing written
    rid = home_plan(visits, case)
    view = visits.get(rid)
    assert (view.visit.state, view.visit.place, view.reference) == (State.PLANNED, ADDRESS, "PP-2026-0401")
    assert outbox(book) == {rid: 5}
    assert [e.event for e in book.audit.entries(rid)] == ["visit planned"]
    assert book.search("Victoria") == []  # the address is not in the search index


def test_a_kept_name_is_logged_without_its_text(book: CaseBook, visits: VisitBook) -> None:
    case = book.open_case("PP-2026-0402")
    rid = home_plan(visits, case, place=f"{ADDRESS}; ring Sarah on 07700 900123 at the gate",
                    kept=[Kept("place", "Sarah", KeepReason.PPO_ASKED),
                          Kept("place", "07700 900123", KeepReason.PPO_ASKED)])
    assert ("identifying detail kept", "PHONE:PPO_ASKED") in [(e.event, e.detail) for e in book.audit.entries(rid)]
    assert all("Sarah" not in e.detail and "07700" not in e.detail for e in book.audit.entries())


@pytest.mark.parametrize(("start", "minutes", "rule"), [
    (datetime(2026, 11, 20, 10, 0), 60, Rule.IN_THE_PAST),
    (DAY, 0, Rule.LENGTH),
    (DAY, 600, Rule.LENGTH),
    (datetime(2026, 11, 25, 23, 30), 60, Rule.START_WINDOW),   # across midnight
    (datetime(2026, 11, 25, 16, 30), 45, Rule.HOME_ENDS_BY),
    (datetime(2026, 12, 28, 10, 0), 60, Rule.BANK_HOLIDAY),    # Boxing Day's substitute
])
def test_bad_plans_are_refused_by_rule_and_nothing_is_written(book: CaseBook, visits: VisitBook, start: datetime,
                                                              minutes: int, rule: Rule) -> None:
    case = book.open_case("PP-2026-0403")
    with pytest.raises(PlanRefused) as caught:
        visits.plan(case, Slot(VenueKind.PARENT_HOME, start, minutes), place=ADDRESS)
    assert rule in {r.rule for r in caught.value.refusals}
    assert book.records.all() == []
    assert [e.event for e in book.audit.entries()][-1] == "case opened"


def test_office_closure_dates_come_from_the_policy(book: CaseBook, clock: Clock) -> None:
    visits = VisitBook(book, clock, lambda: VisitPolicy.from_policy({"visits": {"closures": ["2026-11-25"]}}))
    case = book.open_case("PP-2026-0404")
    with pytest.raises(PlanRefused, match="office is closed"):
        visits.plan(case, Slot(VenueKind.PUBLIC, DAY, 60), place="Central Library café")


def test_the_day_of_a_home_visit_with_poor_reception(book: CaseBook, visits: VisitBook, clock: Clock) -> None:
    case = book.open_case("PP-2026-0405")
    rid = home_plan(visits, case, risk=frozenset({Factor.POOR_RECEPTION, Factor.ANIMALS}))
    assert visits.get(rid).visit.grace_minutes == 5
    visits.approve_by_phone(rid, "PPO")
    clock.now = DAY - timedelta(minutes=30)
    with pytest.raises(TransitionError, match="phone your PPO first"):
        visits.check_out(rid)
    visits.log_ppo_call(rid)
    visit = visits.check_out(rid)
    assert (visit.state, visit.monitored) == (State.OUT, False)
    assert outbox(book)[rid] == PRIORITY_SAFEGUARDING  # the sync runs at once
    assert visits.confirm_watch(rid).monitored
    with pytest.raises(TransitionError, match="at most 30 more minutes"):
        visits.extend(rid, 45)
    assert visits.extend(rid, 20).due_at == DAY + timedelta(minutes=80)
    clock.now = DAY + timedelta(minutes=75)
    visits.check_in(rid)
    with pytest.raises(TransitionError, match="already checked in at 15:15"):
        visits.check_in(rid)
    visits.close(rid, difficult=True, notes="Dog shut in the kitchen as asked; parent anxious about the review.")
    (view,) = visits.visits()
    assert view.visit.state is State.CLOSED
    assert view.outcome is not None
    assert view.outcome.difficult
    assert [e.event for e in book.audit.entries(rid)] == [
        "visit planned", "visit approved by phone", "pre-visit call to PPO logged", "checked out",
        "watch confirmed", "extended 20 min", "checked in (app)", "visit closed (difficult)"]
    assert visits.visits(include_finished=False) == []


def test_what_the_relay_is_owed_survives_a_restart(profile, book: CaseBook, visits: VisitBook, clock: Clock) -> None:
    """An extension made while the relay could not be reached is still owed to it after the app
    is closed and opened again, and so is a check-in made in the app."""
    from conftest import PASSPHRASE

    from ips_desktop.domain.visit_flow import RelayStep, relay_owed

    case = book.open_case("PP-2026-0406")
    rid = visits.plan(case, Slot(VenueKind.PUBLIC, DAY, 60), place="Library, Crediton")
    clock.now = DAY - timedelta(minutes=10)
    visits.check_out(rid)
    assert relay_owed(visits.get(rid).visit) is RelayStep.WATCH
    visits.confirm_watch(rid, DAY + timedelta(minutes=60))
    assert relay_owed(visits.get(rid).visit) is None
    visits.extend(rid, 20)  # the relay is not reached this time

    book.vault.close()  # the app is closed; the next day it is opened again
    reopened = profile.open_vault(profile.unlock(PASSPHRASE, clock))
    again = VisitBook(CaseBook(reopened, clock), clock)
    assert relay_owed(again.get(rid).visit) is RelayStep.EXTENSION
    again.relay_told(rid, RelayStep.EXTENSION, DAY + timedelta(minutes=80))
    assert relay_owed(again.get(rid).visit) is None
    clock.now = DAY + timedelta(minutes=70)
    again.check_in(rid)
    assert relay_owed(again.get(rid).visit) is RelayStep.CHECK_IN
    again.relay_told(rid, RelayStep.CHECK_IN)
    assert relay_owed(again.get(rid).visit) is None
    reopened.close()


def test_form_po3_goes_at_once_and_marks_the_visit(book: CaseBook, visits: VisitBook, clock: Clock) -> None:
    case = book.open_case("PP-2026-0406")
    rid = home_plan(visits, case)
    visit_id = visits.get(rid).visit.visit_id
    with pytest.raises(Exception, match="Describe what happened"):
        visits.report_incident(case, IncidentReport(DAY, ADDRESS, " ", visit_id=visit_id))
    report = IncidentReport(DAY + timedelta(minutes=30), ADDRESS, "Partner shouted and blocked the door; I left.",
                            who=("other family member",), signs=("Verbal threats, gestures, stances or obstruction",),
                            action_taken="Left at once and phoned the PPO from the car.", visit_id=visit_id)
    with pytest.raises(Exception, match="in the future"):
        visits.report_incident(case, report)
    clock.now = DAY + timedelta(hours=2)
    iid = visits.report_incident(case, report)
    assert outbox(book)[iid] == PRIORITY_SAFEGUARDING
    assert visits.get(rid).visit.incident
    (stored,) = visits.incidents()
    assert stored[1].hse_deadline.isoformat() == "2026-12-05"
    assert stored[1].reported_at == clock.now


def test_visits_reach_the_office_and_wait_for_the_open_incident(tmp_path: Path, clock: Clock) -> None:
    laptop, office = enrolled_world(tmp_path, clock)
    visits = VisitBook(laptop.book, clock)
    case = laptop.book.open_case("PP-2026-0407")
    rid = home_plan(visits, case, place=f"Canary-Heron-4411, {ADDRESS}")
    visits.approve_by_phone(rid, "PPO")
    clock.now = DAY - timedelta(minutes=20)
    visits.check_out(rid)
    visit_id = visits.get(rid).visit.visit_id
    clock.now = DAY + timedelta(minutes=40)
    visits.check_in(rid)
    visits.report_incident(case, IncidentReport(DAY + timedelta(minutes=20), ADDRESS, "Threatened; left early.",
                                                visit_id=visit_id))
    visits.close(rid, difficult=True)
    assert laptop.sync.run().sent == 3
    pull(office.service, office.transport)
    held = {r.record_type: r for r in office.service.repo.records("PP-2026-0407")}
    assert set(held) == {"visit_plan", "visit_outcome", "incident"}
    assert held["visit_plan"].content["body"]["state"] == "closed"
    assert "Canary-Heron-4411" in held["visit_plan"].content["body"]["place"]

    laptop.sync.run()  # receipts: the incident goes at once, the visit 7 days after closing
    assert {r.kind for r in laptop.book.records.all()} == {"visit_plan", "visit_outcome"}
    clock.now += timedelta(days=8)
    assert laptop.sync.run().purged == 2
    laptop.vault.close()
    assert files_containing(laptop.profile.dir, b"Canary-Heron-4411") == []


def test_an_unverified_incident_keeps_its_visit(tmp_path: Path, clock: Clock) -> None:
    laptop, _office = enrolled_world(tmp_path, clock)
    visits = VisitBook(laptop.book, clock)
    case = laptop.book.open_case("PP-2026-0408")
    rid = visits.plan(case, Slot(VenueKind.PUBLIC, DAY, 60), place="Central Library café")
    clock.now = DAY
    visits.check_out(rid)
    visits.report_incident(case, IncidentReport(DAY, "Central Library café", "Followed to the car park.",
                                                 visit_id=visits.get(rid).visit.visit_id))
    visits.check_in(rid)
    visits.close(rid, difficult=True)
    reasons = {d.record_id: d.why for d in laptop.sync.decisions()}
    assert "office confirms" in reasons[rid]
