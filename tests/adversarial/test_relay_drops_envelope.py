"""Issue 14, item 9, against a real ``ips-relay`` process: an envelope the relay answered STORED
for and then lost does not stay "waiting for the office" for ever. The office's receipts carry
how many envelopes in a row it holds; the laptop reads that count, sends the lost one again,
and says so in words the volunteer can follow until the office confirms it."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from conftest import Clock
from relay_world import relay_world

from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.office.inbox import pull
from ips_desktop.sync.background import snapshot
from ips_desktop.ui.volunteer.sync_ui import describe


def lose(relay_db: Path, seq: int) -> None:
    """What a broken or hostile relay does: the row it said it stored is gone."""
    with sqlite3.connect(relay_db) as db:
        assert db.execute("DELETE FROM envelopes WHERE seq = ?", (seq,)).rowcount == 1


def save_calls(setup, n: int) -> None:
    case = setup.book.open_case("PP-2026-0311")
    for i in range(n):
        setup.book.save(None, case, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 9, i), 5,
                                                  summary=f"Call number {i + 1}."))


def test_a_lost_envelope_is_found_by_the_count_and_sent_again(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 11, 23, 10, 0))
    with relay_world(tmp_path, clock) as s:
        save_calls(s, 3)
        assert s.sync.run().sent == 3
        lose(tmp_path / "relay" / "relay.db", 2)
        assert pull(s.office, s.office_transport).verified == 2  # 1 and 3: the office sees the gap

        second = s.sync.run()
        counts = s.sync.state.counts()
        assert second.verified == 2
        assert (second.resent, second.sent) == (1, 1)  # sent again in the same sync
        assert (counts.waiting_for_office, counts.missing) == (1, 1)
        text, _ = describe(snapshot(s.vault, clock), second, busy=False)
        assert "1 had not reached the office and was sent again" in text, text

        assert pull(s.office, s.office_transport).verified == 1
        third = s.sync.run()
        counts = s.sync.state.counts()
        assert third.verified == 1
        assert (counts.waiting_for_office, counts.missing, counts.verified) == (0, 0, 3)
        assert "sent again" not in describe(snapshot(s.vault, clock), third, busy=False)[0]
        assert len(s.office.repo.records("PP-2026-0311")) == 3


def test_the_last_envelope_lost_is_sent_again_after_three_days(tmp_path: Path) -> None:
    """No later receipt can show the last envelope missing: one the office has not answered in
    three days goes again. One it had after all is answered with the same receipt."""
    clock = Clock(datetime(2026, 11, 23, 10, 0))
    with relay_world(tmp_path, clock) as s:
        save_calls(s, 2)
        assert s.sync.run().sent == 2
        lose(tmp_path / "relay" / "relay.db", 2)
        assert pull(s.office, s.office_transport).verified == 1
        assert s.sync.run().verified == 1
        assert s.sync.state.counts().waiting_for_office == 1

        clock.now += timedelta(days=1)
        assert s.sync.run().sent == 0  # not yet: the office may simply not have pulled
        clock.now += timedelta(days=3)
        assert s.sync.run().sent == 1
        assert pull(s.office, s.office_transport).verified == 1
        assert s.sync.run().verified == 1
        assert s.sync.state.counts().waiting_for_office == 0


def test_a_lost_receipt_is_answered_again(tmp_path: Path) -> None:
    """The office has the envelope but its receipt never reached the laptop: the copy sent
    again after three days is opened as a duplicate and answered with the same receipt."""
    clock = Clock(datetime(2026, 11, 23, 10, 0))
    with relay_world(tmp_path, clock) as s:
        save_calls(s, 1)
        assert s.sync.run().sent == 1
        assert pull(s.office, s.office_transport).verified == 1
        with sqlite3.connect(tmp_path / "relay" / "relay.db") as db:
            assert db.execute("DELETE FROM receipts").rowcount == 1
        assert s.sync.run().verified == 0
        clock.now += timedelta(days=4)
        assert s.sync.run().sent == 1
        again = pull(s.office, s.office_transport)
        assert (again.verified, again.duplicates) == (0, 1)
        assert s.sync.run().verified == 1
        assert s.sync.state.counts().waiting_for_office == 0
