"""A note for the PPO to forward, or the parent's copy of the agreed actions, as a one-page PDF
(domain/forward.py): the service's name and number, who it is for by role, the note, and the
actions with who (by role) and by when. Nothing else from the record: never a safeguarding note."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ..domain.forward import NoteToForward
from .pdf_base import FONT, FONT_BOLD, PAGE_WIDTH, render, styles, text


def forward_pdf(service_name: str, office_phone: str, reference: str, note: NoteToForward) -> bytes:
    s = styles()
    story: list[Flowable] = [Paragraph(text(service_name or "Parent Partnership Service"), s["title"]),
                             Paragraph(text(f"For the {note.to_role}" + (f" · your reference {reference}"
                                                                           if reference else "")), s["small"]),
                             Spacer(1, 4 * mm), Paragraph(text(note.subject), s["heading"])]
    for paragraph in (p for p in note.text.split("\n\n") if p.strip()):
        story += [Paragraph(text(paragraph.strip()).replace("\n", "<br/>"), s["body"]), Spacer(1, 2 * mm)]
    if note.actions:
        agreed = "What we agreed" + (f" on {note.meeting_on.day} {note.meeting_on:%B %Y}" if note.meeting_on else "")
        rows = [[Paragraph("<b>What</b>", s["body"]), Paragraph("<b>Who</b>", s["body"]),
                 Paragraph("<b>By when</b>", s["body"])]]
        rows += [[Paragraph(text(a.what), s["body"]), Paragraph(text(a.who), s["body"]),
                  Paragraph(text(f"{a.by_when.day} {a.by_when:%B %Y}" if a.by_when else "—"), s["body"])]
                 for a in note.actions]
        table = Table(rows, colWidths=[PAGE_WIDTH - 75 * mm, 40 * mm, 35 * mm], repeatRows=1)
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
                                   ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1),
                                                                                         "TOP")]))
        story += [Spacer(1, 3 * mm), Paragraph(text(agreed), s["heading"]), table]
    ring = f"ring {service_name or 'the service'} on {office_phone}" if office_phone else "ring the service"
    story += [Spacer(1, 8 * mm), Paragraph(text(f"If anything here is not right, or you have a question, {ring}."),
                                           s["body"])]
    return render(note.subject, story)
