"""The console's record tabs: the inbox by case reference (with export and Level 1 counts)
and claims to review (with their receipts as the volunteer's PDF)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...domain.words import counted
from ...office.allocation import Allocation
from ...office.console import CaseAllocationView, ClaimToReview, OfficeConsole
from ...office.safeguarding import Concern
from ...store.office_store import OfficeRecord
from ..common.widgets import chosen_row, message_label
from .allocate import AllocateDialog, allocated_words
from .follow_up import FollowUpDialog
from .forward_tab import save_pdf
from .tabs import Background, ConsoleTab, fill_table, make_table

EVENTS = "Events and community work"


class InboxTab(ConsoleTab):
    def __init__(self, console: OfficeConsole, who: Callable[[], str], pull: Callable[[], None],
                 parent: QWidget | None = None, background: Background | None = None) -> None:
        super().__init__(console, who, parent, background)
        self.setWindowTitle("Inbox")
        pull_button = QPushButton("Pull now")
        pull_button.clicked.connect(pull)
        allocate = QPushButton("Allocate a case…")
        allocate.setToolTip("Give a case reference, the parent's initial and a brief to a volunteer's laptop")
        allocate.clicked.connect(lambda: self.allocate())
        self.allocation_note = message_label("Allocation")
        self.allocate_here = QPushButton()
        self.allocate_here.clicked.connect(self._allocate_shown)
        self.allocate_here.hide()
        self.unallocated: set[str] = set()
        self.concerns: list[Concern] = []
        self.safeguarding_banner = message_label("Safeguarding")
        self.safeguarding_banner.setStyleSheet("background: #b00020; color: white; padding: 6px; font-weight: bold;")
        self.follow_up_button = QPushButton("Record what was done…")
        self.follow_up_button.clicked.connect(lambda: self.follow_up())
        self.shown_allocation: CaseAllocationView | None = None
        self.closed: dict[str, datetime] = {}
        self.cases = QListWidget()
        self.cases.setAccessibleName("Cases")
        # Selection, not only the current item: a screen reader or a click may select without
        # moving the current item.
        self.cases.itemSelectionChanged.connect(lambda: self._show(self.chosen_case()))
        self.records = make_table(("Received", "Kind", "Summary"), "Records of the case")
        export = QPushButton("Export case…")
        export.clicked.connect(self.export)
        export_pdf = QPushButton("Case as PDF…")
        export_pdf.clicked.connect(self.export_pdf)
        self.copy_button = QPushButton("Parent's copy of the actions…")
        self.copy_button.setToolTip("Handbook: “The person interviewed can have a copy of the points raised and "
                                    "any plans that have been agreed.” The actions, who and by when; nothing else.")
        self.copy_button.clicked.connect(lambda: self.parents_copy())
        self.shown_records: list[OfficeRecord] = []
        self.result = QLabel()
        self.result.setAccessibleDescription("Last pull")
        self.level1 = QLabel()
        self.level1.setAccessibleName("Level 1 contacts")
        self.level1.setWordWrap(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        note_row = QHBoxLayout()
        note_row.addWidget(self.allocation_note, 1)
        note_row.addWidget(self.allocate_here)
        right_layout.addLayout(note_row)
        right_layout.addWidget(self.records, 1)
        split = QSplitter()
        split.addWidget(self.cases)
        split.addWidget(right)
        split.setSizes([220, 700])
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(pull_button)
        row.addWidget(allocate)
        row.addWidget(self.result, 1)
        row.addWidget(self.copy_button)
        row.addWidget(export)
        row.addWidget(export_pdf)
        layout.addLayout(row)
        banner = QHBoxLayout()
        banner.addWidget(self.safeguarding_banner, 1)
        banner.addWidget(self.follow_up_button)
        layout.addLayout(banner)
        layout.addWidget(split, 1)
        layout.addWidget(self.level1)
        self.refresh()

    def chosen_case(self) -> str:
        chosen = self.cases.selectedItems()
        return chosen[0].text() if chosen else ""

    def allocate(self, reference: str = "", device_kid: bytes | None = None) -> AllocateDialog:
        """Allocate a case (to the laptop given, when the inbox offers it for notes that came
        without one)."""
        dialog = AllocateDialog(self.console, self._send_allocation, reference, device_kid, self)
        dialog.open()
        return dialog

    def _send_allocation(self, checked: Allocation) -> None:
        self._send(lambda console: console.allocate_case(checked, self.who()),
                   allocated_words(self.console, checked))

    def open_concerns(self) -> list[Concern]:
        return [c for c in self.concerns if c.follow_up is None]

    def follow_up(self) -> FollowUpDialog | None:
        """Record what was done about the shown case's concern, else the oldest one waiting."""
        waiting = self.open_concerns()
        shown = [c for c in waiting if c.reference == self.chosen_case()]
        choices = shown or waiting[-1:]
        if not choices:
            return None
        concern = choices[0]
        dialog = FollowUpDialog(self.console, concern, self.who, self)
        dialog.accepted.connect(self._followed_up)
        dialog.open()
        return dialog

    def _followed_up(self) -> None:
        self.refresh()
        self.changed.emit()

    def _allocate_shown(self) -> None:
        view = self.shown_allocation
        if view is not None and view.not_allocated:
            self.allocate(view.reference, view.not_allocated[0][0])

    def refresh(self) -> None:
        counts = self.console.level1_counts()
        self.level1.setText("Level 1 contacts (anonymous): " + (", ".join(f"{k} {v}" for k, v in counts.items())
                                                                 or "none yet"))
        current = self.chosen_case()
        self.by_case = self.console.cases()
        self.unallocated = self.console.unallocated_cases(self.by_case)
        self.concerns = self.console.concerns(self.by_case)
        waiting = self.open_concerns()
        if waiting:
            more = f" And {len(waiting) - 1} more." if len(waiting) > 1 else ""
            self.safeguarding_banner.setText(waiting[0].words() + more)
        for widget in (self.safeguarding_banner, self.follow_up_button):
            widget.setVisible(bool(waiting))
        self.cases.blockSignals(True)
        self.cases.clear()
        # Cases with a concern first, those still to follow up at the very top, in red.
        flagged = list(dict.fromkeys(c.reference for c in self.concerns))
        for reference in flagged:
            item = QListWidgetItem(reference)
            item.setForeground(Qt.GlobalColor.white)
            item.setBackground(Qt.GlobalColor.red if any(c.reference == reference for c in waiting)
                               else Qt.GlobalColor.darkRed)
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, "safeguarding concern")
            item.setToolTip("A safeguarding concern")
            self.cases.addItem(item)
        if self.console.events():
            events = QListWidgetItem(EVENTS)
            events.setToolTip("Volunteers' summaries of events and community work: no case")
            self.cases.addItem(events)
        self.closed = self.console.closed_cases()
        for reference in self.by_case:
            if reference in flagged:
                continue
            item = QListWidgetItem(reference)
            if reference in self.closed:
                item.setForeground(Qt.GlobalColor.gray)
                item.setToolTip(f"Closed by the volunteer on {self.closed[reference]:%d/%m/%Y}")
                item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, "closed")
            if reference in self.unallocated:
                item.setForeground(Qt.GlobalColor.darkRed)
                item.setToolTip("Notes came from a laptop this case was not allocated to")
                item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, "not allocated to the laptop that sent it")
            self.cases.addItem(item)
        matches = self.cases.findItems(current, Qt.MatchFlag.MatchExactly) if current else []
        if matches:
            self.cases.setCurrentItem(matches[0])
        self.cases.blockSignals(False)
        self._show(current)

    def _show(self, case_ref: str) -> None:
        if case_ref == EVENTS:
            self._show_events()
            return
        records = self.by_case.get(case_ref, [])
        self.shown_allocation = self.console.allocation_of(case_ref, records) if case_ref else None
        view = self.shown_allocation
        self.allocation_note.setText(view.words(self.console.labels()) if view else "")
        self.allocation_note.setStyleSheet("color: #b00020; font-weight: bold;" if view and view.not_allocated
                                           else "")
        if view is not None and view.not_allocated:
            self.allocate_here.setText(f"Allocate to {view.not_allocated[0][1]}…")
            self.allocate_here.show()
        else:
            self.allocate_here.hide()
        if case_ref in self.closed:
            closed = f"Closed by the volunteer on {self.closed[case_ref]:%d/%m/%Y}."
            self.allocation_note.setText(closed + ("\n" + self.allocation_note.text()
                                                   if self.allocation_note.text() else ""))
        here = [c for c in self.concerns if c.reference == case_ref]
        if here:
            words = "\n".join(c.words() for c in here)
            self.allocation_note.setText(words + ("\n" + self.allocation_note.text() if self.allocation_note.text()
                                                  else ""))
            self.allocation_note.setStyleSheet("color: #b00020; font-weight: bold;")
        concern_ids = {c.record.record_id for c in here}
        self.shown_records = list(records)
        rows = []
        for r in records:
            body = r.content.get("body", {})
            summary = body.get("summary") or body.get("place") or body.get("what") or json.dumps(body)[:80]
            kind = r.record_type.replace("_", " ") + (" ⚠ safeguarding" if r.record_id in concern_ids else "")
            rows.append((f"{r.received_at:%d/%m/%Y %H:%M}", kind, str(summary)[:200]))
        fill_table(self.records, rows)

    def parents_copy(self, path: Path | None = None) -> Path | None:
        """The chosen contact record's agreed actions as the parent's copy, saved as a PDF."""
        row = chosen_row(self.records)
        record = self.shown_records[row] if row is not None and row < len(self.shown_records) else None
        if record is None:
            QMessageBox.information(self, "Parent's copy", "Choose the contact record with the agreed actions first.")
            return None
        saved: list[Path | None] = [None]

        def write() -> None:
            saved[0] = save_pdf(self, f"{record.case_ref} actions {record.received_at:%Y-%m-%d}.pdf",
                                lambda: self.console.parents_copy_pdf(record), path)

        self._try(write)
        return saved[0]

    def _show_events(self) -> None:
        self.shown_records = []
        self.shown_allocation = None
        self.allocation_note.setText("Summaries of events and community work, from the volunteers' laptops. "
                                     "Families who asked for support there come as referrals.")
        self.allocation_note.setStyleSheet("")
        self.allocate_here.hide()
        labels = self.console.labels()
        rows = []
        for r in self.console.events():
            body = r.content.get("body", {})
            if not isinstance(body, dict):
                continue
            words = (f"{labels.get(r.device_kid, 'a laptop no longer enrolled')}, {str(body.get('on', ''))[:10]}: "
                     f"{str(body.get('event', ''))[:120]} — {str(body.get('summary', ''))[:400]} "
                     f"({str(body.get('hours', '0'))[:5]} h; families who approached: "
                     f"{str(body.get('families_approached', 0))[:4]})")
            rows.append((f"{r.received_at:%d/%m/%Y %H:%M}", "event", words))
        fill_table(self.records, rows)

    def export(self, path: Path | None = None) -> None:
        item = self.cases.selectedItems()[0] if self.cases.selectedItems() else None
        if item is None or item.text() == EVENTS:
            QMessageBox.information(self, "Export", "Choose a case first.")
            return
        if not isinstance(path, Path):
            name, _ = QFileDialog.getSaveFileName(self, "Export case", str(Path.home() / f"{item.text()}.jsonl"),
                                                  "Case records (*.jsonl)")
            if not name:
                return
            path = Path(name)
        target = path
        self._try(lambda: target.write_text(self.console.export_text(item.text()), encoding="utf-8"))


    def export_pdf(self, path: Path | None = None) -> None:
        item = self.cases.selectedItems()[0] if self.cases.selectedItems() else None
        if item is None or item.text() == EVENTS:
            QMessageBox.information(self, "Export", "Choose a case first.")
            return
        if not isinstance(path, Path):
            name, _ = QFileDialog.getSaveFileName(self, "Case as PDF", str(Path.home() / f"{item.text()}.pdf"),
                                                  "PDF (*.pdf)")
            if not name:
                return
            path = Path(name)
        target = path
        self._try(lambda: target.write_bytes(self.console.case_pdf(item.text())))


