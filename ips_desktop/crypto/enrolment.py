"""Enrolling a laptop with the office (DESIGN §5 "Keys and enrolment").

1. The PPO makes a one-time **invite** (expires in 24 hours). Its code carries the invite id,
   a 128-bit secret, the office root key and where to send the request; a checksum catches
   a mistyped code.
2. The laptop sends an **enrolment request**: its public keys and IPS code, with an HMAC over
   the whole request keyed by the invite secret (so a relay cannot swap in its own key) and
   a signature by the laptop's key (proof it holds the key).
3. Both screens show the same **short authentication string** (six digits derived from the
   office root key, the laptop's key and the invite id). The PPO and the volunteer read it to
   each other by phone; only then does the PPO accept.
4. The office answers with the **device certificate** and the **key bundle**, again under the
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


def short_authentication_string(root_public: bytes, device_signing_key: bytes, invite_id: bytes) -> str:
    """Six digits both screens show; read aloud to compare, e.g. "492 017"."""
    digest = hashlib.sha256(b"ips-sas/v1" + root_public + device_signing_key + invite_id).digest()
    number = int.from_bytes(digest[:8], "big") % 1_000_000
    return f"{number // 1000:03d} {number % 1000:03d}"


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


def make_request(invite: Invite, keys: DeviceKeys, label: str, app_version: str) -> bytes:
    body = canonical_json({"invite_id": invite.invite_id.hex(), "signing_key": keys.signing_public.hex(),
                           "box_key": keys.box_public.hex(), "label": label, "app_version": app_version})
    signed = _REQ_HEAD.pack(REQ_MAGIC, 1, len(body)) + body
    mac = _mac(invite.secret, TAG_REQUEST, signed)
    return signed + mac + sign(keys.signing, TAG_REQUEST, signed + mac)


def read_request(data: bytes) -> tuple[EnrolmentRequest, bytes, bytes]:
    """Strict parse without the invite secret: (request, MAC'd bytes, MAC). Verify with
    :func:`check_request` once the invite is looked up by its id."""
    require(len(data) <= MAX_REQUEST, Reason.BAD_LENGTH)
    require(len(data) >= _REQ_HEAD.size, Reason.TRUNCATED)
    magic, version, length = _REQ_HEAD.unpack_from(data)
    require(magic == REQ_MAGIC, Reason.BAD_MAGIC)
    require(version == 1, Reason.UNKNOWN_VERSION)
    end = _REQ_HEAD.size + length
    require(len(data) >= end + _MAC_LEN + SIG_LEN, Reason.TRUNCATED)
    require(len(data) == end + _MAC_LEN + SIG_LEN, Reason.TRAILING_BYTES)
    body = expect_fields(parse_canonical_json(data[_REQ_HEAD.size:end]), {
        "invite_id": str, "signing_key": str, "box_key": str, "label": str, "app_version": str}, "request")
    request = EnrolmentRequest(hex_bytes(body["invite_id"], 16, "invite id"),
                               hex_bytes(body["signing_key"], KEY_LEN, "signing key"),
                               hex_bytes(body["box_key"], KEY_LEN, "box key"), body["label"], body["app_version"])
    signed, mac, signature = data[:end], data[end:end + _MAC_LEN], data[end + _MAC_LEN:]
    verify(ed25519_public(request.signing_key), signature, TAG_REQUEST, signed + mac)
    return request, signed, mac


def check_request(data: bytes, secret: bytes) -> EnrolmentRequest:
    request, signed, mac = read_request(data)
    require(hmac.compare_digest(_mac(secret, TAG_REQUEST, signed), mac), Reason.BAD_MAC)
    return request


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
