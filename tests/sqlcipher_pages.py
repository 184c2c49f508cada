"""Decrypt every page of a SQLCipher 4 file (default settings, raw key) for the tests.

Lets a test look at what is physically in the file, free pages included, as an attacker
holding the key would: after a purge, a record's ciphertext and key must be nowhere.
SQLCipher 4 defaults: 4096-byte pages, AES-256-CBC, a reserve of IV (16) + HMAC-SHA512 (64)
at the end of each page, the file's first 16 bytes are the salt.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE = 4096
RESERVE = 80


def decrypt_pages(path: Path, key: bytes) -> list[bytes]:
    raw = path.read_bytes()
    pages = []
    for offset in range(0, len(raw), PAGE):
        page = raw[offset:offset + PAGE]
        start = 16 if offset == 0 else 0
        iv = page[PAGE - RESERVE:PAGE - RESERVE + 16]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        body = decryptor.update(page[start:PAGE - RESERVE]) + decryptor.finalize()
        pages.append(body)
    return pages


WAL_HEADER = 32
FRAME_HEADER = 24


def decrypt_wal(path: Path, key: bytes) -> list[bytes]:
    """Every page image in a WAL file (the frames of pages written since the last checkpoint,
    kept until the WAL is truncated or overwritten), decrypted as :func:`decrypt_pages` does."""
    raw = path.read_bytes() if path.exists() else b""
    pages = []
    for offset in range(WAL_HEADER, len(raw) - FRAME_HEADER - PAGE + 1, FRAME_HEADER + PAGE):
        number = int.from_bytes(raw[offset:offset + 4], "big")
        page = raw[offset + FRAME_HEADER:offset + FRAME_HEADER + PAGE]
        start = 16 if number == 1 else 0
        iv = page[PAGE - RESERVE:PAGE - RESERVE + 16]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        pages.append(decryptor.update(page[start:PAGE - RESERVE]) + decryptor.finalize())
    return pages
