"""The overdue ladder through a real relay process and a real SMTP server on 127.0.0.1:

- ``alert_latency_s``: from the moment a watch's due time plus grace passes (by the relay's
  clock) to the PPO's e-mail being accepted by the SMTP server, median of 3, with the relay's
  default one-second tick;
The board's refresh is measured in bench/board.py, over an office vault of a year's records.
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import datetime
from email import message_from_bytes
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.office.service import OfficeService
from ips_desktop.store.profile import Profile
from ips_desktop.sync.engine import DeviceSync
from ips_desktop.sync.relay_client import RelayTransport
from ips_desktop.sync.transport import open_transport
from ips_desktop.sync.watch_client import WatchClient

from .sync import enrol

Report = Callable[[str, float, str], None]
PASSPHRASE = "bench passphrase for the ladder"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Inbox:
    def __init__(self) -> None:
        self.arrived: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content)
        with self.lock:
            self.arrived.append((time.time(), str(message["To"])))
        return "250 OK"


def _relay(data: Path, root: bytes, port: int, smtp_port: int) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("ips-relay")
    proc = subprocess.Popen([str(exe), "serve", "--data", str(data), "--office-root", root.hex(), "--port", str(port),
                             "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/relay-key", timeout=1) as answer:
                json.loads(answer.read())
            return proc
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("the relay did not start") from None
            time.sleep(0.05)


def ladder(report: Report, root: Path) -> None:
    clock = datetime.now
    _, office_vault = Profile(root / "ladder-office", "office", schema="office").create(PASSPHRASE, MINIMUM_KDF)
    office = OfficeService(office_vault, clock)
    office_root = office.create("Bench Parent Partnership")
    secrets, vault = Profile(root / "ladder-laptop").create(PASSPHRASE, MINIMUM_KDF)
    keys = DeviceKeys.from_seed(secrets.device_seed)
    sync = DeviceSync(vault, keys, lambda address: open_transport(address, keys.signing), clock)
    inbox = _Inbox()
    smtp_port, port = _port(), _port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    relay = _relay(root / "ladder-relay", office_root, port, smtp_port)
    try:
        url = f"http://127.0.0.1:{port}"
        office_http = RelayTransport(url, office.keys().root)
        relay_key = bytes.fromhex(json.loads(office_http.request("GET", "/v1/relay-key", sign=False))["public_key"])
        office.set_relay(url, relay_key)
        office_http.publish_bundle(office.bundle())
        invite = office.make_invite("IPS-01")
        enrol(sync, office, office_http, invite.code(), "IPS-01")
        office_watch, laptop_watch = WatchClient(office_http), WatchClient(RelayTransport(url, keys.signing))
        office_watch.set_contacts({1: ["ppo@bench.test"]}, office=[])

        latencies = []
        for n in range(3):
            alert_at = int(time.time()) + 2
            laptop_watch.open_watch(f"latency-{n}", alert_at, 0)
            while True:
                with inbox.lock:
                    got = len(inbox.arrived)
                if got > n:
                    break
                if time.time() > alert_at + 30:
                    raise RuntimeError("no alert e-mail within 30 s")
                time.sleep(0.01)
            latencies.append(inbox.arrived[n][0] - alert_at)
        report("alert_latency_s", statistics.median(latencies), "s")

    finally:
        relay.terminate()
        relay.wait(10)
        smtp.stop()
        vault.close()
        office_vault.close()
