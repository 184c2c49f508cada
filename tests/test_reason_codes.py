"""A receipt carries its reason as a number (``crypto.receipt.REASON_CODES``): the numbers are
wire format, read by laptops and offices of other versions, and must never move. A new reason
takes the next number. (Inserting one mid-list once shifted every later code by one.)"""

from __future__ import annotations

from ips_desktop.crypto.receipt import REASON_CODES
from ips_desktop.crypto.wire import Reason

WIRE = ["truncated", "trailing_bytes", "bad_magic", "unknown_version", "unknown_suite", "bad_flags", "bad_length",
        "unknown_recipient", "unknown_sender", "unknown_signer", "revoked", "old_bundle", "expired",
        "bad_signature", "bad_key", "aead_failure", "schema_failure", "sender_mismatch", "fork", "wrong_envelope",
        "wrong_device", "not_office_key", "bad_mac", "wrong_office", "duplicate_id"]


def test_every_reason_keeps_its_number() -> None:
    assert {reason.value: code for reason, code in REASON_CODES.items()} == {v: n for n, v in enumerate(WIRE, 1)}
    assert len(Reason) == len(WIRE)
