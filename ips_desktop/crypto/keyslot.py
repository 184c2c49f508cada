"""Keyslots: small files that wrap the vault's raw SQLCipher key and the device seed.

The handbook asks for "a password protected area in your computer". Here the passphrase
never reaches SQLCipher: Argon2id turns it into a key-encryption key (KEK), which opens a
keyslot holding a random 32-byte database key and a 32-byte device signing seed. Changing
the passphrase re-wraps the keyslot only; the vault file is untouched.

Layout (fixed length, no optional fields; the header is the AEAD's associated data):

    magic "IPSKS" | version u8 | kind u8 | memory KiB u32 | iterations u32 | lanes u8
    | salt 16 | nonce 12 | ChaCha20-Poly1305(db key 32 || device seed 32) 80

Parsing is strict and fails closed with a :class:`KeyslotError` naming the reason.
"""

from __future__ import annotations

import os
import struct
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"IPSKS"
VERSION = 1
_HEADER = struct.Struct(">5sBBIIB16s12s")
_PAYLOAD_LEN = 64
_TAG_LEN = 16
SLOT_LEN = _HEADER.size + _PAYLOAD_LEN + _TAG_LEN


class SlotKind(IntEnum):
    PASSPHRASE = 1
    KEYRING = 2


class KeyslotError(Exception):
    """A keyslot could not be used. ``reason`` is one of the class constants."""

    TRUNCATED = "truncated"
    BAD_MAGIC = "not a keyslot"
    BAD_VERSION = "unknown keyslot version"
    BAD_KIND = "unknown keyslot kind"
    WEAK_PARAMETERS = "key derivation parameters below the minimum"
    COSTLY_PARAMETERS = "key derivation parameters outside what IPS Desktop ever writes"
    WRONG_SECRET = "wrong passphrase or secret"  # noqa: S105 (a reason, not a secret)

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. DESIGN §3: calibrated to 0.5–1.0 s, never below m = 64 MiB, t = 3."""

    memory_kib: int
    iterations: int
    lanes: int = 4

    def is_at_least_minimum(self) -> bool:
        return self.memory_kib >= MINIMUM_KDF.memory_kib and self.iterations >= MINIMUM_KDF.iterations

    def is_within_ceiling(self) -> bool:
        """At most 4 GiB, 64 passes and 16 lanes: what :func:`calibrate` can choose. A file asking
        for more was altered (t = 4,000,000,000 would hang the unlock; 3 TiB runs out of memory)."""
        return self.memory_kib <= MAX_MEMORY_KIB and self.iterations <= MAX_ITERATIONS and 1 <= self.lanes <= 16


MINIMUM_KDF = KdfParams(memory_kib=64 * 1024, iterations=3, lanes=4)
SHORTEST_PASSPHRASE = 12  # the office's passphrases (the office vault, the key backup's recovery)
MAX_MEMORY_KIB = 4 * 1024 * 1024
MAX_ITERATIONS = 64


@dataclass(frozen=True)
class VaultSecrets:
    """What a keyslot protects. ``repr`` never shows the bytes."""

    db_key: bytes = field(repr=False)
    device_seed: bytes = field(repr=False)
    # The key-encryption key of the slot that was opened, kept for the session so an epoch
    # re-key can re-wrap that slot without asking for the passphrase again.
    slot_kek: bytes | None = field(default=None, repr=False, compare=False)
    slot_kind: SlotKind | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.db_key) != 32 or len(self.device_seed) != 32:
            raise ValueError("vault secrets are two 32-byte keys")

    def with_db_key(self, db_key: bytes) -> VaultSecrets:
        return VaultSecrets(db_key=db_key, device_seed=self.device_seed, slot_kek=self.slot_kek,
                            slot_kind=self.slot_kind)

    @classmethod
    def generate(cls, rng: Callable[[int], bytes] = os.urandom) -> VaultSecrets:
        return cls(db_key=rng(32), device_seed=rng(32))


@dataclass(frozen=True)
class SlotHeader:
    kind: SlotKind
    params: KdfParams
    salt: bytes = field(repr=False)
    nonce: bytes = field(repr=False)


def normalise_passphrase(passphrase: str) -> bytes:
    """NFC so the same passphrase typed on another keyboard layout still opens the vault."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive_passphrase_kek(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    """The slow step (0.5–1 s by design). Safe to call from a worker thread."""
    kdf = Argon2id(
        salt=salt,
        length=32,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(normalise_passphrase(passphrase))


def derive_keyring_kek(secret: bytes, salt: bytes) -> bytes:
    """The keyring slot's secret is already 32 random bytes; HKDF binds it to this slot."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"ips keyring slot v1").derive(
        secret
    )


def parse_slot(blob: bytes) -> SlotHeader:
    if len(blob) != SLOT_LEN:
        raise KeyslotError(KeyslotError.TRUNCATED)
    magic, version, kind, memory, iterations, lanes, salt, nonce = _HEADER.unpack_from(blob)
    if magic != MAGIC:
        raise KeyslotError(KeyslotError.BAD_MAGIC)
    if version != VERSION:
        raise KeyslotError(KeyslotError.BAD_VERSION)
    try:
        slot_kind = SlotKind(kind)
    except ValueError:
        raise KeyslotError(KeyslotError.BAD_KIND) from None
    params = KdfParams(memory_kib=memory, iterations=iterations, lanes=lanes)
    if slot_kind is SlotKind.PASSPHRASE and not params.is_at_least_minimum():
        raise KeyslotError(KeyslotError.WEAK_PARAMETERS)
    if slot_kind is SlotKind.PASSPHRASE and not params.is_within_ceiling():
        raise KeyslotError(KeyslotError.COSTLY_PARAMETERS)
    return SlotHeader(kind=slot_kind, params=params, salt=salt, nonce=nonce)


