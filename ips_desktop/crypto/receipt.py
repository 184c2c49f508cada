"""Signed receipts (DESIGN §5 "Receipts"; research/sealed_sync.md §2.5).

Fixed layout, big-endian::

    magic "IPSRCPT" 7 | version 1 | bundle version 8 | signer key id 16 | sender key id 16
    | seq 8 | record id 16 | envelope hash 32 | status 1 | reason 1 | cumulative seq 8
    | office time 8 | Ed25519 signature 64 over len||"ips-rcpt/v1"||everything before it

* **STORED** is signed by the relay: stop retrying; never a reason to delete.
* **VERIFIED** is signed by an office receipt key from the pinned bundle: the office opened,
  checked and committed the record. Only this allows a purge, and only when it names the
  exact envelope the laptop still holds.
* **REJECTED** is office-signed with a reason: the laptop keeps the record and says why.

``cumulative seq`` is the highest n such that the office holds 1..n from this device, so the
laptop sees an envelope the relay dropped.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from enum import IntEnum

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .office_keys import KeyBundle
from .wire import (
    SIG_LEN,
    TAG_RECEIPT,
    Reason,
    WireError,
    ed25519_public,
    kid,
    raw_public,
    require,
    sign,
    verify,
)

MAGIC = b"IPSRCPT"
VERSION = 1
_BODY = struct.Struct(">7sBQ16s16sQ16s32sBBQQ")
RECEIPT_LEN = _BODY.size + SIG_LEN


class Status(IntEnum):
    STORED = 1
    VERIFIED = 2
    REJECTED = 3


# Reason codes on the wire. Append only: a code never changes meaning.
REASON_CODES: dict[Reason, int] = {reason: n for n, reason in enumerate(Reason, start=1)}
_CODE_REASONS = {n: reason for reason, n in REASON_CODES.items()}


@dataclass(frozen=True)
class Receipt:
    bundle_version: int
    signer_kid: bytes
    sender_kid: bytes
    seq: int
    record_id: bytes
    env_hash: bytes
    status: Status
    reason: Reason | None
    cum_seq: int
    office_time: int
    raw: bytes = field(repr=False, compare=False)


def make_receipt(signer: Ed25519PrivateKey, *, status: Status, bundle_version: int, sender_kid: bytes,
                 seq: int, record_id: bytes, env_hash: bytes, cum_seq: int, office_time: int,
                 reason: Reason | None = None) -> bytes:
    if (status is Status.REJECTED) != (reason is not None):
        raise ValueError("a rejection, and only a rejection, carries a reason")
    body = _BODY.pack(MAGIC, VERSION, bundle_version, kid(raw_public(signer)), sender_kid, seq, record_id,
                      env_hash, int(status), REASON_CODES[reason] if reason else 0, cum_seq, office_time)
    return body + sign(signer, TAG_RECEIPT, body)


def parse_receipt(data: bytes) -> tuple[Receipt, bytes, bytes]:
    """Strict structural parse: (receipt, signed bytes, signature). Nothing is verified yet."""
    require(len(data) >= RECEIPT_LEN, Reason.TRUNCATED, "receipt")
    require(len(data) == RECEIPT_LEN, Reason.TRAILING_BYTES, "receipt")
    (magic, version, bundle_version, signer, sender, seq, record_id, env_hash, status, code, cum_seq,
     office_time) = _BODY.unpack_from(data)
    require(magic == MAGIC, Reason.BAD_MAGIC)
    require(version == VERSION, Reason.UNKNOWN_VERSION)
    require(status in {s.value for s in Status}, Reason.SCHEMA, "receipt status")
    state = Status(status)
    if state is Status.REJECTED:
        require(code in _CODE_REASONS, Reason.SCHEMA, "rejection reason")
    else:
        require(code == 0, Reason.SCHEMA, "reason on a receipt that is not a rejection")
    require(seq >= 1, Reason.SCHEMA, "sequence number")
    receipt = Receipt(bundle_version, signer, sender, seq, record_id, env_hash, state,
                      _CODE_REASONS.get(code), cum_seq, office_time, data)
    return receipt, data[:_BODY.size], data[_BODY.size:]


@dataclass(frozen=True)
class Expected:
    """What the laptop knows about the envelope it still holds."""

    sender_kid: bytes
    seq: int
    record_id: bytes
    env_hash: bytes
    bundle_version: int


def verify_receipt(data: bytes, bundle: KeyBundle, expected: Expected) -> Receipt:
    """Check a receipt against the pinned bundle and the envelope held.

    A STORED receipt must be signed by the bundle's relay key; VERIFIED and REJECTED by an
    office receipt key. A relay-signed VERIFIED is :attr:`Reason.NOT_OFFICE_KEY`.
    """
    receipt, signed, signature = parse_receipt(data)
    relay_kid = bundle.relay.kid if bundle.relay else None
    if receipt.status is Status.STORED:
        if bundle.relay is None or receipt.signer_kid != relay_kid:
            raise WireError(Reason.UNKNOWN_SIGNER)
        public = ed25519_public(bundle.relay.public)
    else:
        office_key = bundle.receipt_key(receipt.signer_kid)
        if office_key is None:
            require(receipt.signer_kid != relay_kid, Reason.NOT_OFFICE_KEY)
            raise WireError(Reason.UNKNOWN_SIGNER)
        public = office_key
    verify(public, signature, TAG_RECEIPT, signed)
    require(receipt.sender_kid == expected.sender_kid, Reason.WRONG_DEVICE)
    require(receipt.env_hash == expected.env_hash and receipt.seq == expected.seq
            and receipt.record_id == expected.record_id, Reason.WRONG_ENVELOPE)
    require(receipt.bundle_version >= expected.bundle_version, Reason.OLD_BUNDLE)
    return receipt
