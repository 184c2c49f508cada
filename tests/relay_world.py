"""An office and an enrolled laptop with real SQLCipher vaults, talking through a real
``ips-relay`` process on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import PASSPHRASE, Clock
from enrolling import enrol_laptop
from relay_support import relay_process

from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.office.service import OfficeService
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.profile import Profile
from ips_desktop.sync.engine import DeviceSync
from ips_desktop.sync.relay_client import RelayTransport
from ips_desktop.sync.transport import open_transport


class Setup:
    def __init__(self, tmp: Path, clock: Clock, url: str, relay_key: bytes, office: OfficeService) -> None:
        self.url = url
        self.relay_db = tmp / "relay" / "relay.db"  # the relay process keeps its data beside the office
        self.office = office
        self.office_transport = RelayTransport(url, office.keys().root)
        office.set_relay(url, relay_key)
        self.office_transport.publish_bundle(office.bundle())
        self.profile = Profile(tmp / "laptop")
        secrets, self.vault = self.profile.create(PASSPHRASE, MINIMUM_KDF)
        self.keys = DeviceKeys.from_seed(secrets.device_seed)
        self.book = CaseBook(self.vault, clock)
        self.sync = DeviceSync(self.vault, self.keys, lambda address: open_transport(address, self.keys.signing),
                               clock)

    def enrol(self) -> None:
        enrol_laptop(self.sync, self.office, self.office_transport, self.office.make_invite("IPS-11").code(), "IPS-11")


@contextmanager
def relay_world(tmp_path: Path, clock: Clock, extra: tuple[str, ...] = (), port: int | None = None) -> Iterator[Setup]:
    """The office created, the relay started for it, one laptop enrolled through it."""
    profile = Profile(tmp_path / "office", "office", schema="office")
    _, office_vault = profile.create(PASSPHRASE, MINIMUM_KDF)
    office = OfficeService(office_vault, clock)
    root = office.create("Test Parent Partnership")
    options = ("--api-docs", "--log-format", "json", *extra)  # the tests read the API document and the JSON log
    with relay_process(tmp_path / "relay", root, port=port, extra=options) as (url, relay_key):
        s = Setup(tmp_path, clock, url, relay_key, office)
        s.enrol()
        yield s
        s.vault.close()
    office_vault.close()
