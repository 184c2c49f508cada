"""The laptop's sync engine (DESIGN §5): enrol, seal the outbox, send, check receipts, purge.

Decisions are made here and returned as a typed :class:`SyncResult`; the window only shows
them. Every step is safe to repeat after a crash: sealing commits the envelope, the outbox
change and the sequence number together; sending the same envelope twice gets the same
receipt; a receipt is applied only if it names the exact envelope still held; a purge is one
transaction. Runs on the database thread (the vault connection's own thread).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from ..crypto import enrolment, envelope, office_keys, receipt
from ..crypto.device import DeviceKeys, PurgeEntry, make_purge_certificate
from ..crypto.wire import REASON_TEXT, WireError
from ..domain.incident import IncidentReport, VisitOutcome
from ..domain.records import PapersHeld
from ..domain.references import office_format
from ..domain.retention import RETENTION_CLASS, Decision, RecordFacts, RetentionPolicy, decide
from ..domain.visit_flow import Visit
from ..store.audit import AuditLog
from ..store.casebook import PRIORITY_SAFEGUARDING
from ..store.cases import CaseRepository
from ..store.errors import RecordNotFound
from ..store.records import RecordRepository
from ..store.settings import SettingsRepository
from ..store.sync_state import HeldEnvelope, Identity, NewEnvelope, SyncRepository
from ..store.vault import VaultConnection
from .office_messages import MessageApplier
from .transport import DeviceTransport, TransportError

log = logging.getLogger(__name__)
NOTICES_OWED = "office_notices_owed"  # "kind:record id" whose notice the relay has not yet had

Progress = Callable[[str, int, int], None]


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


# An envelope the relay took but the office has not confirmed is sent again after this long,
# in case it was lost where no later receipt shows the gap (the last one sent). A copy the
# office already has is answered with the same receipt.
RESEND_UNANSWERED_AFTER = timedelta(days=3)


class EnrolmentError(Exception):
    """A message the volunteer can act on."""


@dataclass
class SyncResult:
    status: str = "ok"  # ok | offline | not_enrolled | cancelled | office_keys
    sealed: int = 0
    sent: int = 0
    verified: int = 0
    rejected: list[str] = field(default_factory=list)
    purged: int = 0
    message: str = ""
    next_retry_at: datetime | None = None
    office_said: list[str] = field(default_factory=list)  # approvals, claim status, phoned check-ins
    resent: int = 0  # the office's count showed these had not reached it: sent again


@dataclass(frozen=True)
class RetentionRow:
    """One line of "what leaves this laptop, when and why" (no content)."""

    record_id: str
    case_ref: str
    record_type: str
    sync_state: str
    due_at: datetime | None
    why: str


_STATE_WORDS = {"sealed": "waiting for the office", "stored": "waiting for the office",
                "verified": "the office has it", "rejected": "refused by the office"}


def retry_delay(attempts: int, jitter: float) -> timedelta:
    """Exponential back-off from 30 s to an hour, with ±50 % jitter so laptops do not retry
    together after an outage."""
    base = min(3600.0, 30.0 * (2 ** min(attempts, 10)))
    return timedelta(seconds=base * (0.5 + jitter))


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class DeviceSync:
    def __init__(self, vault: VaultConnection, keys: DeviceKeys,
                 transport_for: Callable[[str], DeviceTransport], now: Callable[[], datetime],
                 rng: Callable[[int], bytes] = os.urandom, jitter: Callable[[], float] = random.random,
                 fault: Callable[[str], None] = lambda step: None) -> None:
        """``fault`` is called between the steps a crash could separate; the crash tests
        kill the process there. It does nothing in the app."""
        self._vault = vault
        self._fault = fault
        self._keys = keys
        self._transport_for = transport_for
        self._now = now
        self._rng = rng
        self._jitter = jitter
        self.state = SyncRepository(vault, now)
        self.records = RecordRepository(vault, now)
        self.cases = CaseRepository(vault, now)
        self.audit = AuditLog(vault, now)

    # -- enrolment --------------------------------------------------------------------------------------
    def begin_enrolment(self, code: str, label: str, app_version: str) -> None:
        """Check the invite and send the commitment (crypto/enrolment.py); the six digits come
        once the office has answered it (:meth:`finish_enrolment`, :meth:`enrolment_digits`)."""
        try:
            invite = enrolment.parse_invite(code, _epoch(self._now()))
        except enrolment.InviteError as exc:
            raise EnrolmentError(str(exc)) from None
        if not invite.address:
            raise EnrolmentError("The invite does not say where the office is. Ask the office for a new one.")
        nonce = self._rng(enrolment.NONCE_LEN)
        request = enrolment.make_request(invite, self._keys, label, app_version, nonce)
        try:
            self._transport_for(invite.address).send_enrolment(
                invite.invite_id, enrolment.make_commitment(invite, self._keys, nonce))
        except TransportError as exc:
            raise EnrolmentError(str(exc)) from None
        with self._vault.transaction():
            self.state.start_enrolment(code, request)
            self.audit.append("enrolment started", "sync")

    def finish_enrolment(self) -> bool:
        """One step: once the office has answered the commitment, send the request; once the
        PPO has accepted, pin the office's keys. True when this laptop is enrolled."""
        pending = self.state.pending_enrolment()
        if pending is None:
            return self.state.identity() is not None
        code, request = pending
        try:
            invite = enrolment.parse_invite(code, 0)
        except enrolment.InviteError as exc:
            raise EnrolmentError(str(exc)) from None
        transport = self._transport_for(invite.address)
        slot = enrolment.request_slot(invite.invite_id)
        try:
            if self.state.enrolment_challenge() is None:
                challenge = transport.enrolment_response(invite.invite_id)
                if challenge is None:
                    return False
                self._check_challenge(challenge, invite, enrolment.read_request(request)[0])
                transport.send_enrolment(slot, request)
                with self._vault.transaction():
                    self.state.keep_enrolment_challenge(challenge)
                return False
            response = transport.enrolment_response(slot)
        except TransportError as exc:
            raise EnrolmentError(str(exc)) from None
        if response is None:
            return False
        try:
            done = enrolment.open_response(response, invite, self._keys)
        except WireError as exc:
            raise EnrolmentError(f"The office's answer was refused: {exc}. Ask the office for a new invite.") \
                from None
        with self._vault.transaction():
            self.state.complete_enrolment(invite.root_public, done.certificate.raw, done.bundle.raw, invite.address)
            self.audit.append("enrolled", "sync", done.bundle.office_name[:40])
            self._adopt_reference_format(done.bundle)
        return True

    def _adopt_reference_format(self, bundle: office_keys.KeyBundle) -> None:
        """The office's case reference format, from its signed policy, replaces the one the
        volunteer gave at first run. Call in a transaction."""
        fmt = office_format(bundle.policy)
        settings = SettingsRepository(self._vault)
        current = settings.load()
        if fmt is None or (fmt.pattern, fmt.example) == (current.reference_pattern, current.reference_example):
            return
        settings.save(replace(current, reference_pattern=fmt.pattern, reference_example=fmt.example))
        self.audit.append("reference format from the office", "sync")

    def _check_challenge(self, challenge: bytes, invite: enrolment.Invite,
                         request: enrolment.EnrolmentRequest) -> bytes:
        try:
            return enrolment.open_challenge(challenge, invite, request.commitment)
        except WireError as exc:
            raise EnrolmentError(f"The office's answer was refused: {exc}. Ask the office for a new invite.") \
                from None

    def enrolment_digits(self) -> str | None:
        """The six digits to read to the PPO, once the office has answered the commitment."""
        pending = self.state.pending_enrolment()
        challenge = self.state.enrolment_challenge()
        if pending is None or challenge is None:
            return None
        code, raw = pending
        invite = enrolment.parse_invite(code, 0)
        request = enrolment.read_request(raw)[0]
        return enrolment.short_authentication_string(invite.root_public, request,
                                                     self._check_challenge(challenge, invite, request))

    # -- helpers ------------------------------------------------------------------------------------------
    def _pinned(self, identity: Identity) -> office_keys.KeyBundle:
        return office_keys.open_bundle(identity.bundle, identity.root_public)

    def office_policy(self) -> dict[str, Any]:
        """The policy in the pinned office bundle (empty before enrolment: the defaults apply)."""
        identity = self.state.identity()
        return {} if identity is None else dict(self._pinned(identity).policy)

    def policy(self) -> RetentionPolicy:
        return RetentionPolicy.from_policy(self.office_policy())

    # -- the run ------------------------------------------------------------------------------------------
    def run(self, progress: Progress | None = None, cancel: CancelToken | None = None,
            keep: frozenset[str] = frozenset()) -> SyncResult:
        """One sync. ``keep`` names records open in the editor: never purged under it."""
        report = progress or (lambda step, done, total: None)
        token = cancel or CancelToken()
        result = SyncResult()
        identity = self.state.identity()
        if identity is None:
            result.status = "not_enrolled"
            result.message = "This laptop is not enrolled with the office yet: your notes stay on it, locked."
            return result
        self.records.settle_purges()
        transport = self._transport_for(identity.address)
        bundle = self._pinned(identity)
        try:
            # Sealing needs no network: a record is sealed and held even when the office is away.
            self._seal_all(bundle, result, report, token)
            bundle = self._update_bundle(transport, identity, bundle, result)
            if not token.cancelled:
                self._send_all(transport, bundle, result, report, token)
                self._tell_office(transport)
            if not token.cancelled:
                self._apply_receipts(transport, bundle, result, report)
                # After the receipts, so an envelope whose receipt was only waiting is not sent again.
                with self._vault.transaction():
                    unanswered = self.state.resend_unanswered(self._now() - RESEND_UNANSWERED_AFTER)
                if (result.resent or unanswered) and not token.cancelled:
                    self._send_all(transport, bundle, result, report, token)
            if not token.cancelled:
                result.office_said = MessageApplier(self._vault, self._keys, self._now).pull(transport, bundle)
        except TransportError as exc:
            result.status = "offline"
            result.message = str(exc)
            if result.next_retry_at is None:
                result.next_retry_at = self._back_off(self.state.to_send(self._now()))
        except WireError as exc:  # the pinned office keys have expired: nothing can be sealed
            result.status = "office_keys"
            result.message = (f"Records cannot be sent: {exc}. They stay on this laptop, encrypted. "
                              "Please phone the office.")
        if token.cancelled:
            result.status = "cancelled"
        if result.status in ("ok", "offline"):
            result.purged = self.purge_due(keep=keep)
            if result.status == "ok":
                self._certify_purges(transport)
        with self._vault.transaction():
            self.state.note_sync(result.message if result.status != "ok" else None)
        return result

    def _update_bundle(self, transport: DeviceTransport, identity: Identity, pinned: office_keys.KeyBundle,
                       result: SyncResult) -> office_keys.KeyBundle:
        offered = transport.bundle()
        if offered is None or offered == identity.bundle:
            return pinned
        try:
            fresh = office_keys.open_bundle(offered, identity.root_public, pinned_version=pinned.version,
                                            pinned_raw=pinned.raw)
        except WireError as exc:
            log.warning("office key bundle refused: %s", exc.reason.value)
            result.message = f"An office key update was refused: {exc}."
            return pinned
        with self._vault.transaction():
            self.state.update_bundle(fresh.raw)
            self.audit.append("office keys updated", "sync", str(fresh.version))
            self._adopt_reference_format(fresh)
        return fresh

    def _content(self, record_id: str, priority: int) -> envelope.RecordContent:
        stored = self.records.get(record_id)
        reference = self.cases.reference_of(stored.case_id) if stored.case_id else None
        attachments = tuple(envelope.Attachment(a.name, a.mime, self.records.attachment_data(a.id))
                            for a in self.records.attachments(record_id))
        return envelope.RecordContent(
            record_type=stored.kind, case_ref=reference, created_at=_epoch(stored.created_at),
            sealed_at=_epoch(self._now()), retention_class=RETENTION_CLASS.get(stored.kind, "keep"),
            body=stored.payload, supersedes=self.state.last_envelope_id(record_id), priority=priority,
            attachments=attachments)

    def _seal_all(self, bundle: office_keys.KeyBundle, result: SyncResult, report: Progress,
                  token: CancelToken) -> None:
        queued = self.state.queued()
        for done, (record_id, priority) in enumerate(queued):
            if token.cancelled:
                return
            report("Sealing", done, len(queued))
            with self._vault.transaction():
                identity = self.state.identity()
                if identity is None:
                    raise RuntimeError("enrolment vanished during sealing")
                try:
                    content = self._content(record_id, priority)
                except RecordNotFound:
                    continue
                envelope_id = self._rng(16)
                data = envelope.seal(content, device_key=self._keys.signing, bundle=bundle, seq=identity.next_seq,
                                     prev_hash=identity.prev_hash, record_id=envelope_id, now=_epoch(self._now()),
                                     rng=self._rng, sender_kid=self._keys.kid)
                self.state.commit_envelope(record_id, identity.next_seq, NewEnvelope(
                    data, envelope_id, envelope.envelope_hash(data), content.record_type, bundle.version))
                if priority >= PRIORITY_SAFEGUARDING and content.record_type == "contact":
                    self._owe_notice("safeguarding", record_id)
                elif content.record_type == "incident" and content.supersedes is None:
                    self._owe_notice("incident", record_id)
                self.audit.append("record sealed", record_id, str(identity.next_seq))
            result.sealed += 1
            self._fault("sealed")

    # -- notices the office gets at once -------------------------------------------------------------
    def _owed_notices(self) -> list[str]:
        """("kind:record id") for each notice the relay has not yet taken."""
        raw = SettingsRepository(self._vault).value(NOTICES_OWED)
        try:
            owed = json.loads(raw) if raw else []
        except ValueError:
            return []
        return [r for r in owed if isinstance(r, str) and ":" in r] if isinstance(owed, list) else []

    def _owe_notice(self, kind: str, record_id: str) -> None:
        """A safeguarding concern or an incident report was sealed: the office is to be told it is
        coming (call in a transaction)."""
        owed, entry = self._owed_notices(), f"{kind}:{record_id}"
        if entry not in owed:
            SettingsRepository(self._vault).put_value(NOTICES_OWED, json.dumps([*owed, entry][-50:]))

    def _tell_office(self, transport: DeviceTransport) -> None:
        """Ask the relay to tell the office, content-free, that a safeguarding concern or an
        incident report is on its way (the relay e-mails at once, whether or not a console is
        open). The notice's id is derived from the record's, so the relay tells each record once
        however often it is asked. Kept owed until it is passed on."""
        told = []
        for entry in self._owed_notices():
            kind = entry.partition(":")[0]
            notice_id = hashlib.sha256(b"ips-office-notice/v1" + entry.encode()).digest()[:16]
            try:
                transport.notice(kind, notice_id)
            except TransportError as exc:
                log.warning("notice to the office not passed on yet: %s", type(exc).__name__)
                break
            told.append(entry)
        if told:
            with self._vault.transaction():
                left = [r for r in self._owed_notices() if r not in told]
                SettingsRepository(self._vault).put_value(NOTICES_OWED, json.dumps(left))
                self.audit.append("notice to the office passed on", "sync", str(len(told)))

    def _send_all(self, transport: DeviceTransport, bundle: office_keys.KeyBundle, result: SyncResult,
                  report: Progress, token: CancelToken) -> None:
        pending = self.state.to_send(self._now())
        for done, held in enumerate(pending):
            if token.cancelled:
                return
            report("Sending", done, len(pending))
            if held.body is None:
                continue
            try:
                stored = transport.deliver(self._keys.kid, held.seq, held.body)
                self._fault("delivered")
                if stored is not None:
                    self._check_stored(stored, bundle, held)
            except TransportError:
                result.next_retry_at = self._back_off(pending[done:])
                raise
            with self._vault.transaction():
                self.state.mark_stored(held.seq, stored)
            result.sent += 1

    def _back_off(self, waiting: list[HeldEnvelope]) -> datetime:
        """Push every waiting envelope's next attempt out, growing with its failures."""
        attempts = max((h.attempts for h in waiting), default=0)
        retry_at = self._now() + retry_delay(attempts, self._jitter())
        with self._vault.transaction():
            for held in waiting:
                self.state.mark_attempt_failed(held.seq, retry_at)
        return retry_at

    def _check_stored(self, stored: bytes, bundle: office_keys.KeyBundle, held: HeldEnvelope) -> None:
        """A relay's STORED receipt only stops retries, but a wrong one means the relay is
        not working: keep the envelope queued."""
        try:
            receipt.verify_receipt(stored, bundle, self._expected(held))
        except WireError as exc:
            log.warning("relay answer refused: %s", exc.reason.value)
            raise TransportError("The office's server answered with something that is not a valid receipt. "
                                 "Your notes stay on this laptop and will be sent again.") from None

    def _expected(self, held: HeldEnvelope) -> receipt.Expected:
        return receipt.Expected(self._keys.kid, held.seq, held.envelope_id, held.env_hash, held.bundle_version)

    def _apply_receipts(self, transport: DeviceTransport, bundle: office_keys.KeyBundle, result: SyncResult,
                        report: Progress) -> None:
        incoming = transport.receipts(self._keys.kid)
        latest: receipt.Receipt | None = None  # the office's newest VERIFIED: its count shows what it lacks
        for done, item in enumerate(incoming):
            report("Checking receipts", done, len(incoming))
            try:
                seq = receipt.parse_receipt(item.data)[0].seq
            except WireError:
                transport.forget_receipt(self._keys.kid, item.handle)
                continue
            held = self.state.envelope(seq)
            if held is None:
                continue
            try:
                checked = receipt.verify_receipt(item.data, bundle, self._expected(held))
            except WireError as exc:
                log.warning("receipt refused: %s", exc.reason.value)
                continue
            if checked.status is receipt.Status.VERIFIED and (latest is None or checked.seq > latest.seq):
                latest = checked
            with self._vault.transaction():
                if checked.status is receipt.Status.VERIFIED:
                    if held.state != "verified":
                        self.state.mark_verified(held.seq, item.data)
                        self.audit.append("office verified", held.record_id or "", str(held.seq))
                        result.verified += 1
                elif checked.status is receipt.Status.REJECTED and held.state not in ("verified", "rejected"):
                    why = REASON_TEXT[checked.reason] if checked.reason else "no reason given"
                    self.state.mark_rejected(held.seq, item.data, why)
                    self.audit.append("office rejected", held.record_id or "", checked.reason.value
                                      if checked.reason else "")
                    result.rejected.append(why)
            self._fault("receipt applied")
            transport.forget_receipt(self._keys.kid, item.handle)
        if latest is not None and latest.cum_seq < latest.seq - 1:
            self._resend_missing(latest, result)

    def _resend_missing(self, latest: receipt.Receipt, result: SyncResult) -> None:
        """The office opens a laptop's envelopes in the order they were sent, so one it has
        confirmed after another it still lacks means the lacking one was lost on the way (the
        relay said it was stored): send it again (DESIGN: receipts carry the contiguous count)."""
        with self._vault.transaction():
            again = self.state.mark_missing(latest.cum_seq, latest.seq)
            if again:
                self.audit.append("office lacks envelopes", "sync", f"{latest.cum_seq + 1}-{latest.seq - 1}")
        if again:
            log.warning("the office lacks %d envelope(s) the relay said it stored; sending again", again)
        result.resent += again

    # -- retention ----------------------------------------------------------------------------------------
    def decisions(self) -> list[Decision]:
        """Every saved record's retention decision: what goes when, and why."""
        policy = self.policy()
        queued = self.state.outbox_ids()
        closed = {c.id: c.closed_at for c in self.cases.summaries()}
        latest: dict[str, HeldEnvelope] = {}
        for held in self.state.all():
            if held.record_id is not None:
                latest[held.record_id] = held
        def verified(rid: str) -> datetime | None:
            held_env = latest.get(rid)
            return held_env.verified_at if held_env and held_env.state == "verified" and rid not in queued else None

        visits = _VisitFacts(self.records, verified)
        claim_verified = _claim_verified_by_call(self.records, verified)
        decisions = []
        for rid, kind, state, case_id in self.records.headers():
            verified_at = verified(rid)
            returned = False
            if kind == "papers" and verified_at is not None:  # only papers need their body read
                returned = PapersHeld.from_dict(self.records.get(rid).payload).returned
            closed_at, incident_open = visits.of(rid) if kind in ("visit_plan", "visit_outcome") else (None, False)
            facts = RecordFacts(
                record_id=rid, record_type=kind, state=state, queued=rid in queued, verified_at=verified_at,
                case_closed_at=closed.get(case_id) if case_id else None, papers_returned=returned,
                visit_closed_at=closed_at, incident_open=incident_open, claim_verified_at=claim_verified.get(rid))
            decisions.append(decide(facts, policy))
        return decisions

    def overview(self) -> list[RetentionRow]:
        """Every record with its sync state and its retention decision, soonest removal first."""
        refs = {c.id: c.reference for c in self.cases.summaries()}
        headers = {rid: (kind, state, case_id) for rid, kind, state, case_id in self.records.headers()}
        latest: dict[str, HeldEnvelope] = {h.record_id: h for h in self.state.all() if h.record_id is not None}
        queued = self.state.outbox_ids()
        rows = []
        for decision in self.decisions():
            kind, state, case_id = headers[decision.record_id]
            held = latest.get(decision.record_id)
            if state == "draft":
                words = "draft"
            elif decision.record_id in queued:
                words = "waiting to go"
            elif held is not None:
                words = _STATE_WORDS[held.state] + (f": {held.reason}" if held.state == "rejected" else "")
            else:
                words = "kept on this laptop"
            rows.append(RetentionRow(decision.record_id, refs.get(case_id or "", "—"), kind, words,
                                     decision.due_at, decision.why))
        return sorted(rows, key=lambda r: (r.due_at is None, r.due_at or datetime.max, r.case_ref))

    def purge_due(self, batch: int = 250, keep: frozenset[str] = frozenset()) -> int:
        """Purge every record whose rule says its time has come, in batches of one
        transaction each: the record's key first (the crypto-shred), then its body, index
        rows, attachments and outbox row; its envelope keeps only the hash and the receipt;
        a content-free purge-log entry. Then the index is merged and the WAL truncated."""
        now = self._now()
        headers = {rid: (kind, case_id) for rid, kind, _, case_id in self.records.headers()}
        closed = {c.id for c in self.cases.summaries() if not c.open}
        due = [d for d in self.decisions() if d.due(now) and d.record_id not in keep]
        last_envelope = {h.record_id: h for h in self.state.all() if h.record_id is not None}
        for start in range(0, len(due), batch):
            chunk = due[start:start + batch]
            with self._vault.transaction():
                self.records.purge_many([d.record_id for d in chunk])
                for decision in chunk:
                    self.state.forget_record(decision.record_id)
                    self.state.log_purge(decision.record_id, headers[decision.record_id][0],
                                         last_envelope.get(decision.record_id), decision.rule)
                    self.audit.append("purged", decision.record_id, decision.rule)
                if any(headers[d.record_id][1] in closed for d in chunk):
                    self.state.owe_rekey()
            self._fault("purged")
        if due:
            self.records.scrub()
        return len(due)

    def _certify_purges(self, transport: DeviceTransport) -> None:
        entries = self.state.uncertified_purges()
        if not entries:
            return
        serial = entries[-1].n
        certificate = make_purge_certificate(self._keys, serial=serial, issued_at=_epoch(self._now()), entries=[
            PurgeEntry(e.envelope_id, e.seq, e.env_hash, e.record_type, _epoch(e.purged_at)) for e in entries])
        transport.send_purge_certificate(self._keys.kid, serial, certificate)
        self._fault("certificate sent")
        with self._vault.transaction():
            self.state.mark_certified(serial)


