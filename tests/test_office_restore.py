"""The office PC is lost: the drill, with the real ``ips-office`` and ``ips-relay`` processes and
two real laptop vaults. An office with two enrolled laptops is backed up; records go on being
sent; the office's folder is destroyed; the office is restored on a fresh data folder from the
backup (and the key backup, when the keys changed since). The records waiting at the relay
arrive, the laptops get their receipts, nothing is lost or duplicated, and no laptop enrols
again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import PASSPHRASE, Clock
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from relay_support import relay_process

from ips_desktop.crypto import office_keys
from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.profile import Profile
from ips_desktop.sync.engine import DeviceSync
from ips_desktop.sync.relay_client import RelayTransport
from ips_desktop.sync.transport import open_transport

EXE = str(Path(sys.executable).with_name("ips-office"))
OFFICE_PASSPHRASE = "office passphrase for the drill 4"
RECOVERY = "recovery words for the key backup"
CANARY = "Canary-Numbat-7781"


def office(data: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, IPS_OFFICE_PASSPHRASE=OFFICE_PASSPHRASE, IPS_OFFICE_RECOVERY_PASSPHRASE=RECOVERY)
    run = subprocess.run([EXE, "--data", str(data), *args], capture_output=True, text=True, env=env, timeout=120)
    if check and run.returncode != 0:
        raise AssertionError(f"ips-office {' '.join(args)} failed: {run.stderr}")
    assert "Traceback" not in run.stderr
    return run


class Laptop:
    def __init__(self, tmp: Path, label: str, clock: Clock) -> None:
        self.label = label
        profile = Profile(tmp / f"laptop-{label}")
        secrets, self.vault = profile.create(PASSPHRASE, MINIMUM_KDF)
        self.keys = DeviceKeys.from_seed(secrets.device_seed)
        self.sync = DeviceSync(self.vault, self.keys, lambda address: open_transport(address, self.keys.signing),
                               clock)
        self.book = CaseBook(self.vault, clock)
        self.case = self.book.open_case(f"PP-2026-0{label[-2:]}1")
        self.written = 0

    def enrol(self, data: Path) -> None:
        code = office(data, "invite", self.label).stdout.strip()
        self.sync.begin_enrolment(code, self.label, "test")
        office(data, "pull")
        assert not self.sync.finish_enrolment()
        listed = office(data, "pull").stdout
        assert f"code {self.sync.enrolment_digits()}" in listed
        office(data, "accept", listed.split("invite ")[1].split()[0])
        assert self.sync.finish_enrolment()

    def write(self, n: int) -> None:
        for _ in range(n):
            self.written += 1
            self.book.save(None, self.case, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 21, 9, 0), 10,
                                                          summary=f"Call {self.written}. {CANARY}"))
        assert self.sync.run().sent == n

    def states(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for envelope in self.sync.state.all():
            counts[envelope.state] = counts.get(envelope.state, 0) + 1
        return counts


def records_per_case(data: Path) -> dict[str, int]:
    from ips_desktop.office.cli import Session

    os.environ["IPS_OFFICE_PASSPHRASE"] = OFFICE_PASSPHRASE
    try:
        session = Session(data)
        try:
            cases: dict[str, int] = {}
            for case in ("PP-2026-0211", "PP-2026-0221"):
                cases[case] = len(session.service.repo.records(case))
            return cases
        finally:
            session.close()
    finally:
        del os.environ["IPS_OFFICE_PASSPHRASE"]


@pytest.mark.parametrize("rotated_after_backup", [False, True], ids=["same keys", "keys rotated after the backup"])
def test_the_office_pc_is_lost_and_restored_onto_a_new_one(tmp_path: Path, clock: Clock,
                                                           rotated_after_backup: bool) -> None:
    data = tmp_path / "office-pc"
    root = bytes.fromhex(office(data, "init", "--name", "Test PPS", "--kdf", "minimum").stdout.strip())
    with relay_process(tmp_path / "relay", root) as (url, relay_key):
        office(data, "relay", "--address", url, "--relay-key", relay_key.hex())
        laptops = [Laptop(tmp_path, "IPS-21", clock), Laptop(tmp_path, "IPS-22", clock)]
        for laptop in laptops:
            laptop.enrol(data)
        for laptop in laptops:
            laptop.write(2)
        assert "verified 4," in office(data, "pull").stdout
        for laptop in laptops:
            laptop.sync.run()
            assert laptop.states() == {"verified": 2}

        (tmp_path / "usb-stick").mkdir()
        made = office(data, "backup", str(tmp_path / "usb-stick"))
        [backup] = (tmp_path / "usb-stick").glob("*.ipsovb")
        assert made.stdout.startswith(f"Office backed up to {backup} (")
        assert backup.stat().st_mode & 0o077 == 0
        assert CANARY.encode() not in backup.read_bytes()
        if rotated_after_backup:  # the console makes a key backup after a rotation
            office(data, "rotate")
            from ips_desktop.crypto.key_backup import write_backup
            from ips_desktop.office.cli import Session

            os.environ["IPS_OFFICE_PASSPHRASE"] = OFFICE_PASSPHRASE
            session = Session(data)
            (tmp_path / "usb-stick" / "office-keys.ipsokb").write_bytes(
                write_backup(session.service.keys(), RECOVERY, MINIMUM_KDF))
            session.close()
            del os.environ["IPS_OFFICE_PASSPHRASE"]
        for laptop in laptops:
            laptop.write(3)  # in flight: waiting at the relay when the office PC is lost
        before = office_keys.open_bundle(RelayTransport(url, office_keys_root(data)).published_bundle() or b"",
                                         root).version

        shutil.rmtree(data)  # the office PC is gone

        new_pc = tmp_path / "new-office-pc"
        args = ["restore", str(backup)]
        if rotated_after_backup:
            refused = office(new_pc, *args, check=False)
            assert refused.returncode == 1
            assert "The office keys were changed after this backup was made" in refused.stderr
            assert not (new_pc / "office").exists()  # nothing left half-restored
            args += ["--key-backup", str(tmp_path / "usb-stick" / "office-keys.ipsokb")]
        restored = office(new_pc, *args)
        assert restored.stdout.startswith("Office restored from the backup of ")
        after = office_keys.open_bundle(RelayTransport(url, office_keys_root(new_pc)).published_bundle() or b"",
                                        root).version
        assert after > before  # the laptops, which pinned the relay's bundle, take the new one

        pulled = office(new_pc, "pull").stdout
        assert pulled.startswith("verified 6, duplicates 0, rejected 0, dropped 0, gaps 0,")
        for laptop in laptops:
            result = laptop.sync.run()
            assert result.status == "ok"
            assert laptop.states() == {"verified": 5}  # every record confirmed, none sent twice
            assert laptop.sync.state.identity() is not None  # still enrolled: no laptop enrolled again
        assert records_per_case(new_pc) == {"PP-2026-0211": 5, "PP-2026-0221": 5}
        assert "IPS-21" in office(new_pc, "devices").stdout
        again = office(new_pc, "restore", str(backup), check=False)
        assert again.returncode == 1
        assert "An office already exists" in again.stderr
    for laptop in laptops:
        laptop.vault.close()


def office_keys_root(data: Path) -> Ed25519PrivateKey:
    """The office's root signing key from its vault, to ask the relay what it holds."""
    from ips_desktop.office.cli import Session

    os.environ["IPS_OFFICE_PASSPHRASE"] = OFFICE_PASSPHRASE
    try:
        session = Session(data)
        try:
            return session.service.keys().root
        finally:
            session.close()
    finally:
        del os.environ["IPS_OFFICE_PASSPHRASE"]


def test_a_damaged_office_backup_is_refused_and_nothing_is_made(tmp_path: Path) -> None:
    data = tmp_path / "office-pc"
    office(data, "init", "--name", "Test PPS", "--kdf", "minimum")
    office(data, "backup", str(tmp_path / "office.ipsovb"))
    raw = bytearray((tmp_path / "office.ipsovb").read_bytes())
    raw[len(raw) // 2] ^= 0x01
    (tmp_path / "damaged.ipsovb").write_bytes(bytes(raw))
    run = office(tmp_path / "new", "restore", str(tmp_path / "damaged.ipsovb"), check=False)
    assert (run.returncode, run.stderr) == (1, "ips-office: The backup damaged.ipsovb is damaged; it has not been "
                                               "changed. Use an older backup.\n")
    assert not (tmp_path / "new").exists()
    restored = office(tmp_path / "new", "restore", str(tmp_path / "office.ipsovb"))
    assert "Office restored" in restored.stdout  # an office with no relay yet has nothing to publish
    assert "Test PPS" not in restored.stderr
