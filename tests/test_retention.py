"""Retention rules (DESIGN §5): when the laptop's copy goes, and that nothing unsent or
unverified ever goes automatically."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ips_desktop.domain.retention import RecordFacts, RetentionPolicy, decide, draft_needs_reminder, rekey_due

NOW = datetime(2026, 11, 23, 10, 0)
VERIFIED = NOW - timedelta(days=2)


def facts(kind: str, **kw: object) -> RecordFacts:
    base: dict[str, object] = dict(record_id="r", record_type=kind, state="saved", queued=False, verified_at=VERIFIED)
    base.update(kw)
    return RecordFacts(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["contact", "papers", "level1", "visit_plan", "incident", "expense_claim",
                                  "phone_log", "something_new"])
def test_nothing_unverified_or_unsent_or_draft_is_ever_due(kind: str) -> None:
    policy = RetentionPolicy(open_case_max_days=0, closed_case_days=0, level1_days=0, visit_days_after_close=0,
                             expense_days=0)
    for variant in (dict(verified_at=None), dict(queued=True), dict(state="draft")):
        decision = decide(facts(kind, case_closed_at=NOW - timedelta(days=999), papers_returned=True,
                                visit_closed_at=NOW - timedelta(days=999), claim_verified_at=VERIFIED,
                                **variant), policy)
        assert decision.due_at is None
        assert not decision.due(NOW + timedelta(days=10_000))


def test_an_open_cases_notes_stay_until_it_closes_and_the_office_sets_the_limits() -> None:
    policy = RetentionPolicy()
    open_case = decide(facts("contact"), policy)
    assert not open_case.due(VERIFIED + timedelta(days=364))  # a term-long case keeps its first notes
    assert open_case.due_at == VERIFIED + timedelta(days=365)  # a case left open by mistake
    assert "kept while the case is open" in open_case.why
    closed = decide(facts("contact", case_closed_at=NOW - timedelta(days=1)), policy)
    assert closed.due(NOW)
    assert closed.why == "The case is closed and the office holds this record: removed."
    closed_before_verified = decide(facts("contact", case_closed_at=VERIFIED - timedelta(days=5)), policy)
    assert closed_before_verified.due_at == VERIFIED  # never before the office has it
    grace = RetentionPolicy(closed_case_days=7, open_case_max_days=90)
    assert decide(facts("contact", case_closed_at=NOW), grace).due_at == NOW + timedelta(days=7)
    assert "removed 7 days after closing" in decide(facts("contact", case_closed_at=NOW), grace).why
    assert decide(facts("contact"), grace).due_at == VERIFIED + timedelta(days=90)
    assert "(7 days after)" in decide(facts("contact"), grace).why
    assert decide(facts("contact"), RetentionPolicy(open_case_max_days=0)).due(NOW)  # the office may set 0 days


def test_papers_wait_for_proof_of_posting_and_visits_for_closure() -> None:
    policy = RetentionPolicy()
    assert decide(facts("papers"), policy).due_at is None
    assert decide(facts("papers", papers_returned=True), policy).due(NOW)
    assert decide(facts("visit_plan"), policy).due_at is None
    assert decide(facts("visit_plan", visit_closed_at=NOW, incident_open=True), policy).due_at is None
    assert decide(facts("visit_outcome", visit_closed_at=NOW), policy).due_at == NOW + timedelta(days=7)
    assert decide(facts("incident"), policy).due(NOW)
    assert decide(facts("expense_item"), policy).due_at == VERIFIED + timedelta(days=30)
    assert decide(facts("phone_log"), policy).due_at is None
    assert decide(facts("phone_log", claim_verified_at=NOW), policy).due(NOW)


def test_the_office_policy_is_read_defensively() -> None:
    assert RetentionPolicy.from_policy({"retention": {"closed_case_days": 7}}).closed_case_days == 7
    assert RetentionPolicy.from_policy({"retention": {"open_case_max_days": -5, "expense_days": "x"}}) == \
        RetentionPolicy()
    assert RetentionPolicy.from_policy({"retention": "nonsense"}) == RetentionPolicy()


def test_rekey_weekly_or_after_a_case_purge_and_draft_reminders() -> None:
    assert rekey_due(None, True, NOW, NOW)
    assert not rekey_due(NOW - timedelta(days=6), False, NOW, NOW)
    assert rekey_due(NOW - timedelta(days=7), False, NOW, NOW)
    assert draft_needs_reminder(NOW - timedelta(days=3), NOW, RetentionPolicy())
    assert not draft_needs_reminder(NOW - timedelta(days=2), NOW, RetentionPolicy())
