"""An office and an enrolled laptop with real SQLCipher vaults, talking through a drop folder."""

from __future__ import annotations

from pathlib import Path

from conftest import PASSPHRASE, Clock
from enrolling import enrol_laptop

from ips_desktop.crypto.device import DeviceKeys
from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.office.service import OfficeService
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.profile import Profile
from ips_desktop.sync.engine import DeviceSync
from ips_desktop.sync.transport import FolderTransport


class Laptop:
    def __init__(self, root: Path, clock: Clock) -> None:
        self.profile = Profile(root)
        secrets, self.vault = self.profile.create(PASSPHRASE, MINIMUM_KDF)
        self.db_key = secrets.db_key
        self.keys = DeviceKeys.from_seed(secrets.device_seed)  # what an attacker holding this laptop has
        self.book = CaseBook(self.vault, clock)
        self.sync = DeviceSync(self.vault, self.keys, lambda address: FolderTransport(Path(address)), clock)


class Office:
    def __init__(self, root: Path, clock: Clock, folder: Path) -> None:
        self.profile = Profile(root, "office", schema="office")
        secrets, self.vault = self.profile.create(PASSPHRASE, MINIMUM_KDF)
        self.db_key = secrets.db_key
        self.service = OfficeService(self.vault, clock)
        self.service.create("Test Parent Partnership", address=str(folder))
        self.transport = FolderTransport(folder)


def enrolled_world(tmp_path: Path, clock: Clock) -> tuple[Laptop, Office]:
    """An office and a laptop enrolled with it through a drop folder."""
    folder = tmp_path / "share"
    folder.mkdir()
    office = Office(tmp_path / "office", clock, folder)
    return enrol(office, tmp_path / "laptop", clock, "IPS-07"), office


def enrol(office: Office, root: Path, clock: Clock, code: str) -> Laptop:
    """One more laptop through the real enrolment: invite, request, the six digits, accept."""
    laptop = Laptop(root, clock)
    enrol_laptop(laptop.sync, office.service, office.transport, office.service.make_invite(code).code(), code)
    return laptop
