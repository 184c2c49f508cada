"""The relay's own rules, in process (the HTTP paths are covered by the end-to-end tests):
the 30-day hard limit, deletion on VERIFIED only, certificates and revocation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ips_desktop.crypto import envelope, office_keys, receipt
from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.crypto.wire import raw_public
from ips_desktop.relay.app import HARD_LIMIT, Caller, RateLimiter, Relay, RelayError
from ips_desktop.relay.storage import RelayStorage

NOW = 1_795_000_000


class Clock:
    def __init__(self) -> None:
        self.t = float(NOW)

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def world(tmp_path: Path):
    keys = office_keys.OfficeKeys.generate()
    relay_key = Ed25519PrivateKey.generate()
    clock = Clock()
    relay = Relay(RelayStorage(tmp_path / "relay.db"), relay_key, keys.root_public, clock)
    relay_info = office_keys.RelayInfo("http://x", raw_public(relay_key))
    bundle_raw = office_keys.make_bundle(keys, version=1, issued_at=NOW - 60, not_after=NOW + 86400 * 400,
                                         office_name="T", relay=relay_info)
    relay.accept_bundle(bundle_raw)
    device = DeviceKeys.from_seed(os.urandom(32))
    relay.accept_certificate(office_keys.make_certificate(
        keys.root, serial=1, signing_key=device.signing_public, box_key=device.box_public, label="IPS-1",
        not_before=NOW - 60, not_after=NOW + 86400 * 400))
    bundle = office_keys.open_bundle(bundle_raw, keys.root_public)
    return relay, keys, device, bundle, clock


def _envelope(device: DeviceKeys, bundle: office_keys.KeyBundle, seq: int = 1) -> bytes:
    content = envelope.RecordContent("contact", "PP-2026-0001", NOW, NOW, "contact", {"summary": "x"})
    prev = envelope.ZERO_HASH if seq == 1 else b"\x01" * 32
    return envelope.seal(content, device_key=device.signing, bundle=bundle, seq=seq, prev_hash=prev,
                         record_id=os.urandom(16), now=NOW)


def test_ciphertext_goes_only_on_an_office_signed_verified_receipt(world) -> None:
    relay, keys, device, bundle, _ = world
    data = _envelope(device, bundle)
    stored = relay.accept_envelope(Caller(device.kid, False), data)
    assert receipt.parse_receipt(stored)[0].status is receipt.Status.STORED
    assert relay.accept_envelope(Caller(device.kid, False), data) == stored  # idempotent
    h = envelope.parse(data).header
    args = dict(bundle_version=1, sender_kid=device.kid, seq=1, record_id=h.record_id,
                env_hash=envelope.envelope_hash(data), cum_seq=1, office_time=NOW)
    with pytest.raises(RelayError):  # the relay's own key cannot claim VERIFIED
        relay.accept_receipt(receipt.make_receipt(relay.key, status=receipt.Status.VERIFIED, **args))
    assert relay.storage.envelope_body(relay.storage.waiting(10)[0].id) == data
    relay.accept_receipt(receipt.make_receipt(keys.receipt_signer(), status=receipt.Status.VERIFIED, **args))
    assert relay.storage.waiting(10) == []


def test_the_hard_limit_drops_ciphertext_after_30_days(world) -> None:
    relay, _, device, bundle, clock = world
    relay.accept_envelope(Caller(device.kid, False), _envelope(device, bundle))
    clock.t += HARD_LIMIT - 60
    relay.housekeeping()
    assert len(relay.storage.waiting(10)) == 1
    clock.t += 120
    relay.housekeeping()
    assert relay.storage.waiting(10) == []


def test_an_envelope_from_another_laptop_key_is_refused(world) -> None:
    relay, _, device, bundle, _ = world
    other = DeviceKeys.from_seed(os.urandom(32))
    with pytest.raises(RelayError, match="laptop that sealed it"):
        relay.accept_envelope(Caller(other.kid, False), _envelope(device, bundle))


def test_a_revoking_bundle_is_applied_and_an_older_one_refused(world) -> None:
    relay, keys, device, _, _ = world
    newer = office_keys.make_bundle(keys, version=2, issued_at=NOW, not_after=NOW + 86400, office_name="T",
                                    revoked_devices=[device.kid])
    relay.accept_bundle(newer)
    assert relay.device(device.kid)[2] is True
    older = office_keys.make_bundle(keys, version=1, issued_at=NOW, not_after=NOW + 86400, office_name="T")
    with pytest.raises(RelayError, match="older"):
        relay.accept_bundle(older)


def test_rate_limiter_allows_bursts_then_refuses() -> None:
    limiter = RateLimiter(rate=1.0, burst=3.0)
    assert [limiter.allow("k", 0.0) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("k", 1.5)
