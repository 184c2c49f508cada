"""Per-record data keys (DESIGN §3).

Every record's content is sealed with its own random key, kept in the vault's
``record_keys`` table. Purging a record deletes that key first: the crypto-shred. The
associated data binds the ciphertext to its record id and purpose, so a blob copied onto
another row does not open.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

_NONCE = 12


class RecordCipherError(Exception):
    """A record blob did not open with its key (tampered, swapped or truncated)."""


def new_record_key(rng: Callable[[int], bytes] = os.urandom) -> bytes:
    return rng(32)


def _aad(record_id: str, purpose: str) -> bytes:
    return b"ips-record-v1\x00" + record_id.encode() + b"\x00" + purpose.encode()


def seal(key: bytes, record_id: str, purpose: str, plaintext: bytes,
         rng: Callable[[int], bytes] = os.urandom) -> bytes:
    nonce = rng(_NONCE)
    return nonce + ChaCha20Poly1305(key).encrypt(nonce, plaintext, _aad(record_id, purpose))


def open_sealed(key: bytes, record_id: str, purpose: str, blob: bytes) -> bytes:
    if len(blob) < _NONCE + 16:
        raise RecordCipherError("record blob truncated")
    try:
        return ChaCha20Poly1305(key).decrypt(blob[:_NONCE], blob[_NONCE:], _aad(record_id, purpose))
    except InvalidTag:
        raise RecordCipherError("record blob does not open with its key") from None
