"""A case's records as the office received them, as a PDF for the service's case system
(DESIGN §8 "records by case reference with export"). Keyed by the case reference; the records
carry roles and initials, never names, as the handbook asks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.platypus import Flowable, Paragraph, Spacer

from .pdf_base import PAGE_WIDTH, field_table, render, styles, text

_SKIP = {"type", "v", "_attachments"}


@dataclass(frozen=True)
class CaseEntry:
    kind: str
    received_at: datetime
    body: dict[str, Any]


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_value(v)}" for k, v in value.items() if v not in ("", None, []))
    if isinstance(value, list):
        return "\n".join(_value(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def case_pdf(reference: str, entries: Sequence[CaseEntry]) -> bytes:
    s = styles()
    story: list[Flowable] = [Paragraph(text(f"Case {reference}"), s["title"]),
                             Paragraph(text(f"{len(entries)} record(s) received by the office."), s["small"])]
    for entry in entries:
        story += [Spacer(1, 4), Paragraph(text(f"{entry.kind.capitalize()} — received "
                                               f"{entry.received_at:%d/%m/%Y %H:%M}"), s["heading"])]
        rows = [(k.replace("_", " ").capitalize(), _value(v)) for k, v in entry.body.items()
                if k not in _SKIP and v not in ("", None, [], {})]
        story.append(field_table(rows, PAGE_WIDTH))
    return render(f"Case {reference}", story)
