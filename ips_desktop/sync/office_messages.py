"""Messages from the office, applied on the laptop (DESIGN §6, §8): an approval or refusal of a
visit plan, a check-in the PPO took by phone, a claim's status, a case the PPO allocated.

Each message is opened against this laptop's box key and the pinned office bundle; a bad one
is dropped with its reason in the audit trail, never half-applied. Serials only increase, so a
message seen before is ignored; a message whose visit or claim has moved on (cancelled,
already checked in, purged) changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from ..crypto import office_keys
from ..crypto.device import DeviceKeys
from ..crypto.office_message import MessageKind, OfficeMessage, open_message, peek_serial
from ..crypto.wire import WireError
from ..domain.claim import ClaimMonth, ClaimState
from ..domain.expenses import ExpenseRates
from ..domain.records import MOST_BRIEF, CaseAllocation, CaseDecision
from ..domain.references import normalise_reference
from ..domain.uk_time import from_epoch
from ..domain.visit_flow import CheckInRoute, TransitionError
from ..store.casebook import CaseBook, InputError
from ..store.expensebook import ExpenseBook
from ..store.vault import VaultConnection
from ..store.visitbook import VisitBook
from .transport import DeviceTransport

log = logging.getLogger(__name__)
SERIAL_KEY = "office_message_serial"


class MessageApplier:
    def __init__(self, vault: VaultConnection, keys: DeviceKeys, now: Callable[[], datetime]) -> None:
        self._vault = vault
        self._keys = keys
        self._now = now

    def _last(self, book: CaseBook) -> int:
        return int(book.settings_store.value(SERIAL_KEY) or 0)

    def pull(self, transport: DeviceTransport, bundle: office_keys.KeyBundle) -> list[str]:
        """Fetch, check and apply everything waiting; returns what the volunteer should hear."""
        book = CaseBook(self._vault, self._now)
        said: list[str] = []
        waiting = []
        for item in transport.messages(self._keys.kid):
            try:
                waiting.append((peek_serial(item.data), item))
            except WireError:
                transport.forget_message(self._keys.kid, item.handle)
        for serial, item in sorted(waiting, key=lambda pair: pair[0]):
            if serial > self._last(book):
                try:
                    message = open_message(item.data, device_kid=self._keys.kid, box_key=self._keys.box,
                                           bundle=bundle)
                except WireError as exc:
                    with self._vault.transaction():
                        book.audit.append("office message refused", "sync", exc.reason.value)
                else:
                    words = self._apply(book, message)
                    if words:
                        said.append(words)
                    with self._vault.transaction():
                        book.settings_store.put_value(SERIAL_KEY, str(serial))
            transport.forget_message(self._keys.kid, item.handle)
        return said

    def _apply(self, book: CaseBook, message: OfficeMessage) -> str:
        body = message.body
        at = from_epoch(message.issued_at)
        try:
            if message.kind is MessageKind.CASE_ALLOCATED:
                allocation = CaseAllocation(body["initial"].strip()[:6], body["brief"].strip()[:MOST_BRIEF],
                                            body["by"].strip()[:80], at)
                _case_id, new = book.receive_allocation(body["reference"], allocation)
                reference = normalise_reference(body["reference"])
                parent = f" (parent {allocation.initial})" if allocation.initial else ""
                return (f"Your PPO gave you case {reference}{parent}: it is in your cases now." if new
                        else f"Your PPO sent a brief for case {reference}.")
            if message.kind is MessageKind.CASE_DECISION:
                decision = CaseDecision(body["decision"] if body["decision"] in ("continue", "stop") else "continue",
                                        body["note"].strip()[:500], body["by"].strip()[:80], at)
                if book.receive_decision(body["reference"], decision) is None:
                    return ""
                reference = normalise_reference(body["reference"])
                return (f"Case {reference}: " + decision.words()
                        + (" Close the case once you have told the family." if decision.decision == "stop" else ""))
            if message.kind is MessageKind.CLAIM_STATUS:
                expenses = ExpenseBook(book, self._now, ExpenseRates)
                month = ClaimMonth.parse(body["month"])
                if expenses.apply_office_status(month, ClaimState(body["state"]), body["reason"], body["by"]):
                    return f"The office has {body['state']} your {month.title} claim" + (
                        f": {body['reason']}" if body["reason"] else ".")
                return ""
            visits = VisitBook(book, self._now)
            found = [v for v in visits.visits() if v.visit.visit_id == body["visit_id"]]
            if not found:
                return ""
            record_id = found[0].record_id
            if message.kind is MessageKind.VISIT_APPROVED:
                visits.approve_by_office(record_id, body["by"], at)
                return f"The office approved your visit for case {found[0].reference}."
            if message.kind is MessageKind.VISIT_REFUSED:
                visits.refuse(record_id, body["reason"])
                return f"The office refused your visit for case {found[0].reference}: {body['reason']}"
            visits.check_in(record_id, CheckInRoute.PPO_RECORDED)
            return f"{body['by']} recorded your check-in by phone."
        except (TransitionError, InputError, ValueError, KeyError) as exc:
            log.info("office message %s not applied: %s", message.kind.value, type(exc).__name__)
            return ""
