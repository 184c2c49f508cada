"""Enrolling a laptop with the office (DESIGN §5 "Keys and enrolment").

1. The PPO makes a one-time **invite** (expires in 24 hours). Its code carries the invite id,
   a 128-bit secret, the office root key and where to send the request; a checksum catches
   a mistyped code.
2. The laptop first sends a **commitment**: a hash of its public keys and a fresh random
   nonce, under the invite's HMAC, and nothing else. The office answers with a **challenge**,
   a random nonce of its own (automatically, at its next pull).
3. Only then does the laptop send the **enrolment request** (its public keys, IPS code and
   nonce; the invite's HMAC over it, so a relay cannot swap in its own key; a signature by the
   laptop's key, proof it holds the key). The office checks it opens the commitment.
4. Both screens show the same **short authentication string**: six digits from the office root
   key, the laptop's keys, the invite id and both nonces. The PPO and the volunteer read them
   to each other by phone; only then does the PPO accept. Someone holding the invite code who
   can swap messages cannot search for a key that shows the volunteer's digits: each side's
   digits depend on a nonce the other side chose after that side had committed (as in ZRTP's
   hash commitment or Bluetooth's numeric comparison), so a swap matches one time in a
   million, and the office takes one commitment per invite.
5. The office answers with the **device certificate** and the **key bundle**, again under the
   invite's HMAC. The laptop checks both against the root key from the invite and pins it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from dataclasses import dataclass, field

from .device import DeviceKeys
from .office_keys import DeviceCertificate, KeyBundle, open_bundle, open_certificate
from .wire import (
    KEY_LEN,
    SIG_LEN,
    TAG_REQUEST,
    Reason,
    WireError,
    canonical_json,
    ed25519_public,
    expect_fields,
    hex_bytes,
    parse_canonical_json,
    require,
    sign,
    verify,
)

INVITE_PREFIX = "IPS"
INVITE_LIFETIME = 24 * 3600
_INVITE = struct.Struct(">B16s16s32sI")
_CHECK = 4
TAG_RESPONSE = b"ips-enrol-response/v1"
_MAC_LEN = 32


class InviteError(ValueError):
    """An invite code that cannot be used; the message tells the volunteer what to do."""


@dataclass(frozen=True)
class Invite:
    invite_id: bytes
    secret: bytes = field(repr=False)
    root_public: bytes
    expires_at: int
    address: str  # relay URL or drop-folder path; may be empty

    def code(self) -> str:
        url = self.address.encode("utf-8")
        if len(url) > 255:
            raise ValueError("address too long for an invite")
        payload = _INVITE.pack(1, self.invite_id, self.secret, self.root_public, self.expires_at) + \
            bytes([len(url)]) + url
        text = base64.b32encode(payload + hashlib.sha256(payload).digest()[:_CHECK]).decode().rstrip("=")
        return INVITE_PREFIX + "-" + "-".join(text[i:i + 5] for i in range(0, len(text), 5))


def parse_invite(code: str, now: int) -> Invite:
    text = "".join(code.split()).upper().replace("-", "")
    if not text.startswith(INVITE_PREFIX):
        raise InviteError("That is not an IPS Desktop invite code. It starts with “IPS-”.")
    text = text[len(INVITE_PREFIX):]
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except ValueError:
        raise InviteError("The invite code has a mistyped character. Check it against the one the office sent.") \
            from None
    payload, check = raw[:-_CHECK], raw[-_CHECK:]
    if len(payload) < _INVITE.size + 1 or hashlib.sha256(payload).digest()[:_CHECK] != check:
        raise InviteError("The invite code is incomplete or mistyped. Check it against the one the office sent.")
    version, invite_id, secret, root, expires = _INVITE.unpack_from(payload)
    url_len = payload[_INVITE.size]
    if version != 1 or len(payload) != _INVITE.size + 1 + url_len:
        raise InviteError("This invite was made by a newer office console. Please update IPS Desktop.")
    if now > expires:
        raise InviteError("This invite has expired (they last 24 hours). Ask the office for a new one.")
    try:
        address = payload[_INVITE.size + 1:].decode("utf-8")
    except UnicodeDecodeError:
        raise InviteError("The invite code is damaged. Ask the office for a new one.") from None
    return Invite(invite_id, secret, root, expires, address)


NONCE_LEN = 32


def short_authentication_string(root_public: bytes, request: EnrolmentRequest, office_nonce: bytes) -> str:
    """Six digits both screens show; read aloud to compare, e.g. "492 017"."""
    digest = hashlib.sha256(b"ips-sas/v2" + root_public + request.signing_key + request.box_key + request.invite_id
                            + request.nonce + office_nonce).digest()
    number = int.from_bytes(digest[:8], "big") % 1_000_000
    return f"{number // 1000:03d} {number % 1000:03d}"


def commitment(signing_key: bytes, box_key: bytes, nonce: bytes) -> bytes:
    return hashlib.sha256(b"ips-enrol-commit/v1" + signing_key + box_key + nonce).digest()


def request_slot(invite_id: bytes) -> bytes:
    """Where the laptop's request and the office's final answer travel (the commitment and the
    challenge use the invite id itself): a second id derived from the invite's."""
    return hashlib.sha256(b"ips-enrol-request-slot/v1" + invite_id).digest()[:16]