class _VisitFacts:
    """A visit's closing time and whether an incident report about it is still open, for the
    retention of its plan and outcome (DESIGN §5: kept while an incident is open)."""

    def __init__(self, records: RecordRepository, verified: Callable[[str], datetime | None]) -> None:
        self._by_record: dict[str, str] = {}
        self._closed: dict[str, datetime | None] = {}
        self._open_incidents: set[str] = set()
        # A body this version cannot read counts as an open visit: kept, never purged early.
        for stored in records.all(kind="visit_plan"):
            with suppress(KeyError, TypeError, ValueError):
                visit = Visit.from_dict(stored.payload)
                self._by_record[stored.id] = visit.visit_id
                self._closed[visit.visit_id] = visit.closed_at
        for stored in records.all(kind="visit_outcome"):
            with suppress(KeyError, TypeError, ValueError):
                self._by_record[stored.id] = VisitOutcome.from_dict(stored.payload).visit_id
        for stored in records.all(kind="incident"):
            if verified(stored.id) is None:
                with suppress(KeyError, TypeError, ValueError):
                    self._open_incidents.add(IncidentReport.from_dict(stored.payload).visit_id)

    def of(self, record_id: str) -> tuple[datetime | None, bool]:
        visit_id = self._by_record.get(record_id, "")
        return self._closed.get(visit_id), visit_id in self._open_incidents


def _claim_verified_by_call(records: RecordRepository,
                            verified: Callable[[str], datetime | None]) -> dict[str, datetime | None]:
    """Phone-log entry → when the office verified the claim of its month (DESIGN §5: "once
    the enquiry or telephone bill period is finalised delete all records")."""
    claims = {r.payload.get("month"): r.id for r in records.all(kind="expense_claim")}
    out = {}
    for call in records.all(kind="phone_log"):
        claim_id = claims.get(call.payload.get("month"))
        out[call.id] = verified(claim_id) if claim_id else None
    return out


def pinned_policy(vault: VaultConnection, now: Callable[[], datetime]) -> dict[str, Any]:
    """The office policy in the bundle this laptop has pinned; empty before enrolment."""
    identity = SyncRepository(vault, now).identity()
    if identity is None:
        return {}
    try:
        return dict(office_keys.open_bundle(identity.bundle, identity.root_public).policy)
    except WireError:
        log.warning("pinned office bundle unreadable; visit rules use the handbook defaults")
        return {}
