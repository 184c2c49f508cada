"""Issue 14, item 6, against a real ``ips-relay`` process: behind a reverse proxy or a mobile
network's shared address, one phone hammering the check-in page must not block every other
volunteer's "I'm safe" and "I need help"; a refused page is the page itself (with its safety
headers) telling the volunteer what to do, never raw JSON."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from relay_support import relay_process

from ips_desktop.crypto.checkin import new_token


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[str]:
    with relay_process(tmp_path / "relay", os.urandom(32), extra=("--trusted-proxy", "127.0.0.1")) as (url, _):
        yield url


def visit(url: str, token: str, forwarded_for: str | None = None) -> tuple[int, str, dict[str, str]]:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(f"{url}/c/{token}", headers=headers), timeout=5) as a:
            return a.status, a.read().decode(), {k.lower(): v for k, v in a.headers.items()}
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode(), {k.lower(): v for k, v in refused.headers.items()}


def test_one_hammered_link_does_not_block_another_volunteers_link(relay: str) -> None:
    hammered, other = new_token(), new_token()
    statuses = [visit(relay, hammered)[0] for _ in range(15)]
    assert 429 in statuses, "the hammered link is slowed down"
    status, page, headers = visit(relay, hammered)
    assert status == 429
    assert page.startswith("<!doctype html>")
    assert "ring the office" in page
    assert headers.get("content-security-policy", "").startswith("default-src 'none'")
    assert visit(relay, other)[0] == 200, "before: one address's limit blocked every volunteer's page"


def test_behind_a_trusted_proxy_each_phone_has_its_own_allowance(relay: str) -> None:
    for _ in range(70):  # past the per-address allowance, each try on a fresh link
        visit(relay, new_token(), forwarded_for="203.0.113.5")
    assert visit(relay, new_token(), forwarded_for="203.0.113.5")[0] == 429
    assert visit(relay, new_token(), forwarded_for="203.0.113.6")[0] == 200
