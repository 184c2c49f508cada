"""What the PPO's console does, without Qt (DESIGN §8): the inbox by case reference, visit plans
waiting for approval, claims to review, the enrolment queue, the board, the keys' backup.

One object per unlocked office vault, used from the GUI thread; the console's widgets call
these methods and show their values. Network calls (pull, the board) may be slow: the console
runs them on its task pool, never touching the vault from there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..crypto import key_backup
from ..crypto.keyslot import KdfParams
from ..domain import about_me
from ..domain import claim as c
from ..domain.about_me import AboutMe
from ..domain.addresses import display_mobile, is_email, uk_mobile
from ..domain.escalation import CloseReason, LadderPolicy, Watch
from ..domain.expenses import ExpenseRates
from ..domain.feedback import Feedback
from ..domain.incident import IncidentReport
from ..domain.safeguarding import SafeguardingNumbers
from ..domain.steering import Period
from ..domain.uk_time import from_epoch
from ..domain.visit_flow import Visit
from ..store.errors import VaultError
from ..store.office_backup import BackupInfo
from ..store.office_store import AllocationRow, MarkRow, OfficeRecord
from ..store.profile import Profile, write_private_file
from ..sync.relay_client import RelayTransport
from ..sync.transport import FolderTransport, open_transport
from ..sync.watch_client import BoardEntry, WatchClient
from . import allocation, difficulties, feedback, forwarding, messages, safeguarding, steering
from . import referrals as referral_queue
from .inbox import PullResult, accept, pull
from .restore import back_up, backup_reminder
from .service import OfficeError, OfficeService


@dataclass(frozen=True)
class PlanToApprove:
    device_kid: bytes
    label: str
    reference: str
    visit_id: str
    plan: dict[str, Any]      # the visit plan as the laptop sent it (state, slot, risk answers…)
    received_at: datetime


@dataclass(frozen=True)
class ClaimToReview:
    device_kid: bytes
    label: str
    month: str
    claim: dict[str, Any]
    entries: list[dict[str, Any]]
    status: str               # what the office last said: "", received, approved, returned
    records: tuple[OfficeRecord, ...] = ()   # the entries as received, with their receipts


@dataclass(frozen=True)
class CaseAllocationView:
    reference: str
    given: tuple[AllocationRow, ...]            # oldest first
    not_allocated: tuple[tuple[bytes, str], ...]  # (device, label) that sent records without one

    def words(self, labels: dict[bytes, str]) -> str:
        """What the inbox says above the case's records."""
        parts = []
        if self.given:
            last = self.given[-1]
            who = labels.get(last.device_kid, "a laptop no longer enrolled")
            stop = "" if last.initial.endswith(".") else "."
            parts.append(f"Allocated to {who} on {last.allocated_at:%d/%m/%Y} by {last.by}; parent {last.initial}{stop}"
                         + (f" Brief: {last.brief}" if last.brief else ""))
        for _kid, label in self.not_allocated:
            parts.append(f"⚠ Not allocated to {label} from this console. Check the reference with the volunteer "
                         "before these notes go on the family's file: a mistyped digit files them under another "
                         "family. If you gave the case by phone, allocate it now.")
        return "\n".join(parts)


def latest_versions(records: list[OfficeRecord]) -> list[OfficeRecord]:
    """Each record's newest version: an edit's envelope names the one it supersedes, which
    counts only for a record of the same laptop, type and case (as ``records(newest_only)``)."""
    superseded = {(r.supersedes, r.device_kid, r.record_type, r.case_ref) for r in records if r.supersedes}
    return [r for r in records if (r.record_id, r.device_kid, r.record_type, r.case_ref) not in superseded]


