"""The report to the Steering Group as a PDF (domain/steering.py has the figures): a summary of
the figures, then charts where a reader would rather look than read (contacts by kind, Level 1
by category, the service users' ratings, how the IPS supported them), drawn with reportlab's own
graphics, and the comments. A period with nothing recorded gives a report that says so."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table, TableStyle

from ..domain.steering import Figures
from .pdf_base import FONT, FONT_BOLD, PAGE_WIDTH, render, styles, text

BAR = colors.HexColor("#1f5f8b")


def _chart(title: str, data: list[tuple[str, int]], width: float = PAGE_WIDTH) -> Drawing:
    """A horizontal bar chart with its title and each bar's count written beside it."""
    label_width = 62 * mm
    bar_height = 7 * mm
    height = max(1, len(data)) * bar_height + 18 * mm
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 5 * mm, title, fontName=FONT_BOLD, fontSize=11))
    if not data:
        drawing.add(String(0, height - 12 * mm, "Nothing recorded.", fontName=FONT, fontSize=10))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 6 * mm
    chart.width, chart.height = width - label_width - 12 * mm, len(data) * bar_height
    ordered = list(reversed(data))  # the chart draws from the bottom: the biggest goes on top
    chart.data = [[n for _, n in ordered]]
    chart.categoryAxis.categoryNames = [name[:38] for name, _ in ordered]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8.5
    chart.categoryAxis.labels.dx = -2
    chart.categoryAxis.labels.textAnchor = "end"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(1, max(n for _, n in data))
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueStep = max(1, chart.valueAxis.valueMax // 5)
    chart.bars[0].fillColor = BAR
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 8
    chart.barLabels.nudge = 8
    drawing.add(chart)
    return drawing


def _table(rows: list[tuple[str, str]]) -> Table:
    s = styles()
    table = Table([[Paragraph(text(item), s["body"]), Paragraph(text(value), s["body"])] for item, value in rows],
                  colWidths=[PAGE_WIDTH - 40 * mm, 40 * mm])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, -1), "RIGHT")]))
    return table


def steering_pdf(office_name: str, figures: Figures) -> bytes:
    s = styles()
    title = f"Report to the Steering Group: {figures.period.words}"
    story: list[Flowable] = [Paragraph(text(title), s["title"]),
                             Paragraph(text(f"{office_name}. IPS activity and feedback from service users. Nothing "
                                            "in this report identifies a family."), s["small"])]
    if figures.empty:
        story += [Spacer(1, 8 * mm), Paragraph(text(f"No activity was recorded from {figures.period.words}: no "
                                                    "contacts, Level 1 queries, visits, feedback or claims reached "
                                                    "the office in that period."), s["big"])]
        return render(title, story)
    sections: dict[str, list[tuple[str, str]]] = {}
    for section, item, value in figures.rows:
        sections.setdefault(section, []).append((item, value))
    for section, rows in sections.items():
        story += [Paragraph(text(section), s["heading"]), _table(rows)]
    story += [PageBreak(), Paragraph(text("Charts"), s["title"]),
              _chart("Contacts by kind", figures.contacts_by_kind), Spacer(1, 6 * mm),
              _chart("Level 1 contacts by category", figures.level1_by_category), Spacer(1, 6 * mm),
              _chart("How service users rated the IPS support", figures.ratings), Spacer(1, 6 * mm),
              _chart("How the IPS supported them", figures.support_kinds)]
    if figures.comments:
        story += [PageBreak(), Paragraph(text("What service users said"), s["title"])]
        for kind, words in figures.comments:
            lead = "Helpful: " if kind == "helpful" else "Could be better: "
            story.append(Paragraph(f"<b>{text(lead)}</b>{text(words)}", s["body"]))
            story.append(Spacer(1, 2 * mm))
    return render(title, story)
