"""Issue 14, item 4, against a real ``ips-relay`` process: junk that names the office's (or a
laptop's) key id but carries no valid signature must not spend that key's rate limit. The
office's key id is derivable from every invite and bundle, so before the fix 260 junk requests
in a fraction of a second got the real office and a laptop answered 429."""

from __future__ import annotations

import http.client
import os
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import Clock
from relay_world import Setup, relay_world

from ips_desktop.crypto import request_auth
from ips_desktop.crypto.wire import kid
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.office.inbox import pull

JUNK = 400  # twice the relay's burst of 200


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[Setup]:
    with relay_world(tmp_path, clock) as setup:
        yield setup


def flood(url: str, key_id: bytes, path: str, count: int = JUNK, until: threading.Event | None = None,
          statuses: list[int] | None = None) -> list[int]:
    """Signed-looking requests under someone else's key id, as fast as one connection goes:
    ``count`` of them, or until ``until`` is set; each answer's status goes into ``statuses``."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    statuses = [] if statuses is None else statuses
    try:
        while (len(statuses) < count) if until is None else not until.is_set():
            conn.request("GET", path, headers={
                request_auth.H_KEY: key_id.hex(), request_auth.H_TIME: str(int(time.time())),
                request_auth.H_NONCE: os.urandom(16).hex(), request_auth.H_SIGNATURE: os.urandom(64).hex()})
            answer = conn.getresponse()
            answer.read()
            statuses.append(answer.status)
    finally:
        conn.close()
    return statuses


def test_junk_under_the_offices_key_id_does_not_lock_the_office_out(world: Setup) -> None:
    office_kid = kid(world.office.root_public())
    statuses = flood(world.url, office_kid, "/v1/office/purge-certificates")
    assert set(statuses) <= {401, 429}, "junk is refused, never served"
    assert 429 in statuses, "the junk itself is slowed down, on a budget of its own"
    result = pull(world.office, world.office_transport)  # was Busy: 429 on the office's own key
    assert not result.more_waiting


def test_junk_under_a_laptops_key_id_does_not_stop_it_sending(world: Setup) -> None:
    """The flood goes on while the volunteer syncs, as an attacker's would."""
    case = world.book.open_case("PP-2026-0950")
    world.book.save(None, case, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 9, 0), 5,
                                              summary="Sent while someone floods the relay."))
    stop, statuses = threading.Event(), list[int]()
    attacker = threading.Thread(target=flood, args=(world.url, world.keys.kid, "/v1/receipts", 0, stop, statuses))
    attacker.start()
    try:
        deadline = time.monotonic() + 10
        while 429 not in statuses and time.monotonic() < deadline:  # the junk has hit its limit
            time.sleep(0.02)
        sent = world.sync.run()
    finally:
        stop.set()
        attacker.join()
    assert 429 in statuses
    assert (sent.status, sent.sent) == ("ok", 1), sent.message
