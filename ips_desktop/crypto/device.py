"""A laptop's own keys, made from the device seed held in its keyslot (DESIGN §3, §5).

The keyslot already protects a random 32-byte device seed beside the database key; the
signing key (Ed25519, signs envelopes and purge certificates) and the message key (X25519,
for sealed office→laptop messages) are derived from it with HKDF, so nothing more is
stored and a quick wipe destroys them with the keyslot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .wire import (
    KID_LEN,
    DocKind,
    Reason,
    SignedDoc,
    ed25519_public,
    expect_fields,
    hex_bytes,
    kid,
    make_doc,
    open_doc,
    raw_public,
    require,
)


def _derive(seed: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"ips-device/v1", info=info).derive(seed)


@dataclass(frozen=True)
class DeviceKeys:
    signing: Ed25519PrivateKey = field(repr=False)
    box: X25519PrivateKey = field(repr=False)

    @classmethod
    def from_seed(cls, seed: bytes) -> DeviceKeys:
        if len(seed) != 32:
            raise ValueError("the device seed is 32 bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(_derive(seed, b"signing")),
                   X25519PrivateKey.from_private_bytes(_derive(seed, b"box")))

    @cached_property
    def signing_public(self) -> bytes:
        return raw_public(self.signing)

    @cached_property
    def box_public(self) -> bytes:
        return raw_public(self.box)

    @cached_property
    def kid(self) -> bytes:
        return kid(self.signing_public)


# -- purge certificates ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PurgeEntry:
    """One purged record, without content: what the office needs to match its own copy."""

    record_id: bytes
    seq: int
    env_hash: bytes
    record_type: str
    purged_at: int

    def to_dict(self) -> dict[str, Any]:
        return {"record_id": self.record_id.hex(), "seq": self.seq, "env_hash": self.env_hash.hex(),
                "record_type": self.record_type, "purged_at": self.purged_at}


def make_purge_certificate(keys: DeviceKeys, *, serial: int, issued_at: int,
                           entries: list[PurgeEntry]) -> bytes:
    """A signed certificate of deletion (DESIGN §5): the office files it per device."""
    body = {"device_kid": keys.kid.hex(), "serial": serial, "issued_at": issued_at,
            "entries": [e.to_dict() for e in entries]}
    return make_doc(DocKind.PURGE_CERTIFICATE, keys.signing, body)


def open_purge_certificate(data: bytes, device_signing_key: bytes) -> tuple[int, int, list[PurgeEntry]]:
    """(serial, issued_at, entries) of a certificate signed by that device."""
    doc: SignedDoc = open_doc(data, DocKind.PURGE_CERTIFICATE, ed25519_public(device_signing_key))
    body = expect_fields(doc.body, {"device_kid": str, "serial": int, "issued_at": int, "entries": list},
                         "purge certificate")
    require(hex_bytes(body["device_kid"], KID_LEN, "device") == kid(device_signing_key), Reason.WRONG_DEVICE)
    entries = []
    for item in body["entries"]:
        e = expect_fields(item, {"record_id": str, "seq": int, "env_hash": str, "record_type": str,
                                 "purged_at": int}, "purge entry")
        entries.append(PurgeEntry(hex_bytes(e["record_id"], 16, "record id"), e["seq"],
                                  hex_bytes(e["env_hash"], 32, "envelope hash"), e["record_type"],
                                  e["purged_at"]))
    return body["serial"], body["issued_at"], entries
