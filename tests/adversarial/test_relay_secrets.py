"""Issue 14, item 5, against a real ``ips-relay`` process: the phone page's secret link never
reaches the relay's log, and the relay's database is readable by the relay's user only (with
the token and ``relay.db``, the PIN and duress PIN were recovered offline in 194 s)."""

from __future__ import annotations

import os
import stat
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import Clock
from relay_world import Setup, relay_world


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[Setup]:
    with relay_world(tmp_path, clock) as setup:
        yield setup


def test_a_refused_phone_page_request_logs_no_token(world: Setup, tmp_path: Path) -> None:
    token = "Zq" + os.urandom(20).hex()
    statuses = []
    for _ in range(15):  # past the page's limit of 10 a minute per address
        try:
            with urllib.request.urlopen(f"{world.url}/c/{token}", timeout=5) as answer:
                statuses.append(answer.status)
        except urllib.error.HTTPError as refused:
            statuses.append(refused.code)
    assert 429 in statuses
    log = (tmp_path / f"relay-{urlsplit(world.url).port}.log").read_text()
    assert '"status": 429' in log, "the refusal is logged"
    assert '"route": "/c/{token}"' in log, "the route's pattern stands in for the path"
    assert token[:12] not in log, "no part of the link's secret"


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_relays_database_is_private(world: Setup, tmp_path: Path) -> None:
    data = tmp_path / "relay"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("relay.db", "relay.db-wal", "relay.db-shm"):
        if (data / name).exists():
            assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
    assert (data / "relay.db").exists()
