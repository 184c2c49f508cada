"""The case book service: references, PII decisions, drafts, search, audit trail."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ips_desktop.domain.pii import FindingKind, KeepReason
from ips_desktop.domain.records import (
    AgreedAction,
    ContactKind,
    ContactRecord,
    Level1Contact,
    Level1Focus,
    SafeguardingNote,
)
from ips_desktop.store.casebook import CaseBook, InputError, Kept, UnresolvedFindings


def note(summary: str, **kw) -> ContactRecord:
    return ContactRecord(ContactKind.MEETING, datetime(2026, 11, 20, 14, 0), 60, summary=summary, **kw)


def test_reference_must_match_the_format(book: CaseBook) -> None:
    with pytest.raises(InputError, match="not a case reference"):
        book.open_case("Sarah Jones")
    case_id = book.open_case(" pp-2026-0142 ")
    assert [c.reference for c in book.case_list()] == ["PP-2026-0142"]
    with pytest.raises(InputError, match="already"):
        book.open_case("PP-2026-0142")
    assert case_id


def test_a_name_blocks_saving_until_replaced_or_kept_with_reason(book: CaseBook) -> None:
    case_id = book.open_case("PP-2026-0143")
    record = note("Met Mrs Patel and the SENCO to talk about the EHCP.")
    with pytest.raises(UnresolvedFindings) as err:
        book.save(None, case_id, record)
    (finding,) = err.value.findings
    assert finding.finding.kind is FindingKind.NAME
    assert finding.finding.text == "Mrs Patel"
    assert book.case_list()[0].record_count == 0  # nothing written

    kept = book.save(None, case_id, record, [Kept("summary", "Mrs Patel", KeepReason.PPO_ASKED)])
    events = [(e.event, e.detail) for e in book.audit.entries(kept)]
    assert ("identifying detail kept", "NAME:PPO_ASKED") in events
    assert all("Patel" not in e.detail for e in book.audit.entries())


def test_replacing_the_finding_lets_it_save(book: CaseBook) -> None:
    case_id = book.open_case("PP-2026-0144")
    record = note("Met Mrs Patel and the SENCO.")
    finding = book.screen(record)[0]
    fixed = record.with_text_field(finding.field, record.summary.replace(finding.finding.text,
                                                                          finding.finding.suggestion))
    assert fixed.summary == "Met P. and the SENCO."
    assert book.save(None, case_id, fixed)
    assert book.unsent_count() == 1


def test_agreed_actions_are_screened_too(book: CaseBook) -> None:
    case_id = book.open_case("PP-2026-0145")
    record = note("Review meeting.", agreed_actions=(AgreedAction("Ring Jo on 07700 900456", "IPS"),))
    with pytest.raises(UnresolvedFindings) as err:
        book.save(None, case_id, record)
    assert {f.field for f in err.value.findings} == {"action.0.what"}


def test_safeguarding_record_is_queued_first(book: CaseBook) -> None:
    case_id = book.open_case("PP-2026-0146")
    plain = book.save(None, case_id, note("Routine call."))
    urgent = book.save(None, case_id, note("Concern raised.", safeguarding=SafeguardingNote(
        ppo_told_at=datetime(2026, 11, 20, 15, 0), actions="Rang PPO.")))
    rows = book._vault.query("SELECT record_id, priority FROM outbox ORDER BY priority DESC")
    assert [r[0] for r in rows] == [urgent, plain]


def test_draft_autosave_is_searchable_and_survives_reopen(book: CaseBook) -> None:
    case_id = book.open_case("PP-2026-0147")
    draft = book.save_draft(None, case_id, note("half typed thoughts about transport"))
    draft = book.save_draft(draft, case_id, note("half typed thoughts about transport and respite"))
    assert [h.record_id for h in book.search("respite")] == [draft]
    assert book.record(draft).state == "draft"
    assert book.unsent_count() == 0  # drafts are never sent
    book.discard_draft(draft)
    assert book.search("respite") == []


def test_search_ignores_query_syntax(book: CaseBook) -> None:
    case_id = book.open_case("PP-2026-0148")
    book.save(None, case_id, note("annual review paperwork"))
    for text in ['"', "AND OR NOT", "review*)", "NEAR(", "\x00", "🙂", "مرحبا"]:
        book.search(text)
    assert len(book.search("PP-2026-0148")) == 1
    assert len(book.search("annu")) == 1


def test_big_and_strange_text_saves(book: CaseBook) -> None:
    case_id = book.open_case("PP-2026-0149")
    text = ("emoji 🙂 right-to-left مرحبا NUL\x00char " * 20000)[:2_000_000]
    record_id = book.save_draft(None, case_id, note(text))
    assert book.record(record_id).record.summary == text


def test_attachment_limits(book: CaseBook, tmp_path: Path) -> None:
    case_id = book.open_case("PP-2026-0150")
    record_id = book.save_draft(None, case_id, note("letter from the LA"))
    big = tmp_path / "scan.pdf"
    with open(big, "wb") as handle:
        handle.truncate(26 * 1024 * 1024)
    with pytest.raises(InputError, match="at most 25 MB"):
        book.attach_file(record_id, big)
    with pytest.raises(InputError, match="could not be read"):
        book.attach_file(record_id, tmp_path / "missing.pdf")
    small = tmp_path / "letter.pdf"
    small.write_bytes(b"%PDF-1.4 tiny")
    book.attach_file(record_id, small)
    (info,) = book.attachments(record_id)
    assert (info.name, info.mime, info.size) == ("letter.pdf", "application/pdf", 13)
    assert book.records.attachment_data(info.id) == b"%PDF-1.4 tiny"


def test_an_attachment_named_after_someone_is_renamed(book: CaseBook, tmp_path: Path) -> None:
    case_id = book.open_case("PP-2026-0151")
    record_id = book.save_draft(None, case_id, note("reply from the school"))
    scan = tmp_path / "Letter_to_Mrs_Kowalski.PDF"
    scan.write_bytes(b"%PDF-1.4 tiny")
    book.attach_file(record_id, scan)
    (info,) = book.attachments(record_id)
    assert "Kowalski" not in info.name
    assert info.name.startswith("scan ")
    assert info.name.endswith(".pdf")


def test_audit_chain_detects_tampering(book: CaseBook) -> None:
    case_id = book.open_case("PP-2026-0151")
    book.save(None, case_id, note("one"))
    book.close_case(case_id)
    assert book.audit.first_broken() is None
    book._vault.execute("UPDATE audit_log SET event = 'nothing happened' WHERE seq = 2")
    assert book.audit.first_broken() == 2


def test_level1_tally_has_no_reference(book: CaseBook) -> None:
    book.add_level1(Level1Contact(datetime(2026, 11, 20).date(), "transport", "council transport team",
                                  Level1Focus.CHILD))
    (contact,) = book.level1_contacts()
    assert contact.category == "transport"
    assert book.case_list() == []


def test_disk_write_failure_rolls_back(book: CaseBook, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlcipher3

    from ips_desktop.store.vault import VaultWriteError

    case_id = book.open_case("PP-2026-0152")
    original = book.records.enqueue

    def full(*args, **kwargs):
        raise sqlcipher3.OperationalError("database or disk is full")

    monkeypatch.setattr(book.records, "enqueue", full)
    with pytest.raises(VaultWriteError, match="disk is full"):
        book.save(None, case_id, note("will not fit"))
    monkeypatch.setattr(book.records, "enqueue", original)
    assert book.case_list()[0].record_count == 0
