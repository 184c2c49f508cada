"""The case register: case references and whether each case is open."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from ..domain.records import CaseSummary
from .vault import VaultConnection


class CaseExists(ValueError):
    pass


class CaseRepository:
    def __init__(self, vault: VaultConnection, now: Callable[[], datetime]) -> None:
        self._vault = vault
        self._now = now

    def create(self, reference: str) -> str:
        if self._vault.query_one("SELECT 1 FROM cases WHERE reference = ?", (reference,)):
            raise CaseExists(reference)
        case_id = uuid.uuid4().hex
        self._vault.execute(
            "INSERT INTO cases (id, reference, status, opened_at) VALUES (?, ?, 'open', ?)",
            (case_id, reference, self._now().isoformat(timespec="seconds")),
        )
        return case_id

    def set_open(self, case_id: str, is_open: bool) -> None:
        closed_at = None if is_open else self._now().isoformat(timespec="seconds")
        self._vault.execute("UPDATE cases SET status = ?, closed_at = ? WHERE id = ?",
                            ("open" if is_open else "closed", closed_at, case_id))

    def delete(self, case_id: str) -> None:
        self._vault.execute("DELETE FROM cases WHERE id = ?", (case_id,))

    def summaries(self, include_closed: bool = True) -> list[CaseSummary]:
        sql = (
            "SELECT c.id, c.reference, c.status, c.opened_at, c.closed_at, count(r.id),"
            " max(r.updated_at) FROM cases c"
            # the note to the office that the case was closed or reopened is not one of its records
            # nor is the office's brief for a case it allocated
            " LEFT JOIN records r ON r.case_id = c.id AND r.kind NOT IN ('case_status', 'allocation', 'case_decision')"
        )
        if not include_closed:
            sql += " WHERE c.status = 'open'"
        sql += " GROUP BY c.id ORDER BY c.status DESC, c.reference"
        return [
            CaseSummary(
                id=row[0], reference=row[1], open=row[2] == "open",
                opened_at=datetime.fromisoformat(row[3]),
                closed_at=datetime.fromisoformat(row[4]) if row[4] else None,
                record_count=row[5],
                last_contact=datetime.fromisoformat(row[6]) if row[6] else None,
            )
            for row in self._vault.query(sql)
        ]

    def references(self, include_closed: bool = True) -> dict[str, str]:
        """Case id → reference, without the records' counts :meth:`summaries` adds (a list
        that only names cases needs no join over every record)."""
        where = "" if include_closed else " WHERE status = 'open'"
        return {str(row[0]): str(row[1]) for row in self._vault.query("SELECT id, reference FROM cases" + where)}

    def find(self, reference: str) -> CaseSummary | None:
        """The case with this (normalised) reference, if this laptop has it."""
        row = self._vault.query_one("SELECT id FROM cases WHERE reference = ?", (reference,))
        return self.get(str(row[0])) if row else None

    def get(self, case_id: str) -> CaseSummary | None:
        return next((c for c in self.summaries() if c.id == case_id), None)

    def reference_of(self, case_id: str) -> str | None:
        row = self._vault.query_one("SELECT reference FROM cases WHERE id = ?", (case_id,))
        return str(row[0]) if row else None
