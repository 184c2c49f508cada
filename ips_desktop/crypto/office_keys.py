"""The office's keys, its signed key bundle and device certificates (DESIGN §5).

The office root key (Ed25519) signs the **office key bundle**: a version that only ever
increases, validity dates, the encryption keys envelopes are sealed to (X25519, current
first, then the next one for rotation), the receipt keys that sign VERIFIED and REJECTED
receipts, the relay's key, revoked devices and the office policy. A laptop pins the root
key at enrolment and refuses any bundle that is older than the one it holds.

A **device certificate**, also signed by the root key, binds an enrolled laptop's signing
key and its message key to a serial number, a label (the volunteer's IPS code, never a
name) and validity dates.

Times are whole seconds since 1970 (UTC) so the canonical encoding has one form.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from .wire import (
    KEY_LEN,
    KID_LEN,
    DocKind,
    Reason,
    WireError,
    ed25519_public,
    expect_fields,
    hex_bytes,
    kid,
    make_doc,
    open_doc,
    raw_private,
    raw_public,
    require,
)

Rng = Callable[[int], bytes]


@dataclass(frozen=True)
class PublicKeyEntry:
    kid: bytes
    public: bytes


@dataclass(frozen=True)
class RelayInfo:
    url: str
    public: bytes

    @property
    def kid(self) -> bytes:
        return kid(self.public)


@dataclass(frozen=True)
class KeyBundle:
    """A verified office key bundle. Build one with :func:`make_bundle`; read with :func:`open_bundle`."""

    version: int
    issued_at: int
    not_after: int
    office_name: str
    root_public: bytes
    encryption_keys: tuple[PublicKeyEntry, ...]
    receipt_keys: tuple[PublicKeyEntry, ...]
    revoked_devices: frozenset[bytes]
    relay: RelayInfo | None
    policy: dict[str, Any]
    raw: bytes = field(repr=False, compare=False)

    @property
    def current_encryption_key(self) -> PublicKeyEntry:
        return self.encryption_keys[0]

    def receipt_key(self, key_id: bytes) -> Ed25519PublicKey | None:
        for entry in self.receipt_keys:
            if entry.kid == key_id:
                return ed25519_public(entry.public)
        return None


@dataclass(frozen=True)
class DeviceCertificate:
    serial: int
    device_kid: bytes
    signing_key: bytes
    box_key: bytes
    label: str
    not_before: int
    not_after: int
    root_kid: bytes
    raw: bytes = field(repr=False, compare=False)

    def valid_at(self, when: int) -> bool:
        return self.not_before <= when <= self.not_after


@dataclass
class OfficeKeys:
    """The office's private keys. Held only inside the office vault; ``repr`` hides them."""

    root: Ed25519PrivateKey = field(repr=False)
    encryption: list[X25519PrivateKey] = field(repr=False)
    receipt: list[Ed25519PrivateKey] = field(repr=False)

    @classmethod
    def generate(cls, rng: Rng = os.urandom) -> OfficeKeys:
        return cls(root=Ed25519PrivateKey.from_private_bytes(rng(32)),
                   encryption=[X25519PrivateKey.from_private_bytes(rng(32)),
                               X25519PrivateKey.from_private_bytes(rng(32))],
                   receipt=[Ed25519PrivateKey.from_private_bytes(rng(32))])

    @property
    def root_public(self) -> bytes:
        return raw_public(self.root)

    def encryption_key(self, key_id: bytes) -> X25519PrivateKey | None:
        for key in self.encryption:
            if kid(raw_public(key)) == key_id:
                return key
        return None

    def receipt_signer(self) -> Ed25519PrivateKey:
        return self.receipt[0]

    def rotate(self, rng: Rng = os.urandom) -> None:
        """The next encryption key becomes current and a fresh next one is made; the key it
        replaces is kept, with the one before, so envelopes still in transit open, and any older
        one is retired. The receipt key is renewed; the one before stays trusted (receipts
        signed just before the rotation), and older ones are retired: trusted no longer."""
        current, upcoming, *older = self.encryption
        self.encryption = [upcoming, X25519PrivateKey.from_private_bytes(rng(32)), current,
                           *older][:KEPT_ENCRYPTION_KEYS]
        self.receipt = [Ed25519PrivateKey.from_private_bytes(rng(32)), *self.receipt][:KEPT_RECEIPT_KEYS]

    def to_dict(self) -> dict[str, Any]:
        return {"root": raw_private(self.root).hex(),
                "encryption": [raw_private(k).hex() for k in self.encryption],
                "receipt": [raw_private(k).hex() for k in self.receipt]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OfficeKeys:
        return cls(root=Ed25519PrivateKey.from_private_bytes(bytes.fromhex(data["root"])),
                   encryption=[X25519PrivateKey.from_private_bytes(bytes.fromhex(k))
                               for k in data["encryption"]],
                   receipt=[Ed25519PrivateKey.from_private_bytes(bytes.fromhex(k))
                            for k in data["receipt"]])


# -- bundle --------------------------------------------------------------------------------------
ACTIVE_ENCRYPTION_KEYS = 2  # current and next: older keys stay in the office vault only
KEPT_ENCRYPTION_KEYS = 4    # current, next and the two before, for envelopes still in transit
KEPT_RECEIPT_KEYS = 2       # the receipt key and the one before it


def make_bundle(keys: OfficeKeys, *, version: int, issued_at: int, not_after: int, office_name: str,
                revoked_devices: Sequence[bytes] = (), relay: RelayInfo | None = None,
                policy: dict[str, Any] | None = None) -> bytes:
    def entry(public: bytes) -> dict[str, str]:
        return {"kid": kid(public).hex(), "public": public.hex()}

    body = {
        "version": version,
        "issued_at": issued_at,
        "not_after": not_after,
        "office_name": office_name,
        "root": keys.root_public.hex(),
        "encryption_keys": [entry(raw_public(k)) for k in keys.encryption[:ACTIVE_ENCRYPTION_KEYS]],
        "receipt_keys": [entry(raw_public(k)) for k in keys.receipt],
        "revoked_devices": sorted(d.hex() for d in revoked_devices),
        "relay": {"url": relay.url, "public": relay.public.hex()} if relay else None,
        "policy": policy or {},
    }
    return make_doc(DocKind.BUNDLE, keys.root, body)


def _entries(value: Any, what: str) -> tuple[PublicKeyEntry, ...]:
    require(isinstance(value, list) and 0 < len(value) <= 8, Reason.SCHEMA, what)
    entries = []
    for item in value:
        fields = expect_fields(item, {"kid": str, "public": str}, what)
        public = hex_bytes(fields["public"], KEY_LEN, what)
        require(hex_bytes(fields["kid"], KID_LEN, what) == kid(public), Reason.SCHEMA, f"{what} id")
        entries.append(PublicKeyEntry(kid(public), public))
    return tuple(entries)


def open_bundle(data: bytes, root_public: bytes, *, pinned_version: int | None = None,
                pinned_raw: bytes | None = None) -> KeyBundle:
    """Verify a bundle against the pinned root key and refuse a rollback.

    A bundle older than ``pinned_version`` is :attr:`Reason.OLD_BUNDLE`; one with the same
    version must be byte-for-byte the bundle already held.
    """
    doc = open_doc(data, DocKind.BUNDLE, ed25519_public(root_public))
    body = expect_fields(doc.body, {
        "version": int, "issued_at": int, "not_after": int, "office_name": str, "root": str,
        "encryption_keys": list, "receipt_keys": list, "revoked_devices": list,
        "relay": (dict, type(None)), "policy": dict,
    }, "bundle")
    require(hex_bytes(body["root"], KEY_LEN, "bundle root") == root_public, Reason.WRONG_OFFICE)
    require(body["version"] >= 1 and body["issued_at"] < body["not_after"], Reason.SCHEMA, "bundle dates")
    if pinned_version is not None:
        require(body["version"] >= pinned_version, Reason.OLD_BUNDLE)
        if body["version"] == pinned_version and pinned_raw is not None:
            require(data == pinned_raw, Reason.OLD_BUNDLE, "a different bundle with the same version")
    relay = None
    if body["relay"] is not None:
        r = expect_fields(body["relay"], {"url": str, "public": str}, "relay")
        relay = RelayInfo(r["url"], hex_bytes(r["public"], KEY_LEN, "relay key"))
    revoked = body["revoked_devices"]
    require(all(isinstance(d, str) for d in revoked), Reason.SCHEMA, "revoked devices")
    return KeyBundle(
        version=body["version"], issued_at=body["issued_at"], not_after=body["not_after"],
        office_name=body["office_name"], root_public=root_public,
        encryption_keys=_entries(body["encryption_keys"], "encryption keys"),
        receipt_keys=_entries(body["receipt_keys"], "receipt keys"),
        revoked_devices=frozenset(hex_bytes(d, KID_LEN, "revoked device") for d in revoked),
        relay=relay, policy=body["policy"], raw=data,
    )


# -- device certificates ---------------------------------------------------------------------------
def make_certificate(root: Ed25519PrivateKey, *, serial: int, signing_key: bytes, box_key: bytes,
                     label: str, not_before: int, not_after: int) -> bytes:
    body = {"serial": serial, "device_kid": kid(signing_key).hex(), "signing_key": signing_key.hex(),
            "box_key": box_key.hex(), "label": label, "not_before": not_before, "not_after": not_after,
            "root_kid": kid(raw_public(root)).hex()}
    return make_doc(DocKind.CERTIFICATE, root, body)


def open_certificate(data: bytes, root_public: bytes) -> DeviceCertificate:
    doc = open_doc(data, DocKind.CERTIFICATE, ed25519_public(root_public))
    body = expect_fields(doc.body, {
        "serial": int, "device_kid": str, "signing_key": str, "box_key": str, "label": str,
        "not_before": int, "not_after": int, "root_kid": str}, "certificate")
    signing = hex_bytes(body["signing_key"], KEY_LEN, "certificate signing key")
    ed25519_public(signing)
    require(hex_bytes(body["device_kid"], KID_LEN, "certificate device id") == kid(signing),
            Reason.SCHEMA, "certificate device id")
    require(hex_bytes(body["root_kid"], KID_LEN, "certificate office") == kid(root_public), Reason.WRONG_OFFICE)
    require(body["not_before"] < body["not_after"], Reason.SCHEMA, "certificate dates")
    return DeviceCertificate(body["serial"], kid(signing), signing,
                             hex_bytes(body["box_key"], KEY_LEN, "certificate box key"), body["label"],
                             body["not_before"], body["not_after"], kid(root_public), data)


def check_not_expired(not_after: int, now: int, what: str) -> None:
    if now > not_after:
        raise WireError(Reason.EXPIRED, what)
