"""The console's "To forward" tab (office/forwarding.py): volunteers' notes for a parent or a
professional, to save as a PDF, send from the office's address, and mark forwarded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ... import clock
from ...office.console import OfficeConsole
from ...office.forwarding import ToForward
from ..common.widgets import button_row, chosen_row, documents_folder
from .tabs import ConsoleTab, fill_table, make_table

RULE = ("Handbook: “Any notes you wish to email to parents or professionals should be sent to your PPO who will "
        "forward them … to keep your own email address confidential.” Save the note as a PDF, send it from the "
        "office's address, then mark it forwarded.")


def save_pdf(parent: QWidget, suggested: str, data: Callable[[], bytes], path: Path | None = None) -> Path | None:
    """Ask where (unless ``path`` is given) and write the PDF there; None when the PPO cancels."""
    if path is None:
        name, _ = QFileDialog.getSaveFileName(parent, "Save as PDF", str(documents_folder() / suggested),
                                              "PDF (*.pdf)")
        if not name:
            return None
        path = Path(name)
    path.write_bytes(data())
    return path


class ForwardTab(ConsoleTab):
    def __init__(self, console: OfficeConsole, who: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(console, who, parent)
        self.setWindowTitle("To forward")
        self.shown: list[ToForward] = []
        rule = QLabel(RULE)
        rule.setWordWrap(True)
        self.table = make_table(("State", "Received", "From", "Case", "To", "Subject"), "Notes to forward")
        self.table.itemSelectionChanged.connect(self._show)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("The note")
        self.preview.setMaximumHeight(160)
        self.empty = QLabel("Nothing to forward. When a volunteer sends a note for a parent or a professional, "
                            "it appears here.")
        save = QPushButton("Save as PDF…")
        save.clicked.connect(lambda: self.save_pdf())
        done = QPushButton("Mark forwarded")
        done.clicked.connect(lambda: self.mark_forwarded())
        layout = QVBoxLayout(self)
        layout.addWidget(rule)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.preview)
        layout.addLayout(button_row(save, done))
        self.refresh()

    def refresh(self) -> None:
        self.shown = self.console.to_forward()
        fill_table(self.table, [(n.state, f"{n.received_at:%d/%m/%Y %H:%M}", n.label, n.reference,
                                 n.note.to_role, n.note.subject) for n in self.shown])
        for row, item in enumerate(self.shown):
            cell = self.table.item(row, 0)
            if item.forwarded is None and cell is not None:
                cell.setForeground(Qt.GlobalColor.darkRed)
        self.empty.setVisible(not self.shown)
        self._show()

    def waiting(self) -> int:
        return sum(1 for n in self.shown if n.forwarded is None)

    def chosen(self) -> ToForward | None:
        row = chosen_row(self.table)
        return self.shown[row] if row is not None and row < len(self.shown) else None

    def _show(self) -> None:
        item = self.chosen()
        if item is None:
            self.preview.clear()
            return
        actions = "\n".join(f"• {a.what} ({a.who}" + (f", by {a.by_when:%d/%m/%Y})" if a.by_when else ")")
                            for a in item.note.actions)
        self.preview.setPlainText(f"To the {item.note.to_role}: {item.note.subject}\n\n{item.note.text}"
                                  + (f"\n\nWhat we agreed:\n{actions}" if actions else ""))

    def save_pdf(self, path: Path | None = None) -> Path | None:
        item = self.chosen()
        if item is None:
            self.table.setFocus()
            return None
        saved: list[Path | None] = [None]

        def write() -> None:
            saved[0] = save_pdf(self, f"{item.reference} {item.note.subject}.pdf".replace("/", "-"),
                                lambda: self.console.forward_pdf(item), path)

        self._try(write)
        return saved[0]

    def mark_forwarded(self) -> None:
        item = self.chosen()
        if item is None:
            self.table.setFocus()
            return
        who = self.who()
        self._try(lambda: self.console.mark_forwarded(item.record_id, clock.today(), who))
