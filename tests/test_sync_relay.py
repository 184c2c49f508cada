"""Sealed sync end to end through a real ``ips-relay`` process on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import Clock, files_containing
from relay_world import Setup, relay_world

from ips_desktop.crypto import request_auth
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.office.inbox import pull
from ips_desktop.sync.relay_client import RelayTransport
from ips_desktop.sync.transport import open_transport

CANARY = "Canary-Numbat-8817"


@pytest.fixture
def setup(tmp_path: Path, clock: Clock) -> Iterator[Setup]:
    with relay_world(tmp_path, clock) as world:
        yield world


def note(text: str) -> ContactRecord:
    return ContactRecord(ContactKind.MEETING, datetime(2026, 11, 20, 14, 0), 60, summary=text)


def test_notes_travel_through_the_relay_and_the_relay_forgets_them(setup: Setup, tmp_path: Path,
                                                                    clock: Clock) -> None:
    case = setup.book.open_case("PP-2026-0142")
    setup.book.save(None, case, note(f"Meeting at school with the SENCO. {CANARY}"))
    # Record types from later features travel the same way.
    with setup.vault.transaction():
        for kind, payload in (("visit_plan", {"type": "visit_plan", "venue": "library"}),
                              ("expense_claim", {"type": "expense_claim", "month": "2026-11"})):
            rid = setup.book.records.put(None, case, kind, payload, "saved", "")
            setup.book.records.enqueue(rid)

    sent = setup.sync.run()
    assert (sent.status, sent.sent) == ("ok", 3)
    assert {e.state for e in setup.sync.state.all()} == {"stored"}  # STORED: stop retrying, never purge

    relay_db = tmp_path / "relay" / "relay.db"
    assert files_containing(tmp_path / "relay", CANARY.encode()) == []
    pulled = pull(setup.office, setup.office_transport)
    assert pulled.verified == 3
    types = {r.record_type for r in setup.office.repo.records("PP-2026-0142")}
    assert types == {"contact", "visit_plan", "expense_claim"}

    back = setup.sync.run()
    assert back.verified == 3
    with sqlite3.connect(relay_db) as db:
        assert db.execute("SELECT count(*) FROM envelopes WHERE body IS NOT NULL").fetchone()[0] == 0

    setup.book.close_case(case)
    assert setup.sync.run().purged == 1  # the note goes with the closed case
    # The office is told the case is closed; that message waits for the office's receipt.
    assert {r.kind for r in setup.book.records.all()} == {"visit_plan", "expense_claim", "case_status"}
    pull(setup.office, setup.office_transport)
    closing = [r for r in setup.office.repo.records("PP-2026-0142") if r.record_type == "case_status"]
    assert [r.content["body"]["closed"] for r in closing] == [True]
    clock.now += timedelta(days=31)
    assert setup.sync.run().purged == 2  # the closing, and the claim 30 days after the office confirmed it
    assert {r.kind for r in setup.book.records.all()} == {"visit_plan"}  # until the visit is closed


def test_relay_down_keeps_records_queued_and_says_so(setup: Setup, tmp_path: Path, clock: Clock) -> None:
    case = setup.book.open_case("PP-2026-0150")
    setup.book.save(None, case, note("Written while the relay is down."))
    setup.sync._transport_for = lambda address: open_transport("http://127.0.0.1:9", setup.keys.signing)
    result = setup.sync.run()
    assert result.status == "offline"
    assert "cannot be reached" in result.message
    assert result.next_retry_at is not None
    assert result.next_retry_at > clock.now
    assert setup.sync.state.counts().waiting_for_office == 1


def test_a_wrong_clock_is_named(setup: Setup, clock: Clock) -> None:
    case = setup.book.open_case("PP-2026-0151")
    setup.book.save(None, case, note("Sent from a laptop whose clock is an hour out."))
    skewed = RelayTransport(setup.url, setup.keys.signing, clock=lambda: datetime.now().timestamp() + 3600)
    setup.sync._transport_for = lambda address: skewed
    result = setup.sync.run()
    assert result.status == "offline"
    assert "clock" in result.message
    assert "60 minutes ahead" in result.message


def test_replayed_and_unsigned_requests_are_refused(setup: Setup) -> None:
    headers = request_auth.sign_request(setup.keys.signing, "GET", "/v1/receipts", b"",
                                        int(datetime.now().timestamp()))
    urllib.request.urlopen(urllib.request.Request(setup.url + "/v1/receipts", headers=headers), timeout=5).read()
    with pytest.raises(urllib.error.HTTPError) as replay:
        urllib.request.urlopen(urllib.request.Request(setup.url + "/v1/receipts", headers=headers), timeout=5)
    assert replay.value.code == 409
    assert json.loads(replay.value.read())["error"] == "replay"
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        urllib.request.urlopen(setup.url + "/v1/receipts", timeout=5)
    assert unsigned.value.code == 401
    assert "signed" in json.loads(unsigned.value.read())["message"]


def test_a_forged_envelope_is_dropped_by_the_relay(setup: Setup, clock: Clock) -> None:
    case = setup.book.open_case("PP-2026-0152")
    setup.book.save(None, case, note("The genuine note."))
    setup.sync.run()
    held = setup.sync.state.all()[-1]
    assert held.body is not None
    forged = held.body[:-64] + bytes(64)
    with pytest.raises(Exception, match="signature"):
        RelayTransport(setup.url, setup.keys.signing).deliver(setup.keys.kid, held.seq, forged)


def test_a_revoked_laptop_is_refused(setup: Setup, clock: Clock) -> None:
    setup.office_transport.publish_bundle(setup.office.revoke(setup.keys.kid))
    case = setup.book.open_case("PP-2026-0153")
    setup.book.save(None, case, note("After revocation."))
    clock.now += timedelta(minutes=1)
    result = setup.sync.run()
    assert result.status == "offline"
    assert "revoked" in result.message


class _Garbage(http.server.BaseHTTPRequestHandler):
    delay = 0.0

    def _answer(self) -> None:
        time.sleep(self.delay)
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


class _Slow(_Garbage):
    delay = 2.0


@pytest.mark.parametrize(("handler", "words"), [(_Garbage, "not a valid receipt"), (_Slow, "did not answer in time")])
def test_a_relay_answering_garbage_or_too_slowly_keeps_records_queued(setup: Setup, handler: type,
                                                                      words: str) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        setup.sync._transport_for = lambda address: RelayTransport(url, setup.keys.signing, timeout=0.5)
        case = setup.book.open_case("PP-2026-0160")
        setup.book.save(None, case, note("Sent while the relay misbehaves."))
        result = setup.sync.run()
        assert result.status == "offline"
        assert words in result.message
        assert setup.sync.state.counts().waiting_for_office == 1
        assert {e.state for e in setup.sync.state.all()} == {"sealed"}  # not even marked as stored
    finally:
        server.shutdown()


def test_relay_logs_are_structured_and_hold_no_content(setup: Setup, tmp_path: Path) -> None:
    case = setup.book.open_case("PP-2026-0170")
    setup.book.save(None, case, note(f"Logged nowhere. {CANARY}"))
    setup.sync.run()
    pull(setup.office, setup.office_transport)
    setup.sync.run()
    (log,) = tmp_path.glob("relay-*.log")
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    events = [json.loads(line)["event"] for line in lines]
    assert "envelope_stored" in events
    assert "receipt_posted" in events
    text = log.read_text()
    assert CANARY not in text
    assert "PP-2026-0170" not in text


def test_oversized_and_too_frequent_requests_are_refused(setup: Setup) -> None:
    request = urllib.request.Request(setup.url + "/v1/enrol/" + "00" * 16, data=b"x", method="POST",
                                     headers={"Content-Length": str(10 * 1024 * 1024)})
    with pytest.raises(urllib.error.HTTPError) as big:
        urllib.request.urlopen(request, timeout=5)
    assert big.value.code == 413
    codes = []
    for n in range(12):
        try:
            urllib.request.urlopen(urllib.request.Request(setup.url + f"/v1/enrol/{n:032x}", data=b"x",
                                                          method="POST"), timeout=5)
            codes.append(200)
        except urllib.error.HTTPError as exc:
            codes.append(exc.code)
    assert 429 in codes
    assert json.loads(urllib.request.urlopen(setup.url + "/openapi.json", timeout=5).read())["info"]["title"] \
        == "IPS relay"


def test_a_backlog_larger_than_the_relays_rate_limit_is_worked_through(setup: Setup, clock: Clock) -> None:
    """After a holiday the office may find hundreds of envelopes waiting. Each pull opens what it
    can before the relay asks it to slow down, keeps it, and says more are waiting; a few pulls
    later everything is open. (Reading every envelope before opening any spent the whole rate
    limit on downloads: nothing was ever opened.)"""
    case = setup.book.open_case("PP-2026-0888")
    for n in range(260):
        setup.book.save(None, case, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 9, 0), 5,
                                                  summary=f"Follow-up call number {n} about transport."))
    sent = 0
    for _ in range(20):
        sent += setup.sync.run().sent
        if sent >= 260:
            break
        clock.now += timedelta(minutes=10)  # the laptop backs off when the relay asks, then tries again
        time.sleep(1)
    assert sent == 260
    opened, pulls = 0, 0
    while opened < 260 and pulls < 20:
        result = pull(setup.office, setup.office_transport)
        opened += result.verified
        pulls += 1
        assert result.more_waiting or opened == 260
        time.sleep(1)
    assert opened == 260
    assert not pull(setup.office, setup.office_transport).more_waiting
