"""The monthly expense claim as a PDF laid out like council form CT/PumaV (DESIGN §7).

Handbook: "IPS complete sections 1, 2, 3 and the top box on the reverse of the form (DPPS
officers complete sections 4 and 5)"; Section 1 "every time a claim is made and sign as the
claimant"; Section 2 "Check you use the correct month"; Section 3 "for the first claim only";
on the reverse "Columns 1 and 2 will always be completed; Column 3 for mileage; Column 6 or 7
for postage or telephone or meeting beverages … Totals at the bottom please"; "We will need
copies of receipts to accompany all claims".

Pages: the front (Sections 1–3, and 4–5 left for the office), the reverse-side table with its
totals, then every receipt in row order, numbered R1…Rn to match the table, each page stamped
with its label and row. Photo receipts are drawn by reportlab; PDF receipts are placed by pypdf
under a stamp reportlab drew. Identical input gives identical bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import NameObject, TextStringObject
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, LongTable, PageBreak, Paragraph, Spacer, TableStyle

from ..domain.claim import MonthClaim, Row
from ..domain.expenses import CATEGORY_WORDS, FORM_COLUMN, Category, pounds
from .pdf_base import FONT, FONT_BOLD, PAGE_WIDTH, field_table, render, styles, text
from .receipts import printed_photo

PAGE_HEIGHT = 297 * mm - 28 * mm  # the frame inside the margins of pdf_base.render
STAMP_HEIGHT = 16 * mm


class Cancelled(Exception):
    """The volunteer stopped the build; nothing was written."""


@dataclass(frozen=True)
class StoredReceipt:
    mime: str       # image/jpeg or application/pdf, as the vault keeps it
    data: bytes


@dataclass(frozen=True)
class ClaimInput:
    claim: MonthClaim
    claimant: str
    ips_code: str
    receipts: Mapping[str, StoredReceipt]   # attachment id → file
    office: str = "Devon Parent Partnership Service"


Progress = Callable[[int, int], None]


def claim_title(claim: MonthClaim) -> str:
    return f"Expense claim, month {claim.month.number} ({claim.month.title})"


class ReceiptUnreadable(Exception):
    """A receipt that could not be put in the claim: ``label`` (R3) and ``what`` (its line:
    date, kind, amount) say which one, so the volunteer knows which to remove and add again."""

    def __init__(self, label: str, what: str) -> None:
        super().__init__(f"receipt {label} could not be read")
        self.label = label
        self.what = what


def _which(label: str, row: Row) -> ReceiptUnreadable:
    return ReceiptUnreadable(label, f"{row.on:%d/%m/%Y}, {CATEGORY_WORDS[row.category]}, {pounds(row.amount)}")


def build_claim_pdf(data: ClaimInput, progress: Progress | None = None,
                    cancelled: Callable[[], bool] = lambda: False) -> bytes:
    """The whole claim. ``progress(done, total)`` is called after each receipt; when
    ``cancelled()`` turns true the build stops with :class:`Cancelled`."""
    claim = data.claim
    order = claim.receipts_in_order
    total = len(order) + 1
    report = progress or (lambda done, of: None)
    story: list[Flowable] = [*_front(data), PageBreak(), *_reverse(claim)]
    # Which reportlab pages must have a PDF receipt page laid under them: (page index, receipt, page no.)
    under: list[tuple[str, int]] = []
    for done, (label, attachment_id, row) in enumerate(order, start=1):
        if cancelled():
            raise Cancelled
        receipt = data.receipts[attachment_id]
        try:
            if receipt.mime == "application/pdf":
                pages = len(PdfReader(io.BytesIO(receipt.data)).pages)
                for page in range(pages):
                    story += [PageBreak(), _Marker(len(under)), _stamp(label, row, page + 1, pages)]
                    under.append((attachment_id, page))
            else:
                story += [PageBreak(), _stamp(label, row), *_photo(receipt.data)]
        except Exception:  # pypdf and Pillow raise many kinds for a damaged file; its name is what helps
            raise _which(label, row) from None
        report(done, total)
    markers: dict[int, int] = {}
    pdf = render(claim_title(claim), story, on_page=_page_footer(claim_title(claim)), markers=markers)
    if not under:
        report(total, total)
        return pdf
    if cancelled():
        raise Cancelled
    labels = {attachment_id: (label, row) for label, attachment_id, row in order}
    merged = _lay_under(pdf, under, markers, data.receipts, claim_title(claim), labels)
    report(total, total)
    return merged


# -- the front: Sections 1 to 5 --------------------------------------------------------------------------
def _front(data: ClaimInput) -> list[Flowable]:
    s = styles()
    claim = data.claim
    t = claim.totals()
    out: list[Flowable] = [
        Paragraph(text(f"Claim for expenses — {claim.month.title}"), s["title"]),
        Paragraph(text(f"Council form CT/PumaV (FOZ reference TM7S), as completed by an Independent Parental "
                       f"Supporter for {data.office}."), s["small"]),
        Spacer(1, 4 * mm),
        Paragraph("Section 1 — Claimant (every claim)", s["heading"]),
        field_table([("Name of claimant", data.claimant), ("IPS code", data.ips_code),
                     ("Signature of claimant", ""), ("Date", ""),
                     ("Checked by (DPPS admin) and telephone", ""), ("Signed off by PPO, and date", "")], PAGE_WIDTH,
                    62 * mm),
        Paragraph("Section 2 — Claim month", s["heading"]),
        field_table([("Month number", f"{claim.month.number}"),
                     ("Month and year", f"{claim.month.title} (financial year {claim.month.financial_year}; "
                                        "April = month 1)")], PAGE_WIDTH, 62 * mm),
    ]
    if claim.first_claim:
        d = claim.details
        out += [
            Paragraph("Section 3 — First claim only", s["heading"]),
            field_table([("National Insurance number", d.ni_display),
                         ("Car registration", d.car_registration),
                         ("Exact engine capacity", f"{d.engine_cc} cc" if d.engine_cc else ""),
                         ("Date started claiming in this role", f"{d.started_on:%d/%m/%Y}" if d.started_on else "")],
                        PAGE_WIDTH, 62 * mm),
        ]
    post_by = claim.month.post_by(claim.rates)
    out += [
        Paragraph("Sections 4 and 5 — completed by DPPS", s["heading"]),
        field_table([("Section 4", ""), ("Section 5", "")], PAGE_WIDTH, 62 * mm),
        Paragraph("Summary", s["heading"]),
        field_table([
            ("Total claimed", pounds(t.total)),
            ("Mileage", f"{t.miles} miles, {pounds(t.mileage)}"),
            ("Receipts enclosed", _receipt_range(len(claim.receipts_in_order))),
            ("Must arrive by", f"{claim.month.due:%A %d/%m/%Y} (post by {post_by:%A %d/%m/%Y})"),
        ], PAGE_WIDTH, 62 * mm),
    ]
    return out


def _receipt_range(n: int) -> str:
    return "none" if n == 0 else ("R1" if n == 1 else f"R1 to R{n} ({n} receipts)")


# -- the reverse: the top box ----------------------------------------------------------------------------
_HEAD = ["1 Date", "2 Description", "Miles", "3 Mileage", "4 Bus or train", "5 Parking",
         "6 Postage or phone", "7 Meeting drinks", "Receipt"]
_WIDTHS = [18 * mm, 48 * mm, 12 * mm, 16 * mm, 15 * mm, 16 * mm, 17 * mm, 16 * mm, 20 * mm]
_MONEY_COLUMN = {3: 3, 4: 4, 5: 5, 6: 6, 7: 7}  # form column → table column index


def _reverse(claim: MonthClaim) -> list[Flowable]:
    s = styles()
    cell = ParagraphStyle("cell", parent=s["small"], fontSize=7.5, leading=9)
    head = ParagraphStyle("head", parent=cell, fontName=FONT_BOLD, fontSize=7, leading=8.5)
    rows = claim.rows()
    data: list[list[object]] = [[Paragraph(h, head) for h in _HEAD]]
    for row in rows:
        line: list[object] = ["" for _ in _HEAD]
        line[0] = f"{row.on:%d/%m/%Y}"
        line[1] = Paragraph(text(f"{CATEGORY_WORDS[row.category].capitalize()}: {row.description}"), cell)
        line[2] = f"{row.miles}" if row.miles is not None else ""
        line[_MONEY_COLUMN[FORM_COLUMN[row.category]]] = f"{row.amount:,.2f}"
        line[8] = Paragraph(", ".join(row.receipts) if row.receipts else
                            ("—" if row.category is Category.MILEAGE else "missing"), cell)
        data.append(line)
    t = claim.totals()
    totals: list[object] = ["", Paragraph("<b>Totals</b>", cell), f"{t.miles}"] + [
        f"{t.by_column.get(col, 0):,.2f}" for col in (3, 4, 5, 6, 7)] + [""]
    data.append(totals)
    table = LongTable(data, colWidths=_WIDTHS, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("LINEABOVE", (0, -1), (-1, -1), 1.2, colors.black),
        ("ALIGN", (2, 1), (7, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return [
        Paragraph("Reverse of the form — top box", s["title"]),
        Paragraph(text("Columns 1 and 2 on every row; column 3 for mileage; 6 or 7 for postage, telephone or "
                       "meeting drinks. Amounts in pounds."), s["small"]),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 4 * mm),
        Paragraph(f"<b>Total claimed: {text(pounds(t.total))}</b>", s["heading"]),
        *[Paragraph(text(f"{line.journey.on:%d/%m/%Y}: {line.explanation} = {pounds(line.amount)}"), s["small"])
          for line in claim.mileage()],
    ]


# -- receipts --------------------------------------------------------------------------------------------
def _stamp(label: str, row: Row, page: int = 1, pages: int = 1) -> Flowable:
    s = styles()
    of = f" (page {page} of {pages})" if pages > 1 else ""
    words = (f"{label}{of} · {row.on:%d/%m/%Y} · {CATEGORY_WORDS[row.category]} · {pounds(row.amount)} · "
             f"{row.description}")
    return Paragraph(f"<b>{text(words)}</b>", s["heading"])


def _photo(data: bytes) -> list[Flowable]:
    jpeg, width, height = printed_photo(data)
    scale = min(PAGE_WIDTH / width, (PAGE_HEIGHT - STAMP_HEIGHT - 4 * mm) / height)
    return [Spacer(1, 2 * mm), Image(io.BytesIO(jpeg), width * scale, height * scale)]


class _Marker(Flowable):  # type: ignore[misc]  # reportlab has no type information
    """Zero-size: records on which page a PDF receipt page is to be laid."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._ips_markers[self.n] = self.canv.getPageNumber() - 1


