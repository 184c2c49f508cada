"""Qt models over the case book's values. UK dates throughout."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ...domain.records import CaseSummary

UK_DATE = "%d/%m/%Y"
UK_DATETIME = "%d/%m/%Y %H:%M"

Index = QModelIndex | QPersistentModelIndex


def uk(when: date | datetime | None, with_time: bool = False) -> str:
    if when is None:
        return ""
    return when.strftime(UK_DATETIME if with_time else UK_DATE)


class CaseTableModel(QAbstractTableModel):
    REFERENCE, STATUS, RECORDS, LAST = range(4)
    HEADERS = ("Reference", "Status", "Notes", "Last change")
    CaseRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self) -> None:
        super().__init__()
        self._cases: list[CaseSummary] = []

    def set_cases(self, cases: list[CaseSummary]) -> None:
        self.beginResetModel()
        self._cases = list(cases)
        self.endResetModel()

    def clear(self) -> None:
        self.set_cases([])

    def case_at(self, row: int) -> CaseSummary | None:
        return self._cases[row] if 0 <= row < len(self._cases) else None

    def row_of(self, case_id: str) -> int:
        return next((i for i, c in enumerate(self._cases) if c.id == case_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cases)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        case = self.case_at(index.row())
        if case is None:
            return None
        if role == self.CaseRole:
            return case
        if role == Qt.ItemDataRole.DisplayRole:
            return (case.reference, "open" if case.open else "closed", str(case.record_count),
                    uk(case.last_contact))[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and not case.open:
            return f"Closed {uk(case.closed_at)}: records are removed once the office has them."
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == self.RECORDS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
