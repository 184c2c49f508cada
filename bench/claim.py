"""The monthly claim PDF: ``claim_pdf_seconds`` and ``claim_pdf_mb`` for a month of 60 rows
(40 journeys and 20 receipted items) with 10 phone photos of 4000×3000 pixels and 10 one-page
PDF receipts, all added through the app's own receipt path into a real vault. The build is
timed from reading the vault to the finished bytes, median of 3; ``receipt_capture_ms`` is
the time to check, turn upright, scale and store one such photo."""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter
from reportlab.pdfgen import canvas

from ips_desktop.crypto import keyslot
from ips_desktop.domain.claim import ClaimMonth
from ips_desktop.domain.expenses import Category, ExpenseItem, ExpenseRates, Journey
from ips_desktop.reports.claim_pdf import ClaimInput, StoredReceipt, build_claim_pdf
from ips_desktop.reports.receipts import prepare_receipt
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.expensebook import ExpenseBook
from ips_desktop.store.profile import Profile

Report = Callable[[str, float, str], None]
MONTH = ClaimMonth(2026, 11)


def phone_photo(seed: int) -> bytes:
    """A 4000×3000 JPEG at phone quality with photographic noise, EXIF-rotated."""
    noise = Image.effect_noise((1000, 750), 40 + seed).resize((4000, 3000), Image.Resampling.BILINEAR)
    image = Image.merge("RGB", (noise, noise.point(lambda v: (v + 40 * seed) % 256), noise)).filter(
        ImageFilter.GaussianBlur(1))
    draw = ImageDraw.Draw(image)
    draw.rectangle([1200, 500, 2800, 2500], fill=(245, 245, 240))
    for y in range(600, 2400, 60):
        draw.line([(1300, y), (2700, y)], fill=(30, 30, 30), width=8)
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def pdf_receipt(n: int) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, invariant=1)
    for line in range(30):
        c.drawString(72, 760 - line * 20, f"Receipt {n} line {line}: ticket, fare, VAT £{line}.{n:02d}")
    c.showPage()
    c.save()
    return out.getvalue()


def _month(root: Path) -> ExpenseBook:
    _, vault = Profile(root / "claim-bench").create("bench passphrase", keyslot.MINIMUM_KDF)
    clock = lambda: datetime(2026, 12, 2, 10, 0)  # noqa: E731
    expenses = ExpenseBook(CaseBook(vault, clock), clock, ExpenseRates, prepare_receipt)
    for n in range(40):
        expenses.add_journey(MONTH, Journey(date(2026, 11, 1 + n % 28), "Crediton", "Exeter", f"PP-2026-{n:04d}",
                                            Decimal("12.5")))
    return expenses


def claim_pdf(report: Report, root: Path) -> None:
    expenses = _month(root)
    photos = [phone_photo(n) for n in range(10)]
    capture = []
    for n in range(20):
        category = (Category.PARKING, Category.FARE, Category.POSTAGE, Category.DRINKS)[n % 4]
        rid = expenses.add_item(MONTH, ExpenseItem(date(2026, 11, 1 + n), category, Decimal(f"{2 + n}.40"),
                                                   f"Receipted item {n}"))
        if n < 10:
            start = time.perf_counter()
            expenses.attach_receipt_data(rid, f"IMG_{n}.jpg", photos[n])
            capture.append(time.perf_counter() - start)
        else:
            expenses.attach_receipt_data(rid, f"receipt-{n}.pdf", pdf_receipt(n))

    def build() -> bytes:
        month = expenses.month(MONTH)
        receipts = {a: StoredReceipt(*expenses.receipt(a)) for _, a, _ in month.receipts_in_order}
        return build_claim_pdf(ClaimInput(month, "Bench Volunteer", "IPS-00", receipts))

    runs, size = [], 0
    for _ in range(3):
        start = time.perf_counter()
        size = len(build())
        runs.append(time.perf_counter() - start)
    report("receipt_capture_ms", statistics.median(capture) * 1000, "ms")
    report("claim_pdf_seconds", statistics.median(runs), "s")
    report("claim_pdf_mb", size / 1_000_000, "MB")
