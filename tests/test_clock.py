"""The one clock every program reads: real time moved by the documented offset."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def _offset_in_child(env: dict[str, str]) -> float:
    """A fresh process, as each program is: the fixed offset is read at start."""
    code = "from ips_desktop import clock; import time; print(clock.time() - time.time())"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, check=True)
    return float(out.stdout)


def test_no_offset_is_real_time() -> None:
    env = {k: "" for k in ("IPS_CLOCK_OFFSET", "IPS_CLOCK_OFFSET_FILE")}
    assert abs(_offset_in_child(env)) < 1


def test_a_fixed_offset_and_a_file_add_up(tmp_path: Path) -> None:
    offset = tmp_path / "offset"
    offset.write_text("3600")
    moved = _offset_in_child({"IPS_CLOCK_OFFSET": "-60", "IPS_CLOCK_OFFSET_FILE": str(offset)})
    assert abs(moved - 3540) < 1


def test_a_running_program_follows_the_file(tmp_path: Path, monkeypatch) -> None:
    from ips_desktop import clock

    offset = tmp_path / "offset"
    monkeypatch.setenv("IPS_CLOCK_OFFSET_FILE", str(offset))
    assert abs(clock.time() - time.time()) < 1, "a missing file is no offset"
    offset.write_text("86400")
    assert abs(clock.time() - time.time() - 86400) < 1
    assert clock.today() == clock.now().date()
    offset.write_text("7200.5  \n")
    assert abs(clock.offset() - 7200.5) < 0.01, "changed while running: read again"
    offset.write_text("tomorrow")
    assert clock.offset() == 0, "a mistyped offset never stops a program"
    offset.write_text("nan")
    assert clock.offset() == 0
