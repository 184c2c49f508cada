"""Sealed-sync figures for ``make bench`` (issue: sealed sync).

- ``seal_ratio``: sealing 1,000 records of 4 KiB with :func:`envelope.seal` over the bare
  primitives (X25519 ephemeral and exchange, HKDF, ChaCha20-Poly1305 over the record, an
  Ed25519 signature over header and ciphertext) in the same process, interleaved in blocks;
- ``open_per_s``: envelopes received by the office service (verify, open, commit to its
  SQLCipher vault, sign the receipt) per second; ``open_crypto_per_s`` the checks alone;
- ``relay_env_per_s`` and ``relay_p99_ms``: a real ``ips-relay`` process on 127.0.0.1 and 200
  simulated laptops on keep-alive connections, each posting signed envelopes; bounded count;
- ``purge_1000_s``: purging 1,000 verified notes of a closed case (crypto-shred, index,
  purge log, checkpoint); ``rekey_10k_s``: the epoch re-key of a 10,000-note vault.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import statistics
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ips_desktop.crypto import envelope, office_keys, request_auth
from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.crypto.wire import TAG_SEAL, raw_public, sign
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.office.inbox import accept, pull
from ips_desktop.office.service import OfficeService
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.profile import Profile
from ips_desktop.store.sync_state import NewEnvelope, SyncRepository
from ips_desktop.sync.engine import DeviceSync
from ips_desktop.sync.transport import Busy, OfficeTransport

Report = Callable[[str, float, str], None]
T = TypeVar("T")
PASSPHRASE = "bench passphrase for the vault"
NOW = int(time.time())


def _office() -> tuple[office_keys.OfficeKeys, office_keys.KeyBundle]:
    keys = office_keys.OfficeKeys.generate()
    raw = office_keys.make_bundle(keys, version=1, issued_at=NOW - 60, not_after=NOW + 86400, office_name="Bench")
    return keys, office_keys.open_bundle(raw, keys.root_public)


def _content(i: int) -> envelope.RecordContent:
    body = {"type": "contact", "summary": (f"note {i} " + "x" * 4096)[:4096]}
    return envelope.RecordContent("contact", "PP-2026-0001", NOW, NOW, "contact", body)


def _bare(device: Ed25519PrivateKey, recipient: bytes, plaintext: bytes, header: bytes) -> bytes:
    ephemeral = X25519PrivateKey.from_private_bytes(os.urandom(32))
    public = raw_public(ephemeral)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=public + recipient, info=b"bare").derive(shared)
    ciphertext = public + ChaCha20Poly1305(key).encrypt(bytes(12), plaintext, header)
    return header + ciphertext + sign(device, TAG_SEAL, header + ciphertext)


def seal_ratio(report: Report) -> None:
    _, bundle = _office()
    keys = DeviceKeys.from_seed(os.urandom(32))
    device = keys.signing
    contents = [_content(i) for i in range(1000)]
    plains = [json.dumps(c.body).encode() for c in contents]
    header = bytes(110)
    recipient = bundle.current_encryption_key.public
    sealed_s = bare_s = 0.0
    for first in range(0, 1000, 50):
        start = time.perf_counter()
        for i in range(first, first + 50):
            _bare(device, recipient, plains[i], header)
        bare_s += time.perf_counter() - start
        start = time.perf_counter()
        for i in range(first, first + 50):
            envelope.seal(contents[i], device_key=device, bundle=bundle, seq=i + 1,
                          prev_hash=envelope.ZERO_HASH if i == 0 else b"\x01" * 32, record_id=os.urandom(16), now=NOW,
                          sender_kid=keys.kid)
        sealed_s += time.perf_counter() - start
    report("seal_ratio", sealed_s / bare_s, "x")
    report("seal_per_s", 1000 / sealed_s, "1/s")


def _enrolled_office(root: Path, devices: list[DeviceKeys]) -> tuple[OfficeService, Profile, object]:
    profile = Profile(root, "office", schema="office")
    _, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    service = OfficeService(vault, datetime.now)
    service.create("Bench")
    keys = service.keys()
    state = service.repo.state()
    assert state is not None
    with vault.transaction():
        for serial, d in enumerate(devices, start=1):
            cert = office_keys.make_certificate(keys.root, serial=serial, signing_key=d.signing_public,
                                                box_key=d.box_public, label=f"IPS-{serial}", not_before=NOW - 60,
                                                not_after=NOW + 86400)
            service.repo.add_device(d.kid, serial, f"IPS-{serial}", cert)
    service._changed()  # devices were added behind the service's back
    return service, profile, vault


def _chain(device: DeviceKeys, bundle: office_keys.KeyBundle, count: int, size: int = 4096) -> list[bytes]:
    out, prev = [], envelope.ZERO_HASH
    for seq in range(1, count + 1):
        content = envelope.RecordContent("contact", "PP-2026-0001", NOW, NOW, "contact",
                                         {"type": "contact", "summary": "y" * size})
        data = envelope.seal(content, device_key=device.signing, bundle=bundle, seq=seq, prev_hash=prev,
                             record_id=os.urandom(16), now=NOW)
        prev = envelope.envelope_hash(data)
        out.append(data)
    return out


def open_per_s(report: Report, root: Path) -> None:
    device = DeviceKeys.from_seed(os.urandom(32))
    service, _, vault = _enrolled_office(root / "open", [device])
    bundle = office_keys.open_bundle(service.bundle(), service.root_public())
    envelopes = _chain(device, bundle, 1000)
    recipient = service._recipient()
    start = time.perf_counter()
    for data in envelopes:
        envelope.open_envelope(data, recipient)
    report("open_crypto_per_s", len(envelopes) / (time.perf_counter() - start), "1/s")
    start = time.perf_counter()
    for data in envelopes:
        assert service.receive(data).outcome == "verified"
    report("open_per_s", len(envelopes) / (time.perf_counter() - start), "1/s")
    vault.close()  # type: ignore[attr-defined]


# -- the relay under 200 laptops ------------------------------------------------------------------------
DEVICES = 200
PER_DEVICE = 10
OFFERED_PER_S = 600


async def _laptop(port: int, requests: list[bytes], latencies: list[float], start_at: float | None = None,
                  interval: float = 0.0) -> None:
    """One laptop on one keep-alive connection. Paced (``start_at``/``interval``): latency is
    counted from when the request was due, so a slow relay cannot hide its queue."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    loop = asyncio.get_running_loop()
    try:
        for n, raw in enumerate(requests):
            due = None if start_at is None else start_at + n * interval
            if due is not None and due > loop.time():
                await asyncio.sleep(due - loop.time())
            begun = loop.time() if due is None else due
            writer.write(raw)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            if status != 200:
                raise RuntimeError(f"relay answered {status}")
            latencies.append(loop.time() - begun)
    finally:
        writer.close()


