"""The one-time check-in link and its PINs (DESIGN §6: "one-time link or QR code opened on the
phone; PIN; duress PIN that looks like success").

The link carries a random 128-bit token. The relay keeps only the token's SHA-256 and, for
each PIN, an scrypt verifier salted with the token itself: whoever reads the relay's database
has neither the link nor a way to test PINs offline, and whoever finds the link still needs
the PIN (five wrong tries lock it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable

TOKEN_BYTES = 16
_TAG = b"ips-checkin/v1"


def new_token(rng: Callable[[int], bytes] = os.urandom) -> str:
    return base64.urlsafe_b64encode(rng(TOKEN_BYTES)).rstrip(b"=").decode()


def token_bytes(token: str) -> bytes | None:
    """The token's raw bytes, or None when the text is not a token (no exception to probe)."""
    if not 20 <= len(token) <= 24 or not all(c.isalnum() or c in "-_" for c in token):
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        return None
    return raw if len(raw) == TOKEN_BYTES else None


def token_id(token: str) -> bytes:
    """What the relay stores to find the link: SHA-256 of the domain tag and the token."""
    return hashlib.sha256(_TAG + b"\x00id\x00" + token.encode()).digest()


def pin_verifier(pin: str, token: str) -> bytes:
    """scrypt(PIN) salted with the token: about 50 ms, so five tries cost nothing and an
    offline search needs the token the relay never stored."""
    salt = hashlib.sha256(_TAG + b"\x00salt\x00" + token.encode()).digest()
    return hashlib.scrypt(pin.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)


def pin_matches(pin: str, token: str, verifier: bytes) -> bool:
    return hmac.compare_digest(pin_verifier(pin, token), verifier)


def check_pin(pin: str) -> str | None:
    """None when ``pin`` can be a check-in PIN, else what is wrong."""
    if not pin.isdigit() or not 4 <= len(pin) <= 8:
        return "A check-in PIN is 4 to 8 digits."
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        return "Choose a PIN that is not a run or a repeated digit, like 4827."
    return None
