"""Agreed actions followed up (issue 17, item 2): what is due this week, marking one done, and
the parent's consent checked against the professionals an action involves."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ips_desktop.domain.actions import (
    ActionToDo,
    consent_gaps,
    due_this_week,
    roles_involved,
    when_due,
)
from ips_desktop.domain.records import AgreedAction, Consent, ContactKind, ContactRecord
from ips_desktop.store.casebook import CaseBook, InputError

TODAY = date(2026, 12, 7)  # a Monday


def act(what: str, who: str = "IPS", by: date | None = None, done: bool = False) -> AgreedAction:
    return AgreedAction(what, who, by, done)


def consent(with_whom: str) -> Consent:
    return Consent(with_whom, "verbally on the phone", TODAY)


@pytest.mark.parametrize(("action", "roles"), [
    (act("Ring the SENCO about the plan"), ["SENCO"]),
    (act("Ask for the EP report", "parent"), ["Educational Psychologist"]),
    (act("Write to the head teacher"), ["head teacher"]),  # not also the class teacher
    (act("Speak to the teacher"), ["class teacher"]),
    (act("Chase the OT referral"), ["occupational therapist"]),
    (act("Look out the old plan"), []),  # "ot" in a word, never the OT
    (act("Go ahead with the appeal", "parent"), []),
    (act("Send the form", "LA SEN officer"), ["LA SEN officer"]),
    (act("Ring the SEND team"), ["LA SEN officer"]),
])
def test_the_professionals_an_action_involves(action: AgreedAction, roles: list[str]) -> None:
    assert roles_involved(action) == roles


def test_an_action_with_a_professional_and_no_consent_is_pointed_out() -> None:
    ring = act("Ring the SENCO about the plan")
    (gap,) = consent_gaps([ring], [consent("Educational Psychologist")])
    assert gap.role == "SENCO"
    assert "“Ring the SENCO about the plan” involves the SENCO" in gap.sentence()
    assert consent_gaps([ring], [consent("SENCo")]) == []
    assert consent_gaps([ring], [consent("the school")]) == []  # the school covers its staff
    assert consent_gaps([ring], [consent("school nurse")]) != []  # but the nurse is not the SENCO
    assert consent_gaps([act("Parent to ring the SENCO", done=True)], []) == []  # done: no longer asked
    assert consent_gaps([act("Parent will send the form", "parent")], []) == []  # the family needs none
    assert consent_gaps([act("Tell the PPO", "IPS")], []) == []


def todo(what: str, by: date | None) -> ActionToDo:
    return ActionToDo("r", "c", "PP-2026-0001", 0, act(what, by=by))


def test_due_this_week_is_the_next_seven_days_and_anything_late() -> None:
    todos = [todo("late", date(2026, 12, 1)), todo("today", TODAY), todo("sunday", date(2026, 12, 13)),
             todo("next monday", date(2026, 12, 14)), todo("no date", None)]
    assert [t.action.what for t in due_this_week(todos, TODAY)] == ["late", "today", "sunday"]
    assert when_due(date(2026, 12, 1), TODAY) == "late, was due Tue 1 Dec"
    assert when_due(TODAY, TODAY) == "due today"
    assert when_due(date(2026, 12, 8), TODAY) == "due tomorrow"
    assert when_due(date(2026, 12, 11), TODAY) == "due Fri 11 Dec"


def record(*actions: AgreedAction, consents: tuple[Consent, ...] = ()) -> ContactRecord:
    return ContactRecord(ContactKind.TELEPHONE, datetime(2026, 12, 4, 10, 0), 20, summary="Agreed next steps.",
                         agreed_actions=actions, consents=consents)


def test_marking_an_action_done_keeps_it_and_queues_the_record_again(book: CaseBook) -> None:
    case_id = book.open_case("PP-2026-0300")
    record_id = book.save(None, case_id, record(act("Ring the SENCO", by=date(2026, 12, 9)),
                                                act("Send the draft plan", "parent", date(2026, 12, 30)),
                                                consents=(consent("SENCO"),)))
    other = book.open_case("PP-2026-0301")
    book.save(None, other, record(act("Find the tribunal leaflet", by=date(2026, 12, 8))))
    assert [t.action.what for t in book.actions_to_do()] == [
        "Find the tribunal leaflet", "Ring the SENCO", "Send the draft plan"]
    assert [t.reference for t in book.actions_to_do(case_id)] == ["PP-2026-0300", "PP-2026-0300"]
    book.vault.execute("DELETE FROM outbox")  # as if the office had it

    first = book.actions_to_do(case_id)[0]
    kept = book.set_action_done(first.record_id, first.index)
    assert [a.done for a in kept.agreed_actions] == [True, False]
    assert ContactRecord.from_dict(book.record(record_id).record.to_dict()) == kept
    assert book.record(record_id).state == "saved"
    assert book.unsent_count() == 1  # the office's copy gets the tick too
    assert [t.action.what for t in book.actions_to_do(case_id)] == ["Send the draft plan"]
    assert "agreed action done" in [e.event for e in book.audit.entries(record_id)]

    book.close_case(other)  # a closed case's actions are not asked about
    assert [t.action.what for t in book.actions_to_do()] == ["Send the draft plan"]
    with pytest.raises(InputError, match="no longer in the record"):
        book.set_action_done(record_id, 5)


def test_the_cases_consents_come_from_its_other_records(book: CaseBook) -> None:
    case_id = book.open_case("PP-2026-0302")
    first = book.save(None, case_id, record(consents=(consent("the school"),)))
    second = book.save(None, case_id, record(act("Ring the SENCO")))
    assert [c.with_whom for c in book.case_consents(case_id, besides=second)] == ["the school"]
    assert book.case_consents(case_id, besides=first) == []


def test_the_weeks_count_needs_no_record_opened_and_older_vaults_are_indexed_once(book: CaseBook) -> None:
    case_id = book.open_case("PP-2026-0303")
    book.save(None, case_id, record(act("Ring the SENCO", by=date(2026, 12, 9)), act("Later", by=date(2027, 1, 9)),
                                    act("Undated")))
    assert book.actions_due_count(date(2026, 12, 13)) == 1
    assert [t.action.what for t in book.actions_to_do(due_by=date(2026, 12, 13))] == ["Ring the SENCO"]
    # A vault from before the dates were kept: filled from the records the first time, then not again.
    book.vault.execute("DELETE FROM action_dates")
    book.settings_store.put_value("action_dates_owed", "1")
    assert book.actions_due_count(date(2026, 12, 13)) == 1
    assert book.settings_store.value("action_dates_owed") == "0"
    (rid,) = [r.id for r in book.records.all(kind="contact")]
    book.purge(rid)
    assert book.vault.query_one("SELECT count(*) FROM action_dates")[0] == 0  # gone with the record
