"""Issue 14, item 15, against a real ``ips-relay`` process: a number too big for SQLite in a
path, a query or a JSON field is refused as bad input (4xx), never a server error (it gave
HTTP 500, an ``OverflowError``), for requests properly signed by the office or a laptop."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import Clock
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from relay_world import Setup, relay_world

from ips_desktop.crypto import request_auth

HUGE = 2**64


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[Setup]:
    with relay_world(tmp_path, clock) as setup:
        yield setup


def signed(url: str, key: Ed25519PrivateKey, method: str, target: str, body: bytes = b"") -> int:
    parts = urlsplit(url)
    headers = {"Content-Type": "application/octet-stream", "Content-Length": str(len(body)),
               **request_auth.sign_request(key, method, target, body, int(time.time()))}
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, target, body=body, headers=headers)
        answer = conn.getresponse()
        answer.read()
        return answer.status
    finally:
        conn.close()


@pytest.mark.parametrize(("who", "method", "target"), [
    ("laptop", "DELETE", f"/v1/receipts/{HUGE}/1"),
    ("laptop", "DELETE", f"/v1/receipts/1/{HUGE}"),
    ("laptop", "DELETE", f"/v1/messages/{HUGE}"),
    ("office", "GET", f"/v1/office/envelopes/{HUGE}"),
    ("office", "DELETE", f"/v1/office/envelopes/{HUGE}"),
    ("office", "GET", f"/v1/office/envelopes?limit={HUGE}"),
    ("office", "GET", f"/v1/office/board?closed_since={HUGE}"),
])
def test_a_huge_number_in_the_address_is_refused_not_a_crash(world: Setup, who: str, method: str,
                                                             target: str) -> None:
    key = world.keys.signing if who == "laptop" else world.office.keys().root
    status = signed(world.url, key, method, target)
    assert 400 <= status < 500, status


def test_a_huge_number_in_a_watch_is_refused_not_a_crash(world: Setup) -> None:
    body = json.dumps({"visit_id": "visit-huge", "due": HUGE, "grace_s": 900}).encode()
    status = signed(world.url, world.keys.signing, "POST", "/v1/watches", body)
    assert 400 <= status < 500, status
