"""The open vault and the books over it, handed out at the moment of use (docs/architecture.md,
"Sessions").

Locking closes the vault and the weekly re-key replaces its connection. A window that kept a
``CaseBook`` (or a visit or expense book) from before would then write to a closed connection;
a window that keeps the session asks it for the current book each time, so a dialog left open
across a re-key, or across a lock and unlock, saves to the vault that is open now. While the
notes are locked every book raises :class:`Locked`, a :class:`VaultError` whose words say so.

Used from the GUI thread, which owns the vault's connection. No Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from .errors import VaultError

if TYPE_CHECKING:
    from ..domain.expenses import ExpenseRates
    from ..domain.visits import VisitPolicy
    from .casebook import CaseBook
    from .expensebook import ExpenseBook, Prepare
    from .vault import VaultConnection
    from .visitbook import VisitBook


class Locked(VaultError):
    """The notes are locked: nothing was read or written."""

    def __init__(self) -> None:
        super().__init__("Your notes are locked, so nothing was saved. Unlock them and try again; what you "
                         "typed is still on screen.")


class VaultSession:
    def __init__(self, now: Callable[[], datetime], visit_policy: Callable[[], VisitPolicy],
                 rates: Callable[[], ExpenseRates], prepare_receipt: Prepare | None = None) -> None:
        self._now, self._policy, self._rates, self._prepare = now, visit_policy, rates, prepare_receipt
        self._vault: VaultConnection | None = None
        self._book: CaseBook | None = None
        self._visits: VisitBook | None = None
        self._expenses: ExpenseBook | None = None
        self.generation = 0  # goes up every time the vault behind the session changes

    def open(self, vault: VaultConnection) -> None:
        """Use ``vault`` from now on (after an unlock, or the connection a re-key made). The books
        are imported here, not at the top: they bring the PII guard's word lists, which the
        unlock screen, the first window, does not need (about 120 ms of start-up)."""
        from .casebook import CaseBook

        self._vault = vault
        self._book = CaseBook(vault, self._now)
        self._visits = self._expenses = None
        self.generation += 1

    def close(self) -> None:
        """The vault is closing (a lock, a wipe, quitting): every book refuses until the next open."""
        self._vault = self._book = self._visits = self._expenses = None
        self.generation += 1

    @property
    def is_open(self) -> bool:
        return self._vault is not None

    @property
    def vault(self) -> VaultConnection:
        if self._vault is None:
            raise Locked()
        return self._vault

    @property
    def book(self) -> CaseBook:
        if self._book is None:
            raise Locked()
        return self._book

    @property
    def visits(self) -> VisitBook:
        from .visitbook import VisitBook

        if self._visits is None:
            self._visits = VisitBook(self.book, self._now, self._policy)
        return self._visits

    @property
    def expenses(self) -> ExpenseBook:
        from .expensebook import ExpenseBook, no_receipts

        if self._expenses is None:
            self._expenses = ExpenseBook(self.book, self._now, self._rates, self._prepare or no_receipts)
        return self._expenses
