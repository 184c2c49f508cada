"""The case book: the service the volunteer's windows use for cases and records.

Applies the domain's rules (reference format, PII guard) and writes through the
repositories, one transaction per user action. Every mutation returns what changed so
the UI can refresh only what it shows. Single-threaded: use from the thread that opened
the vault.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..domain import about_me
from ..domain.about_me import AboutMe
from ..domain.actions import ActionToDo, actions_to_do
from ..domain.actions import due_by as due_on_or_before
from ..domain.forward import RECORD_TYPE as FORWARD
from ..domain.forward import NoteToForward
from ..domain.pii import FieldFinding, KeepReason, neutral_file_name, screen_fields
from ..domain.records import (
    AgreedAction,
    AnyRecord,
    CaseAllocation,
    CaseDecision,
    CaseStatus,
    CaseSummary,
    Consent,
    ContactRecord,
    EventSummary,
    Level1Contact,
    PapersHeld,
    record_from_dict,
)
from ..domain.references import normalise_reference, reference_shaped
from ..domain.referral import RECORD_TYPE as REFERRAL
from ..domain.referral import Referral
from ..domain.words import counted
from .audit import AuditLog
from .cases import CaseExists, CaseRepository
from .records import MAX_ATTACHMENT_BYTES, AttachmentInfo, RecordRepository, StoredRecord, index_words
from .settings import SettingsRepository, VolunteerSettings
from .vault import VaultConnection, VaultError

Record = (ContactRecord | PapersHeld | CaseStatus | CaseAllocation | Referral | EventSummary | CaseDecision
          | NoteToForward)
PRIORITY_SAFEGUARDING = 10
PRIORITY_REFERRAL = 5  # "on the same working day": before the rest, after a safeguarding concern


class InputError(VaultError):
    """Input the volunteer can fix; the message says how. Nothing was written."""


class UnresolvedFindings(InputError):
    def __init__(self, findings: Sequence[FieldFinding]) -> None:
        super().__init__(
            f"Before saving, decide about {counted(len(findings), 'identifying detail')}: "
            "replace each one, or keep it with a reason."
        )
        self.findings = list(findings)


@dataclass(frozen=True)
class Kept:
    """The volunteer's decision to keep one finding, with the reason from the fixed list."""

    field: str
    text: str
    reason: KeepReason


@dataclass(frozen=True)
class RecordView:
    id: str
    case_id: str | None
    state: str
    updated_at: datetime
    record: AnyRecord


@dataclass(frozen=True)
class SearchHit:
    record_id: str
    case_id: str | None
    reference: str
    view: RecordView


def _search_text(reference: str, record: Record) -> str:
    parts = [reference, *record.text_fields().values()]
    if isinstance(record, ContactRecord):
        parts += [str(record.kind), *record.roles_present]
    return "\n".join(p for p in parts if p)


def read_file_at_most(path: Path, limit: int, too_big: str) -> bytes:
    """A file's bytes, never more than ``limit`` of them read. ``too_big`` ends the message
    ("attachments can be at most 25 MB. …").

    The size is taken from the open file and the read itself stops one byte past the limit, so
    a file that grows, or a link to a device such as /dev/zero, can never fill the memory; a
    pipe or device is refused before reading (opened without waiting for a writer)."""
    unreadable = InputError(f"“{path.name}” could not be read. Check the file is still there.")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        raise unreadable from None
    with os.fdopen(fd, "rb") as handle:
        try:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise InputError(f"“{path.name}” is not an ordinary file, so it cannot be added. Save it as a "
                                 "file first (a photo, a PDF), then choose that.")
            if info.st_size > limit:
                raise InputError(f"“{path.name}” is {info.st_size / 1048576:.0f} MB; {too_big}")
            data = handle.read(limit + 1)
        except OSError:
            raise unreadable from None
    if len(data) > limit:
        raise InputError(f"“{path.name}” is over {limit / 1048576:.0f} MB; {too_big}")
    return data


