"""Issue 14, item 19: a receipt that is small on disk and enormous once unpacked is refused
when it is added, by name, with what to do, and without the laptop holding what it would
unpack to (a 9400 × 9400 RGBA PNG cost 1.2 GiB; a 190 KiB PDF of 200 MB of Flate zeros was
accepted and then broke the claim build with a message that named no receipt). The real
receipt preparation the expense book uses."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.generic import NameObject, StreamObject

from ips_desktop.domain.claim import ReceiptError
from ips_desktop.reports.receipts import prepare_receipt

MIB = 1024 * 1024


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int, height: int) -> bytes:
    """An RGBA PNG of zeros, made a row at a time: a few hundred KB on disk."""
    packer = zlib.compressobj(9)
    row = bytes(1 + 4 * width)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def pdf_bomb(unpacked_mib: int) -> bytes:
    """One page whose content stream is ``unpacked_mib`` MiB of spaces, Flate-compressed."""
    packer = zlib.compressobj(9)
    block = b" " * MIB
    packed = b"".join(packer.compress(block) for _ in range(unpacked_mib)) + packer.flush()
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    stream = StreamObject()
    stream.set_data(b"")
    stream._data = packed
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "make", "words"), [
    ("bus-ticket.png", lambda: png_bomb(9400, 9400), "very large image"),
    ("phone-bill.pdf", lambda: pdf_bomb(200), "holds far more than its pages show"),
])
def test_a_receipt_that_unpacks_to_far_more_is_refused_by_name(name: str, make, words: str) -> None:  # type: ignore[no-untyped-def]
    data = make()
    assert len(data) < 2 * MIB, "small on disk"
    tracemalloc.start()
    try:
        with pytest.raises(ReceiptError) as refused:
            prepare_receipt(name, data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert name in str(refused.value)
    assert words in str(refused.value)
    assert peak < 200 * MIB, f"held {peak / MIB:.0f} MiB"