def seal_slot(
    kind: SlotKind,
    kek: bytes,
    secrets: VaultSecrets,
    params: KdfParams,
    salt: bytes,
    rng: Callable[[int], bytes] = os.urandom,
) -> bytes:
    nonce = rng(12)
    header = _HEADER.pack(MAGIC, VERSION, int(kind), params.memory_kib, params.iterations,
                          params.lanes, salt, nonce)
    ciphertext = ChaCha20Poly1305(kek).encrypt(nonce, secrets.db_key + secrets.device_seed, header)
    return header + ciphertext


def open_slot(blob: bytes, kek: bytes) -> VaultSecrets:
    header = parse_slot(blob)
    try:
        payload = ChaCha20Poly1305(kek).decrypt(header.nonce, blob[_HEADER.size:],
                                                blob[:_HEADER.size])
    except InvalidTag:
        raise KeyslotError(KeyslotError.WRONG_SECRET) from None
    return VaultSecrets(db_key=payload[:32], device_seed=payload[32:], slot_kek=kek, slot_kind=header.kind)


def rewrap_slot(blob: bytes, kek: bytes, secrets: VaultSecrets,
                rng: Callable[[int], bytes] = os.urandom) -> bytes:
    """The same slot (kind, cost, salt, so the same passphrase or secret opens it) around new
    secrets: how an epoch re-key replaces the database key without asking for the passphrase."""
    header = parse_slot(blob)
    open_slot(blob, kek)  # proves the KEK is this slot's before anything is written
    return seal_slot(header.kind, kek, secrets, header.params, header.salt, rng)


def make_passphrase_slot(
    passphrase: str,
    secrets: VaultSecrets,
    params: KdfParams,
    rng: Callable[[int], bytes] = os.urandom,
) -> bytes:
    if not params.is_at_least_minimum():
        raise KeyslotError(KeyslotError.WEAK_PARAMETERS)
    return make_passphrase_slot_and_kek(passphrase, secrets, params, rng)[0]


def make_passphrase_slot_and_kek(
    passphrase: str,
    secrets: VaultSecrets,
    params: KdfParams,
    rng: Callable[[int], bytes] = os.urandom,
) -> tuple[bytes, VaultSecrets]:
    """The slot, and the secrets carrying its KEK for this session (see ``slot_kek``)."""
    if not params.is_at_least_minimum():
        raise KeyslotError(KeyslotError.WEAK_PARAMETERS)
    salt = rng(16)
    kek = derive_passphrase_kek(passphrase, salt, params)
    blob = seal_slot(SlotKind.PASSPHRASE, kek, secrets, params, salt, rng)
    return blob, VaultSecrets(secrets.db_key, secrets.device_seed, kek, SlotKind.PASSPHRASE)


def open_passphrase_slot(blob: bytes, passphrase: str) -> VaultSecrets:
    header = parse_slot(blob)
    if header.kind is not SlotKind.PASSPHRASE:
        raise KeyslotError(KeyslotError.BAD_KIND)
    return open_slot(blob, derive_passphrase_kek(passphrase, header.salt, header.params))


def make_keyring_slot(
    secret: bytes, secrets: VaultSecrets, rng: Callable[[int], bytes] = os.urandom
) -> bytes:
    salt = rng(16)
    return seal_slot(SlotKind.KEYRING, derive_keyring_kek(secret, salt), secrets,
                     KdfParams(0, 0, 0), salt, rng)


def open_keyring_slot(blob: bytes, secret: bytes) -> VaultSecrets:
    header = parse_slot(blob)
    if header.kind is not SlotKind.KEYRING:
        raise KeyslotError(KeyslotError.BAD_KIND)
    return open_slot(blob, derive_keyring_kek(secret, header.salt))


def calibrate(
    target_seconds: float = 0.6,
    ceiling_seconds: float = 1.0,
    clock: Callable[[], float] = time.perf_counter,
) -> KdfParams:
    """Pick Argon2id costs so one derivation on this computer takes about ``target_seconds``.

    Starts at the minimum (64 MiB, t = 3) and raises memory first, then iterations, while the
    measured time stays under ``ceiling_seconds``. A slow computer keeps the minimum: the
    design never goes below it, even if that takes longer than a second.
    """
    params = MINIMUM_KDF
    salt = bytes(16)

    def measure(p: KdfParams) -> float:
        start = clock()
        derive_passphrase_kek("calibration", salt, p)
        return clock() - start

    elapsed = measure(params)
    for _ in range(8):
        if elapsed >= target_seconds:
            break
        factor = max(1.25, min(4.0, target_seconds / max(elapsed, 1e-3)))
        if params.memory_kib < 256 * 1024:
            candidate = KdfParams(min(256 * 1024, int(params.memory_kib * factor)),
                                  params.iterations, params.lanes)
        else:
            candidate = KdfParams(params.memory_kib,
                                  min(MAX_ITERATIONS, max(params.iterations + 1, int(params.iterations * factor))),
                                  params.lanes)
            if candidate == params:
                break
        candidate_elapsed = measure(candidate)
        if candidate_elapsed > ceiling_seconds:
            break
        params, elapsed = candidate, candidate_elapsed
    return params
