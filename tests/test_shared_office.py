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


def test_one_console_fetches_at_a_time_and_another_takes_over_when_it_stops(tmp_path: Path, clock: Clock) -> None:
    from datetime import timedelta

    from ips_desktop.office.sharing import Consoles

    profile = Profile(tmp_path, "office", schema="office")
    secrets, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    other_vault = VaultConnection.open(profile.vault_path, secrets.db_key, journal=ROLLBACK)  # the second PC
    jane = Consoles(OfficeService(vault, clock).repo, clock, "jane-pc", lambda: "PPO Jane", pc="OFFICE-1")
    sam = Consoles(OfficeService(other_vault, clock).repo, clock, "sam-pc", lambda: "PPO Sam", pc="OFFICE-2")

    assert jane.claim_fetch() is None  # the first console fetches
    held = sam.claim_fetch()
    assert held is not None
    assert held.words() == "PPO Jane on OFFICE-1"
    assert [c.words() for c in sam.others()] == ["PPO Jane on OFFICE-1"]
    assert [(c.words(), c.fetching) for c in jane.others()] == [("PPO Sam on OFFICE-2", False)]
    clock.now += timedelta(minutes=2)
    assert jane.claim_fetch() is None  # renewed at each pull: still Jane's
    assert sam.claim_fetch() is not None

    jane.leave()  # Jane quits: Sam fetches at his next pull
    assert sam.claim_fetch() is None
    assert jane.claim_fetch() is not None  # Jane back: Sam has it now

    clock.now += timedelta(minutes=4)  # Sam's PC went off without a word
    assert jane.claim_fetch() is None
    assert sam.others() == [] or all(c.who == "PPO Jane" for c in sam.others())
    vault.close()
    other_vault.close()


def test_the_command_line_leaves_fetching_to_the_console_that_does_it(tmp_path: Path, clock: Clock) -> None:
    import os
    import subprocess
    import sys

    from ips_desktop.office.sharing import Consoles

    exe = str(Path(sys.executable).with_name("ips-office"))
    env = dict(os.environ, IPS_OFFICE_PASSPHRASE=PASSPHRASE)
    data = tmp_path / "shared-folder"
    (tmp_path / "drop").mkdir()
    subprocess.run([exe, "--data", str(data), "init", "--name", "Test PPS", "--kdf", "minimum", "--address",
                    str(tmp_path / "drop")], env=env, check=True, capture_output=True, timeout=60)
    assert subprocess.run([exe, "--data", str(data), "pull"], env=env, capture_output=True, text=True,
                          timeout=60).stdout.startswith("verified 0")  # nobody else fetches: it does
    profile = Profile(data, "office", schema="office")
    vault = profile.open_vault(profile.unlock(PASSPHRASE, clock))
    from ips_desktop import clock as real_clock

    jane = Consoles(OfficeService(vault, real_clock.now).repo, real_clock.now, "jane-pc", lambda: "PPO Jane",
                    pc="OFFICE-1")
    assert jane.claim_fetch() is None  # PPO Jane's console is open and fetching
    refused = subprocess.run([exe, "--data", str(data), "pull"], env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1
    assert refused.stderr.startswith("ips-office: PPO Jane on OFFICE-1 fetches the office's records (last at ")
    assert refused.stderr.count("\n") == 1
    jane.leave()
    assert subprocess.run([exe, "--data", str(data), "pull"], env=env, capture_output=True, timeout=60).returncode == 0
    vault.close()
