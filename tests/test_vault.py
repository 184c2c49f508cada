"""The vault file on disk: encrypted, keyed, checked, migrated, and purged without trace."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from conftest import PASSPHRASE, Clock, files_containing
from sqlcipher_pages import decrypt_pages

from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.store import migrations
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.profile import Profile, UnlockError
from ips_desktop.store.vault import (
    PLAINTEXT_MAGIC,
    VaultConnection,
    VaultCorruptError,
    VaultPlaintextError,
)

CANARY = "Canary-Quokka-4471"


def _note(text: str) -> ContactRecord:
    return ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 10, 30), 25, summary=text)


def test_vault_file_is_not_plain_sqlite(profile: Profile, vault: VaultConnection) -> None:
    vault.checkpoint()
    assert not profile.vault_path.read_bytes().startswith(PLAINTEXT_MAGIC)


def test_every_required_setting_holds(vault: VaultConnection) -> None:
    found = vault.settings()
    assert int(str(found["cipher_version"]).split(".")[0]) >= 4
    assert str(found["cipher_memory_security"]) == "1"
    assert found["secure_delete"] == 1
    assert found["temp_store"] == 2
    assert found["journal_mode"] == "wal"
    assert found["foreign_keys"] == 1


def test_wrong_key_fails_cleanly_and_changes_nothing(profile: Profile, vault: VaultConnection) -> None:
    vault.close()
    before = profile.vault_path.read_bytes()
    with pytest.raises(VaultCorruptError, match="does not open"):
        VaultConnection.open(profile.vault_path, os.urandom(32))
    assert profile.vault_path.read_bytes() == before


def test_wrong_passphrase_backs_off_and_changes_nothing(profile: Profile, vault: VaultConnection) -> None:
    vault.close()
    clock = Clock()
    before = (profile.vault_path.read_bytes(), profile.keyslot_path.read_bytes())
    for _ in range(3):
        with pytest.raises(UnlockError, match="does not open"):
            profile.unlock("wrong", clock)
    # After three free tries, even the right passphrase must wait.
    with pytest.raises(UnlockError, match="Try again in") as err:
        profile.unlock(PASSPHRASE, clock)
    assert err.value.retry_at is not None
    clock.now = err.value.retry_at
    assert profile.unlock(PASSPHRASE, clock)
    assert (profile.vault_path.read_bytes(), profile.keyslot_path.read_bytes()) == before
    assert profile.unlock_state().failures == 0


def test_plaintext_sqlite_file_is_refused_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "vault.db"
    path.write_bytes(PLAINTEXT_MAGIC + bytes(4096 - 16))
    with pytest.raises(VaultPlaintextError):
        VaultConnection.open(path, os.urandom(32))
    assert path.read_bytes().startswith(PLAINTEXT_MAGIC)


@pytest.mark.parametrize("cut", [0, 100, 4096 + 7])
def test_truncated_vault_is_refused_not_overwritten(profile: Profile, vault: VaultConnection, cut: int) -> None:
    vault.close()
    secrets = profile.unlock(PASSPHRASE, Clock())
    damaged = profile.vault_path.read_bytes()[:cut]
    profile.vault_path.write_bytes(damaged)
    with pytest.raises(VaultCorruptError):
        profile.open_vault(secrets)
    assert profile.vault_path.read_bytes() == damaged


def test_a_damaged_page_deep_in_the_file_is_found_at_open(profile: Profile, vault: VaultConnection) -> None:
    vault.executescript("CREATE TABLE filler (x BLOB);"
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) "
                        "INSERT INTO filler SELECT randomblob(3000) FROM n;")
    vault.close()
    secrets = profile.unlock(PASSPHRASE, Clock())
    raw = bytearray(profile.vault_path.read_bytes())
    raw[-2000] ^= 0xFF  # one bit pattern in the last page, which opening alone never reads
    profile.vault_path.write_bytes(bytes(raw))
    with pytest.raises(VaultCorruptError, match="damaged"):
        profile.open_vault(secrets)
    assert profile.vault_path.read_bytes() == bytes(raw)


def test_damaged_keyslot_gives_a_clear_message(profile: Profile, vault: VaultConnection) -> None:
    vault.close()
    blob = profile.keyslot_path.read_bytes()
    profile.keyslot_path.write_bytes(blob[:40])
    with pytest.raises(UnlockError, match="damaged"):
        profile.unlock(PASSPHRASE, Clock())
    assert profile.keyslot_path.read_bytes() == blob[:40]


def test_change_passphrase_rewraps_slot_only(profile: Profile, vault: VaultConnection) -> None:
    vault.close()
    before = profile.vault_path.read_bytes()
    profile.change_passphrase(PASSPHRASE, "a new and longer passphrase", MINIMUM_KDF, Clock())
    with pytest.raises(UnlockError):
        profile.unlock(PASSPHRASE, Clock())
    profile.open_vault(profile.unlock("a new and longer passphrase", Clock())).close()
    assert profile.vault_path.read_bytes()[:4096] == before[:4096]


def test_no_canary_on_disk_after_writing_records(
    profile: Profile, book: CaseBook, vault: VaultConnection, private_tmp: Path
) -> None:
    case_id = book.open_case("PP-2026-0101")
    draft = book.save_draft(None, case_id, _note(f"draft mentions {CANARY}"))
    book.save(draft, case_id, _note(f"parent described {CANARY} at length"))
    book.save(None, case_id, _note(CANARY * 200))
    attachment = private_tmp / "letter.txt"
    attachment.write_text(f"scanned letter {CANARY}")
    book.attach_file(draft, attachment)
    attachment.unlink()
    assert book.search(CANARY)  # it is really in there
    for root in (profile.dir, private_tmp):
        assert files_containing(root, CANARY.encode()) == []
    vault.close()
    assert files_containing(profile.dir, CANARY.encode()) == []


def test_purge_leaves_no_key_ciphertext_or_text_in_any_page(
    profile: Profile, book: CaseBook, vault: VaultConnection
) -> None:
    case_id = book.open_case("PP-2026-0102")
    keep = book.save(None, case_id, _note("this note stays"))
    gone = book.save(None, case_id, _note(f"this note goes {CANARY}"))
    key = vault.query_one("SELECT key FROM record_keys WHERE record_id = ?", (gone,))[0]
    body = vault.query_one("SELECT body FROM records WHERE id = ?", (gone,))[0]
    db_key = profile.unlock(PASSPHRASE, Clock()).db_key

    book.purge(gone)

    assert vault.query_one("SELECT 1 FROM record_keys WHERE record_id = ?", (gone,)) is None
    assert book.search("goes") == []
    assert [h.record_id for h in book.search("stays")] == [keep]
    assert Path(str(profile.vault_path) + "-wal").stat().st_size == 0
    pages = b"".join(decrypt_pages(profile.vault_path, db_key))
    assert b"this note stays" not in pages  # bodies are sealed even inside the file
    assert bytes(key) not in pages
    assert bytes(body)[12:60] not in pages
    assert CANARY.lower().encode() not in pages.lower()
    # The decryption really works: the live record's ciphertext is there.
    live_body = vault.query_one("SELECT body FROM records WHERE id = ?", (keep,))[0]
    assert bytes(live_body)[12:60] in pages


# The schema of version 1 exactly as released; never edit (tests upgrade from it).
FROZEN_V1 = """
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE cases (id TEXT PRIMARY KEY, reference TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')), opened_at TEXT NOT NULL, closed_at TEXT);
CREATE TABLE records (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, case_id TEXT REFERENCES cases(id),
    kind TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('draft', 'saved')), created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 0, body BLOB NOT NULL);
