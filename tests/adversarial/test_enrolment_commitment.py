"""Issue 14, item 8, against a real ``ips-relay`` process and the real office core: someone who
holds the invite code and can swap messages (the relay's operator, or anyone reading the drop
folder) cannot make their own key show the volunteer's six digits.

Before: the laptop's first message carried its keys, so the volunteer's digits could be worked
out from it and a key showing the same digits was found in 235 s on one core. Now the first
message is a commitment (a hash of the keys and a nonce); the office answers with a nonce of
its own; only then do the keys travel, and the office checks they open the commitment. The
office takes one commitment per invite, so a swap gets one try at 1 in 1,000,000."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from conftest import PASSPHRASE, Clock
from relay_world import Setup, relay_world

from ips_desktop.crypto import enrolment
from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.office.inbox import pull
from ips_desktop.office.service import Challenge, OfficeError
from ips_desktop.store.profile import Profile
from ips_desktop.sync.engine import DeviceSync, EnrolmentError
from ips_desktop.sync.relay_client import RelayTransport
from ips_desktop.sync.transport import open_transport


def new_laptop(root: Path, clock: Clock) -> tuple[DeviceSync, DeviceKeys]:
    secrets, vault = Profile(root).create(PASSPHRASE, MINIMUM_KDF)
    keys = DeviceKeys.from_seed(secrets.device_seed)
    return DeviceSync(vault, keys, lambda address: open_transport(address, keys.signing), clock), keys


def posted(relay_db: Path, slot: bytes) -> bytes:
    with sqlite3.connect(relay_db) as db:
        row = db.execute("SELECT request FROM enrolments WHERE invite_id = ?", (slot,)).fetchone()
    assert row is not None
    return bytes(row[0])


Started = tuple[Setup, DeviceSync, DeviceKeys, enrolment.Invite]


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Started]:
    """The office and its relay, and a second laptop that has sent its first message."""
    clock = Clock(datetime.now())
    with relay_world(tmp_path, clock) as s:
        sync, keys = new_laptop(tmp_path / "laptop-2", clock)
        invite = s.office.make_invite("IPS-12")
        sync.begin_enrolment(invite.code(), "IPS-12", "test")
        yield s, sync, keys, invite


def test_the_first_message_gives_nothing_to_search_on(started: Started, tmp_path: Path) -> None:
    _, sync, keys, invite = started
    first = posted(tmp_path / "relay" / "relay.db", invite.invite_id)
    for key in (keys.signing_public, keys.box_public):
        assert key not in first
        assert key.hex().encode() not in first
    assert sync.enrolment_digits() is None  # the laptop itself has no digits yet


def test_a_request_swapped_in_after_the_commitment_is_refused(started: Started) -> None:
    s, sync, _, invite = started
    assert pull(s.office, s.office_transport).enrolments == []  # the office answers the commitment

    # The attacker has the invite code and is first to the request slot, with a key of their own.
    attacker = DeviceKeys.from_seed(os.urandom(32))
    forged = enrolment.make_request(invite, attacker, "IPS-12", "test", os.urandom(enrolment.NONCE_LEN))
    RelayTransport(s.url, attacker.signing).send_enrolment(enrolment.request_slot(invite.invite_id), forged)
    result = pull(s.office, s.office_transport)
    assert result.enrolments == []  # nothing for the PPO to accept
    assert any("did not match the laptop's first message" in p for p in result.problems)
    assert any(a.kind == "enrolment" and "does not match" in a.detail for a in s.office.repo.alerts())
    with pytest.raises(EnrolmentError):
        sync.finish_enrolment()  # the volunteer is told; nothing was enrolled
    assert s.office.pending_enrolments() == []


def test_one_commitment_per_invite(tmp_path: Path) -> None:
    """A second commitment under the same invite (someone else racing the volunteer, or an
    attacker wanting another try at the digits) is refused and reported."""
    clock = Clock(datetime.now())
    with relay_world(tmp_path, clock) as s:
        invite = s.office.make_invite("IPS-12")
        first = enrolment.make_commitment(invite, DeviceKeys.from_seed(os.urandom(32)), os.urandom(32))
        second = enrolment.make_commitment(invite, DeviceKeys.from_seed(os.urandom(32)), os.urandom(32))
        answer = s.office.receive_enrolment(first)
        assert isinstance(answer, Challenge)
        assert s.office.receive_enrolment(first) == answer  # the same message twice: the same answer
        with pytest.raises(OfficeError, match="second laptop"):
            s.office.receive_enrolment(second)
        assert any("a second laptop tried to use it" in a.detail for a in s.office.repo.alerts())


def test_the_digits_depend_on_both_nonces(tmp_path: Path) -> None:
    """The same keys under the same invite give other digits with another office nonce: the
    digits cannot be chosen by whoever picks only one side."""
    invite = enrolment.Invite(os.urandom(16), os.urandom(16), os.urandom(32), 2**31, "")
    keys = DeviceKeys.from_seed(os.urandom(32))
    request = enrolment.read_request(enrolment.make_request(invite, keys, "IPS-12", "test", os.urandom(32)))[0]
    shown = {enrolment.short_authentication_string(invite.root_public, request, os.urandom(32)) for _ in range(50)}
    assert len(shown) > 45