def _mac(secret: bytes, tag: bytes, data: bytes) -> bytes:
    return hmac.new(secret, bytes([len(tag)]) + tag + data, hashlib.sha256).digest()


# -- request (laptop → office) -------------------------------------------------------------------------
_REQ_HEAD = struct.Struct(">6sBI")
REQ_MAGIC = b"IPSENR"
MAX_REQUEST = 4096


@dataclass(frozen=True)
class EnrolmentRequest:
    invite_id: bytes
    signing_key: bytes
    box_key: bytes
    label: str
    app_version: str
    nonce: bytes

    @property
    def commitment(self) -> bytes:
        return commitment(self.signing_key, self.box_key, self.nonce)


def make_request(invite: Invite, keys: DeviceKeys, label: str, app_version: str, nonce: bytes) -> bytes:
    """The request the laptop sends once the office has answered its commitment."""
    require(len(nonce) == NONCE_LEN, Reason.BAD_LENGTH, "nonce")
    body = canonical_json({"invite_id": invite.invite_id.hex(), "signing_key": keys.signing_public.hex(),
                           "box_key": keys.box_public.hex(), "label": label, "app_version": app_version,
                           "nonce": nonce.hex()})
    signed = _REQ_HEAD.pack(REQ_MAGIC, 2, len(body)) + body
    mac = _mac(invite.secret, TAG_REQUEST, signed)
    return signed + mac + sign(keys.signing, TAG_REQUEST, signed + mac)


def read_request(data: bytes) -> tuple[EnrolmentRequest, bytes, bytes]:
    """Strict parse without the invite secret: (request, MAC'd bytes, MAC). Verify with
    :func:`check_request` once the invite is looked up by its id."""
    require(len(data) <= MAX_REQUEST, Reason.BAD_LENGTH)
    require(len(data) >= _REQ_HEAD.size, Reason.TRUNCATED)
    magic, version, length = _REQ_HEAD.unpack_from(data)
    require(magic == REQ_MAGIC, Reason.BAD_MAGIC)
    require(version == 2, Reason.UNKNOWN_VERSION)
    end = _REQ_HEAD.size + length
    require(len(data) >= end + _MAC_LEN + SIG_LEN, Reason.TRUNCATED)
    require(len(data) == end + _MAC_LEN + SIG_LEN, Reason.TRAILING_BYTES)
    body = expect_fields(parse_canonical_json(data[_REQ_HEAD.size:end]), {
        "invite_id": str, "signing_key": str, "box_key": str, "label": str, "app_version": str, "nonce": str},
        "request")
    request = EnrolmentRequest(hex_bytes(body["invite_id"], 16, "invite id"),
                               hex_bytes(body["signing_key"], KEY_LEN, "signing key"),
                               hex_bytes(body["box_key"], KEY_LEN, "box key"), body["label"], body["app_version"],
                               hex_bytes(body["nonce"], NONCE_LEN, "nonce"))
    signed, mac, signature = data[:end], data[end:end + _MAC_LEN], data[end + _MAC_LEN:]
    verify(ed25519_public(request.signing_key), signature, TAG_REQUEST, signed + mac)
    return request, signed, mac


def check_request(data: bytes, secret: bytes) -> EnrolmentRequest:
    request, signed, mac = read_request(data)
    require(hmac.compare_digest(_mac(secret, TAG_REQUEST, signed), mac), Reason.BAD_MAC)
    return request


# -- commitment (laptop → office) and challenge (office → laptop) ----------------------------------------
COMMIT_MAGIC = b"IPSENC"
CHALLENGE_MAGIC = b"IPSENN"
TAG_COMMIT = b"ips-enrol-commit-msg/v1"
TAG_CHALLENGE = b"ips-enrol-challenge/v1"
_COMMIT = struct.Struct(">6sB16s32s")
_CHALLENGE = struct.Struct(">6sB16s32s32s")


def is_commitment(data: bytes) -> bool:
    return data.startswith(COMMIT_MAGIC)


