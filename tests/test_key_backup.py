"""The office keys' backup: it restores the same keys with the recovery passphrase, and a
wrong passphrase, a changed byte, a short passphrase or another file are refused."""

from __future__ import annotations

import pytest

from ips_desktop.crypto.key_backup import backup_root_kid, read_backup, write_backup
from ips_desktop.crypto.office_keys import OfficeKeys
from ips_desktop.crypto.wire import Reason, WireError, kid

RECOVERY = "harbour lantern violet ninety"


def test_the_backup_restores_the_same_keys() -> None:
    keys = OfficeKeys.generate()
    data = write_backup(keys, RECOVERY)
    assert backup_root_kid(data) == kid(keys.root_public)
    assert read_backup(data, RECOVERY).to_dict() == keys.to_dict()
    assert keys.to_dict()["root"] not in data.hex()  # no key in the clear


@pytest.mark.parametrize("damage", ["passphrase", "byte", "header"])
def test_wrong_passphrase_or_a_changed_byte_is_refused(damage: str) -> None:
    data = bytearray(write_backup(OfficeKeys.generate(), RECOVERY))
    passphrase = RECOVERY
    if damage == "passphrase":
        passphrase = RECOVERY + "x"
    elif damage == "byte":
        data[-5] ^= 1
    else:
        data[40] ^= 1  # the salt: bound as associated data
    with pytest.raises(WireError) as caught:
        read_backup(bytes(data), passphrase)
    assert caught.value.reason is Reason.AEAD_FAILURE


def test_a_short_passphrase_and_other_files_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 12 characters"):
        write_backup(OfficeKeys.generate(), "short")
    with pytest.raises(WireError):
        read_backup(b"%PDF-1.7 not a backup" * 10, RECOVERY)
