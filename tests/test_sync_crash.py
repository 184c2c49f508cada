"""Crash tests for sealed sync: a laptop process killed at each step of sending, receipt
handling, purging and certifying loses no record, makes the office store nothing twice, and
leaves no readable trace of what was purged."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import PASSPHRASE, Clock, files_containing
from enrolling import enrol_laptop
from sqlcipher_pages import decrypt_pages

from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.office.inbox import pull
from ips_desktop.office.service import OfficeService
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.profile import Profile
from ips_desktop.sync.engine import DeviceSync
from ips_desktop.sync.transport import FolderTransport

CANARY = "Canary-Bilby-6620"
START = datetime(2026, 11, 23, 10, 0)

CHILD = r"""
import os, signal, sys
from datetime import datetime
from pathlib import Path
sys.path.insert(0, {tests!r})
from conftest import PASSPHRASE, Clock
from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.store.profile import Profile
from ips_desktop.sync.engine import DeviceSync
from ips_desktop.sync.transport import FolderTransport

profile = Profile(Path({root!r}))
secrets = profile.unlock(PASSPHRASE, Clock())
vault = profile.open_vault(secrets)
seen = []

def fault(step):
    seen.append(step)
    if step == {step!r} and seen.count(step) == {nth}:
        os.kill(os.getpid(), signal.SIGKILL)

clock = Clock(datetime.fromisoformat({now!r}))
DeviceSync(vault, DeviceKeys.from_seed(secrets.device_seed), lambda a: FolderTransport(Path(a)), clock,
           fault=fault).run()
print("finished without reaching", {step!r})
"""


class World:
    def __init__(self, tmp: Path, clock: Clock) -> None:
        self.tmp = tmp
        self.clock = clock
        self.folder = tmp / "share"
        self.folder.mkdir()
        office_profile = Profile(tmp / "office", "office", schema="office")
        _, self.office_vault = office_profile.create(PASSPHRASE, MINIMUM_KDF)
        self.office = OfficeService(self.office_vault, clock)
        self.office.create("Test PPS", address=str(self.folder))
        self.transport = FolderTransport(self.folder)
        self.profile = Profile(tmp / "laptop")
        secrets, vault = self.profile.create(PASSPHRASE, MINIMUM_KDF)
        self.db_key = secrets.db_key
        sync = self._sync(vault, secrets.device_seed)
        invite = self.office.make_invite("IPS-31")
        enrol_laptop(sync, self.office, self.transport, invite.code(), "IPS-31")
        self.seed = secrets.device_seed
        book = CaseBook(vault, clock)
        case = book.open_case("PP-2026-0900")
        self.ids = [book.save(None, case, ContactRecord(ContactKind.TELEPHONE, START, 5,
                                                        summary=f"Call {n}. {CANARY}")) for n in range(3)]
        book.close_case(case)  # the office is told, in a record of its own
        self.status_id = next(r.id for r in book.records.all(case_id=case) if r.kind == "case_status")
        vault.close()

    def _sync(self, vault: object, seed: bytes) -> DeviceSync:
        return DeviceSync(vault, DeviceKeys.from_seed(seed), lambda a: FolderTransport(Path(a)), self.clock)  # type: ignore[arg-type]

    def crash_at(self, step: str, nth: int = 1) -> None:
        code = CHILD.format(tests=str(Path(__file__).parent), root=str(self.tmp / "laptop"), step=step, nth=nth,
                            now=self.clock.now.isoformat())
        child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert child.returncode == -9, child.stdout + child.stderr

    def laptop_run(self) -> None:
        secrets = self.profile.unlock(PASSPHRASE, self.clock)
        vault = self.profile.open_vault(secrets)
        try:
            self._sync(vault, secrets.device_seed).run()
        finally:
            vault.close()

    def remaining(self) -> set[str]:
        secrets = self.profile.unlock(PASSPHRASE, self.clock)
        vault = self.profile.open_vault(secrets)
        try:
            return {r.id for r in CaseBook(vault, self.clock).records.all()}
        finally:
            vault.close()


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> World:
    return World(tmp_path, clock)


def settle(world: World) -> None:
    """Run both sides until nothing moves."""
    for _ in range(3):
        world.laptop_run()
        pull(world.office, world.transport)
    world.laptop_run()


@pytest.mark.parametrize(("step", "nth"), [("sealed", 1), ("sealed", 2), ("delivered", 1), ("delivered", 3)])
def test_crash_while_sending(world: World, step: str, nth: int) -> None:
    world.crash_at(step, nth)
    assert world.remaining() == {*world.ids, world.status_id}  # nothing lost
    settle(world)
    held = world.office.repo.records("PP-2026-0900")
    notes = [r for r in held if r.record_type == "contact"]
    assert len(notes) == 3  # each stored exactly once
    assert sorted(r.content["body"]["summary"] for r in notes) == [f"Call {n}. {CANARY}" for n in range(3)]
    assert [r.record_type for r in held].count("case_status") == 1


@pytest.mark.parametrize("step", ["receipt applied", "purged", "certificate sent"])
def test_crash_while_taking_receipts_and_purging(world: World, step: str) -> None:
    world.laptop_run()
    pull(world.office, world.transport)
    world.crash_at(step)
    settle(world)
    assert world.remaining() == set()  # the closed case went once the office held every note
    assert sorted(r.record_type for r in world.office.repo.records("PP-2026-0900")) == ["case_status", *["contact"] * 3]
    device = world.office.repo.devices()[0]
    assert sum(n for _, _, n in world.office.repo.purge_certificates(device.device_kid)) >= 3
    assert files_containing(world.tmp / "laptop", CANARY.encode()) == []
    pages = b"".join(decrypt_pages(world.profile.vault_path, world.db_key))
    assert b"bilby" not in pages  # not even the search index's token (it is there before a purge)
