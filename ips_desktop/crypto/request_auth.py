"""Signed HTTP requests to the relay (DESIGN §9): every request is signed by a device or an
office key, with a timestamp and a nonce, so the relay can refuse forgeries and replays.

The signature covers a domain tag, the method, the path with its query, the time, the
nonce and the SHA-256 of the body. The relay accepts a request only within
:data:`WINDOW` seconds of its own clock and only once per nonce.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .wire import KID_LEN, SIG_LEN, Reason, WireError, kid, raw_public, require, sign, verify

TAG_REQUEST = b"ips-relay-req/v1"
WINDOW = 300
H_KEY = "x-ips-key"
H_TIME = "x-ips-time"
H_NONCE = "x-ips-nonce"
H_SIGNATURE = "x-ips-signature"


def _message(method: str, target: str, timestamp: int, nonce: bytes, body: bytes) -> bytes:
    return b"\n".join([method.upper().encode(), target.encode(), str(timestamp).encode(), nonce.hex().encode(),
                       hashlib.sha256(body).hexdigest().encode()])


def sign_request(key: Ed25519PrivateKey, method: str, target: str, body: bytes, now: int,
                 rng: Callable[[int], bytes] = os.urandom) -> dict[str, str]:
    nonce = rng(16)
    signature = sign(key, TAG_REQUEST, _message(method, target, now, nonce, body))
    return {H_KEY: kid(raw_public(key)).hex(), H_TIME: str(now), H_NONCE: nonce.hex(), H_SIGNATURE: signature.hex()}


@dataclass(frozen=True)
class SignedRequest:
    key_id: bytes
    timestamp: int
    nonce: bytes
    signature: bytes


def read_headers(headers: Mapping[str, str]) -> SignedRequest:
    """Strict parse of the four headers; refuses anything missing or malformed."""
    try:
        key_id = bytes.fromhex(headers[H_KEY])
        timestamp = int(headers[H_TIME])
        nonce = bytes.fromhex(headers[H_NONCE])
        signature = bytes.fromhex(headers[H_SIGNATURE])
    except (KeyError, ValueError):
        raise WireError(Reason.SCHEMA, "request signature headers") from None
    require(len(key_id) == KID_LEN and len(nonce) == 16 and len(signature) == SIG_LEN, Reason.BAD_LENGTH)
    return SignedRequest(key_id, timestamp, nonce, signature)


def check_time(request: SignedRequest, now: int) -> int:
    """Seconds of skew; raises EXPIRED when the sender's clock is outside the window."""
    skew = request.timestamp - now
    require(abs(skew) <= WINDOW, Reason.EXPIRED, "clock")
    return skew


def verify_request(public: Ed25519PublicKey, request: SignedRequest, method: str, target: str, body: bytes) -> None:
    verify(public, request.signature, TAG_REQUEST, _message(method, target, request.timestamp, request.nonce, body))
