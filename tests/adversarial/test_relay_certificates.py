"""Issue 14, item 21 (the relay's side), against a real ``ips-relay`` process: a laptop whose
certificate is outside its dates is refused, and an expired certificate is not registered."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Clock
from relay_world import Setup, relay_world

from ips_desktop.crypto import office_keys
from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.sync.relay_client import RelayTransport
from ips_desktop.sync.transport import TransportError

DAY = 86400


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[Setup]:
    with relay_world(tmp_path, clock) as setup:
        yield setup


def certificate(world: Setup, keys: DeviceKeys, not_before: int, not_after: int) -> bytes:
    return office_keys.make_certificate(world.office.keys().root, serial=900, signing_key=keys.signing_public,
                                        box_key=keys.box_public, label="IPS-90", not_before=not_before,
                                        not_after=not_after)


def test_a_laptop_outside_its_certificates_dates_is_refused(world: Setup) -> None:
    keys = DeviceKeys.from_seed(bytes(range(32)))
    now = int(time.time())
    world.office_transport.register_device(certificate(world, keys, now + 30 * DAY, now + 400 * DAY))  # not yet
    laptop = RelayTransport(world.url, keys.signing)
    with pytest.raises(TransportError, match="outside its dates"):
        laptop.receipts(keys.kid)


def test_an_expired_certificate_is_not_registered(world: Setup) -> None:
    keys = DeviceKeys.from_seed(bytes(range(1, 33)))
    now = int(time.time())
    with pytest.raises(TransportError, match="already expired"):
        world.office_transport.register_device(certificate(world, keys, now - 400 * DAY, now - DAY))
    with pytest.raises(TransportError, match="not enrolled"):
        RelayTransport(world.url, keys.signing).receipts(keys.kid)
