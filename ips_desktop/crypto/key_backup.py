"""The office keys' backup file (issue: "losing them loses every record in transit").

The office's private keys, sealed under a recovery passphrase: Argon2id (the office vault's
calibrated cost, never below the minimum) → ChaCha20-Poly1305 with the whole header as
associated data. Kept away from the office PC (a safe, a second site). Fixed layout:

    magic "IPSOKB" | version u8 | memory KiB u32 | iterations u32 | lanes u8 | salt 16 |
    root key id 16 | ciphertext (canonical JSON of the keys) + tag
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from .keyslot import MINIMUM_KDF, SHORTEST_PASSPHRASE, KdfParams, derive_passphrase_kek
from .office_keys import OfficeKeys
from .wire import Reason, WireError, canonical_json, kid, parse_canonical_json, require

MAGIC = b"IPSOKB"
VERSION = 1
_HEADER = struct.Struct(">6sBIIB16s16s")
MAX_FILE = 1 << 20


def write_backup(keys: OfficeKeys, passphrase: str, params: KdfParams = MINIMUM_KDF,
                 rng: Callable[[int], bytes] = os.urandom) -> bytes:
    if len(passphrase) < SHORTEST_PASSPHRASE:
        raise ValueError(f"A recovery passphrase needs at least {SHORTEST_PASSPHRASE} characters; several words are "
                         "easiest.")
    params = params if params.is_at_least_minimum() else MINIMUM_KDF
    salt = rng(16)
    header = _HEADER.pack(MAGIC, VERSION, params.memory_kib, params.iterations, params.lanes, salt,
                          kid(keys.root_public))
    key = derive_passphrase_kek(passphrase, salt, params)
    return header + ChaCha20Poly1305(key).encrypt(bytes(12), canonical_json(keys.to_dict()), header)


def backup_root_kid(data: bytes) -> bytes:
    """Which office a backup belongs to, without the passphrase."""
    require(len(data) > _HEADER.size and data[:6] == MAGIC, Reason.BAD_MAGIC, "not an office key backup")
    return bytes(_HEADER.unpack_from(data)[6])


def read_backup(data: bytes, passphrase: str) -> OfficeKeys:
    """The keys, or :class:`WireError` (AEAD_FAILURE: wrong passphrase or a damaged file)."""
    require(len(data) <= MAX_FILE, Reason.BAD_LENGTH, "backup")
    require(len(data) > _HEADER.size + 16, Reason.TRUNCATED, "backup")
    magic, version, memory, iterations, lanes, salt, root_kid = _HEADER.unpack_from(data)
    require(magic == MAGIC, Reason.BAD_MAGIC, "not an office key backup")
    require(version == VERSION, Reason.UNKNOWN_VERSION)
    params = KdfParams(memory, iterations, lanes)
    require(params.is_at_least_minimum() and params.is_within_ceiling(), Reason.SCHEMA, "backup cost")
    header = data[:_HEADER.size]
    key = derive_passphrase_kek(passphrase, salt, params)
    try:
        plain = ChaCha20Poly1305(key).decrypt(bytes(12), data[_HEADER.size:], header)
    except InvalidTag:
        raise WireError(Reason.AEAD_FAILURE, "wrong recovery passphrase, or the file is damaged") from None
    keys = OfficeKeys.from_dict(parse_canonical_json(plain))
    require(kid(keys.root_public) == root_kid, Reason.SCHEMA, "backup header")
    return keys
