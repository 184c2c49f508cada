"""The sealed envelope, "seal v1" (DESIGN §5; research/sealed_sync.md §2.3).

Layout, big-endian, every field fixed-length, no optional fields, no negotiation::

    HEADER (110 bytes)
      magic "IPSSEAL" 7 | version 1 | suite 1 | flags 1 (0) | bundle version 8
      | recipient key id 16 | sender key id 16 | seq 8 | previous envelope hash 32
      | record id 16 | ciphertext length 4
    CIPHERTEXT  ephemeral X25519 public key 32 | ChaCha20-Poly1305(padded inner) + tag 16
    SIGNATURE   Ed25519(device key, len||"ips-seal/v1"||HEADER||CIPHERTEXT) 64

The payload key is HKDF-SHA256(X25519(ephemeral, office key), salt = ephemeral || office key,
info = "ips-seal/v1/payload" || SHA-256(HEADER)); the whole header is also the AEAD's
associated data, so flipping any header byte makes decryption fail. The key is used once,
so the nonce is zero (as in age).

Inside (padded to a size bucket so the length says little)::

    meta length u32 | meta (canonical JSON) | attachment bytes in order | zero padding

The padding is Padmé (at most 12 % over the true length, 4 KiB at least). The meta holds
the record type, case reference, times, the sender key id again, what the record
supersedes, its retention class, its body and each attachment's name, type, size and
SHA-256. Nothing that names the case or the record type is outside.

The office verifies before it decrypts: strict parse, known recipient key, bundle version,
enrolled and unrevoked sender, signature, then the AEAD, then the schema. Nothing is
released unless every step passes.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .office_keys import DeviceCertificate, KeyBundle, check_not_expired
from .wire import (
    KEY_LEN,
    KID_LEN,
    SIG_LEN,
    TAG_SEAL,
    Reason,
    WireError,
    canonical_json,
    ed25519_public,
    expect_fields,
    hex_bytes,
    kid,
    parse_canonical_json,
    raw_public,
    require,
    sign,
    verify,
    x25519_public,
)

Rng = Callable[[int], bytes]

MAGIC = b"IPSSEAL"
VERSION = 1
SUITE_X25519_CHACHA = 1
_HEADER = struct.Struct(">7sBBBQ16s16sQ32s16sI")
HEADER_LEN = _HEADER.size
HASH_LEN = 32
RECORD_ID_LEN = 16
_TAG = 16
MIN_BUCKET = 4096
MIB = 1 << 20
MAX_INNER = 64 * MIB
_OVERHEAD = KEY_LEN + _TAG
_PAYLOAD_INFO = b"ips-seal/v1/payload"
ZERO_HASH = bytes(HASH_LEN)


def bucket_size(n: int) -> int:
    """Padmé padding (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and
    Communication with PURBs", PETS 2019), never below 4 KiB: the padded length keeps only
    the top O(log log n) bits of the true length, at most 12 % larger than it."""
    if n <= MIN_BUCKET:
        return MIN_BUCKET
    exponent = n.bit_length() - 1
    low_bits = exponent - exponent.bit_length()
    mask = (1 << low_bits) - 1
    return (n + mask) & ~mask


def is_bucket_size(n: int) -> bool:
    return MIN_BUCKET <= n <= MAX_INNER and bucket_size(n) == n


@dataclass(frozen=True)
class Header:
    bundle_version: int
    recipient_kid: bytes
    sender_kid: bytes
    seq: int
    prev_hash: bytes
    record_id: bytes
    ct_len: int
    suite: int = SUITE_X25519_CHACHA
    flags: int = 0

    def pack(self) -> bytes:
        return _HEADER.pack(MAGIC, VERSION, self.suite, self.flags, self.bundle_version, self.recipient_kid,
                            self.sender_kid, self.seq, self.prev_hash, self.record_id, self.ct_len)


@dataclass(frozen=True)
class Attachment:
    name: str
    mime: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class RecordContent:
    """What is sealed. ``body`` is the record's own dictionary (``to_dict`` of a domain record)."""

    record_type: str
    case_ref: str | None
    created_at: int
    sealed_at: int
    retention_class: str
    body: dict[str, Any] = field(repr=False)
    supersedes: bytes | None = None
    priority: int = 0
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class ParsedEnvelope:
    header: Header
    header_bytes: bytes = field(repr=False)
    ciphertext: bytes = field(repr=False)
    signature: bytes = field(repr=False)
    raw: bytes = field(repr=False)

    @property
    def env_hash(self) -> bytes:
        return envelope_hash(self.raw)


@dataclass(frozen=True)
class Opened:
    """An envelope that passed every check, and its content."""

    header: Header
    env_hash: bytes
    content: RecordContent
    plaintext_sha256: bytes


def envelope_hash(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# -- inner payload -------------------------------------------------------------------------------------
_META_FIELDS: dict[str, type | tuple[type, ...]] = {
    "schema": int, "record_type": str, "case_ref": (str, type(None)), "created_at": int, "sealed_at": int,
    "device_kid": str, "supersedes": (str, type(None)), "retention_class": str, "priority": int,
    "body": dict, "attachments": list,
}
_ATTACHMENT_FIELDS: dict[str, type | tuple[type, ...]] = {"name": str, "mime": str, "size": int, "sha256": str}


def encode_inner(content: RecordContent, sender_kid: bytes) -> bytes:
    meta = canonical_json({
        "schema": 1,
        "record_type": content.record_type,
        "case_ref": content.case_ref,
        "created_at": content.created_at,
        "sealed_at": content.sealed_at,
        "device_kid": sender_kid.hex(),
        "supersedes": content.supersedes.hex() if content.supersedes else None,
        "retention_class": content.retention_class,
        "priority": content.priority,
        "body": content.body,
        "attachments": [{"name": a.name, "mime": a.mime, "size": len(a.data),
                         "sha256": hashlib.sha256(a.data).hexdigest()} for a in content.attachments],
    })
    parts = [struct.pack(">I", len(meta)), meta, *(a.data for a in content.attachments)]
    used = sum(len(p) for p in parts)
    if used > MAX_INNER:
        raise ValueError("record too large to seal (64 MiB with attachments)")
    return b"".join(parts) + bytes(bucket_size(used) - used)


def decode_inner(plain: bytes, sender_kid: bytes) -> RecordContent:
    require(len(plain) >= 4, Reason.SCHEMA, "inner length")
    (meta_len,) = struct.unpack_from(">I", plain)
    require(4 + meta_len <= len(plain), Reason.SCHEMA, "meta length")
    meta = expect_fields(parse_canonical_json(plain[4:4 + meta_len]), _META_FIELDS, "record")
    require(meta["schema"] == 1, Reason.SCHEMA, "record schema version")
    require(hex_bytes(meta["device_kid"], KID_LEN, "device id") == sender_kid, Reason.SENDER_MISMATCH)
    supersedes = None
    if meta["supersedes"] is not None:
        supersedes = hex_bytes(meta["supersedes"], RECORD_ID_LEN, "supersedes")
    offset = 4 + meta_len
    attachments = []
    for item in meta["attachments"]:
        a = expect_fields(item, _ATTACHMENT_FIELDS, "attachment")
        require(0 <= a["size"] <= len(plain) - offset, Reason.SCHEMA, "attachment size")
        data = plain[offset:offset + a["size"]]
        require(hashlib.sha256(data).digest() == hex_bytes(a["sha256"], HASH_LEN, "attachment hash"),
                Reason.SCHEMA, "attachment hash")
        attachments.append(Attachment(a["name"], a["mime"], data))
        offset += a["size"]
    require(not any(plain[offset:]), Reason.SCHEMA, "padding is not zero")
    require(len(plain) == bucket_size(offset), Reason.SCHEMA, "padding length")
    return RecordContent(meta["record_type"], meta["case_ref"], meta["created_at"], meta["sealed_at"],
                         meta["retention_class"], meta["body"], supersedes, meta["priority"],
                         tuple(attachments))


# -- sealing -----------------------------------------------------------------------------------------
def _payload_key(shared: bytes, ephemeral: bytes, recipient: bytes, header: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient,
                info=_PAYLOAD_INFO + hashlib.sha256(header).digest()).derive(shared)


def seal(content: RecordContent, *, device_key: Ed25519PrivateKey, bundle: KeyBundle, seq: int,
         prev_hash: bytes, record_id: bytes, now: int, rng: Rng = os.urandom, sender_kid: bytes | None = None) -> bytes:
    """Seal one record to the bundle's current office key and sign it with the device key.

    Refuses an expired bundle: sealing to a key the office may have retired would strand
    the record. ``seq`` starts at 1; ``prev_hash`` is the hash of envelope ``seq - 1``.
    """
    check_not_expired(bundle.not_after, now, "office key bundle")
    if seq < 1 or len(prev_hash) != HASH_LEN or len(record_id) != RECORD_ID_LEN:
        raise ValueError("bad sequence, previous hash or record id")
    if (seq == 1) != (prev_hash == ZERO_HASH):
        raise ValueError("the first envelope, and only it, has a zero previous hash")
    sender_kid = sender_kid or kid(raw_public(device_key))
    return seal_inner(encode_inner(content, sender_kid), device_key=device_key, bundle_version=bundle.version,
                      recipient_public=bundle.current_encryption_key.public, seq=seq, prev_hash=prev_hash,
                      record_id=record_id, rng=rng, sender_kid=sender_kid)


def seal_inner(inner: bytes, *, device_key: Ed25519PrivateKey, bundle_version: int, recipient_public: bytes,
               seq: int, prev_hash: bytes, record_id: bytes, rng: Rng = os.urandom,
               sender_kid: bytes | None = None) -> bytes:
    """The cryptographic core of :func:`seal` over an already encoded, padded inner payload."""
    header = Header(bundle_version, kid(recipient_public), sender_kid or kid(raw_public(device_key)), seq,
                    prev_hash, record_id, _OVERHEAD + len(inner)).pack()
    ephemeral = X25519PrivateKey.from_private_bytes(rng(32))
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(x25519_public(recipient_public))
    key = _payload_key(shared, ephemeral_public, recipient_public, header)
    ciphertext = ephemeral_public + ChaCha20Poly1305(key).encrypt(bytes(12), inner, header)
    return header + ciphertext + sign(device_key, TAG_SEAL, header + ciphertext)


# -- opening -------------------------------------------------------------------------------------------
def parse(data: bytes) -> ParsedEnvelope:
    """Strict structural parse. No key is used; nothing is decrypted."""
    require(len(data) >= HEADER_LEN, Reason.TRUNCATED, "header")
    magic, version, suite, flags, bundle_version, rcpt, sender, seq, prev, record_id, ct_len = \
        _HEADER.unpack_from(data)
    require(magic == MAGIC, Reason.BAD_MAGIC)
    require(version == VERSION, Reason.UNKNOWN_VERSION)
    require(suite == SUITE_X25519_CHACHA, Reason.UNKNOWN_SUITE)
    require(flags == 0, Reason.BAD_FLAGS)
    require(seq >= 1, Reason.BAD_LENGTH, "sequence number")
    require((seq == 1) == (prev == ZERO_HASH), Reason.FORK, "previous hash")
    require(is_bucket_size(ct_len - _OVERHEAD), Reason.BAD_LENGTH, "ciphertext length")
    end = HEADER_LEN + ct_len
    require(len(data) >= end + SIG_LEN, Reason.TRUNCATED, "ciphertext or signature")
    require(len(data) == end + SIG_LEN, Reason.TRAILING_BYTES)
    header = Header(bundle_version, rcpt, sender, seq, prev, record_id, ct_len, suite, flags)
    return ParsedEnvelope(header, data[:HEADER_LEN], data[HEADER_LEN:end], data[end:], data)


def verify_sender(env: ParsedEnvelope, certificate: DeviceCertificate) -> None:
    """The signature check the relay can make too: needs no decryption key."""
    require(certificate.device_kid == env.header.sender_kid, Reason.UNKNOWN_SENDER)
    verify(ed25519_public(certificate.signing_key), env.signature, TAG_SEAL, env.header_bytes + env.ciphertext)


def decrypt(env: ParsedEnvelope, office_key: X25519PrivateKey) -> tuple[RecordContent, bytes]:
    """Open the ciphertext; returns the content and the SHA-256 of the released plaintext."""
    ephemeral = env.ciphertext[:KEY_LEN]
    recipient = raw_public(office_key)
    try:
        shared = office_key.exchange(x25519_public(ephemeral))
    except ValueError:  # low-order or all-zero point: the shared secret would be zero
        raise WireError(Reason.BAD_KEY, "ephemeral key") from None
    key = _payload_key(shared, ephemeral, recipient, env.header_bytes)
    try:
        plain = ChaCha20Poly1305(key).decrypt(bytes(12), env.ciphertext[KEY_LEN:], env.header_bytes)
    except InvalidTag:
        raise WireError(Reason.AEAD_FAILURE) from None
    content = decode_inner(plain, env.header.sender_kid)
    return content, hashlib.sha256(plain).digest()


@dataclass(frozen=True)
class Recipient:
    """What the office knows when it opens an envelope."""

    encryption_keys: Mapping[bytes, X25519PrivateKey] = field(repr=False)
    devices: Mapping[bytes, DeviceCertificate]
    revoked: frozenset[bytes]
    min_bundle_version: int
    now: int


def open_envelope(data: bytes, recipient: Recipient) -> Opened:
    """Every check in the office's order (verify first, then decrypt); fail closed."""
    env = parse(data)
    h = env.header
    office_key = recipient.encryption_keys.get(h.recipient_kid)
    if office_key is None:
        raise WireError(Reason.UNKNOWN_RECIPIENT)
    require(h.bundle_version >= recipient.min_bundle_version, Reason.OLD_BUNDLE)
    certificate = recipient.devices.get(h.sender_kid)
    if certificate is None:
        raise WireError(Reason.UNKNOWN_SENDER)
    require(h.sender_kid not in recipient.revoked, Reason.REVOKED)
    verify_sender(env, certificate)
    require(certificate.valid_at(recipient.now), Reason.EXPIRED, "device certificate")
    content, released = decrypt(env, office_key)
    return Opened(h, env.env_hash, content, released)


# -- the per-device chain ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainEntry:
    env_hash: bytes
    prev_hash: bytes


class ChainVerdict:
    NEW = "new"
    DUPLICATE = "duplicate"
    GAP = "gap"


def check_chain(known: Mapping[int, ChainEntry], header: Header, env_hash: bytes) -> str:
    """Where an envelope sits in its device's chain (research §2.4).

    The same sequence number and hash again is a duplicate (answer with the same receipt);
    the same sequence number with another hash, or a previous hash that does not link to
    the neighbour the office holds, is a fork (raises). A missing predecessor is a gap: the
    envelope is kept and the gap reported, because the relay may deliver out of order.
    """
    seen = known.get(header.seq)
    if seen is not None:
        require(seen.env_hash == env_hash, Reason.FORK, "same sequence number, different envelope")
        return ChainVerdict.DUPLICATE
    before = known.get(header.seq - 1)
    if before is not None:
        require(before.env_hash == header.prev_hash, Reason.FORK, "does not follow the previous envelope")
    after = known.get(header.seq + 1)
    if after is not None:
        require(after.prev_hash == env_hash, Reason.FORK, "the next envelope does not follow it")
    if header.seq > 1 and before is None:
        return ChainVerdict.GAP
    return ChainVerdict.NEW
