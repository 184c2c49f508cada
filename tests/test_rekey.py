"""Epoch re-key (DESIGN §3): a new file under a new key, swapped atomically; the old key is
gone from every slot, and a crash at any step loses nothing and leaves no readable orphan."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import PASSPHRASE, Clock
from sqlcipher_pages import decrypt_pages

from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.store import migrations
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.profile import Profile, UnlockError
from ips_desktop.store.vault import VaultConnection, VaultCorruptError

CANARY = "Canary-Potoroo-3301"


def note(text: str) -> ContactRecord:
    return ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 10, 30), 25, summary=text)


def test_rekey_replaces_the_key_and_keeps_every_record(profile: Profile, clock: Clock) -> None:
    secrets, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    book = CaseBook(vault, clock)
    case = book.open_case("PP-2026-0001")
    kept = book.save(None, case, note("This note stays after the re-key."))
    gone = book.save(None, case, note(f"This one is purged first. {CANARY}"))
    book.purge(gone)

    vault2, secrets2 = profile.rekey(vault, secrets)
    assert secrets2.db_key != secrets.db_key
    book2 = CaseBook(vault2, clock)
    assert book2.record(kept).record.summary.startswith("This note stays")
    assert [h.record_id for h in book2.search("stays")] == [kept]
    assert vault2.user_version == migrations.LATEST
    vault2.close()

    with pytest.raises(VaultCorruptError):
        VaultConnection.open(profile.vault_path, secrets.db_key)  # the old key opens nothing
    unlocked = profile.unlock(PASSPHRASE, clock)  # the same passphrase opens the new slot
    assert unlocked.db_key == secrets2.db_key
    pages = b"".join(decrypt_pages(profile.vault_path, secrets2.db_key))
    assert CANARY.encode() not in pages
    assert b"This note stays" not in pages  # bodies are sealed inside the file too
    assert not list(profile.dir.glob("*.next*"))


def test_rekey_needs_a_passphrase_unlock(profile: Profile, clock: Clock) -> None:
    secrets, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    profile.remember(secrets, b"k" * 32)
    by_keyring = profile.unlock_with_keyring_secret(b"k" * 32)
    with pytest.raises(Exception, match="passphrase"):
        profile.rekey(vault, by_keyring)
    vault.close()


def test_rekey_rewraps_the_remembered_slot(profile: Profile, clock: Clock) -> None:
    secrets, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    profile.remember(secrets, b"k" * 32)
    vault2, new = profile.rekey(vault, secrets, keyring_secret=b"k" * 32)
    vault2.close()
    assert profile.unlock_with_keyring_secret(b"k" * 32).db_key == new.db_key


def test_rekey_without_the_keyring_secret_forgets_the_computer(profile: Profile, clock: Clock) -> None:
    secrets, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    profile.remember(secrets, b"k" * 32)
    vault2, _ = profile.rekey(vault, secrets)
    vault2.close()
    assert not profile.remembered
    with pytest.raises(UnlockError):
        profile.unlock_with_keyring_secret(b"k" * 32)


CHILD = r"""
import os, signal, sys
from datetime import datetime
from pathlib import Path
sys.path.insert(0, {tests!r})
from conftest import PASSPHRASE, Clock
from ips_desktop.store.profile import Profile

profile = Profile(Path({root!r}))
secrets = profile.unlock(PASSPHRASE, Clock())
vault = profile.open_vault(secrets)

def fault(step):
    if step == {step!r}:
        os.kill(os.getpid(), signal.SIGKILL)

profile.rekey(vault, secrets, fault=fault)
"""


@pytest.mark.parametrize("step", ["exported", "slot written", "committed", "swapped"])
def test_a_crash_at_any_step_of_rekey_loses_nothing(tmp_path: Path, clock: Clock, step: str) -> None:
    profile = Profile(tmp_path / "data")
    secrets, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    book = CaseBook(vault, clock)
    case = book.open_case("PP-2026-0002")
    rid = book.save(None, case, note("Must survive a crash during re-key."))
    vault.close()
    code = CHILD.format(tests=str(Path(__file__).parent), root=str(tmp_path / "data"), step=step)
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert child.returncode == -9, child.stderr

    after = profile.unlock(PASSPHRASE, clock)
    reopened = profile.open_vault(after)
    assert CaseBook(reopened, clock).record(rid).record.summary.startswith("Must survive")
    reopened.close()
    assert not list(profile.dir.glob("*.next*"))  # no orphan under a key no slot holds
    # Before the commit point the old key stays; after it the new key is the only one.
    assert (after.db_key == secrets.db_key) == (step in ("exported", "slot written"))