CREATE INDEX records_case ON records(case_id);
CREATE TABLE record_keys (record_id TEXT PRIMARY KEY, key BLOB NOT NULL);
CREATE TABLE outbox (record_id TEXT PRIMARY KEY REFERENCES records(id), queued_at TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0);
CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, event TEXT NOT NULL, subject TEXT NOT NULL,
    detail TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL);
INSERT INTO cases VALUES ('c1', 'PP-2025-0007', 'open', '2025-06-01T09:00:00', NULL);
INSERT INTO settings VALUES ('ips_code', 'IPS-17');
PRAGMA user_version = 1;
"""


def test_migrates_a_frozen_version_1_vault_after_backing_it_up(tmp_path: Path) -> None:
    profile = Profile(tmp_path)
    profile.dir.mkdir(parents=True)
    db_key = os.urandom(32)
    old = VaultConnection.open(profile.vault_path, db_key, create=True)
    old.executescript(FROZEN_V1)
    old.close()

    from ips_desktop.crypto.keyslot import VaultSecrets
    vault = profile.open_vault(VaultSecrets(db_key, os.urandom(32)))
    assert vault.user_version == migrations.LATEST
    book = CaseBook(vault, Clock())
    assert [c.reference for c in book.case_list()] == ["PP-2025-0007"]
    assert book.settings.ips_code == "IPS-17"
    record_id = book.save(None, "c1", _note("after the upgrade"))
    assert [h.record_id for h in book.search("upgrade")] == [record_id]
    vault.close()

    backups = profile.backups()
    assert len(backups) == 1
    assert "schema1" in backups[0].name
    backup = VaultConnection.open(backups[0], db_key)
    assert backup.user_version == 1
    backup.close()


def test_newer_vault_is_refused_untouched(profile: Profile, vault: VaultConnection) -> None:
    vault.set_user_version(migrations.LATEST + 1)
    with pytest.raises(migrations.MigrationError, match="newer"):
        migrations.migrate(vault, profile.backup_path)
    assert vault.user_version == migrations.LATEST + 1


def test_quick_wipe_removes_everything(profile: Profile, vault: VaultConnection) -> None:
    vault.close()
    profile.wipe()
    assert not profile.dir.exists()


def test_only_real_damage_is_called_damaged(profile: Profile, vault: VaultConnection) -> None:
    """A constraint, another thread and a closed connection each get their own plain message;
    none says "damaged" (a volunteer told that may restore an old backup and lose newer work)."""
    import threading

    from ips_desktop.store.errors import RecordNotFound, VaultClosedError, VaultConflictError, VaultError

    vault.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
    vault.execute("INSERT INTO t VALUES ('a')")
    with pytest.raises(VaultConflictError) as clash:
        vault.execute("INSERT INTO t VALUES ('a')")
    assert "damaged" not in str(clash.value)

    from_elsewhere: list[BaseException] = []

    def other_thread() -> None:
        try:
            vault.query("SELECT * FROM t")
        except BaseException as exc:
            from_elsewhere.append(exc)

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert isinstance(from_elsewhere[0], VaultClosedError)
    assert "damaged" not in str(from_elsewhere[0])

    def clash_in_a_transaction() -> None:
        with vault.transaction():
            vault.execute("INSERT INTO t VALUES ('b')")
            vault.execute("INSERT INTO t VALUES ('a')")

    with pytest.raises(VaultConflictError):
        clash_in_a_transaction()
    assert vault.query("SELECT k FROM t") == [("a",)], "the transaction was undone"

    vault.close()
    with pytest.raises(VaultClosedError):
        vault.query("SELECT * FROM t")
    assert issubclass(RecordNotFound, VaultError), "autosave catches a vanished record as a vault error"
