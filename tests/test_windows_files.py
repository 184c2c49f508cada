"""Key files are written in binary on every platform.

On Windows ``os.open`` opens in text mode unless ``O_BINARY`` is given, and text mode turns
every 0x0A byte into 0x0D 0x0A: about one new 32-byte key in three came out corrupted and the
vault never opened again. These tests stand in for Windows' text mode (an ``O_BINARY`` flag and
an ``os.write`` that translates when the file was opened without it) and check that the bytes
written are the bytes read back.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

O_BINARY = 0x8000  # msvcrt's value


@pytest.fixture
def windows_text_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """os.open and os.write as Windows' C runtime behaves: text mode unless O_BINARY."""
    text_mode: set[int] = set()
    real_open, real_write, real_close = os.open, os.write, os.close

    def open_(path: object, flags: int, mode: int = 0o777, **kw: object) -> int:
        fd = real_open(path, flags & ~O_BINARY, mode)  # type: ignore[arg-type]
        if not flags & O_BINARY:
            text_mode.add(fd)
        return fd

    def write(fd: int, data: bytes) -> int:
        if fd in text_mode:
            real_write(fd, bytes(data).replace(b"\n", b"\r\n"))
            return len(data)
        return real_write(fd, data)

    def close(fd: int) -> None:
        text_mode.discard(fd)
        real_close(fd)

    monkeypatch.setattr(os, "O_BINARY", O_BINARY, raising=False)
    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "close", close)


KEY = bytes(range(256))[:32].replace(b"\x0b", b"\n")  # a key with a 0x0A byte in it


def test_a_profile_file_with_newline_bytes_reads_back_the_same(windows_text_mode: None, tmp_path: Path) -> None:
    from ips_desktop.store.profile import write_private_file

    target = tmp_path / "keyslot.bin"
    write_private_file(target, KEY * 4)
    assert target.read_bytes() == KEY * 4


def test_the_relay_key_with_newline_bytes_reads_back_the_same(windows_text_mode: None, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from ips_desktop.relay import cli

    monkeypatch.setattr(cli.os, "urandom", lambda n: KEY[:n])
    key = cli.load_key(tmp_path)
    assert (tmp_path / "relay-key.bin").read_bytes() == KEY
    assert key is not None
