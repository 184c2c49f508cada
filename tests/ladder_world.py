"""The overdue-ladder world for tests: the office, one enrolled laptop (IPS-11), a real relay
process with a real SMTP server beside it, and one clock they all share (the relay reads its
offset from a file the test moves on)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PASSPHRASE, Clock
from enrolling import enrol_laptop
from relay_support import free_port, relay_process
from smtp_support import Inbox, smtp_server

from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.office.service import OfficeService
from ips_desktop.store.profile import Profile
from ips_desktop.sync.engine import DeviceSync
from ips_desktop.sync.relay_client import RelayTransport
from ips_desktop.sync.transport import open_transport
from ips_desktop.sync.watch_client import WatchClient

MIN = 60
PPO, PPO2, MANAGER, FAMILY, POLICE = ("ppo@office.test", "ppo2@office.test", "manager@office.test",
                                      "family@home.test", "duty@office.test")


class World:
    """The office, one enrolled laptop (IPS-11), the relay, and the clock they all share."""

    def __init__(self, tmp: Path, clock: Clock) -> None:
        self.tmp = tmp
        self.offset_file = tmp / "clock-offset"
        self.offset_file.write_text("0")
        self.smtp_port = free_port()
        self.relay_port = free_port()
        profile = Profile(tmp / "office", "office", schema="office")
        office_secrets, self.office_vault = profile.create(PASSPHRASE, MINIMUM_KDF)
        self.office_key = office_secrets.db_key
        self.office = OfficeService(self.office_vault, clock)
        self.root = self.office.create("Test Parent Partnership")
        laptop = Profile(tmp / "laptop")
        secrets, self.vault = laptop.create(PASSPHRASE, MINIMUM_KDF)
        self.keys = DeviceKeys.from_seed(secrets.device_seed)
        self.sync = DeviceSync(self.vault, self.keys, lambda address: open_transport(address, self.keys.signing),
                               clock)

    def now(self) -> float:
        return time.time() + float(self.offset_file.read_text())

    def move_to(self, epoch: int) -> None:
        """Move every clock in this world so that it is now ``epoch``."""
        self.offset_file.write_text(str(epoch - time.time()))

    @property
    def extra(self) -> tuple[str, ...]:
        return ("--smtp-host", "127.0.0.1", "--smtp-port", str(self.smtp_port), "--smtp-from", "relay@office.test",
                "--tick", "0.2", "--housekeeping", "0.3")

    @property
    def env(self) -> dict[str, str]:
        """The documented clock input every program reads (ips_desktop.clock)."""
        return {"IPS_CLOCK_OFFSET_FILE": str(self.offset_file)}

    def connect(self, url: str, relay_key: bytes, enrol: bool) -> None:
        self.office_http = RelayTransport(url, self.office.keys().root, clock=self.now)
        self.office_watch = WatchClient(self.office_http)
        self.laptop_watch = WatchClient(RelayTransport(url, self.keys.signing, clock=self.now))
        if not enrol:
            return
        self.office.set_relay(url, relay_key)
        self.office_http.publish_bundle(self.office.bundle())
        invite = self.office.make_invite("IPS-11")
        enrol_laptop(self.sync, self.office, self.office_http, invite.code(), "IPS-11")
        self.office_watch.set_contacts({1: [PPO], 2: [MANAGER], 4: [POLICE]}, office=[PPO, PPO2],
                                       family={"IPS-11": [FAMILY]})

    @property
    def device(self) -> str:
        return self.keys.kid.hex()


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[World]:
    w = World(tmp_path, clock)
    yield w
    w.vault.close()
    w.office_vault.close()


@pytest.fixture
def live(world: World) -> Iterator[tuple[World, str, Inbox]]:
    """The world with its SMTP server and relay process running, the laptop enrolled."""
    with smtp_server(world.smtp_port) as inbox, \
            relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
        world.connect(url, key, enrol=True)
        yield world, url, inbox
