"""``ips-desktop --self-test``: prove this install can keep records safely, then clean up.

Creates a throwaway vault in a temporary folder, writes, reads, searches and purges a
record, checks the file is encrypted and the purged text is gone, removes everything it
made and prints one line. No Qt is imported, so it also runs in the frozen app headless.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

from . import clock
from .crypto.keyslot import MINIMUM_KDF
from .domain.records import ContactKind, ContactRecord
from .store.casebook import CaseBook
from .store.profile import Profile
from .store.vault import PLAINTEXT_MAGIC, sqlcipher_version

CANARY = "selftest canary 7f3a"


def run() -> tuple[bool, str]:
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="ips-selftest-"))
    try:
        profile = Profile(tmp)
        _, vault = profile.create("self-test passphrase", MINIMUM_KDF)
        book = CaseBook(vault, clock.now)
        case_id = book.open_case("PP-2026-0001")
        record = ContactRecord(ContactKind.TELEPHONE, datetime(2026, 1, 5, 10, 0), 20,
                               summary=f"Parent asked about the annual review ({CANARY}).")
        record_id = book.save(None, case_id, record)
        stored = book.record(record_id).record
        if not isinstance(stored, ContactRecord) or CANARY not in stored.summary:
            return False, "read-back did not match"
        if [h.record_id for h in book.search("canary")] != [record_id]:
            return False, "search did not find the record"
        book.purge(record_id)
        if book.search("canary"):
            return False, "purged record still found by search"
        vault.close()
        raw = profile.vault_path.read_bytes()
        if raw.startswith(PLAINTEXT_MAGIC) or CANARY.encode() in raw:
            return False, "vault file is not encrypted"
        vault = profile.open_vault(profile.unlock("self-test passphrase", clock.now))
        vault.close()
        elapsed = time.perf_counter() - started
        return True, f"SQLCipher {sqlcipher_version()}, vault write/read/search/purge in {elapsed:.2f} s"
    except Exception as exc:
        return False, f"{type(exc).__name__}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ok, detail = run()
    print(f"ips-desktop self-test: {'PASS' if ok else 'FAIL'} ({detail})")
    return 0 if ok else 1
