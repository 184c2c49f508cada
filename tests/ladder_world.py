"""The overdue-ladder world for tests: the office, one enrolled laptop (IPS-11, Sarah), a real
relay process with a real SMTP server beside it that, like council and Microsoft 365 mail,
takes nothing before STARTTLS and a login, and one clock they all share (the relay reads its
offset from a file the test moves on)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import PASSPHRASE, Clock
from enrolling import enrol_laptop
from relay_support import free_port, relay_process
from smtp_support import Inbox, secure_smtp_server, self_signed

from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.domain.bank_holidays import is_bank_holiday
from ips_desktop.domain.uk_time import from_epoch, to_epoch
from ips_desktop.office.service import OfficeService
from ips_desktop.store.profile import Profile
from ips_desktop.sync.engine import DeviceSync
from ips_desktop.sync.relay_client import RelayTransport
from ips_desktop.sync.transport import open_transport
from ips_desktop.sync.watch_client import WatchClient

MIN = 60
PPO, PPO2, MANAGER, FAMILY, POLICE = ("ppo@office.test", "ppo2@office.test", "manager@office.test",
                                      "family@home.test", "duty@office.test")
SMTP_USER, SMTP_PASSWORD = "relay@office.test", "correct horse battery"
OFFICE_PHONE = "01392 383080"
VOLUNTEER = {"first_name": "Sarah", "mobile": "07700 900456"}


class World:
    """The office, one enrolled laptop (IPS-11), the relay, and the clock they all share."""

    def __init__(self, tmp: Path, clock: Clock) -> None:
        self.tmp = tmp
        self.offset_file = tmp / "clock-offset"
        self.offset_file.write_text("0")
        self.smtp_port = free_port()
        self.relay_port = free_port()
        self_signed(tmp)  # the mail server's certificate, which the relay is told to trust, exists before it is up
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

    def working_day_at(self, hour: int, minute: int = 0) -> int:
        """The next working day after tomorrow at ``hour``:``minute`` in England (epoch): a time
        to move the world to, in or out of the office's cover, whatever the real clock says."""
        day = from_epoch(int(self.now())).date() + timedelta(days=2)
        while day.weekday() >= 5 or is_bank_holiday(day):
            day += timedelta(days=1)
        return to_epoch(datetime(day.year, day.month, day.day, hour, minute))

    def saturday_at(self, hour: int) -> int:
        day = from_epoch(int(self.now())).date() + timedelta(days=2)
        while day.weekday() != 5:
            day += timedelta(days=1)
        return to_epoch(datetime(day.year, day.month, day.day, hour))

    def smtp(self) -> AbstractContextManager[Inbox]:
        """The mail server, as council mail is: STARTTLS, then a login."""
        return secure_smtp_server(self.smtp_port, self.tmp, "starttls", SMTP_USER, SMTP_PASSWORD)

    @property
    def extra(self) -> tuple[str, ...]:
        return ("--smtp-host", "127.0.0.1", "--smtp-port", str(self.smtp_port), "--smtp-from", "relay@office.test",
                "--smtp-security", "starttls", "--smtp-user", SMTP_USER, "--smtp-ca-file",
                str(self.tmp / "smtp-cert.pem"), "--tick", "0.2", "--housekeeping", "0.3")

    @property
    def env(self) -> dict[str, str]:
        """The documented clock input every program reads (ips_desktop.clock), and the relay's
        mail password as an administrator sets it."""
        return {"IPS_CLOCK_OFFSET_FILE": str(self.offset_file), "IPS_RELAY_SMTP_PASSWORD": SMTP_PASSWORD}

    def connect(self, url: str, relay_key: bytes, enrol: bool) -> None:
        self.office_http = RelayTransport(url, self.office.keys().root, clock=self.now)
        self.office_watch = WatchClient(self.office_http)
        self.laptop_watch = WatchClient(RelayTransport(url, self.keys.signing, clock=self.now))
        if not enrol:
            return
        self.office.set_relay(url, relay_key)
        self.office.set_policy({"ladder": {"office_phone": OFFICE_PHONE}})
        self.office_http.publish_bundle(self.office.bundle())
        invite = self.office.make_invite("IPS-11")
        enrol_laptop(self.sync, self.office, self.office_http, invite.code(), "IPS-11")
        self.office_watch.set_contacts({1: [PPO], 2: [MANAGER], 4: [POLICE]}, office=[PPO, PPO2],
                                       family={"IPS-11": [FAMILY]}, volunteers={"IPS-11": VOLUNTEER})

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
    with world.smtp() as inbox, \
            relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
        world.connect(url, key, enrol=True)
        yield world, url, inbox