class CaseBook:
    def __init__(self, vault: VaultConnection, now: Callable[[], datetime]) -> None:
        self._vault = vault
        self._now = now
        self.cases = CaseRepository(vault, now)
        self.records = RecordRepository(vault, now)
        self.audit = AuditLog(vault, now)
        self.settings_store = SettingsRepository(vault)
        self.records.settle_purges()

    @property
    def vault(self) -> VaultConnection:
        return self._vault

    # -- settings ----------------------------------------------------------------------------
    @property
    def settings(self) -> VolunteerSettings:
        return self.settings_store.load()

    def save_settings(self, settings: VolunteerSettings) -> None:
        with self._vault.transaction():
            self.settings_store.save(settings)
            self.audit.append("settings changed", "vault")

    def tell_office_about_me(self, about: AboutMe) -> str | None:
        """Who the volunteer is, for the overdue ladder (name, mobile, vehicle, description, the
        nominated family contact): kept in settings and sent to the office, sealed; the outbox's
        copy goes once the office has it. Returns the record id, or None when nothing changed.
        Raises :class:`InputError` naming what to correct."""
        about = about.cleaned()
        problems = about.problems()
        if problems:
            raise InputError(" ".join(problems))
        current = self.settings
        if about == current.about_me:
            return None
        with self._vault.transaction():
            self.settings_store.save(current.with_about_me(about))
            record_id = self.records.put(None, None, about_me.RECORD_TYPE, about.to_record(), "saved", "")
            self.records.enqueue(record_id)
            self.audit.append("details for the overdue ladder sent", "vault")
        return record_id

    # -- cases -------------------------------------------------------------------------------
    def case_list(self, include_closed: bool = True) -> list[CaseSummary]:
        return self.cases.summaries(include_closed)

    def open_case(self, reference: str) -> str:
        """Start a case under the service's reference. Raises :class:`InputError` with advice."""
        problem = self.settings.reference_format.check(reference)
        if problem:
            raise InputError(problem)
        ref = normalise_reference(reference)
        try:
            with self._vault.transaction():
                case_id = self.cases.create(ref)
                self.audit.append("case opened", case_id)
        except CaseExists:
            raise InputError(f"Case {ref} is already in your register.") from None
        return case_id

    def receive_allocation(self, reference: str, allocation: CaseAllocation) -> tuple[str, bool]:
        """A case the PPO allocated from the console: the case is opened if this laptop has not
        got it yet, and the office's brief kept in it (a newer brief replaces the older). Returns
        (case id, whether the case is new). Raises :class:`InputError` for a reference no case
        could have (the office's message is signed, but its words are still checked)."""
        ref = normalise_reference(reference)
        if not reference_shaped(ref):
            raise InputError("The office's allocation names no case reference this laptop can use.")
        existing = self.cases.find(ref)
        with self._vault.transaction():
            if existing is None:
                case_id = self.cases.create(ref)
                self.audit.append("case allocated by the office", case_id)
            else:
                case_id = existing.id
                if not existing.open:
                    self.cases.set_open(case_id, True)
                self.audit.append("case brief from the office", case_id)
            self._keep_from_office(case_id, ref, allocation)
        return case_id, existing is None

    def receive_decision(self, reference: str, decision: CaseDecision) -> str | None:
        """The PPO's decision on a case after a difficult visit: kept in the case (a newer one
        replaces it). Returns the case id, or None when this laptop has no such case."""
        case = self.cases.find(normalise_reference(reference))
        if case is None:
            return None
        with self._vault.transaction():
            self._keep_from_office(case.id, case.reference, decision)
            self.audit.append("case decision from the office", case.id, decision.decision)
        return case.id

    def _keep_from_office(self, case_id: str, reference: str, record: CaseAllocation | CaseDecision) -> None:
        """A case holds one record of each kind the office sends: the newer replaces the older.
        Never queued: the office wrote it. Call inside a transaction."""
        previous = self.records.all(case_id=case_id, kind=record.to_dict()["type"])
        self._put(previous[-1].id if previous else None, case_id, reference, record, "saved")

    def _from_office(self, case_id: str, kind: str) -> dict[str, Any] | None:
        found = self.records.all(case_id=case_id, kind=kind)
        return found[-1].payload if found else None

    def decision(self, case_id: str) -> CaseDecision | None:
        payload = self._from_office(case_id, "case_decision")
        return CaseDecision.from_dict(payload) if payload else None

    def allocation(self, case_id: str) -> CaseAllocation | None:
        """The office's brief for the case, if the PPO allocated it from the console."""
        payload = self._from_office(case_id, "allocation")
        return CaseAllocation.from_dict(payload) if payload else None

    def close_case(self, case_id: str) -> None:
        """Handbook: "Delete your computer record as soon as you have finished your work with
        that family". Closing marks it finished; the purge follows the retention rules once
        the office has confirmed it holds the records (sealed sync)."""
        self._set_open(case_id, False)

    def reopen_case(self, case_id: str) -> None:
        self._set_open(case_id, True)

    def _set_open(self, case_id: str, is_open: bool) -> None:
        """The case's state, and a record of the change queued for the office in the same
        transaction: the PPO learns the work with the family is finished (or started again), and
        how many lots of the parent's papers are still to be posted back."""
        reference = self.cases.reference_of(case_id) or ""
        status = CaseStatus(closed=not is_open, at=self._now(), papers_held=self.papers_out(case_id))
        with self._vault.transaction():
            self.cases.set_open(case_id, is_open)
            self.audit.append("case reopened" if is_open else "case closed", case_id)
            self.records.enqueue(self._put(None, case_id, reference, status, "saved"))

    def papers_out(self, case_id: str) -> int:
        """Lots of the parent's papers in this case not yet returned with proof of posting."""
        return sum(1 for r in self.records.all(case_id=case_id)
                   if r.kind == "papers" and not PapersHeld.from_dict(r.payload).returned)

    # -- agreed actions -------------------------------------------------------------------------
    def actions_to_do(self, case_id: str | None = None, due_by: date | None = None) -> list[ActionToDo]:
        """Agreed actions not yet done, in open cases (or in one case), soonest first; only those
        due by ``due_by`` when given. Opens only the records the action dates point at."""
        self._index_actions()
        refs = self.cases.references(include_closed=False)
        ids = self.records.with_actions_to_do(due_by.isoformat() if due_by else None, case_id)
        stored = [self.records.get(i) for i in ids]
        todo = actions_to_do((r.id, r.case_id, refs[r.case_id], ContactRecord.from_dict(r.payload))
                             for r in stored if r.case_id in refs)
        return todo if due_by is None else due_on_or_before(todo, due_by)

    def actions_due_count(self, due_by: date) -> int:
        """How many actions not done are due by ``due_by``, without opening a record."""
        self._index_actions()
        return self.records.actions_due_count(due_by.isoformat())

    def _index_actions(self) -> None:
        """Once, for a vault from before the action dates were kept: fill them from the records."""
        if self.settings_store.value("action_dates_owed") != "1":
            return
        with self._vault.transaction():
            for stored in self.records.all(kind="contact"):
                self.records.index_actions(stored.id, stored.payload)
            self.settings_store.put_value("action_dates_owed", "0")

    def case_consents(self, case_id: str, besides: str | None = None) -> list[Consent]:
        """The consents recorded in the case's contact records, other than record ``besides``
        (the one being edited, whose own rows the editor has)."""
        return [consent for r in self.records.all(case_id=case_id, kind="contact") if r.id != besides
                for consent in ContactRecord.from_dict(r.payload).consents]

    def set_action_done(self, record_id: str, index: int, done: bool = True) -> ContactRecord:
        """Mark one agreed action done (or not). A saved record is queued again, so the office's
        copy shows it too; its words are unchanged, so it needs no new screening. A draft stays
        a draft. Returns the record as now kept."""
        stored = self.records.get(record_id)
        if stored.kind != "contact" or stored.case_id is None:
            raise InputError("Only a contact record has agreed actions.")
        record = ContactRecord.from_dict(stored.payload)
        if not 0 <= index < len(record.agreed_actions):
            raise InputError("That action is no longer in the record.")
        actions = list(record.agreed_actions)
        actions[index] = AgreedAction(actions[index].what, actions[index].who, actions[index].by_when, done)
        changed = replace(record, agreed_actions=tuple(actions))
        reference = self.cases.reference_of(stored.case_id) or ""
        with self._vault.transaction():
            self._put(record_id, stored.case_id, reference, changed, stored.state, stored.priority)
            if stored.state == "saved":
                self.records.enqueue(record_id, stored.priority)
            self.audit.append("agreed action done" if done else "agreed action not done", record_id)
        return changed

    # -- records -----------------------------------------------------------------------------
    def records_for_case(self, case_id: str) -> list[RecordView]:
        return [self._view(r) for r in self.records.all(case_id=case_id)]

    def record(self, record_id: str) -> RecordView:
        return self._view(self.records.get(record_id))

    @staticmethod
    def _view(stored: StoredRecord) -> RecordView:
        return RecordView(stored.id, stored.case_id, stored.state, stored.updated_at,
                          record_from_dict(stored.payload))

    def save_draft(self, record_id: str | None, case_id: str, record: Record) -> str:
        """Autosave: no screening, state 'draft', never queued. Losing at most a few seconds."""
        reference = self.cases.reference_of(case_id) or ""
        # An edit of a saved record is a draft again until it is screened and saved.
        with self._vault.transaction():
            new_id = self._put(record_id, case_id, reference, record, "draft")
            if record_id is None:
                self.audit.append("draft started", new_id)
        return new_id

    def _put(self, record_id: str | None, case_id: str, reference: str, record: Record,
             state: str, priority: int = 0) -> str:
        payload = record.to_dict()
        text = _search_text(reference, record)
        return self.records.put(record_id, case_id, payload["type"], payload, state, text, priority,
                                removes_words=record_id is not None and self._removes_words(record_id, text))

    def _removes_words(self, record_id: str, text: str) -> bool:
        """Whether saving ``text`` drops a word the record's index row has now (a replaced name)."""
        old = self.records.get(record_id)
        reference = (self.cases.reference_of(old.case_id) if old.case_id else None) or ""
        try:
            previous = record_from_dict(old.payload)
        except (KeyError, TypeError, ValueError):
            return True  # unreadable as a record: assume the worst, merge the index
        if not isinstance(previous, ContactRecord | PapersHeld):
            return True
        return not index_words(_search_text(reference, previous)) <= index_words(text)

    def screen(self, record: Record) -> list[FieldFinding]:
        return screen_fields(record.text_fields())

    @staticmethod
    def resolve(findings: Sequence[FieldFinding], kept: Sequence[Kept]) -> list[tuple[FieldFinding, Kept]]:
        """Pair every finding with the volunteer's decision to keep it; raises
        :class:`UnresolvedFindings` for any left undecided (replaced ones are no longer found)."""
        keys = {(k.field, k.text): k for k in kept}
        unresolved = [f for f in findings if (f.field, f.finding.text) not in keys]
        if unresolved:
            raise UnresolvedFindings(unresolved)
        return [(f, keys[(f.field, f.finding.text)]) for f in findings]

    def log_kept(self, record_id: str, decisions: Sequence[tuple[FieldFinding, Kept]]) -> None:
        """Each kept finding in the audit trail as its kind and reason code, never its text.
        Call inside the transaction that writes the record."""
        for finding, keep in decisions:
            self.audit.append("identifying detail kept", record_id, f"{finding.finding.kind.name}:{keep.reason.name}")

    def save(self, record_id: str | None, case_id: str, record: Record,
             kept: Sequence[Kept] = ()) -> str:
        """Screen, then save and queue for the office in one transaction.

        Every finding must be replaced or kept with a reason, otherwise
        :class:`UnresolvedFindings` is raised and nothing is written. Keeps are logged in the
        audit trail as the kind of detail and the reason code, never the text.
        """
        decisions = self.resolve(self.screen(record), kept)
        reference = self.cases.reference_of(case_id)
        if reference is None:
            raise InputError("That case is no longer in your register.")
        priority = (PRIORITY_SAFEGUARDING
                    if isinstance(record, ContactRecord) and record.has_safeguarding_concern else 0)
        with self._vault.transaction():
            new_id = self._put(record_id, case_id, reference, record, "saved", priority)
            self.log_kept(new_id, decisions)
            self.records.enqueue(new_id, priority)
            self.audit.append("record saved", new_id, "safeguarding" if priority else "")
        # A name replaced since the last autosave leaves no trace in the index or the journal.
        self.records.settle_purges()
        return new_id

    def discard_draft(self, record_id: str) -> None:
        if self.records.get(record_id).state != "draft":
            raise InputError("Only drafts can be discarded; saved records follow the retention rules.")
        self.purge(record_id, "draft discarded")

    def purge(self, record_id: str, why: str = "purged") -> None:
        """Crypto-shred a record now (key first), then checkpoint so no old page survives."""
        with self._vault.transaction():
            self.records.purge(record_id)
            self.audit.append(why, record_id)
        self.records.scrub()

    def search(self, text: str) -> list[SearchHit]:
        hits = []
        refs = self.cases.references()
        for record_id in self.records.search(text):
            view = self.record(record_id)
            hits.append(SearchHit(record_id, view.case_id, refs.get(view.case_id or "", ""), view))
        return hits

    def unsent_count(self) -> int:
        return self.records.unsent_count()

    def enrolled(self) -> bool:
        """Is this laptop enrolled with an office? Until it is, nothing "waiting to go" can go."""
        return self._vault.query_one("SELECT 1 FROM sync_identity WHERE id = 1") is not None

    # -- attachments ---------------------------------------------------------------------------
    def attach_file(self, record_id: str, path: Path) -> str:
        """A scanned letter or report, kept inside the vault (25 MiB at most)."""
        data = read_file_at_most(path, MAX_ATTACHMENT_BYTES, "attachments can be at most 25 MB. "
                                 "Scan it at a lower resolution or as several pages.")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        name = neutral_file_name(path.name, self._now())
        with self._vault.transaction():
            attachment_id = self.records.add_attachment(record_id, name, mime, data)
            self.audit.append("attachment added", record_id)
        return attachment_id

    def attachments(self, record_id: str) -> list[AttachmentInfo]:
        return self.records.attachments(record_id)

    # -- referrals ------------------------------------------------------------------------------
    def send_referral(self, referral: Referral, kept: Sequence[Kept] = ()) -> str:
        """Check, screen (all but the name and number) and queue a family's referral for the
        office at once, ahead of everything but safeguarding. It has no case and nothing of it is
        indexed for search; it goes from the laptop once the office has confirmed it.
        Raises :class:`InputError` or :class:`UnresolvedFindings` with what to put right."""
        problems = referral.problems()
        if problems:
            raise InputError(" ".join(problems))
        decisions = self.resolve(self.screen(referral), kept)
        sent = replace(referral, sent_at=self._now())
        with self._vault.transaction():
            record_id = self.records.put(None, None, REFERRAL, sent.to_dict(), "saved", "", PRIORITY_REFERRAL)
            self.log_kept(record_id, decisions)
            self.records.enqueue(record_id, PRIORITY_REFERRAL)
            self.audit.append("referral sent", record_id)
        return record_id

    def send_event_summary(self, summary: EventSummary, kept: Sequence[Kept] = ()) -> str:
        """An event's summary for the PPO: screened, no case, queued; gone once the office has it."""
        problems = summary.problems()
        if problems:
            raise InputError(" ".join(problems))
        decisions = self.resolve(self.screen(summary), kept)
        with self._vault.transaction():
            record_id = self.records.put(None, None, "event", summary.to_dict(), "saved", "")
            self.log_kept(record_id, decisions)
            self.records.enqueue(record_id)
            self.audit.append("event summary", record_id)
        return record_id

    def send_forward(self, case_id: str, note: NoteToForward, kept: Sequence[Kept] = ()) -> str:
        """A note or letter for the PPO to forward (to a parent or a professional), or the parent's
        copy of agreed actions: screened, queued, gone once the office has it."""
        problems = note.problems()
        if problems:
            raise InputError(" ".join(problems))
        decisions = self.resolve(self.screen(note), kept)
        reference = self.cases.reference_of(case_id)
        if reference is None:
            raise InputError("That case is no longer in your register.")
        with self._vault.transaction():
            record_id = self.records.put(None, case_id, FORWARD, note.to_dict(), "saved", "")
            self.log_kept(record_id, decisions)
            self.records.enqueue(record_id)
            self.audit.append("note to forward", record_id)
        return record_id

    def referrals_held(self) -> list[tuple[str, Referral]]:
        """Referrals still on this laptop (the office has not confirmed them yet), oldest first."""
        return [(r.id, Referral.from_dict(r.payload)) for r in self.records.all(kind=REFERRAL)]

    # -- Level 1 tally --------------------------------------------------------------------------
    def add_level1(self, contact: Level1Contact) -> str:
        with self._vault.transaction():
            record_id = self.records.put(None, None, "level1", contact.to_dict(), "saved", "")
            self.records.enqueue(record_id)
            self.audit.append("level 1 contact", record_id)
        return record_id

    def level1_contacts(self, since: date | None = None) -> list[Level1Contact]:
        contacts = [Level1Contact.from_dict(r.payload) for r in self.records.all(kind="level1")]
        return [c for c in contacts if since is None or c.on >= since]
