"""The relay under a bounded hostile flood from 127.0.0.1, for ``make bench`` (issue 14):

- ``relay_rss_under_flood_mb``: the relay process's peak resident memory (``VmHWM``) over its
  whole life, through a flood of: 600 MB posts to the phone page, 80 MiB envelope uploads in
  parallel (unsigned, and forged in an enrolled laptop's name), and 10,000 junk requests with
  signature headers that look right and are not. Target: under 300 MiB.
- ``relay_p99_under_flood_ms``: meanwhile the office lists its waiting envelopes and a laptop
  sends a real envelope and reads its receipts, through the real clients, one after another;
  the 99th percentile of those calls. Target: under 200 ms.
"""

from __future__ import annotations

import http.client
import os
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ips_desktop.crypto import office_keys, request_auth
from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.crypto.wire import kid
from ips_desktop.sync.relay_client import RelayTransport
from ips_desktop.sync.transport import Busy, TransportError

from .sync import _chain, start_relay

Report = Callable[[str, float, str], None]
MIB = 1024 * 1024
JUNK_REQUESTS = 10_000
SERVICE_CALLS = 300


def _post_stream(port: int, path: str, total: int, headers: dict[str, str]) -> None:
    """POST ``total`` bytes of zeros in 1 MiB writes, until the relay answers or hangs up."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    chunk = bytes(MIB)
    try:
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", "application/octet-stream")
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        for _ in range(total // MIB):
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
        conn.getresponse().read()
    except OSError:
        pass  # refused while streaming: what a flood gets
    finally:
        conn.close()


def _forged(key_id: bytes) -> dict[str, str]:
    return {request_auth.H_KEY: key_id.hex(), request_auth.H_TIME: str(int(time.time())),
            request_auth.H_NONCE: os.urandom(16).hex(), request_auth.H_SIGNATURE: os.urandom(64).hex()}


def _junk(port: int, key_ids: list[bytes], count: int) -> None:
    """``count`` small requests on one keep-alive connection, each forged in a real key's name."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for n in range(count):
            headers = _forged(key_ids[n % len(key_ids)])
            path = "/v1/office/envelopes?limit=500" if n % 2 else "/v1/receipts"
            try:
                conn.request("GET", path, headers=headers)
                conn.getresponse().read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    finally:
        conn.close()


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def flood(report: Report, root: Path) -> None:
    keys = office_keys.OfficeKeys.generate()
    laptop = DeviceKeys.from_seed(os.urandom(32))
    proc, url, bundle = start_relay(root / "flood-relay", keys, [laptop])
    port = int(url.rsplit(":", 1)[1])
    office = RelayTransport(url, keys.root)
    device = RelayTransport(url, laptop.signing)
    envelopes = _chain(laptop, bundle, SERVICE_CALLS, size=2000)
    stop = threading.Event()
    strangers = [os.urandom(16) for _ in range(4)]

    def page_flood() -> None:
        while not stop.is_set():
            _post_stream(port, "/c/" + "A" * 43, 600 * 1000 * 1000, {})

    def upload_flood(forge: bool) -> None:
        while not stop.is_set():
            key = laptop.kid if forge else strangers[0]
            _post_stream(port, "/v1/envelopes", 80 * MIB, _forged(key))

    def junk_flood() -> None:
        _junk(port, [kid(keys.root_public), laptop.kid, *strangers], JUNK_REQUESTS // 4)

    flooders = [threading.Thread(target=page_flood) for _ in range(2)]
    flooders += [threading.Thread(target=upload_flood, args=(forge,)) for forge in (False, False, True, True)]
    junkers = [threading.Thread(target=junk_flood) for _ in range(4)]
    latencies: list[float] = []
    refused = 0
    try:
        for thread in flooders + junkers:
            thread.start()
        time.sleep(1.0)  # the flood under way before the office and the laptop start
        for n, data in enumerate(envelopes):
            for call in (office.waiting_envelopes, lambda d=data, s=n + 1: device.deliver(laptop.kid, s, d),
                         lambda: device.receipts(laptop.kid)):
                start = time.perf_counter()
                try:
                    call()
                except (Busy, TransportError):
                    refused += 1
                latencies.append(time.perf_counter() - start)
        for thread in junkers:
            thread.join(120)
        stop.set()
        for thread in flooders:
            thread.join(120)
        report("relay_rss_under_flood_mb", _peak_mib(proc.pid), "MiB")
        report("relay_p99_under_flood_ms", statistics.quantiles(latencies, n=100)[98] * 1000, "ms")
        report("relay_refused_under_flood", refused, "calls")
    finally:
        stop.set()
        office.close()
        device.close()
        proc.terminate()
        proc.wait(10)
