"""Shared fixtures. Qt runs offscreen; every vault lives in pytest's tmp dir."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.profile import Profile
from ips_desktop.store.vault import VaultConnection

PASSPHRASE = "correct horse battery staple 42"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = datetime(2026, 11, 23, 10, 0)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def _settings_of_this_pc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test is a PC of its own: what a program keeps in the user's settings folder (the
    console's name for its PPO) goes to the test's folder, never the machine's."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "pc-settings"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return Profile(tmp_path / "data")


@pytest.fixture
def vault(profile: Profile) -> Iterator[VaultConnection]:
    _, connection = profile.create(PASSPHRASE, MINIMUM_KDF)
    yield connection
    connection.close()


@pytest.fixture
def book(vault: VaultConnection, clock: Clock) -> CaseBook:
    return CaseBook(vault, clock)


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temp dir of our own, so a canary scan of "the temp dir" sees only this test."""
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


def files_containing(root: Path, needle: bytes) -> list[Path]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if needle in data or needle.decode().encode("utf-16-le") in data:
                hits.append(path)
    return hits


# -- rendered messages, kept with the test report ----------------------------------------------------
REPORTS = Path(__file__).resolve().parents[1] / "test-reports" / "messages"
_SAVED: list[Path] = []


@pytest.fixture
def report(request: pytest.FixtureRequest) -> Iterator[Callable[[Any], None]]:
    """``report(inbox)``: every message the inbox received is saved, pass or fail, under
    test-reports/messages/<test>/ (.eml, .txt, .html), and listed at the end of the run."""
    import re
    import shutil

    folder = REPORTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    inboxes: list[Any] = []
    yield inboxes.append
    for n, inbox in enumerate(inboxes):
        saved = inbox.save(folder if n == 0 else folder / f"inbox-{n + 1}")
        if saved:
            _SAVED.append(folder)
            request.node.user_properties.append(("messages", str(folder)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _SAVED:
        terminalreporter.write_sep("-", "the ladder's messages, as received")
        for folder in dict.fromkeys(_SAVED):
            terminalreporter.write_line(f"{folder.relative_to(REPORTS.parents[1])}: "
                                        f"{len(list(folder.glob('*.txt')))} message(s)")
