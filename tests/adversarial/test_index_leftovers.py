"""Issue 14, item 13, on real SQLCipher files: a word that leaves a note — a name the PII guard
made the volunteer replace, or a whole purged note — is nowhere in the vault file's decrypted
pages, free pages included, nor in its WAL, even while another connection (the background
sync) is reading; a journal that could not be truncated is owed and cleared later."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from conftest import PASSPHRASE, Clock
from sqlcipher_pages import decrypt_pages, decrypt_wal

from ips_desktop.crypto.keyslot import MINIMUM_KDF, VaultSecrets
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.profile import Profile
from ips_desktop.store.vault import VaultConnection

# Distinctive endings: the index keeps a term's ending whole even when it shares a prefix.
NAME = "Qxvombatique"
NAME_TAIL = b"vombatique"
PURGED = "Zyrquillance"
PURGED_TAIL = b"rquillance"


def note(text: str) -> ContactRecord:
    return ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 9, 0), 10, summary=text)


def everything(profile: Profile, key: bytes) -> bytes:
    wal = profile.vault_path.with_name(profile.vault_path.name + "-wal")
    return b"".join(decrypt_pages(profile.vault_path, key)) + b"".join(decrypt_wal(wal, key))


def fill(book: CaseBook, case: str, n: int) -> None:
    """Other notes, so the index has segments and pages of its own."""
    for i in range(n):
        book.save(None, case, note(f"Telephone call {i} about the annual review and the draft plan."))


def new_vault(tmp_path: Path) -> tuple[Profile, VaultSecrets, VaultConnection, CaseBook, str]:
    profile = Profile(tmp_path / "data")
    secrets, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    book = CaseBook(vault, Clock())
    return profile, secrets, vault, book, book.open_case("PP-2026-0311")


def test_a_replaced_name_leaves_no_trace_after_save(tmp_path: Path) -> None:
    profile, secrets, vault, book, case = new_vault(tmp_path)
    fill(book, case, 30)
    draft = book.save_draft(None, case, note(f"Spoke with {NAME.lower()} about the EHCP draft."))
    book.save_draft(draft, case, note(f"Spoke with {NAME.lower()} about the EHCP draft and the school."))
    assert NAME_TAIL in everything(profile, secrets.db_key)  # the autosave indexed it: the test can see it

    book.save(draft, case, note("Spoke with the parent about the EHCP draft and the school."))
    assert book.search("parent")
    assert not book.search(NAME)
    held = everything(profile, secrets.db_key)
    assert NAME_TAIL not in held
    assert b"parent" in held  # the new words are there, so the scan reads the right pages
    vault.close()


def test_typing_on_does_not_merge_the_index_at_every_save(tmp_path: Path) -> None:
    """Only an edit that drops a word owes the merge (it rewrites the whole index)."""
    _, _, vault, book, case = new_vault(tmp_path)
    draft = book.save_draft(None, case, note("Spoke with the parent"))
    book.save_draft(draft, case, note("Spoke with the parent about the review"))
    owed = vault.query("SELECT key FROM settings WHERE key = 'index_merge_owed'")
    assert owed == []
    book.save_draft(draft, case, note("Spoke with the carer about the review"))
    assert vault.query("SELECT key FROM settings WHERE key = 'index_merge_owed'") == [("index_merge_owed",)]
    vault.close()


def test_a_purge_while_the_sync_reads_is_cleared_from_the_journal(tmp_path: Path) -> None:
    profile, secrets, vault, book, case = new_vault(tmp_path)
    fill(book, case, 30)
    gone = book.save(None, case, note(f"The family mentioned {PURGED.lower()} twice."))

    # Another connection in the middle of a read, as the window's is while the background sync
    # purges; it stays open afterwards (closing would truncate the journal itself).
    reading, release, finished, leave = (threading.Event() for _ in range(4))

    def reader() -> None:
        other = VaultConnection.open(profile.vault_path, secrets.db_key, verify=False)
        other.execute("BEGIN")
        other.query("SELECT count(*) FROM records")
        reading.set()
        release.wait(30)
        other.execute("COMMIT")
        finished.set()
        leave.wait(30)
        other.close()

    thread = threading.Thread(target=reader)
    thread.start()
    assert reading.wait(30)
    book.purge(gone)
    release.set()
    assert finished.wait(30)
    try:
        book.records.settle_purges()  # what the next sync, or the next unlock, does first
        held = everything(profile, secrets.db_key)
        assert PURGED_TAIL not in held
        assert b"telephone" in held  # the other notes are still there, so the scan reads the right pages
        assert vault.query("SELECT key FROM settings WHERE key = 'wal_truncate_owed'") == []
        wal = profile.vault_path.with_name(profile.vault_path.name + "-wal")
        assert wal.stat().st_size == 0
    finally:
        leave.set()
        thread.join()
    vault.close()