def _request(device: DeviceKeys, data: bytes) -> bytes:
    headers = request_auth.sign_request(device.signing, "POST", "/v1/envelopes", data, int(time.time()))
    lines = ["POST /v1/envelopes HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/octet-stream",
             f"Content-Length: {len(data)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _patiently(call: Callable[[], T]) -> T:
    """As the console does when the relay asks the office to slow down: wait, then again."""
    for _ in range(30):
        try:
            return call()
        except Busy:
            time.sleep(1)
    return call()


def enrol(sync: DeviceSync, office: OfficeService, transport: OfficeTransport, code: str, label: str) -> None:
    """The real enrolment: commitment, the office's answer, request, acceptance."""
    sync.begin_enrolment(code, label, "bench")
    _patiently(lambda: pull(office, transport))
    sync.finish_enrolment()
    waiting = _patiently(lambda: pull(office, transport)).enrolments
    _patiently(lambda: accept(office, transport, waiting[0].invite_id))
    if not sync.finish_enrolment():
        raise RuntimeError("enrolment failed")


def start_relay(data_dir: Path, keys: office_keys.OfficeKeys,
                devices: list[DeviceKeys]) -> tuple[subprocess.Popen[bytes], str, office_keys.KeyBundle]:
    """A real ``ips-relay`` process with the office's bundle published and ``devices`` enrolled:
    (process, url, bundle). The caller terminates the process."""
    port = _free_port()
    proc = subprocess.Popen([str(Path(sys.executable).with_name("ips-relay")), "serve", "--data", str(data_dir),
                             "--office-root", keys.root_public.hex(), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(url + "/v1/relay-key", timeout=1) as answer:
                relay_public = bytes.fromhex(json.loads(answer.read())["public_key"])
            break
        except OSError:
            time.sleep(0.05)
    from ips_desktop.sync.relay_client import RelayTransport

    office = RelayTransport(url, keys.root)
    bundle_raw = office_keys.make_bundle(keys, version=1, issued_at=NOW - 60, not_after=NOW + 86400,
                                         office_name="Bench", relay=office_keys.RelayInfo(url, relay_public))
    office.publish_bundle(bundle_raw)
    for serial, d in enumerate(devices, start=1):
        office.register_device(office_keys.make_certificate(
            keys.root, serial=serial, signing_key=d.signing_public, box_key=d.box_public, label=f"IPS-{serial}",
            not_before=NOW - 60, not_after=NOW + 86400))
    office.close()
    return proc, url, office_keys.open_bundle(bundle_raw, keys.root_public)


def relay_throughput(report: Report, root: Path) -> None:
    keys = office_keys.OfficeKeys.generate()
    devices = [DeviceKeys.from_seed(hashlib.sha256(b"bench-device" + struct.pack(">I", i)).digest())
               for i in range(DEVICES)]
    proc, url, bundle = start_relay(root / "relay", keys, devices)
    port = int(url.rsplit(":", 1)[1])
    try:
        chains = [_chain(d, bundle, 2 * PER_DEVICE, size=2000) for d in devices]
        requests = [[_request(d, data) for data in chain] for d, chain in zip(devices, chains, strict=True)]

        # 200 laptops, each posting every 1/3 s (an offered 600 envelopes a second), staggered.
        paced: list[float] = []
        interval = DEVICES / OFFERED_PER_S

        async def run_paced() -> float:
            loop = asyncio.get_running_loop()
            begin = loop.time() + 0.5
            await asyncio.wait_for(asyncio.gather(*(
                _laptop(port, r[:PER_DEVICE], paced, begin + i * interval / DEVICES, interval)
                for i, r in enumerate(requests))), timeout=120)
            return loop.time() - begin

        elapsed = asyncio.run(run_paced())
        report("relay_env_per_s", DEVICES * PER_DEVICE / elapsed, "1/s")
        report("relay_p99_ms", statistics.quantiles(paced, n=100)[98] * 1000, "ms")

        # The same laptops as fast as the relay answers: its capacity on this machine.
        flat: list[float] = []

        async def run_flat() -> float:
            start = time.perf_counter()
            await asyncio.wait_for(asyncio.gather(*(_laptop(port, r[PER_DEVICE:], flat) for r in requests)),
                                   timeout=120)
            return time.perf_counter() - start

        report("relay_capacity_per_s", DEVICES * PER_DEVICE / asyncio.run(run_flat()), "1/s")
    finally:
        proc.terminate()
        proc.wait(10)


# -- purge and re-key -------------------------------------------------------------------------------------
def _verified_laptop(root: Path, count: int) -> tuple[Profile, object, DeviceSync, CaseBook]:
    profile = Profile(root)
    secrets, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    keys, bundle = _office()
    sync = DeviceSync(vault, DeviceKeys.from_seed(secrets.device_seed), lambda a: None, datetime.now)  # type: ignore[arg-type,return-value]
    book = CaseBook(vault, datetime.now)
    state = SyncRepository(vault, datetime.now)
    with vault.transaction():  # the purge needs the pinned bundle (its policy), not a certificate
        state.complete_enrolment(keys.root_public, b"", bundle.raw, "/nowhere")
    case = book.open_case("PP-2026-0001")
    for i in range(count):
        note = ContactRecord(ContactKind.TELEPHONE, datetime(2026, 1, 1, 10, 0), 5,
                             summary=f"bench note {i} annual review transport speech therapy")
        with vault.transaction():
            rid = book.records.put(None, case, "contact", note.to_dict(), "saved", note.summary)
            state.commit_envelope(rid, i + 1, NewEnvelope(b"e", os.urandom(16), os.urandom(32), "contact", 1))
            state.mark_verified(i + 1, b"r")
    book.close_case(case)
    return profile, vault, sync, book


def purge_1000_s(report: Report, root: Path) -> None:
    _, vault, sync, _ = _verified_laptop(root / "purge", 1000)
    start = time.perf_counter()
    purged = sync.purge_due()
    report("purge_1000_s", time.perf_counter() - start, "s")
    assert purged == 1000
    vault.close()  # type: ignore[attr-defined]


def rekey_10k_s(report: Report, root: Path, profile: Profile) -> None:
    secrets = profile.unlock(PASSPHRASE, datetime.now)
    vault = profile.open_vault(secrets)
    start = time.perf_counter()
    vault, _ = profile.rekey(vault, secrets)
    report("rekey_10k_s", time.perf_counter() - start, "s")
    vault.close()
