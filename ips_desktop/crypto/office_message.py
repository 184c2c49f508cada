"""Messages from the office to one laptop (DESIGN §5, §6, §8): a visit approved or refused, a
check-in the PPO took by phone, a claim received, approved or returned, a case allocated, the
PPO's decision to continue or stop a case after a difficult visit.

Sealed to the device's box key from its certificate (X25519 with a fresh ephemeral key,
HKDF-SHA256, ChaCha20-Poly1305, the header as associated data) and signed by an office
receipt key the laptop has pinned in the office bundle, so the relay or a drop folder in
between can neither read nor forge one. Fixed header, strict parse, fail closed:

    magic "IPSMSG" | version u8 | signer kid 16 | device kid 16 | serial u64 | ephemeral 32 |
    ciphertext length u32 | ciphertext | signature 64

The serial only ever increases per office, so the laptop applies each message once, in order.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .office_keys import DeviceCertificate, KeyBundle
from .wire import (
    KID_LEN,
    SIG_LEN,
    Reason,
    WireError,
    canonical_json,
    expect_fields,
    kid,
    parse_canonical_json,
    raw_public,
    require,
    sign,
    verify,
    x25519_public,
)

Rng = Callable[[int], bytes]
MAGIC = b"IPSMSG"
VERSION = 1
TAG_MESSAGE = b"ips-office-msg/v1"
_HEADER = struct.Struct(">6sB16s16sQ32sI")
HEADER_LEN = _HEADER.size
MAX_CIPHERTEXT = 64 * 1024


class MessageKind(StrEnum):
    VISIT_APPROVED = "visit_approved"
    VISIT_REFUSED = "visit_refused"
    CHECK_IN_RECORDED = "check_in_recorded"
    CLAIM_STATUS = "claim_status"
    CASE_ALLOCATED = "case_allocated"
    CASE_DECISION = "case_decision"


_BODY_FIELDS: dict[MessageKind, dict[str, type | tuple[type, ...]]] = {
    MessageKind.VISIT_APPROVED: {"visit_id": str, "by": str, "checks": str},
    MessageKind.VISIT_REFUSED: {"visit_id": str, "by": str, "reason": str},
    MessageKind.CHECK_IN_RECORDED: {"visit_id": str, "by": str},
    MessageKind.CLAIM_STATUS: {"month": str, "state": str, "reason": str, "by": str},
    MessageKind.CASE_ALLOCATED: {"reference": str, "initial": str, "brief": str, "by": str},
    MessageKind.CASE_DECISION: {"reference": str, "decision": str, "note": str, "by": str},
}


@dataclass(frozen=True)
class OfficeMessage:
    kind: MessageKind
    serial: int
    issued_at: int
    body: dict[str, Any]
    signer_kid: bytes


def _key(shared: bytes, ephemeral: bytes, recipient: bytes, header: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient,
                info=TAG_MESSAGE + hashlib.sha256(header).digest()).derive(shared)


def make_message(signer: Ed25519PrivateKey, device: DeviceCertificate, *, kind: MessageKind, serial: int,
                 issued_at: int, body: dict[str, Any], rng: Rng = os.urandom) -> bytes:
    expect_fields(body, _BODY_FIELDS[kind], f"{kind.value} message")
    if serial < 1:
        raise ValueError("message serials start at 1")
    inner = canonical_json({"kind": kind.value, "serial": serial, "issued_at": issued_at,
                            "device": device.device_kid.hex(), "body": body})
    ephemeral = X25519PrivateKey.from_private_bytes(rng(32))
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    header = _HEADER.pack(MAGIC, VERSION, kid(raw_public(signer)), device.device_kid, serial, ephemeral_public,
                          len(inner) + 16)
    key = _key(ephemeral.exchange(x25519_public(device.box_key)), ephemeral_public, device.box_key, header)
    ciphertext = ChaCha20Poly1305(key).encrypt(bytes(12), inner, header)
    return header + ciphertext + sign(signer, TAG_MESSAGE, header + ciphertext)


def peek_serial(data: bytes) -> int:
    """The serial from the header, for ordering before opening; raises on a malformed frame."""
    require(len(data) >= HEADER_LEN, Reason.TRUNCATED, "message")
    magic, version, _, _, serial, _, _ = _HEADER.unpack_from(data)
    require(magic == MAGIC, Reason.BAD_MAGIC)
    require(version == VERSION, Reason.UNKNOWN_VERSION)
    return int(serial)


def open_message(data: bytes, *, device_kid: bytes, box_key: X25519PrivateKey, bundle: KeyBundle) -> OfficeMessage:
    """Check and open a message for this laptop. Raises :class:`WireError` with the reason."""
    require(len(data) >= HEADER_LEN + SIG_LEN, Reason.TRUNCATED, "message")
    magic, version, signer_kid, recipient_kid, serial, ephemeral, length = _HEADER.unpack_from(data)
    require(magic == MAGIC, Reason.BAD_MAGIC)
    require(version == VERSION, Reason.UNKNOWN_VERSION)
    require(16 < length <= MAX_CIPHERTEXT, Reason.BAD_LENGTH, "ciphertext length")
    require(len(data) == HEADER_LEN + length + SIG_LEN, Reason.BAD_LENGTH, "message length")
    require(recipient_kid == device_kid, Reason.UNKNOWN_RECIPIENT, "message for another laptop")
    public = bundle.receipt_key(signer_kid)
    require(public is not None, Reason.UNKNOWN_SIGNER, "message signer")
    assert public is not None
    header, ciphertext = data[:HEADER_LEN], data[HEADER_LEN:HEADER_LEN + length]
    verify(public, data[HEADER_LEN + length:], TAG_MESSAGE, header + ciphertext)
    box_public = box_key.public_key().public_bytes_raw()
    key = _key(box_key.exchange(x25519_public(ephemeral)), ephemeral, box_public, header)
    try:
        inner = ChaCha20Poly1305(key).decrypt(bytes(12), ciphertext, header)
    except InvalidTag:
        raise WireError(Reason.AEAD_FAILURE) from None
    fields = expect_fields(parse_canonical_json(inner), {"kind": str, "serial": int, "issued_at": int,
                                                         "device": str, "body": dict}, "message")
    try:
        kind = MessageKind(fields["kind"])
    except ValueError:
        raise WireError(Reason.SCHEMA, "message kind") from None
    require(fields["serial"] == serial and fields["device"] == device_kid.hex(), Reason.SCHEMA, "message header")
    body = expect_fields(fields["body"], _BODY_FIELDS[kind], f"{kind.value} message")
    require(len(signer_kid) == KID_LEN, Reason.BAD_LENGTH)
    return OfficeMessage(kind, serial, fields["issued_at"], body, signer_kid)
