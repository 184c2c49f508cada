"""Shared rules of every sealed-sync message: typed failures, key ids, domain-separated
signatures, canonical JSON and the signed-document frame.

Everything here fails closed. A parser that meets something it does not expect raises
:class:`WireError` with one :class:`Reason`; callers never see a half-parsed value. The
reasons are what the test vectors name as their expected outcome (DESIGN §10).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from enum import Enum
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat


class Reason(Enum):
    """Why a message was refused. The value is the outcome name used by the test vectors; the
    order is part of the wire format (``crypto.receipt.REASON_CODES`` numbers them from 1)."""

    TRUNCATED = "truncated"
    TRAILING_BYTES = "trailing_bytes"
    BAD_MAGIC = "bad_magic"
    UNKNOWN_VERSION = "unknown_version"
    UNKNOWN_SUITE = "unknown_suite"
    BAD_FLAGS = "bad_flags"
    BAD_LENGTH = "bad_length"
    UNKNOWN_RECIPIENT = "unknown_recipient"
    UNKNOWN_SENDER = "unknown_sender"
    UNKNOWN_SIGNER = "unknown_signer"
    REVOKED = "revoked"
    OLD_BUNDLE = "old_bundle"
    EXPIRED = "expired"
    BAD_SIGNATURE = "bad_signature"
    BAD_KEY = "bad_key"
    AEAD_FAILURE = "aead_failure"
    SCHEMA = "schema_failure"
    SENDER_MISMATCH = "sender_mismatch"
    FORK = "fork"
    WRONG_ENVELOPE = "wrong_envelope"
    WRONG_DEVICE = "wrong_device"
    NOT_OFFICE_KEY = "not_office_key"
    BAD_MAC = "bad_mac"
    WRONG_OFFICE = "wrong_office"
    # New reasons go at the end only: a receipt carries a reason as its position in this list.
    DUPLICATE_ID = "duplicate_id"


# What a volunteer or PPO is told. Never includes content; says what to do.
REASON_TEXT: dict[Reason, str] = {
    Reason.TRUNCATED: "the message was cut short in transit",
    Reason.TRAILING_BYTES: "the message had extra bytes added in transit",
    Reason.BAD_MAGIC: "this is not an IPS Desktop message",
    Reason.UNKNOWN_VERSION: "the message was written by a newer version of IPS Desktop",
    Reason.UNKNOWN_SUITE: "the message uses an encryption scheme this version does not accept",
    Reason.BAD_FLAGS: "the message header is malformed",
    Reason.BAD_LENGTH: "a length in the message is wrong",
    Reason.UNKNOWN_RECIPIENT: "it is sealed to an office key this office does not hold",
    Reason.UNKNOWN_SENDER: "it comes from a device this office has not enrolled",
    Reason.UNKNOWN_SIGNER: "it is signed by a key the office key bundle does not list",
    Reason.REVOKED: "it comes from a device whose enrolment was revoked",
    Reason.OLD_BUNDLE: "it uses an office key bundle older than the current one",
    Reason.EXPIRED: "a key or certificate in it is outside its validity dates",
    Reason.BAD_SIGNATURE: "its signature does not verify",
    Reason.BAD_KEY: "it carries an invalid public key",
    Reason.AEAD_FAILURE: "it does not decrypt: it was altered or sealed to another key",
    Reason.SCHEMA: "its contents are not a valid record",
    Reason.SENDER_MISMATCH: "the sender inside does not match the sender outside",
    Reason.FORK: "the device sent two different messages with the same sequence number",
    Reason.DUPLICATE_ID: "it reuses the id of a record the office already holds",
    Reason.WRONG_ENVELOPE: "the receipt is for a different envelope",
    Reason.WRONG_DEVICE: "the receipt is for a different device",
    Reason.NOT_OFFICE_KEY: "the receipt is not signed by an office receipt key",
    Reason.BAD_MAC: "the enrolment code does not match",
    Reason.WRONG_OFFICE: "it comes from a different office than the one this laptop is enrolled with",
}


class WireError(Exception):
    """A message was refused. ``reason`` is typed; ``str()`` is safe to show and log."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        text = REASON_TEXT[reason]
        super().__init__(f"{text} ({detail})" if detail else text)


def require(condition: bool, reason: Reason, detail: str = "") -> None:
    if not condition:
        raise WireError(reason, detail)


# -- keys ---------------------------------------------------------------------------------------
KID_LEN = 16
SIG_LEN = 64
KEY_LEN = 32


def kid(public: bytes) -> bytes:
    """A key's 16-byte id: the first half of SHA-256 of its raw public bytes."""
    return hashlib.sha256(public).digest()[:KID_LEN]


def raw_public(key: Ed25519PrivateKey | X25519PrivateKey | Ed25519PublicKey | X25519PublicKey) -> bytes:
    if isinstance(key, Ed25519PublicKey | X25519PublicKey):
        return key.public_bytes_raw()
    return key.public_key().public_bytes_raw()