class OfficeConsole:
    def __init__(self, service: OfficeService, files: tuple[Profile, bytes] | None = None) -> None:
        self.service = service
        self.files = files  # the office's profile and database key, for backing the office up

    def back_up(self, destination: Path) -> BackupInfo:
        if self.files is None:
            raise VaultError("This console cannot back up the office (it was opened without its files).")
        return back_up(self.files[0], self.service, self.files[1], destination)

    def backup_reminder(self) -> str:
        return backup_reminder(self.service)

    # -- transport --------------------------------------------------------------------------------------
    @property
    def address(self) -> str:
        state = self.service.repo.state()
        return state.address if state else ""

    def transport(self) -> FolderTransport | RelayTransport:
        if not self.address:
            raise OfficeError("The office has no relay or drop folder address yet: set one in Settings.")
        return open_transport(self.address, self.service.keys().root)

    def watch_client(self) -> WatchClient | None:
        """The relay's board, when the office works through a relay (a drop folder has none)."""
        transport = self.transport()
        return WatchClient(transport) if isinstance(transport, RelayTransport) else None

    def labels(self) -> dict[bytes, str]:
        return {d.device_kid: d.label for d in self.service.repo.devices()}

    # -- inbox ------------------------------------------------------------------------------------------
    def pull(self, progress: Callable[[str, int, int], None] | None = None) -> PullResult:
        result = pull(self.service, self.transport(), progress)
        self.apply_family_contacts()
        return result

    def apply_family_contacts(self) -> bool:
        """What volunteers told the office about themselves in the app (their name, mobile,
        vehicle, description and family contact): the newest each sent goes on the board, into
        the overdue pack and on the ladder; the relay gets the first name, the mobile and the
        family contact. True when anything changed."""
        labels = self.labels()
        family_now: dict[str, list[str]] = {}
        profiles_now: dict[str, dict[str, str]] = {}
        for record in sorted(self.service.repo.records(record_types=("family_contact", about_me.RECORD_TYPE)),
                             key=lambda r: (r.received_at, r.seq)):
            if record.device_kid not in labels:
                continue
            label, body = labels[record.device_kid], record.content.get("body", {})
            if record.record_type == about_me.RECORD_TYPE and isinstance(body, dict):
                about = AboutMe.from_record(body)
                family_now[label] = about.family
                profiles_now[label] = about.for_office()
            elif isinstance(body, dict):  # a laptop from before: the family contact's e-mail alone
                email = str(body.get("email", "")).strip()
                family_now[label] = [email] if is_email(email) else []
        if not family_now:
            return False
        contacts, profiles = self.contacts(), self.volunteer_profiles()
        family = dict(contacts.get("family", {}))
        changed = {k: v for k, v in family_now.items() if family.get(k, []) != v}
        new_profiles = {k: v for k, v in profiles_now.items() if profiles.get(k) != v}
        if not changed and not new_profiles:
            return False
        family.update(changed)
        family = {k: v for k, v in family.items() if v}
        with self.service.repo.vault.transaction():
            self.service.repo.put_setting(self.PROFILES_KEY, json.dumps({**profiles, **new_profiles}))
        tiers = {int(k): list(v) for k, v in contacts.get("tiers", {}).items()}
        sms = {int(k): list(v) for k, v in contacts.get("sms", {}).items()}
        self.set_contacts(tiers, list(contacts.get("office", [])), family, sms)
        return True

    def cases(self) -> dict[str, list[OfficeRecord]]:
        """Every record by case reference (newest version of each), oldest first."""
        out: dict[str, list[OfficeRecord]] = {}
        for record in latest_versions(self.service.repo.records()):
            if record.case_ref:
                out.setdefault(record.case_ref, []).append(record)
        return dict(sorted(out.items()))

    # -- allocation ---------------------------------------------------------------------------------------
    def volunteers(self) -> list[tuple[bytes, str]]:
        """(device, label) of every laptop a case can go to: enrolled and not revoked."""
        return [(d.device_kid, d.label) for d in self.service.repo.devices() if d.revoked_at is None]

    def allocate_case(self, checked: allocation.Allocation, by: str) -> int:
        """Seal a checked allocation (:func:`allocation.check`) to its laptop, post it and keep it."""
        return allocation.allocate(self.service, self.transport(), checked, by)

    def referrals(self) -> list[referral_queue.ReferralView]:
        return referral_queue.referrals(self.service, self.labels())

    def allocate_referral(self, record_id: bytes, checked: allocation.Allocation, by: str) -> int:
        """Allocate the referred family's case, then mark the referral allocated as it."""
        serial = self.allocate_case(checked, by)
        referral_queue.mark(self.service, record_id, referral_queue.ALLOCATED, checked.reference, by)
        return serial

    def referral_dealt_with(self, record_id: bytes, how: str, by: str) -> None:
        referral_queue.mark(self.service, record_id, referral_queue.OTHER, how, by)

    def allocation_of(self, case_ref: str, records: list[OfficeRecord] | None = None) -> CaseAllocationView:
        """Who the case was allocated to, and the laptops that sent records under it without
        an allocation to them (a mistyped reference, or a case agreed by phone)."""
        given = allocation.allocated(self.service).get(case_ref, [])
        to = {row.device_kid for row in given}
        labels = self.labels()
        senders = {r.device_kid for r in (records if records is not None else self.cases().get(case_ref, []))}
        return CaseAllocationView(case_ref, tuple(given),
                                  tuple(sorted((k, labels.get(k, "a laptop no longer enrolled"))
                                               for k in senders - to)))

    def unallocated_cases(self, by_case: dict[str, list[OfficeRecord]] | None = None) -> set[str]:
        """References with records from a laptop the case was never allocated to (of ``by_case``,
        :meth:`cases` as the caller has it, else read again)."""
        given = {(row.reference, row.device_kid) for row in self.service.repo.allocations()}
        return {ref for ref, records in (self.cases() if by_case is None else by_case).items()
                if any((ref, r.device_kid) not in given for r in records)}

    def concerns(self, by_case: dict[str, list[OfficeRecord]] | None = None) -> list[safeguarding.Concern]:
        """Safeguarding concerns, the ones with no follow-up first (of ``by_case`` when given)."""
        records = [r for rs in (self.cases() if by_case is None else by_case).values() for r in rs]
        return safeguarding.concerns(records, self.service, self.labels())

    def record_follow_up(self, record_id: bytes, action: str, who: str, done_at: datetime, note: str,
                         recorded_by: str) -> None:
        safeguarding.record_follow_up(self.service, record_id, action, who, done_at, note, recorded_by)

    # -- difficult visits and incidents ----------------------------------------------------------------
    def difficulties(self) -> list[difficulties.Difficulty]:
        return difficulties.difficulties(self.service, self.labels())

    def file_marks(self, reference: str) -> list[MarkRow]:
        return difficulties.marks(self.service).get(reference, [])

    def mark_file(self, reference: str, reason: str, by: str) -> None:
        difficulties.mark_file(self.service, reference, reason, by)

    def hse_reported(self, record_id: bytes, on: date, by: str) -> None:
        difficulties.hse_reported(self.service, record_id, on, by)

    def decide_case(self, device_kid: bytes, reference: str, decision: str, note: str, by: str) -> int:
        return difficulties.decide(self.service, self.transport(), device_kid, reference, decision, note, by)

    # -- feedback and the Steering Group ---------------------------------------------------------------
    def feedback_calls(self) -> list[feedback.FeedbackCall]:
        return feedback.calls(self.service, self.labels())

    def closed_cases(self) -> dict[str, datetime]:
        """Cases whose volunteer last said they are closed, with when."""
        return {ref: at for ref, (_kid, at, closed) in feedback.closings(self.service).items() if closed}

    def record_feedback(self, reference: str, answers: Feedback, by: str) -> Feedback:
        return feedback.record(self.service, reference, answers, by)

    def steering_report(self, period: Period) -> tuple[bytes, str]:
        """The report to the Steering Group for ``period``: the PDF and the CSV of its figures.
        The relay's board adds the overdue alerts when the office works through one."""
        from ..domain.steering import csv_text, figures
        from ..reports.steering_pdf import steering_pdf

        board = None
        client = self.watch_client() if self.address else None
        if client is not None:
            start = int(datetime.combine(period.start, datetime.min.time()).timestamp())
            board = client.board(closed_since=start)
        found = figures(period, steering.gather(self.service, period, self.labels(), board))
        state = self.service.repo.state()
        return steering_pdf(state.office_name if state else "", found), csv_text(found)

    # -- notes to forward ----------------------------------------------------------------------------------
    def to_forward(self) -> list[forwarding.ToForward]:
        return forwarding.queue(self.service, self.labels())

    def forward_pdf(self, item: forwarding.ToForward) -> bytes:
        return forwarding.pdf(self.service, item.note, item.reference, self.office_phone())

    def parents_copy_pdf(self, record: OfficeRecord) -> bytes:
        """The parent's copy of a contact record's agreed actions."""
        return forwarding.pdf(self.service, forwarding.parents_copy(record), record.case_ref or "",
                              self.office_phone())

    def office_phone(self) -> str:
        """The number a parent rings: the office's in its safeguarding numbers, else the ladder's."""
        state = self.service.repo.state()
        return SafeguardingNumbers.from_policy(state.policy if state else {}).office or self.ladder().office_phone

    def mark_forwarded(self, record_id: bytes, on: date, by: str) -> None:
        forwarding.mark_forwarded(self.service, record_id, on, by)

    def events(self) -> list[OfficeRecord]:
        """Volunteers' event and community summaries (no case), oldest first."""
        return latest_versions(self.service.repo.records(record_types=("event",)))

    def export_text(self, case_ref: str) -> str:
        """The case's records for the service's case system: one JSON line per record."""
        records = self.cases().get(case_ref, [])
        if not records:
            raise OfficeError(f"No records for case {case_ref}.")
        return "".join(json.dumps({"case": r.case_ref, "type": r.record_type, "received": r.received_at.isoformat(),
                                   "record": r.content.get("body", r.content)}, ensure_ascii=False) + "\n"
                       for r in records)

    def level1_counts(self) -> dict[str, int]:
        """Anonymous Level 1 contacts by category, for the service's monitoring."""
        counts: dict[str, int] = {}
        for record in latest_versions(self.service.repo.records(record_types=("level1",))):
            if record.record_type == "level1":
                category = str(record.content.get("body", {}).get("category", "other"))
                counts[category] = counts.get(category, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def purge_certificates(self, device_kid: bytes) -> list[tuple[int, int, int]]:
        """(serial, issued at, entries) of each certificate of deletion a laptop sent."""
        return self.service.repo.purge_certificates(device_kid)

    def incidents(self) -> list[tuple[str, str, Any]]:
        """(volunteer, case reference, Form PO3) for every incident report, the nearest HSE
        deadline first (handbook: the PPO reports to the HSE within 10 days)."""
        labels, out = self.labels(), []
        for record in latest_versions(self.service.repo.records(record_types=("incident",))):
            if record.record_type == "incident":
                report = IncidentReport.from_dict(record.content.get("body", {}))
                out.append((labels.get(record.device_kid, "?"), record.case_ref or "—", report))
        return sorted(out, key=lambda row: row[2].hse_deadline)

    def case_pdf(self, case_ref: str) -> bytes:
        """The case's records as a PDF for the service's case system."""
        from ..reports.case_pdf import CaseEntry, case_pdf

        records = self.cases().get(case_ref, [])
        if not records:
            raise OfficeError(f"No records for case {case_ref}.")
        entries = [CaseEntry(r.record_type.replace("_", " "), r.received_at, r.content.get("body", {}))
                   for r in records]
        return case_pdf(case_ref, entries)

    # -- visits -----------------------------------------------------------------------------------------
    def _answered(self) -> set[str]:
        out = set()
        for device in self.service.repo.devices():
            out |= {subject for _, kind, subject, _ in self.service.repo.messages_sent(device.device_kid)
                    if kind in ("visit_approved", "visit_refused")}
        return out

    def plans_to_approve(self) -> list[PlanToApprove]:
        """Home-visit plans the laptops sent that the office has not answered yet."""
        labels, answered = self.labels(), self._answered()
        out = []
        for record in latest_versions(self.service.repo.records(record_types=("visit_plan",))):
            if record.record_type != "visit_plan":
                continue
            plan = record.content.get("body", {})
            slot = plan.get("slot", {})
            if plan.get("state") != "planned" or slot.get("venue") != "parent_home" or plan.get(
                    "visit_id") in answered:
                continue
            out.append(PlanToApprove(record.device_kid, labels.get(record.device_kid, "?"), record.case_ref or "—",
                                     str(plan.get("visit_id")), plan, record.received_at))
        return sorted(out, key=lambda p: str(p.plan.get("slot", {}).get("start", "")))

    def approve(self, plan: PlanToApprove, by: str, checks: str) -> int:
        return messages.approve_visit(self.service, self.transport(), plan.device_kid, plan.visit_id, by, checks)

    def refuse(self, plan: PlanToApprove, by: str, reason: str) -> int:
        return messages.refuse_visit(self.service, self.transport(), plan.device_kid, plan.visit_id, by, reason)

    # -- claims -----------------------------------------------------------------------------------------
    def claims(self) -> list[ClaimToReview]:
        labels = self.labels()
        latest = latest_versions(self.service.repo.records(
            record_types=("expense_claim", "expense_item", "journey", "phone_log")))
        out = []
        for record in latest:
            if record.record_type != "expense_claim":
                continue
            body = record.content.get("body", {})
            month = str(body.get("month"))
            mine = [r for r in latest if r.device_kid == record.device_kid
                    and r.record_type in ("expense_item", "journey", "phone_log")
                    and r.content.get("body", {}).get("month") == month]
            out.append(ClaimToReview(record.device_kid, labels.get(record.device_kid, "?"), month, body,
                                     [r.content.get("body", {}) for r in mine],
                                     self._claim_status(record.device_kid, month), tuple(mine)))
        return sorted(out, key=lambda c: (c.month, c.label), reverse=True)

    def claim_pdf(self, claim: ClaimToReview) -> bytes:
        """The claim as the volunteer's PDF shows it, rebuilt from what arrived, receipts included."""
        from ..reports.claim_pdf import ClaimInput, StoredReceipt, build_claim_pdf

        items, journeys, calls, receipts = [], [], [], {}
        for record in claim.records:
            body = record.content.get("body", {})
            attached = self.service.repo.attachments(record.record_id) if record.record_type == "expense_item" else []
            keys = tuple((f"{record.record_id.hex()}:{n}", "") for n in range(len(attached)))
            for (key, _), a in zip(keys, attached, strict=True):
                receipts[key] = StoredReceipt(a.mime, a.data)
            rid = record.record_id.hex()
            if record.record_type == "expense_item":
                items.append(c.Entry(rid, c.item_from_dict(body["item"], len(attached)), keys))
            elif record.record_type == "journey":
                journeys.append(c.Entry(rid, c.journey_from_dict(body["journey"])))
            else:
                calls.append(c.Entry(rid, c.call_from_dict(body["call"])))
        body = claim.claim
        details = c.FirstClaimDetails.from_dict(body["details"]) if body.get("details") else c.FirstClaimDetails()
        state = self.service.repo.state()
        rates = ExpenseRates.from_policy(state.policy if state else {})
        earlier = {int(y): Decimal(m) for y, m in body.get("earlier_miles", {}).items()}
        month = c.MonthClaim(c.ClaimMonth.parse(claim.month), items, journeys, calls, bool(body.get("first_claim")),
                             details, rates, earlier)
        return build_claim_pdf(ClaimInput(month, str(body.get("claimant", "")), claim.label, receipts))

    def _claim_status(self, device_kid: bytes, month: str) -> str:
        """What the office last told the laptop about this claim ("" before any answer), from
        the log of messages sent (subject "2026-11 returned")."""
        said = [subject for _, kind, subject, _ in self.service.repo.messages_sent(device_kid)
                if kind == "claim_status" and subject.startswith(month + " ")]
        return said[-1].split(" ", 1)[1] if said else ""

    def claim_status(self, claim: ClaimToReview, state: str, by: str, reason: str = "") -> int:
        return messages.claim_status(self.service, self.transport(), claim.device_kid, claim.month, state, by,
                                     reason)

    # -- who the ladder tells ---------------------------------------------------------------------------
    CONTACTS_KEY = "ladder_contacts"

    def contacts(self) -> dict[str, Any]:
        stored = self.service.repo.setting(self.CONTACTS_KEY)
        if stored is None:
            return {"tiers": {"1": [], "2": [], "4": []}, "office": [], "family": {}}
        value = json.loads(stored)
        return value if isinstance(value, dict) else {}

    def set_contacts(self, tiers: dict[int, list[str]], office: list[str], family: dict[str, list[str]],
                     sms: dict[int, list[str]] | None = None) -> None:
        """Who the ladder tells, kept in the office vault and sent to the relay: e-mail addresses
        by tier and for every office user; each volunteer's family contact by e-mail and/or UK
        mobile; with each volunteer's first name and mobile for the messages."""
        for address in [a for values in tiers.values() for a in values]:
            if not is_email(address):
                raise OfficeError(f"“{address}” is neither an e-mail address nor a UK mobile number (07… or +447…).")
        for address in office:
            if not is_email(address):
                raise OfficeError(f"“{address}” is not an e-mail address.")
        for number in [n for values in (sms or {}).values() for n in values]:
            if uk_mobile(number) is None:
                raise OfficeError(f"“{number}” is not a UK mobile number (07… or +447…).")
        family_email: dict[str, list[str]] = {}
        family_sms: dict[str, list[str]] = {}
        for label, entries in family.items():
            for entry in entries:
                mobile = uk_mobile(entry)
                if mobile is not None:
                    family_sms.setdefault(label, []).append(mobile)
                elif is_email(entry):
                    family_email.setdefault(label, []).append(entry)
                else:
                    raise OfficeError(f"“{entry}” for {label} is neither an e-mail address nor a UK mobile number "
                                      "(07… or +447…).")
        value = {"tiers": {str(k): v for k, v in tiers.items()}, "office": office, "family": family,
                 "sms": {str(k): v for k, v in (sms or {}).items()}}
        client = self.watch_client()
        if client is not None:
            client.set_contacts(tiers, office, family_email, sms or {}, family_sms, self.volunteer_cards())
        with self.service.repo.vault.transaction():
            self.service.repo.put_setting(self.CONTACTS_KEY, json.dumps(value))
            self.service.audit.append("ladder contacts changed", "ladder")

    PROFILES_KEY = "volunteer_profiles"

    def volunteer_profiles(self) -> dict[str, dict[str, str]]:
        """What each volunteer told the office about themselves for the ladder, by IPS code."""
        stored = self.service.repo.setting(self.PROFILES_KEY)
        value = json.loads(stored) if stored else {}
        return value if isinstance(value, dict) else {}

    def volunteer_cards(self) -> dict[str, dict[str, str]]:
        """The least the relay needs for its messages: first name and mobile, by IPS code."""
        cards = {}
        for label, profile in self.volunteer_profiles().items():
            name = str(profile.get("name", "")).strip()
            mobile = uk_mobile(str(profile.get("mobile", ""))) or ""
            if name or mobile:
                cards[label] = {"first_name": name.split()[0] if name else "", "mobile": mobile}
        return cards

    def ladder(self) -> LadderPolicy:
        state = self.service.repo.state()
        return LadderPolicy.from_policy(state.policy if state else {}, state.office_name if state else "")

    def readiness(self, label: str, plan: dict[str, Any] | None = None) -> list[str]:
        """What is missing for the ladder to reach someone at every step of this volunteer's
        visit (empty when it is staffed): the relay, a contact for each tier, the office's
        phone number, and office cover until the ladder's last step."""
        if not self.address.startswith(("http://", "https://")):
            return ["The office works through a drop folder: nothing watches the visit; agree phone check-ins."]
        contacts, missing = self.contacts(), []
        tiers = contacts.get("tiers", {})
        for tier, words in (("1", "the PPO"), ("2", "the service manager"), ("4", "the police decision")):
            if not tiers.get(tier) and not contacts.get("sms", {}).get(tier):
                missing.append(f"No e-mail or mobile for {words} on the ladder.")
        if not contacts.get("family", {}).get(label):
            missing.append(f"No nominated family contact for {label}.")
        ladder = self.ladder()
        if not ladder.office_phone:
            missing.append("No office phone number in the office policy: the family contact's message cannot say "
                           "whom to ring.")
        if plan is not None:
            try:
                slot = plan.get("slot", {})
                start = datetime.fromisoformat(str(slot.get("start")))
                last = start + timedelta(minutes=int(slot.get("minutes", 0)) + ladder.police_after)
            except (TypeError, ValueError):
                return missing
            if last.time() > ladder.cover_until:
                missing.append(f"The ladder's last step would come at {last:%H:%M}, after office cover ends at "
                               f"{ladder.cover_until:%H:%M}: at that time the family contact and the police decision "
                               "are told at once. Make sure someone is on call, or move the visit earlier.")
        return missing

    # -- the board --------------------------------------------------------------------------------------
    def board(self, closed_since: int | None = None) -> list[BoardEntry]:
        client = self.watch_client()
        return client.board(closed_since) if client else []

    def planned_today(self, today: datetime) -> list[PlanToApprove]:
        """Today's visit plans not yet out (planned or approved), for the top of the board."""
        labels, out = self.labels(), []
        for record in self.service.repo.records(record_types=("visit_plan",), visit_day=today.date().isoformat(),
                                                newest_only=True):
            plan = record.content.get("body", {})
            if record.record_type != "visit_plan" or plan.get("state") not in ("planned", "approved"):
                continue
            if str(plan.get("slot", {}).get("start", ""))[:10] != today.date().isoformat():
                continue
            out.append(PlanToApprove(record.device_kid, labels.get(record.device_kid, "?"), record.case_ref or "—",
                                     str(plan.get("visit_id")), plan, record.received_at))
        return sorted(out, key=lambda p: str(p.plan.get("slot", {}).get("start", "")))

    def acknowledge(self, entry: BoardEntry, by: str) -> Watch:
        """First come, first served: the relay refuses a second acknowledgement with the name of
        whoever has it ("Already acknowledged by PPO Jane at 14:32"), from any console."""
        client = self._board_client()
        watch = client.acknowledge(entry.device, entry.watch.visit_id, by)
        self._audit("alert acknowledged", entry, by)
        return watch

    def close(self, entry: BoardEntry, reason: CloseReason, by: str, confirm_duress: bool = False) -> Watch:
        watch = self._board_client().close(entry.device, entry.watch.visit_id, reason, by, confirm_duress)
        self._audit("alert closed", entry, f"{reason.value}, by {by}")
        return watch

    def _audit(self, event: str, entry: BoardEntry, detail: str) -> None:
        with self.service.repo.vault.transaction():
            self.service.audit.append(event, entry.device, f"visit {entry.watch.visit_id}: {detail}")

    def phone_check_in(self, entry: BoardEntry, by: str) -> Watch:
        """The handbook's phone route: the relay stops the ladder, and the laptop is told."""
        watch = self._board_client().phone_check_in(entry.device, entry.watch.visit_id, by)
        messages.record_phone_check_in(self.service, self.transport(), bytes.fromhex(entry.device),
                                       entry.watch.visit_id, by)
        return watch

    def schedule_drill(self, label: str, minutes: int) -> BoardEntry:
        """A drill due in ``minutes``: the ladder runs for real, every notice marked DRILL."""
        due = int(self.service.now().timestamp()) + 60 * minutes
        return self._board_client().schedule_drill(label, due)

    def _board_client(self) -> WatchClient:
        client = self.watch_client()
        if client is None:
            raise OfficeError("The visit board needs the office relay; a drop folder cannot watch visits.")
        return client

    def overdue_pack(self, device: str, visit_id: str) -> bytes:
        """The one-page pack for the manager, the family contact or the police: the plan the
        laptop sent (where, meeting whom, vehicle, risk answers) and the steps taken so far."""

        from ..reports.visit_pdf import OverduePack, Step, overdue_pack

        device_kid = bytes.fromhex(device)
        plans = [r for r in latest_versions(self.service.repo.records(record_types=("visit_plan",),
                                                                       device_kid=device_kid, visit_id=visit_id))
                 if r.content.get("body", {}).get("visit_id") == visit_id]
        if not plans:
            raise OfficeError("The office has not received this visit's plan yet: pull, or ring the volunteer's "
                              "PPO for the details.")
        visit = Visit.from_dict(plans[-1].content["body"])
        steps, watch = [], None
        client = self.watch_client()
        if client is not None:
            for notice in client.notices(device, visit_id):
                steps.append(Step(from_epoch(int(notice["at"])), str(notice["text"])))
            watch = next((e.watch for e in client.board(0) if e.device == device and e.watch.visit_id == visit_id),
                         None)
        label = self.labels().get(device_kid, "volunteer")
        profile = self.volunteer_profiles().get(label, {})
        name = str(profile.get("name", "")).strip()
        ladder = self.ladder()
        duress_at = from_epoch(watch.duress_at) if watch is not None and watch.duress else None
        return overdue_pack(OverduePack(
            f"{name} ({label})" if name else label, display_mobile(str(profile.get("mobile", ""))),
            plans[-1].case_ref or "—", visit,
            self.service.now(), steps, vehicle=str(profile.get("vehicle", "")),
            description=str(profile.get("description", "")),
            alerted_at=from_epoch(watch.alerted_at) if watch is not None and watch.alerted_at else None,
            duress_at=duress_at, duress_words=ladder.duress_words, timeline=ladder.timeline()))

    # -- enrolment and keys -----------------------------------------------------------------------------
    def accept(self, invite_id: bytes) -> None:
        accept(self.service, self.transport(), invite_id)

    def backup_keys(self, path: Path, passphrase: str, params: KdfParams) -> None:
        """Write the keys' backup beside nothing else: replaced atomically, and readable by this
        user only (the recovery passphrase is all that stands between it and the office keys)."""
        data = key_backup.write_backup(self.service.keys(), passphrase, params)
        write_private_file(path, data)
        with self.service.repo.vault.transaction():
            self.service.audit.append("office keys backed up", "keys", path.name)
