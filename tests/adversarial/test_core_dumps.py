"""Issue 14, item 12: every program turns core dumps off as it starts, so a crash never writes
decrypted notes, keys or PIN verifiers to disk. The shipped entry points are started as
separate processes, from a parent that allows core files, and their limits read from /proc."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from relay_support import free_port

pytestmark = pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="reads /proc")
BIN = Path(sys.executable).parent


def allow_core_files() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def core_limit(pid: int) -> str:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max core file size"):
            return " ".join(line.split()[4:6])
    raise AssertionError("no core limit line")


@pytest.mark.parametrize("argv", [
    ["ips-desktop", "--data-dir", "{data}"],
    ["ips-office", "--data", "{data}"],
    ["ips-relay", "serve", "--data", "{data}", "--office-root", "00" * 32, "--port", "{port}"],
])
def test_the_program_runs_without_core_dumps(argv: list[str], tmp_path: Path) -> None:
    command = [str(BIN / argv[0]), *(a.format(data=tmp_path / "data", port=free_port()) for a in argv[1:])]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=allow_core_files)
    try:
        deadline = time.monotonic() + 15
        while core_limit(proc.pid) != "0 0" and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, f"{argv[0]} stopped early"
        assert core_limit(proc.pid) == "0 0"
    finally:
        proc.terminate()
        proc.wait(10)
