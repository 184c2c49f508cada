"""Several PPOs' consoles on one office folder (docs/architecture.md, "Several PPOs, one office"):
the office vault keeps a rollback journal, and two consoles opening the same envelope at once
keep it once and answer with one receipt."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from conftest import PASSPHRASE, Clock
from sync_world import enrolled_world

from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.office.service import OfficeService, ReceiveResult
from ips_desktop.store.profile import Profile
from ips_desktop.store.vault import ROLLBACK, VaultConnection


def test_the_office_vault_keeps_a_rollback_journal_and_an_older_office_is_moved_to_one(tmp_path: Path) -> None:
    profile = Profile(tmp_path, "office", schema="office")
    secrets, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    assert vault.settings()["journal_mode"] == "delete"
    vault.close()
    # An office made before the office kept a rollback journal is in WAL mode: the next open moves it.
    older = VaultConnection.open(profile.vault_path, secrets.db_key)
    assert older.settings()["journal_mode"] == "wal"
    older.close()
    again = profile.open_vault(secrets)
    assert again.settings()["journal_mode"] == "delete"
    again.close()
    assert not Path(str(profile.vault_path) + "-wal").exists()


def test_two_consoles_opening_the_same_envelope_at_once_keep_it_once(tmp_path: Path, clock: Clock) -> None:
    laptop, office = enrolled_world(tmp_path, clock)
    case = laptop.book.open_case("PP-2026-0142")
    for n in range(6):
        laptop.book.save(None, case, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 21, 9, n), 10,
                                                   summary=f"Call {n}."))
    assert laptop.sync.run().sent == 6
    handles = office.transport.waiting_envelopes()
    envelopes = [office.transport.fetch_envelope(h) for h in handles]
    assert len(envelopes) == 6

    results: dict[str, list[ReceiveResult]] = {}
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def console(name: str) -> None:  # a second PC's console: its own connection to the same file
        try:
            vault = VaultConnection.open(office.profile.vault_path, office.db_key, journal=ROLLBACK)
            service = OfficeService(vault, clock)
            start.wait()
            results[name] = [service.receive(data) for data in envelopes]
            vault.close()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=console, args=(n,)) for n in ("jane", "sam")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures, failures
    for n in range(6):
        first, second = results["jane"][n], results["sam"][n]
        assert sorted((first.outcome, second.outcome)) == ["duplicate", "verified"]
        assert first.receipt == second.receipt  # the laptop gets one answer, whoever opened it
    assert len(office.service.repo.records("PP-2026-0142")) == 6
    assert office.service.repo.alerts() == []  # nothing taken for a laptop not genuine


def test_the_office_audit_names_who_did_each_thing_and_a_changed_name_is_seen(tmp_path: Path, clock: Clock) -> None:
    profile = Profile(tmp_path, "office", schema="office")
    _, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    names = iter(["PPO Jane", "PPO Sam"])
    service = OfficeService(vault, clock, who=lambda: next(names))
    with vault.transaction():
        service.audit.append("alert acknowledged", "dev1", "visit v1: by PPO Jane")
        service.audit.append("alert closed", "dev1", "visit v1: checked in, by PPO Sam")
    entries = service.audit.entries()
    assert [(e.event, e.who) for e in entries] == [("alert acknowledged", "PPO Jane"), ("alert closed", "PPO Sam")]
    assert service.audit.first_broken() is None
    vault.execute("UPDATE audit_log SET who = 'PPO Sam' WHERE seq = 1")
    assert service.audit.first_broken() == 1  # the name is part of what the chain holds
    vault.execute("UPDATE audit_log SET who = '' WHERE seq = 1")
    assert service.audit.first_broken() == 1  # and cannot be taken away either
    vault.close()