def make_commitment(invite: Invite, keys: DeviceKeys, nonce: bytes) -> bytes:
    """The laptop's first message: its keys and nonce hashed, nothing an attacker can search on."""
    signed = _COMMIT.pack(COMMIT_MAGIC, 1, invite.invite_id, commitment(keys.signing_public, keys.box_public, nonce))
    return signed + _mac(invite.secret, TAG_COMMIT, signed)


def read_commitment(data: bytes) -> tuple[bytes, bytes]:
    """(invite id, commitment) without the invite secret; check the MAC with :func:`check_commitment`."""
    require(len(data) >= _COMMIT.size + _MAC_LEN, Reason.TRUNCATED)
    require(len(data) == _COMMIT.size + _MAC_LEN, Reason.TRAILING_BYTES)
    magic, version, invite_id, committed = _COMMIT.unpack_from(data)
    require(magic == COMMIT_MAGIC, Reason.BAD_MAGIC)
    require(version == 1, Reason.UNKNOWN_VERSION)
    return invite_id, committed


def check_commitment(data: bytes, secret: bytes) -> tuple[bytes, bytes]:
    invite_id, committed = read_commitment(data)
    require(hmac.compare_digest(_mac(secret, TAG_COMMIT, data[:_COMMIT.size]), data[_COMMIT.size:]), Reason.BAD_MAC)
    return invite_id, committed


def make_challenge(invite_id: bytes, secret: bytes, committed: bytes, office_nonce: bytes) -> bytes:
    """The office's answer to a commitment: its nonce, bound to the commitment it answers."""
    signed = _CHALLENGE.pack(CHALLENGE_MAGIC, 1, invite_id, committed, office_nonce)
    return signed + _mac(secret, TAG_CHALLENGE, signed)


def open_challenge(data: bytes, invite: Invite, committed: bytes) -> bytes:
    """The office's nonce, once the challenge is checked against the invite and this laptop's
    own commitment."""
    require(len(data) >= _CHALLENGE.size + _MAC_LEN, Reason.TRUNCATED)
    require(len(data) == _CHALLENGE.size + _MAC_LEN, Reason.TRAILING_BYTES)
    require(hmac.compare_digest(_mac(invite.secret, TAG_CHALLENGE, data[:_CHALLENGE.size]),
                                data[_CHALLENGE.size:]), Reason.BAD_MAC)
    magic, version, invite_id, answered, office_nonce = _CHALLENGE.unpack_from(data)
    require(magic == CHALLENGE_MAGIC, Reason.BAD_MAGIC)
    require(version == 1, Reason.UNKNOWN_VERSION)
    require(invite_id == invite.invite_id and hmac.compare_digest(answered, committed), Reason.WRONG_DEVICE,
            "the office answered another laptop's request")
    return bytes(office_nonce)


# -- response (office → laptop) --------------------------------------------------------------------------
RESP_MAGIC = b"IPSENA"


def make_response(invite_id: bytes, secret: bytes, certificate: bytes, bundle: bytes) -> bytes:
    signed = RESP_MAGIC + struct.pack(">BI", 1, len(certificate)) + certificate + \
        struct.pack(">I", len(bundle)) + bundle
    return signed + _mac(secret, TAG_RESPONSE, invite_id + signed)


@dataclass(frozen=True)
class Enrolment:
    certificate: DeviceCertificate
    bundle: KeyBundle


def open_response(data: bytes, invite: Invite, keys: DeviceKeys) -> Enrolment:
    require(len(data) > len(RESP_MAGIC) + 9 + _MAC_LEN, Reason.TRUNCATED)
    signed, mac = data[:-_MAC_LEN], data[-_MAC_LEN:]
    require(hmac.compare_digest(_mac(invite.secret, TAG_RESPONSE, invite.invite_id + signed), mac), Reason.BAD_MAC)
    require(signed.startswith(RESP_MAGIC), Reason.BAD_MAGIC)
    version, cert_len = struct.unpack_from(">BI", signed, len(RESP_MAGIC))
    require(version == 1, Reason.UNKNOWN_VERSION)
    start = len(RESP_MAGIC) + 5
    require(len(signed) >= start + cert_len + 4, Reason.TRUNCATED)
    certificate = signed[start:start + cert_len]
    (bundle_len,) = struct.unpack_from(">I", signed, start + cert_len)
    bundle = signed[start + cert_len + 4:]
    require(len(bundle) == bundle_len, Reason.BAD_LENGTH)
    cert = open_certificate(certificate, invite.root_public)
    if cert.signing_key != keys.signing_public or cert.box_key != keys.box_public:
        raise WireError(Reason.WRONG_DEVICE, "the certificate is for another laptop")
    return Enrolment(cert, open_bundle(bundle, invite.root_public))
