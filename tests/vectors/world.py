"""The fixed test world the vectors are generated in and checked against.

Everything comes from :class:`Drbg`, so generating twice gives identical bytes and the
vectors pin the sealing direction as well as the opening one.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ips_desktop.crypto import envelope, office_keys
from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.crypto.wire import kid, raw_public

from .drbg import Drbg

NOW = 1_795_000_000  # 2026-11-18, a Wednesday
YEAR = 365 * 86400
MIN_BUNDLE_VERSION = 4
CURRENT_BUNDLE_VERSION = 5


@dataclass
class World:
    keys: office_keys.OfficeKeys
    other_office: office_keys.OfficeKeys
    retired_receipt_key: Ed25519PrivateKey
    relay: Ed25519PrivateKey
    devices: dict[str, DeviceKeys]
    certificates: dict[str, bytes]
    bundles: dict[int, bytes]
    other_bundle: bytes

    def bundle(self, version: int = CURRENT_BUNDLE_VERSION) -> office_keys.KeyBundle:
        return office_keys.open_bundle(self.bundles[version], self.keys.root_public)

    def certificate(self, name: str) -> office_keys.DeviceCertificate:
        return office_keys.open_certificate(self.certificates[name], self.keys.root_public)

    def recipient(self) -> envelope.Recipient:
        keys = {kid(raw_public(k)): k for k in self.keys.encryption}
        enrolled = {name: self.certificate(name) for name in ("A", "B", "C", "E")}
        return envelope.Recipient(
            encryption_keys=keys,
            devices={c.device_kid: c for c in enrolled.values()},
            revoked=frozenset({self.devices["C"].kid}),
            min_bundle_version=MIN_BUNDLE_VERSION,
            now=NOW,
        )


def build() -> World:
    rng = Drbg("world")
    keys = office_keys.OfficeKeys.generate(rng)
    other = office_keys.OfficeKeys.generate(rng)
    retired = Ed25519PrivateKey.from_private_bytes(rng(32))
    relay = Ed25519PrivateKey.from_private_bytes(rng(32))
    # A: enrolled. B: enrolled. C: enrolled, then revoked. D: never enrolled. E: certificate expired.
    devices = {name: DeviceKeys.from_seed(rng(32)) for name in "ABCDE"}
    certificates = {}
    for serial, name in enumerate("ABCE", start=1):
        d = devices[name]
        not_after = NOW - 86400 if name == "E" else NOW + 2 * YEAR
        certificates[name] = office_keys.make_certificate(
            keys.root, serial=serial, signing_key=d.signing_public, box_key=d.box_public,
            label=f"IPS-{serial:02d}", not_before=NOW - YEAR, not_after=not_after)
    relay_info = office_keys.RelayInfo("http://127.0.0.1:8765", raw_public(relay))
    bundles = {}
    for version in (3, 4, 5):
        bundles[version] = office_keys.make_bundle(
            keys, version=version, issued_at=NOW - (6 - version) * 86400, not_after=NOW + YEAR,
            office_name="Test Parent Partnership", revoked_devices=[devices["C"].kid] if version == 5 else [],
            relay=relay_info, policy={"reference_pattern": "^PP/[0-9]{4}$"})
    other_bundle = office_keys.make_bundle(other, version=9, issued_at=NOW - 86400, not_after=NOW + YEAR,
                                           office_name="Another office", relay=relay_info)
    return World(keys, other, retired, relay, devices, certificates, bundles, other_bundle)
