"""Start a real ``ips-relay`` process on 127.0.0.1 for a test, and stop it afterwards."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def relay_process(data: Path, office_root: bytes, port: int | None = None,
                  extra: tuple[str, ...] = (), env: dict[str, str] | None = None) -> Iterator[tuple[str, bytes]]:
    """Yields (url, relay public key). ``extra`` adds ``ips-relay serve`` options; ``env`` adds to
    its environment (the clock offset every program reads)."""
    port = port or free_port()
    exe = Path(sys.executable).with_name("ips-relay")
    log = open(data.parent / f"relay-{port}.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([str(exe), "serve", "--data", str(data), "--office-root", office_root.hex(),
                             "--port", str(port), *extra], stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(url + "/v1/relay-key", timeout=1) as answer:
                    key = bytes.fromhex(json.loads(answer.read())["public_key"])
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    text = (data.parent / f"relay-{port}.log").read_text()
                    raise RuntimeError("the relay did not start: " + text) from None
                time.sleep(0.05)
        yield url, key
    finally:
        stop_process(proc)
        log.close()


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Ask a test's server process to stop; kill it if it has not within 10 seconds."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