class ClaimsTab(ConsoleTab):
    def __init__(self, console: OfficeConsole, who: Callable[[], str], parent: QWidget | None = None,
                 background: Background | None = None) -> None:
        super().__init__(console, who, parent, background)
        self.setWindowTitle("Claims")
        self.table = make_table(("Volunteer", "Month", "Total", "Status"), "Expense claims")
        self.table.itemSelectionChanged.connect(self._show)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName("Claim lines")
        buttons = QHBoxLayout()
        for words, state in (("Mark received", "received"), ("Approve", "approved"), ("Return…", "returned")):
            button = QPushButton(words)
            button.clicked.connect(lambda _=False, s=state: self.mark(s))
            buttons.addWidget(button)
        buttons.addStretch(1)
        pdf = QPushButton("Claim with receipts (PDF)…")
        pdf.clicked.connect(self.save_pdf)
        buttons.addWidget(pdf)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail, 1)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.claims = self.console.claims()
        fill_table(self.table, [(c.label, c.month, "£" + str(c.claim.get("totals", {}).get("total", "")),
                            c.status or "new") for c in self.claims])
        self._show()

    def chosen(self) -> ClaimToReview | None:
        row = chosen_row(self.table)
        return self.claims[row] if row is not None and row < len(self.claims) else None

    def _show(self) -> None:
        claim = self.chosen()
        if claim is None:
            self.detail.clear()
            return
        lines = [f"Claim month {claim.claim.get('month_number')} ({claim.month}), claimant "
                 f"{claim.claim.get('claimant', '')}"]
        for e in claim.entries:
            if "item" in e:
                i = e["item"]
                lines.append(f"{i['on']}  {i['category']:10} £{i['amount']:>8}  {i['description']}  "
                             f"({counted(len(e.get('receipts', [])), 'receipt')})")
            elif "journey" in e:
                j = e["journey"]
                lines.append(f"{j['on']}  mileage    {j['miles']} mi  {j['start']} to {j['end']} ({j['purpose']})")
            elif "call" in e:
                c = e["call"]
                lines.append(f"{c['on']}  call       {c['minutes']} min  ({c['purpose']})")
        self.detail.setPlainText("\n".join(lines))

    def save_pdf(self, path: Path | None = None) -> Path | None:
        claim = self.chosen()
        if claim is None:
            return None
        if not isinstance(path, Path):
            name, _ = QFileDialog.getSaveFileName(self, "Save the claim",
                                                  str(Path.home() / f"claim-{claim.label}-{claim.month}.pdf"),
                                                  "PDF (*.pdf)")
            if not name:
                return None
            path = Path(name)
        target = path
        return target if self._try(lambda: target.write_bytes(self.console.claim_pdf(claim))) else None

    def mark(self, state: str, reason: str | None = None) -> None:
        claim = self.chosen()
        if claim is None:
            return
        if state == "returned" and not isinstance(reason, str):
            reason, ok = QInputDialog.getText(self, "Return the claim", "What must the volunteer put right?")
            if not ok:
                return
        who = self.who()
        self._send(lambda console: console.claim_status(claim, state, who, reason or ""))
