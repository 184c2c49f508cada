"""Issue 14, item 16: a key file whose Argon2id costs were altered is refused at once, as a
damaged key file, before any derivation starts (t = 4,000,000,000 hung the unlock; 3 TiB of
memory raised MemoryError; lanes = 0 a ValueError), on the real profile and its real files."""

from __future__ import annotations

import struct
import time
from datetime import datetime
from pathlib import Path

import pytest
from conftest import PASSPHRASE

from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.store.profile import Profile, UnlockError

MEMORY, ITERATIONS, LANES = 7, 11, 15  # offsets in the key file's header


@pytest.mark.parametrize(("offset", "fmt", "value"), [
    (ITERATIONS, ">I", 4_000_000_000),
    (MEMORY, ">I", 3 * 1024**3),  # 3 TiB in KiB
    (LANES, ">B", 0),
    (LANES, ">B", 255),
])
def test_an_altered_cost_is_refused_at_once(tmp_path: Path, offset: int, fmt: str, value: int) -> None:
    profile = Profile(tmp_path / "laptop")
    _, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    vault.close()
    blob = bytearray(profile.keyslot_path.read_bytes())
    struct.pack_into(fmt, blob, offset, value)
    profile.keyslot_path.write_bytes(bytes(blob))
    start = time.monotonic()
    with pytest.raises(UnlockError, match="key file of this vault is damaged"):
        profile.unlock(PASSPHRASE, datetime.now)
    assert time.monotonic() - start < 2
    assert profile.keyslot_path.read_bytes() == bytes(blob), "the file is never overwritten"
