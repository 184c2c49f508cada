"""What every IPS Desktop PDF shares: an embedded font (so “£” and curly quotes render in any
viewer), UK English as the document language, a title, and identical bytes for identical
input (reportlab's invariant mode: no creation time, fixed document id)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepInFrame

FONT = "IPSSans"
FONT_BOLD = "IPSSans-Bold"
_registered = False


def _fonts() -> None:
    """Bitstream Vera, shipped inside reportlab: present wherever reportlab is installed."""
    global _registered
    if not _registered:
        pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, "VeraBd.ttf"))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
        _registered = True


def styles() -> dict[str, ParagraphStyle]:
    _fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11),
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=6),
        "alarm": ParagraphStyle("alarm", parent=body, fontName=FONT_BOLD, fontSize=13, leading=17,
                                textColor=colors.white, backColor=colors.HexColor("#b00020"), borderPadding=5,
                                spaceAfter=8),
        "heading": ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=11, leading=14,
                                  spaceBefore=8, spaceAfter=3),
        "big": ParagraphStyle("big", parent=body, fontName=FONT_BOLD, fontSize=20, leading=24, spaceAfter=4),
    }


def text(value: str) -> str:
    """Plain text safe inside a Paragraph (which reads a little XML)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def field_table(rows: Sequence[tuple[str, str]], width: float, label_width: float = 42 * mm) -> Table:
    s = styles()
    data = [[Paragraph(text(k), s["heading"]),
             Paragraph(text(v).replace("\n", "<br/>"), s["body"]) if v else Spacer(1, 7 * mm)]  # a line to write on
            for k, v in rows]
    table = Table(data, colWidths=[label_width, width - label_width])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def checklist(lines: Sequence[str], width: float) -> Table:
    """Lines with an empty box to tick by hand (the embedded font has no ballot-box glyph)."""
    s = styles()
    table = Table([[_Box(), Paragraph(text(line), s["body"])] for line in lines], colWidths=[6 * mm, width - 6 * mm])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


class _Box(Flowable):  # type: ignore[misc]  # reportlab has no type information
    """An empty tick box the height of a capital letter."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 3.2 * mm, 3.6 * mm

    def draw(self) -> None:
        self.canv.setLineWidth(0.7)
        self.canv.rect(0, 0.2 * mm, 3.2 * mm, 3.2 * mm)


def render(title: str, story: list[Flowable], one_page: bool = False,
           on_page: Callable[[Any, Any], None] | None = None, markers: dict[int, int] | None = None) -> bytes:
    """The finished PDF. ``one_page`` shrinks the content to fit a single A4 sheet;
    ``on_page(canvas, doc)`` draws on every page (a footer); flowables may note page numbers
    in ``markers`` through the canvas's ``_ips_markers``."""
    _fonts()
    noted = markers if markers is not None else {}

    class _Canvas(Canvas):  # type: ignore[misc]  # reportlab has no type information
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._ips_markers = noted

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=title, author="IPS Desktop", creator="IPS Desktop",
                            producer="IPS Desktop", subject=title, lang="en-GB", invariant=1, initialFontName=FONT,
                            leftMargin=16 * mm, rightMargin=16 * mm, topMargin=14 * mm, bottomMargin=14 * mm)
    if one_page:
        story = [KeepInFrame(doc.width, doc.height, story, mode="shrink")]
    draw = on_page or (lambda canvas, doc: None)
    doc.build(story, onFirstPage=draw, onLaterPages=draw, canvasmaker=_Canvas)
    return out.getvalue()


PAGE_WIDTH = A4[0] - 32 * mm
