"""``ips-office`` as an IT person scripts it: real processes, a real relay, a real laptop vault."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from conftest import PASSPHRASE, Clock
from relay_support import relay_process

from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.profile import Profile
from ips_desktop.sync.engine import DeviceSync
from ips_desktop.sync.transport import open_transport

EXE = str(Path(sys.executable).with_name("ips-office"))


def office(data: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, IPS_OFFICE_PASSPHRASE="office passphrase for the test 9")
    return subprocess.run([EXE, "--data", str(data), *args], capture_output=True, text=True, env=env, check=check,
                          timeout=120)


def test_the_whole_flow_from_the_command_line(tmp_path: Path, clock: Clock) -> None:
    data = tmp_path / "office"
    root = bytes.fromhex(office(data, "init", "--name", "Test PPS", "--kdf", "minimum").stdout.strip())
    assert office(data, "root-key").stdout.strip() == root.hex()  # what `ips-relay serve --office-root` needs
    with relay_process(tmp_path / "relay", root) as (url, relay_key):
        office(data, "relay", "--address", url, "--relay-key", relay_key.hex())
        code = office(data, "invite", "IPS-21").stdout.strip()

        profile = Profile(tmp_path / "laptop")
        secrets, vault = profile.create(PASSPHRASE, MINIMUM_KDF)
        keys = DeviceKeys.from_seed(secrets.device_seed)
        sync = DeviceSync(vault, keys, lambda address: open_transport(address, keys.signing), clock)
        sync.begin_enrolment(code, "IPS-21", "test")
        office(data, "pull")  # answers the laptop's first message
        assert not sync.finish_enrolment()
        sas = sync.enrolment_digits()

        listed = office(data, "pull").stdout
        assert f"code {sas}" in listed
        invite = listed.split("invite ")[1].split()[0]
        office(data, "accept", invite)
        assert sync.finish_enrolment()
        assert "IPS-21" in office(data, "devices").stdout

        book = CaseBook(vault, clock)
        case = book.open_case("PP-2026-0777")
        book.save(None, case, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 21, 9, 0), 10,
                                            summary="Parent asked about transport to school."))
        assert sync.run().sent == 1
        assert "verified 1" in office(data, "pull").stdout
        exported = office(data, "export", "--case", "PP-2026-0777").stdout
        assert "transport to school" in exported

        office(data, "rotate")
        assert sync.run().status == "ok"  # the laptop takes the new bundle
        assert sync._pinned(sync.state.identity()).version > 2

        refused = office(data, "export", "--case", "PP-2026-0000", check=False)
        assert refused.returncode == 1
        assert "No records" in refused.stderr
        assert "Traceback" not in refused.stderr

        # Who did what: every line names the command line's user; laptops by their IPS code.
        audit = office(data, "audit").stdout.splitlines()
        user = __import__("getpass").getuser()
        assert audit
        assert all(f"command line ({user})" in line for line in audit), audit
        assert any("invite made" in line for line in audit), audit
        assert any("IPS-21" in line for line in audit), audit
        assert "transport to school" not in "\n".join(audit)  # never a record's words
        assert len(office(data, "audit", "--last", "2").stdout.splitlines()) == 2
        wrong = office(data, "audit", "--last", "0", check=False)
        assert (wrong.returncode, wrong.stderr.count("\n")) == (2, 1), wrong.stderr
        assert "must be 1 or more" in wrong.stderr
        vault.close()


def test_wrong_passphrase_is_a_clear_message(tmp_path: Path) -> None:
    data = tmp_path / "office"
    office(data, "init", "--name", "Test PPS", "--kdf", "minimum")
    env = dict(os.environ, IPS_OFFICE_PASSPHRASE="not the passphrase")
    result = subprocess.run([EXE, "--data", str(data), "devices"], capture_output=True, text=True, env=env,
                            timeout=60)
    assert result.returncode == 1
    assert "does not open" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_new_passphrase_and_a_shared_office_folder(tmp_path: Path) -> None:
    """`passphrase` changes what opens the office (and is audited); `use` points this PC's
    commands (and console) at a shared office folder, refusing a folder with no office in it."""
    share = tmp_path / "share" / "IPS Office"
    office(share, "init", "--name", "Test PPS", "--kdf", "minimum")
    new = "a new office passphrase 10"
    short = subprocess.run([EXE, "--data", str(share), "passphrase", "--kdf", "minimum"], capture_output=True,
                           text=True, timeout=60, env=dict(os.environ, IPS_OFFICE_PASSPHRASE="office passphrase for "
                                                           "the test 9", IPS_OFFICE_NEW_PASSPHRASE="too short"))
    assert (short.returncode, short.stderr.count("\n")) == (1, 1), short.stderr
    assert "at least 12 characters" in short.stderr
    changed = subprocess.run([EXE, "--data", str(share), "passphrase", "--kdf", "minimum"], capture_output=True,
                             text=True, timeout=60, env=dict(os.environ, IPS_OFFICE_PASSPHRASE="office passphrase "
                                                             "for the test 9", IPS_OFFICE_NEW_PASSPHRASE=new))
    assert changed.returncode == 0, changed.stderr
    assert "Tell every PPO" in changed.stdout
    assert office(share, "devices", check=False).returncode == 1  # the old passphrase no longer opens it
    with_new = dict(os.environ, IPS_OFFICE_PASSPHRASE=new)
    audit = subprocess.run([EXE, "--data", str(share), "audit"], capture_output=True, text=True, env=with_new,
                           timeout=60, check=True).stdout
    assert "office passphrase changed" in audit
    assert new not in audit

    # This PC's commands use the shared folder from now on, without --data.
    nowhere = subprocess.run([EXE, "use", str(tmp_path / "share")], capture_output=True, text=True, timeout=60)
    assert (nowhere.returncode, nowhere.stderr.count("\n")) == (1, 1), nowhere.stderr
    assert "There is no office in" in nowhere.stderr
    used = subprocess.run([EXE, "use", str(share / "office")], capture_output=True, text=True, timeout=60)
    assert used.returncode == 0, used.stderr
    assert str(share) in used.stdout
    assert subprocess.run([EXE, "use"], capture_output=True, text=True, timeout=60).stdout.strip() == str(share)
    devices = subprocess.run([EXE, "devices"], capture_output=True, text=True, env=with_new, timeout=60)
    assert devices.returncode == 0, devices.stderr
