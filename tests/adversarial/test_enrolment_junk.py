"""Issue 14, item 20 (the enrolment side), against a real ``ips-relay`` process: enrolment
requests are posted unsigned (the laptop is not enrolled yet), so anyone can post them; they
must not pile up for ever. A request and its answer are kept a week. Time moves through the
clock-offset file every program reads."""

from __future__ import annotations

import os
import sqlite3
import urllib.request
from pathlib import Path

from relay_support import relay_process

WEEK_AND_A_DAY = 8 * 86400


def post_junk(url: str) -> int:
    request = urllib.request.Request(f"{url}/v1/enrol/{os.urandom(16).hex()}", data=os.urandom(300),
                                     method="POST", headers={"Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(answer.status)


def held(data: Path) -> int:
    with sqlite3.connect(f"file:{data / 'relay.db'}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT count(*) FROM enrolments").fetchone()[0])


def test_junk_enrolment_requests_are_gone_after_a_week(tmp_path: Path) -> None:
    offset = tmp_path / "clock-offset"
    offset.write_text("0")
    data = tmp_path / "relay"
    with relay_process(data, os.urandom(32), env={"IPS_CLOCK_OFFSET_FILE": str(offset)}) as (url, _):
        assert [post_junk(url) for _ in range(5)] == [200] * 5
        assert held(data) == 5
        offset.write_text(str(WEEK_AND_A_DAY))
        assert post_junk(url) == 200
        assert held(data) == 1, "only the new request is held"
