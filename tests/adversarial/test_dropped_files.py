"""Issue 14, item 18 (the laptop's side): a file the volunteer drops or chooses is read with a
bound, on the real case book over a real vault. A link to /dev/zero reports size 0 and then
never ends (it ran the laptop out of memory); a pipe would wait for ever for a writer."""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.store.casebook import CaseBook, InputError

pytestmark = pytest.mark.skipif(os.name != "posix", reason="links to devices and named pipes are POSIX")


def a_record(book: CaseBook) -> str:
    case_id = book.open_case("PP-2026-0990")
    return book.save_draft(None, case_id, ContactRecord(ContactKind.LETTER, datetime(2026, 11, 20, 9, 0), 0,
                                                        summary="A letter from the LA."))


def attach_within(book: CaseBook, record_id: str, path: Path, seconds: float) -> BaseException | None:
    """Attach on a thread; the error it raised, or a failure if it took longer than ``seconds``."""
    outcome: list[BaseException | None] = []

    def attach() -> None:
        try:
            book.attach_file(record_id, path)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=attach, daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"attaching {path.name} did not finish within {seconds} s"
    return outcome[0]


def test_a_link_to_an_endless_device_is_refused_at_once(book: CaseBook, tmp_path: Path) -> None:
    record_id = a_record(book)
    link = tmp_path / "scan.pdf"
    link.symlink_to("/dev/zero")
    start = time.monotonic()
    error = attach_within(book, record_id, link, 10)
    assert isinstance(error, InputError)
    assert "not an ordinary file" in str(error)
    assert time.monotonic() - start < 2
    assert book.attachments(record_id) == []


def test_a_named_pipe_is_refused_without_waiting(book: CaseBook, tmp_path: Path) -> None:
    record_id = a_record(book)
    pipe = tmp_path / "letter.pdf"
    os.mkfifo(pipe)
    error = attach_within(book, record_id, pipe, 5)  # before: open() waited for a writer
    assert isinstance(error, InputError)
    assert book.attachments(record_id) == []
