"""Issue 14, item 14, on the real office core and a real drop folder: a file dropped into the
inbox under a volunteer's envelope number (anyone who can write to the share can) must not
make the office sign a REJECTED receipt in place of that envelope's VERIFIED one; the laptop
still gets its receipt and its record still leaves on schedule."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from conftest import Clock
from sync_world import enrolled_world

from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.office.inbox import pull


def test_junk_named_after_a_volunteers_envelope_does_not_replace_its_receipt(tmp_path: Path, clock: Clock) -> None:
    laptop, office = enrolled_world(tmp_path, clock)
    case = laptop.book.open_case("PP-2026-0995")
    laptop.book.save(None, case, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 9, 0), 5,
                                               summary="A call about the transport review."))
    assert laptop.sync.run().sent == 1
    (sent,) = (tmp_path / "share" / "inbox" / laptop.keys.kid.hex()).iterdir()
    genuine = sent.read_bytes()
    assert pull(office.service, office.transport).verified == 1
    (receipt_file,) = (tmp_path / "share" / "receipts" / laptop.keys.kid.hex()).iterdir()
    verified = receipt_file.read_bytes()

    # The same name, the same header, one byte of the ciphertext changed: not the laptop's.
    junk = bytearray(genuine)
    junk[-100] ^= 0xFF
    sent.write_bytes(bytes(junk))
    again = pull(office.service, office.transport)
    assert again.rejected == 1
    assert receipt_file.read_bytes() == verified, "the VERIFIED receipt stands"
    assert any("not signed by that laptop" in a.detail for a in office.service.repo.alerts())

    laptop.sync.run()
    (held,) = laptop.sync.state.all()
    assert held.state == "verified"