def _page_footer(title: str) -> Callable[[Any, Any], None]:
    def footer(canvas: Any, doc: Any) -> None:  # a reportlab canvas, which has no type information
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.drawString(16 * mm, 8 * mm, f"{title} · page {canvas.getPageNumber()}")
        canvas.restoreState()
    return footer


def _lay_under(pdf: bytes, under: list[tuple[str, int]], markers: Mapping[int, int],
               receipts: Mapping[str, StoredReceipt], title: str,
               labels: Mapping[str, tuple[str, Row]]) -> bytes:
    """Place each PDF receipt page, scaled to fit, below its stamp."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    opened: dict[str, PdfReader] = {}
    for n, (attachment_id, page_no) in enumerate(under):
        try:
            reader = opened.setdefault(attachment_id, PdfReader(io.BytesIO(receipts[attachment_id].data)))
            source = reader.pages[page_no]
            box = source.mediabox
            w, h = float(box.width), float(box.height)
            room_w, room_h = PAGE_WIDTH, PAGE_HEIGHT - STAMP_HEIGHT
            scale = min(room_w / w, room_h / h)
            x = 16 * mm + (room_w - w * scale) / 2 - float(box.left) * scale
            y = 14 * mm + (room_h - h * scale) - float(box.bottom) * scale
            target = writer.pages[markers[n]]
            target.merge_transformed_page(source, Transformation().scale(scale, scale).translate(x, y), over=False)
        except Exception:  # as above: name the receipt
            raise _which(*labels[attachment_id]) from None
    writer.root_object[NameObject("/Lang")] = TextStringObject("en-GB")
    writer.add_metadata({"/Title": title, "/Author": "IPS Desktop", "/Creator": "IPS Desktop",
                         "/Producer": "IPS Desktop"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

