from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ips_desktop.crypto import keyslot
from ips_desktop.crypto.keyslot import MINIMUM_KDF, KdfParams, KeyslotError, VaultSecrets


@pytest.fixture(scope="module")
def slot() -> tuple[bytes, VaultSecrets]:
    secrets = VaultSecrets.generate()
    return keyslot.make_passphrase_slot("pässword ✓", secrets, MINIMUM_KDF), secrets


def test_passphrase_opens_its_slot(slot: tuple[bytes, VaultSecrets]) -> None:
    blob, secrets = slot
    assert len(blob) == keyslot.SLOT_LEN
    assert keyslot.open_passphrase_slot(blob, "pässword ✓") == secrets


def test_same_passphrase_typed_decomposed_still_opens(slot: tuple[bytes, VaultSecrets]) -> None:
    blob, secrets = slot
    assert keyslot.open_passphrase_slot(blob, "pa\u0308ssword ✓") == secrets


def test_wrong_passphrase_is_refused(slot: tuple[bytes, VaultSecrets]) -> None:
    with pytest.raises(KeyslotError) as err:
        keyslot.open_passphrase_slot(slot[0], "pässword ✗")
    assert err.value.reason == KeyslotError.WRONG_SECRET


def test_secrets_never_show_in_repr() -> None:
    secrets = VaultSecrets.generate()
    assert secrets.db_key.hex() not in repr(secrets)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda b: b[:-1], KeyslotError.TRUNCATED),
        (lambda b: b + b"\0", KeyslotError.TRUNCATED),
        (lambda b: b"XXXXX" + b[5:], KeyslotError.BAD_MAGIC),
        (lambda b: b[:5] + b"\x09" + b[6:], KeyslotError.BAD_VERSION),
        (lambda b: b[:6] + b"\x07" + b[7:], KeyslotError.BAD_KIND),
        # Lowering the cost in the header (to speed up guessing) is refused outright.
        (lambda b: b[:7] + (1024).to_bytes(4, "big") + b[11:], KeyslotError.WEAK_PARAMETERS),
        # Raising it breaks the AEAD binding of the header.
        (lambda b: b[:11] + (4).to_bytes(4, "big") + b[15:], KeyslotError.WRONG_SECRET),
        (lambda b: b[:-1] + bytes([b[-1] ^ 1]), KeyslotError.WRONG_SECRET),
    ],
)
def test_damaged_slot_fails_closed_with_reason(slot: tuple[bytes, VaultSecrets], mutate, reason) -> None:
    with pytest.raises(KeyslotError) as err:
        keyslot.open_passphrase_slot(mutate(slot[0]), "pässword ✓")
    assert err.value.reason == reason


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_parse_or_fail_closed(data: bytes) -> None:
    with contextlib.suppress(KeyslotError):
        keyslot.parse_slot(data)


def test_weak_parameters_are_never_written() -> None:
    with pytest.raises(KeyslotError):
        keyslot.make_passphrase_slot("x", VaultSecrets.generate(), KdfParams(8 * 1024, 1))


def test_keyring_slot_round_trip() -> None:
    secrets, secret = VaultSecrets.generate(), bytes(range(32))
    blob = keyslot.make_keyring_slot(secret, secrets)
    assert keyslot.open_keyring_slot(blob, secret) == secrets
    with pytest.raises(KeyslotError):
        keyslot.open_keyring_slot(blob, bytes(32))
    with pytest.raises(KeyslotError):
        keyslot.open_passphrase_slot(blob, "anything")


def test_calibration_never_goes_below_minimum() -> None:
    ticks = iter(range(0, 1000, 2))  # every derivation "takes" 2 s: a very slow computer
    params = keyslot.calibrate(clock=lambda: float(next(ticks)))
    assert params == MINIMUM_KDF


def test_calibration_raises_cost_on_a_fast_computer() -> None:
    times = iter([0.0, 0.1, 0.0, 0.3, 0.0, 0.7])  # 0.1 s, then 0.3 s, then 0.7 s
    params = keyslot.calibrate(target_seconds=0.6, clock=lambda: next(times))
    assert params.memory_kib > MINIMUM_KDF.memory_kib
    assert params.is_at_least_minimum()
