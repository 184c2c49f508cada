"""Issue 14, item 3, against a real ``ips-relay`` process (the process that runs the ladder):
big unsigned bodies are refused while they stream in, never held whole. Measured as the
relay's peak resident memory (``VmHWM``) before and after."""

from __future__ import annotations

import http.client
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import Clock
from relay_world import Setup, relay_world

from ips_desktop.crypto import request_auth

MIB = 1024 * 1024


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[Setup]:
    with relay_world(tmp_path, clock) as setup:
        yield setup


def relay_peak_mib(url: str) -> float:
    """The peak resident memory of the relay serving ``url`` (found by its --port)."""
    port = str(urlsplit(url).port)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if b"serve" in argv and port.encode() in argv:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            continue
    raise AssertionError("the relay process was not found")


def post_stream(url: str, path: str, mib: int, headers: dict[str, str] | None = None) -> int | None:
    """POST ``mib`` MiB of zeros in 1 MiB writes; the status, or None if the relay hung up first."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    chunk = bytes(MIB)
    try:
        conn.putrequest("POST", path)
        for name, value in {"Content-Type": "application/octet-stream", **(headers or {})}.items():
            conn.putheader(name, value)
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        for _ in range(mib):
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
        answer = conn.getresponse()
        answer.read()
        return answer.status
    except (BrokenPipeError, ConnectionResetError):
        return None
    finally:
        conn.close()


def healthy(url: str) -> bool:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", "/v1/health")
        return conn.getresponse().status == 200
    finally:
        conn.close()


def test_a_huge_post_to_the_phone_page_is_not_held(world: Setup) -> None:
    """Before: the page read the whole body before checking its 2 KiB limit (one 600 MB post took
    the relay from 61 MiB to 1.2 GiB)."""
    before = relay_peak_mib(world.url)
    status = post_stream(world.url, "/c/" + "A" * 43, 300)
    assert status in (200, None)
    assert relay_peak_mib(world.url) - before < 40
    assert healthy(world.url)


def test_a_strangers_upload_is_refused_before_it_is_read(world: Setup) -> None:
    """Before: /v1/envelopes buffered up to 80 MiB (twice, joining the chunks) before it looked
    at who was sending."""
    before = relay_peak_mib(world.url)
    stranger = {request_auth.H_KEY: os.urandom(16).hex(), request_auth.H_TIME: str(int(time.time())),
                request_auth.H_NONCE: os.urandom(16).hex(), request_auth.H_SIGNATURE: os.urandom(64).hex()}
    statuses = [post_stream(world.url, "/v1/envelopes", 79, stranger) for _ in range(2)]
    assert set(statuses) <= {403, None}
    assert relay_peak_mib(world.url) - before < 40
    assert healthy(world.url)


def test_many_large_uploads_at_once_are_read_a_few_at_a_time(world: Setup) -> None:
    """Headers that name an enrolled laptop pass the first check, so the body is read before
    its signature is: six forged 79 MiB uploads in parallel took the relay to 624 MiB. Large
    bodies now wait for one of a few slots, each held once, and the relay stays under 300 MiB."""
    forged = {request_auth.H_KEY: world.keys.kid.hex(), request_auth.H_TIME: str(int(time.time())),
              request_auth.H_SIGNATURE: os.urandom(64).hex()}
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda _: post_stream(world.url, "/v1/envelopes", 79,
                                                        {**forged, request_auth.H_NONCE: os.urandom(16).hex()}),
                                 range(6)))
    assert set(statuses) <= {401, 429, 503, None}, statuses
    assert relay_peak_mib(world.url) < 300
    assert healthy(world.url)