def raw_private(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def fingerprint(public: bytes) -> str:
    """What people compare by eye: the key id as eight groups of four hex digits."""
    h = kid(public).hex().upper()
    return " ".join(h[i:i + 4] for i in range(0, len(h), 4))


def ed25519_public(raw: bytes) -> Ed25519PublicKey:
    require(len(raw) == KEY_LEN, Reason.BAD_KEY, "signing key length")
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise WireError(Reason.BAD_KEY, "signing key") from None


def x25519_public(raw: bytes) -> X25519PublicKey:
    require(len(raw) == KEY_LEN, Reason.BAD_KEY, "encryption key length")
    return X25519PublicKey.from_public_bytes(raw)


# -- domain-separated signatures -----------------------------------------------------------------
TAG_BUNDLE = b"ips-okb/v1"
TAG_CERT = b"ips-cert/v1"
TAG_SEAL = b"ips-seal/v1"
TAG_RECEIPT = b"ips-rcpt/v1"
TAG_MESSAGE = b"ips-msg/v1"
TAG_PURGE = b"ips-purge/v1"
TAG_REQUEST = b"ips-req/v1"


def _preimage(tag: bytes, body: bytes) -> bytes:
    return bytes([len(tag)]) + tag + body


def sign(key: Ed25519PrivateKey, tag: bytes, body: bytes) -> bytes:
    return key.sign(_preimage(tag, body))


def verify(public: Ed25519PublicKey, signature: bytes, tag: bytes, body: bytes) -> None:
    try:
        public.verify(signature, _preimage(tag, body))
    except InvalidSignature:
        raise WireError(Reason.BAD_SIGNATURE) from None


# -- canonical JSON ------------------------------------------------------------------------------
# orjson writes exactly what ``json.dumps(sort_keys=True, separators=(",", ":"),
# ensure_ascii=False)`` writes, about fifteen times faster: sealing a note costs a JSON
# encoding of its body, and this keeps that small next to the cryptography.
def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8, integers and strings only: one encoding per value."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError as exc:  # orjson.JSONEncodeError: not JSON, or a lone surrogate
        raise ValueError(f"not encodable as canonical JSON: {exc}") from None


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    return False


def parse_canonical_json(data: bytes) -> Any:
    """Parse, then insist the bytes are exactly the canonical encoding of what was parsed
    (which also refuses repeated keys) and that no number is a float."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise WireError(Reason.SCHEMA, "not canonical JSON") from None
    require(not _has_float(value), Reason.SCHEMA, "floats are not canonical")
    try:
        encoded = canonical_json(value)
    except ValueError:
        raise WireError(Reason.SCHEMA, "not canonical JSON") from None
    require(encoded == data, Reason.SCHEMA, "not canonical JSON")
    return value


def expect_fields(obj: Any, fields: dict[str, type | tuple[type, ...]], what: str) -> dict[str, Any]:
    """Exactly these keys with these types (bool is not an int here), or SCHEMA."""
    require(isinstance(obj, dict), Reason.SCHEMA, f"{what} is not an object")
    require(set(obj) == set(fields), Reason.SCHEMA, f"{what} fields")
    for name, kind in fields.items():
        value = obj[name]
        ok = isinstance(value, kind) and not (isinstance(value, bool) and bool not in _tuple(kind))
        require(ok, Reason.SCHEMA, f"{what}.{name}")
    return dict(obj)


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def hex_bytes(value: Any, length: int, what: str) -> bytes:
    require(isinstance(value, str) and len(value) == 2 * length, Reason.SCHEMA, what)
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise WireError(Reason.SCHEMA, what) from None
    require(raw.hex() == value, Reason.SCHEMA, what)
    return raw


# -- signed documents ----------------------------------------------------------------------------
# magic "IPSDOC" | version u8 | kind u8 | signer kid 16 | body length u32 | body | signature 64
DOC_MAGIC = b"IPSDOC"
DOC_VERSION = 1
_DOC_HEAD = struct.Struct(">6sBB16sI")
MAX_DOC_BODY = 1 << 20


class DocKind(Enum):
    BUNDLE = 1
    CERTIFICATE = 2
    MESSAGE = 3
    PURGE_CERTIFICATE = 4


_DOC_TAGS = {DocKind.BUNDLE: TAG_BUNDLE, DocKind.CERTIFICATE: TAG_CERT,
             DocKind.MESSAGE: TAG_MESSAGE, DocKind.PURGE_CERTIFICATE: TAG_PURGE}


@dataclass(frozen=True)
class SignedDoc:
    kind: DocKind
    signer_kid: bytes
    body: Any
    raw: bytes


def make_doc(kind: DocKind, signer: Ed25519PrivateKey, body: Any) -> bytes:
    encoded = canonical_json(body)
    head = _DOC_HEAD.pack(DOC_MAGIC, DOC_VERSION, kind.value, kid(raw_public(signer)), len(encoded))
    return head + encoded + sign(signer, _DOC_TAGS[kind], head + encoded)


def read_doc_frame(data: bytes, kind: DocKind) -> tuple[bytes, bytes, bytes]:
    """Strict frame parse without verifying: (signer kid, signed part, signature)."""
    require(len(data) >= _DOC_HEAD.size + SIG_LEN, Reason.TRUNCATED)
    magic, version, doc_kind, signer, length = _DOC_HEAD.unpack_from(data)
    require(magic == DOC_MAGIC, Reason.BAD_MAGIC)
    require(version == DOC_VERSION, Reason.UNKNOWN_VERSION)
    require(doc_kind == kind.value, Reason.SCHEMA, "document kind")
    require(length <= MAX_DOC_BODY, Reason.BAD_LENGTH)
    end = _DOC_HEAD.size + length
    require(len(data) >= end + SIG_LEN, Reason.TRUNCATED)
    require(len(data) == end + SIG_LEN, Reason.TRAILING_BYTES)
    return signer, data[:end], data[end:]


def open_doc(data: bytes, kind: DocKind, signer: Ed25519PublicKey) -> SignedDoc:
    """Verify a document's signature by ``signer`` and parse its canonical body."""
    signer_kid, signed, signature = read_doc_frame(data, kind)
    require(signer_kid == kid(raw_public(signer)), Reason.UNKNOWN_SIGNER)
    verify(signer, signature, _DOC_TAGS[kind], signed)
    body = parse_canonical_json(signed[_DOC_HEAD.size:])
    return SignedDoc(kind, signer_kid, body, data)
