"""Issue 14, item 21 (the office's side), on the real office core: a relay address over plain
http to another computer is refused, because the volunteers' phone check-in page would then
carry their PIN in clear. Only this computer (tests, demos) may be reached over http."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PASSPHRASE, Clock

from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.office.service import OfficeError, OfficeService
from ips_desktop.store.profile import Profile


def an_office(tmp_path: Path, clock: Clock) -> OfficeService:
    _, vault = Profile(tmp_path / "office", "office", schema="office").create(PASSPHRASE, MINIMUM_KDF)
    return OfficeService(vault, clock)


@pytest.mark.parametrize("address", ["http://relay.council.example", "HTTP://10.0.0.5:8443/", "http://[2001:db8::1]/"])
def test_plain_http_to_another_computer_is_refused(tmp_path: Path, clock: Clock, address: str) -> None:
    office = an_office(tmp_path, clock)
    with pytest.raises(OfficeError, match="must start with https://"):
        office.create("Test Parent Partnership", address=address)
    office.create("Test Parent Partnership", address="https://relay.council.example")
    with pytest.raises(OfficeError, match="carry their PIN unprotected"):
        office.set_relay(address, None)


@pytest.mark.parametrize("address", ["http://127.0.0.1:8080", "http://localhost:9000/", "https://relay.example"])
def test_https_and_this_computer_are_accepted(tmp_path: Path, clock: Clock, address: str) -> None:
    office = an_office(tmp_path, clock)
    office.create("Test Parent Partnership", address=address)
    office.set_relay(address, None)
