"""A preview of the claim as the form will show it: Sections 1 to 3 and the reverse-side table
with the form's column numbers, totals and receipt labels, without building the PDF."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ...domain.claim import MonthClaim
from ...domain.expenses import CATEGORY_WORDS, FORM_COLUMN, pounds

_COLUMNS = ((3, "3 Mileage"), (4, "4 Bus or train"), (5, "5 Parking"), (6, "6 Postage or phone"),
            (7, "7 Meeting drinks"))


def claim_html(claim: MonthClaim, claimant: str, ips_code: str) -> str:
    t = claim.totals()
    parts = [f"<h2>Claim for expenses — {escape(claim.month.title)}</h2>",
             "<h3>Section 1 — Claimant (every claim)</h3>",
             f"<p>{escape(claimant) or '<i>your name is missing: press “Your details…”</i>'}"
             f"{' · ' + escape(ips_code) if ips_code else ''}. You sign the printed form.</p>",
             f"<h3>Section 2 — Claim month</h3><p>Month <b>{claim.month.number}</b> of "
             f"{escape(claim.month.financial_year)} ({escape(claim.month.title)}).</p>"]
    if claim.first_claim:
        d = claim.details
        parts.append("<h3>Section 3 — First claim only</h3><p>"
                     f"National Insurance number: {escape(d.ni_display) or '—'}<br>"
                     f"Car: {escape(d.car_registration) or '—'}, {d.engine_cc or '—'} cc<br>"
                     f"Started claiming: {d.started_on.strftime('%d/%m/%Y') if d.started_on else '—'}</p>")
    head = "".join(f"<th>{escape(h)}</th>" for _, h in _COLUMNS)
    rows = []
    for row in claim.rows():
        cells = "".join(f"<td align='right'>{row.amount:,.2f}</td>" if FORM_COLUMN[row.category] == col
                        else "<td></td>" for col, _ in _COLUMNS)
        rows.append(f"<tr><td>{row.on:%d/%m/%Y}</td><td>{escape(CATEGORY_WORDS[row.category].capitalize())}: "
                    f"{escape(row.description)}</td><td align='right'>{row.miles if row.miles is not None else ''}"
                    f"</td>{cells}<td>{escape(', '.join(row.receipts))}</td></tr>")
    totals = "".join(f"<td align='right'><b>{t.by_column.get(col, 0):,.2f}</b></td>" for col, _ in _COLUMNS)
    parts.append("<h3>Reverse of the form — top box</h3>"
                 "<table border='1' cellspacing='0' cellpadding='3'>"
                 f"<tr><th>1 Date</th><th>2 Description</th><th>Miles</th>{head}<th>Receipt</th></tr>"
                 + "".join(rows) +
                 f"<tr><td></td><td><b>Totals</b></td><td align='right'><b>{t.miles}</b></td>{totals}<td></td></tr>"
                 "</table>"
                 f"<p><b>Total claimed: {escape(pounds(t.total))}</b></p>")
    return "".join(parts)


class ClaimPreviewDialog(QDialog):
    def __init__(self, claim: MonthClaim, claimant: str, ips_code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Preview — {claim.month.title} claim")
        self.resize(860, 640)
        self.view = QTextBrowser()
        self.view.setAccessibleDescription("Claim preview")
        self.view.setHtml(claim_html(claim, claimant, ips_code))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
