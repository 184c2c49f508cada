"""Repositories over the office vault (schema in ``office_migrations``).

Plain storage: the office service (``ips_desktop.office``) decides; this module reads and
writes rows. Record content is sealed again under a per-record key, as on the laptop, so a
record can be crypto-shredded at the office too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..crypto import record_cipher
from .vault import VaultConnection


@dataclass(frozen=True)
class OfficeState:
    office_name: str
    keys: dict[str, Any]
    bundle: bytes
    bundle_version: int
    min_bundle_version: int
    address: str
    relay_public: bytes | None
    policy: dict[str, Any]
    next_serial: int


@dataclass(frozen=True)
class DeviceRow:
    device_kid: bytes
    serial: int
    label: str
    certificate: bytes
    enrolled_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class AllocationRow:
    reference: str
    device_kid: bytes
    initial: str
    brief: str
    allocated_at: datetime
    by: str


@dataclass(frozen=True)
class FollowUpRow:
    action: str
    who: str
    done_at: datetime
    note: str
    recorded_by: str


@dataclass(frozen=True)
class MarkRow:
    reference: str
    reason: str
    marked_at: datetime
    by: str


@dataclass(frozen=True)
class ChainRow:
    seq: int
    env_hash: bytes
    prev_hash: bytes
    record_id: bytes
    status: str
    reason: str | None
    receipt: bytes


@dataclass(frozen=True)
class OfficeRecord:
    record_id: bytes
    device_kid: bytes
    seq: int
    record_type: str
    case_ref: str | None
    created_at: int
    supersedes: bytes | None
    received_at: datetime
    content: dict[str, Any]


@dataclass(frozen=True)
class OfficeAttachment:
    name: str
    mime: str
    data: bytes


@dataclass(frozen=True)
class Alert:
    n: int
    at: datetime
    kind: str
    device_kid: bytes | None
    detail: str
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class ConsoleRow:
    """A console open on the office (office/sharing.py): who, on which PC, last seen when."""

    console_id: str
    who: str
    pc: str
    seen_at: datetime
    fetching: bool


class OfficeRepository:
    def __init__(self, vault: VaultConnection, now: Callable[[], datetime]) -> None:
        self.vault = vault
        self._now = now

    def _stamp(self) -> str:
        return self._now().isoformat(timespec="seconds")

    # -- the office itself ----------------------------------------------------------------------------
    def state(self) -> OfficeState | None:
        row = self.vault.query_one(
            "SELECT office_name, keys, bundle, bundle_version, min_bundle_version, address, relay_public, policy,"
            " next_serial FROM office_state WHERE id = 1")
        if row is None:
            return None
        return OfficeState(row[0], json.loads(row[1]), bytes(row[2]), row[3], row[4], row[5],
                           bytes(row[6]) if row[6] is not None else None, json.loads(row[7]), row[8])

    def save_state(self, state: OfficeState) -> None:
        self.vault.execute(
            "INSERT INTO office_state (id, office_name, keys, bundle, bundle_version, min_bundle_version, address,"
            " relay_public, policy, next_serial, created_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET office_name = excluded.office_name, keys = excluded.keys,"
            " bundle = excluded.bundle, bundle_version = excluded.bundle_version,"
            " min_bundle_version = excluded.min_bundle_version, address = excluded.address,"
            " relay_public = excluded.relay_public, policy = excluded.policy, next_serial = excluded.next_serial",
            (state.office_name, json.dumps(state.keys), state.bundle, state.bundle_version, state.min_bundle_version,
             state.address, state.relay_public, json.dumps(state.policy), state.next_serial, self._stamp()))

    # -- invites and enrolments -----------------------------------------------------------------------
    def add_invite(self, invite_id: bytes, secret: bytes, label: str, expires_at: int) -> None:
        self.vault.execute("INSERT INTO invites (invite_id, secret, label, created_at, expires_at)"
                           " VALUES (?, ?, ?, ?, ?)", (invite_id, secret, label, self._stamp(), expires_at))

    def invite(self, invite_id: bytes) -> tuple[bytes, str, int, bool] | None:
        """(secret, label, expires_at, used)."""
        row = self.vault.query_one("SELECT secret, label, expires_at, used_at FROM invites WHERE invite_id = ?",
                                   (invite_id,))
        return (bytes(row[0]), row[1], row[2], row[3] is not None) if row else None

    def commit_invite(self, invite_id: bytes, committed: bytes, office_nonce: bytes) -> bool:
        """Keep the first commitment made under an invite and the nonce that answered it;
        False if the invite already has one (a second laptop, or someone else, using it)."""
        cursor = self.vault.execute(
            "UPDATE invites SET commitment = ?, office_nonce = ?, committed_at = ? WHERE invite_id = ?"
            " AND commitment IS NULL", (committed, office_nonce, self._stamp(), invite_id))
        return bool(cursor.rowcount)

    def invite_commitment(self, invite_id: bytes) -> tuple[bytes, bytes] | None:
        """(commitment, office nonce) of an invite that has been committed to."""
        row = self.vault.query_one("SELECT commitment, office_nonce FROM invites WHERE invite_id = ?"
                                   " AND commitment IS NOT NULL", (invite_id,))
        return (bytes(row[0]), bytes(row[1])) if row else None

    def awaiting_requests(self, since: str) -> int:
        """Invites committed to since ``since`` whose request has not arrived yet."""
        row = self.vault.query_one(
            "SELECT count(*) FROM invites i WHERE i.committed_at >= ? AND i.used_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.invite_id = i.invite_id)", (since,))
        return int(row[0]) if row else 0

    def mark_invite_used(self, invite_id: bytes) -> None:
        self.vault.execute("UPDATE invites SET used_at = ? WHERE invite_id = ?", (self._stamp(), invite_id))

    def put_enrolment(self, invite_id: bytes, request: bytes, device_kid: bytes, label: str, sas: str) -> None:
        self.vault.execute(
            "INSERT INTO enrolments (invite_id, request, device_kid, label, sas, received_at, status)"
            " VALUES (?, ?, ?, ?, ?, ?, 'pending') ON CONFLICT(invite_id) DO NOTHING",
            (invite_id, request, device_kid, label, sas, self._stamp()))

    def enrolment(self, invite_id: bytes) -> tuple[bytes, str, str, str, bytes | None] | None:
        """(request, label, sas, status, response)."""
        row = self.vault.query_one("SELECT request, label, sas, status, response FROM enrolments WHERE invite_id = ?",
                                   (invite_id,))
        return (bytes(row[0]), row[1], row[2], row[3], bytes(row[4]) if row[4] else None) if row else None

    def pending_enrolments(self) -> list[tuple[bytes, str, str]]:
        return [(bytes(r[0]), r[1], r[2]) for r in self.vault.query(
            "SELECT invite_id, label, sas FROM enrolments WHERE status = 'pending' ORDER BY received_at")]

    def finish_enrolment(self, invite_id: bytes, status: str, response: bytes | None) -> None:
        self.vault.execute("UPDATE enrolments SET status = ?, response = ? WHERE invite_id = ?",
                           (status, response, invite_id))

    # -- devices ----------------------------------------------------------------------------------------
    def add_device(self, device_kid: bytes, serial: int, label: str, certificate: bytes) -> None:
        self.vault.execute(
            "INSERT INTO devices (device_kid, serial, label, certificate, enrolled_at) VALUES (?, ?, ?, ?, ?)",
            (device_kid, serial, label, certificate, self._stamp()))

    def devices(self) -> list[DeviceRow]:
        rows = self.vault.query("SELECT device_kid, serial, label, certificate, enrolled_at, revoked_at FROM devices"
                                " ORDER BY serial")
        return [DeviceRow(bytes(r[0]), r[1], r[2], bytes(r[3]), datetime.fromisoformat(r[4]),
                          datetime.fromisoformat(r[5]) if r[5] else None) for r in rows]

    def revoke_device(self, device_kid: bytes) -> bool:
        cursor = self.vault.execute("UPDATE devices SET revoked_at = ? WHERE device_kid = ? AND revoked_at IS NULL",
                                    (self._stamp(), device_kid))
        return bool(cursor.rowcount)

    # -- chains -----------------------------------------------------------------------------------------
    def chain_around(self, device_kid: bytes, seq: int) -> dict[int, ChainRow]:
        """The envelopes the office holds at ``seq - 1``, ``seq`` and ``seq + 1``."""
        rows = self.vault.query("SELECT seq, env_hash, prev_hash, record_id, status, reason, receipt FROM chain"
                                " WHERE device_kid = ? AND seq BETWEEN ? AND ?", (device_kid, seq - 1, seq + 1))
        return {r[0]: ChainRow(r[0], bytes(r[1]), bytes(r[2]), bytes(r[3]), r[4], r[5], bytes(r[6])) for r in rows}

    def advance_contiguous(self, device_kid: bytes) -> int:
        """The highest n such that 1..n from this device are verified (kept up to date)."""
        row = self.vault.query_one("SELECT contiguous FROM devices WHERE device_kid = ?", (device_kid,))
        n = int(row[0]) if row else 0
        while self.vault.query_one("SELECT 1 FROM chain WHERE device_kid = ? AND seq = ? AND status = 'verified'",
                                   (device_kid, n + 1)):
            n += 1
        self.vault.execute("UPDATE devices SET contiguous = ? WHERE device_kid = ?", (n, device_kid))
        return n

    def add_chain(self, device_kid: bytes, row: ChainRow) -> None:
        self.vault.execute(
            "INSERT INTO chain (device_kid, seq, env_hash, prev_hash, record_id, received_at, status, reason, receipt)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (device_kid, row.seq, row.env_hash, row.prev_hash, row.record_id, self._stamp(), row.status, row.reason,
             row.receipt))

    def set_receipt(self, device_kid: bytes, seq: int, receipt: bytes) -> None:
        self.vault.execute("UPDATE chain SET receipt = ? WHERE device_kid = ? AND seq = ?", (receipt, device_kid, seq))

    # -- records ----------------------------------------------------------------------------------------
    def add_record(self, record: OfficeRecord, attachments: list[tuple[str, str, bytes]],
                   header_id: bytes | None = None) -> None:
        """The record's content and each attachment sealed under one new per-record key. Call
        inside a transaction. ``header_id``: the id the laptop's envelope header gave it (the
        office keeps the record under one unique to that laptop)."""
        key = record_cipher.new_record_key()
        rid = record.record_id.hex()
        content = {k: v for k, v in record.content.items() if k != "_attachments"}
        body = record_cipher.seal(key, rid, "office-record", json.dumps(content, ensure_ascii=False).encode())
        visit_id = visit_day = None
        if record.record_type == "visit_plan":
            plan = content.get("body", {})
            visit_id = str(plan.get("visit_id", "")) or None
            visit_day = str(plan.get("slot", {}).get("start", ""))[:10] or None
        self.vault.execute("INSERT INTO office_record_keys (record_id, key) VALUES (?, ?)", (record.record_id, key))
        self.vault.execute(
            "INSERT INTO office_records (record_id, device_kid, seq, record_type, case_ref, created_at, supersedes,"
            " received_at, body, visit_id, visit_day, header_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.record_id, record.device_kid, record.seq, record.record_type, record.case_ref, record.created_at,
             record.supersedes, self._stamp(), body, visit_id, visit_day, header_id or record.record_id))
        for n, (name, mime, data) in enumerate(attachments):
            head = json.dumps({"name": name, "mime": mime}).encode()
            sealed = record_cipher.seal(key, f"{rid}:{n}", "office-attachment",
                                        len(head).to_bytes(4, "big") + head + data)
            self.vault.execute("INSERT INTO office_attachments (record_id, n, body) VALUES (?, ?, ?)",
                               (record.record_id, n, sealed))

    def attachments(self, record_id: bytes) -> list[OfficeAttachment]:
        """A record's receipts or scanned letters, in the order they were sent."""
        rows = self.vault.query(
            "SELECT a.n, a.body, k.key FROM office_attachments a JOIN office_record_keys k"
            " ON k.record_id = a.record_id WHERE a.record_id = ? ORDER BY a.n", (record_id,))
        out = []
        for n, sealed, key in rows:
            plain = record_cipher.open_sealed(bytes(key), f"{record_id.hex()}:{n}", "office-attachment", bytes(sealed))
            size = int.from_bytes(plain[:4], "big")
            head = json.loads(plain[4:4 + size])
            out.append(OfficeAttachment(str(head["name"]), str(head["mime"]), plain[4 + size:]))
        if out:
            return out
        # Records received before attachments had their own table carry them in the body.
        older = self.records(record_ids=(record_id,))
        return [OfficeAttachment(str(a["name"]), str(a["mime"]), bytes.fromhex(a["data"]))
                for r in older for a in r.content.get("_attachments", [])]

    def record_origin(self, record_id: bytes) -> tuple[bytes, str, str | None] | None:
        """Who sent a record the office holds, and what it is: (device, record type, case), or
        None. Nothing is decrypted."""
        rows = self.vault.query("SELECT device_kid, record_type, case_ref FROM office_records WHERE record_id = ?",
                                (record_id,))
        return (bytes(rows[0][0]), rows[0][1], rows[0][2]) if rows else None

    def records_with_header_id(self, header_id: bytes) -> list[bytes]:
        """The laptops that sent a record under this header id (normally one)."""
        return [bytes(r[0]) for r in self.vault.query(
            "SELECT DISTINCT device_kid FROM office_records WHERE header_id = ?", (header_id,))]

    def records(self, case_ref: str | None = None, record_types: tuple[str, ...] | None = None,
                device_kid: bytes | None = None, record_ids: tuple[bytes, ...] | None = None,
                visit_day: str | None = None, visit_id: str | None = None,
                newest_only: bool = False) -> list[OfficeRecord]:
        """Records, oldest first, filtered in SQL before anything is decrypted: only the rows
        asked for are opened, and never an attachment. ``visit_day`` ("2026-12-02") also finds
        plans that arrived before the day was kept beside them; ``newest_only`` leaves out every
        version a later one supersedes."""
        sql = ("SELECT r.record_id, r.device_kid, r.seq, r.record_type, r.case_ref, r.created_at, r.supersedes,"
               " r.received_at, r.body, k.key FROM office_records r JOIN office_record_keys k"
               " ON k.record_id = r.record_id")
        where: list[str] = []
        params: list[object] = []
        if case_ref is not None:
            where.append("r.case_ref = ?")
            params.append(case_ref)
        if record_types is not None:
            where.append(f"r.record_type IN ({', '.join('?' for _ in record_types)})")
            params.extend(record_types)
        if device_kid is not None:
            where.append("r.device_kid = ?")
            params.append(device_kid)
        if record_ids is not None:
            where.append(f"r.record_id IN ({', '.join('?' for _ in record_ids)})")
            params.extend(record_ids)
        if visit_day is not None:
            where.append("(r.visit_day = ? OR (r.visit_day IS NULL AND r.record_type = 'visit_plan'))")
            params.append(visit_day)
        if visit_id is not None:
            where.append("(r.visit_id = ? OR (r.visit_id IS NULL AND r.record_type = 'visit_plan'))")
            params.append(visit_id)
        if newest_only:
            # An edit replaces only a record of its own laptop, type and case (a laptop cannot
            # hide another's record by naming its id, which envelope headers carry in the clear).
            where.append("NOT EXISTS (SELECT 1 FROM office_records e WHERE e.supersedes = r.record_id"
                         " AND e.device_kid = r.device_kid AND e.record_type = r.record_type"
                         " AND e.case_ref IS r.case_ref)")
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.vault.query(sql + " ORDER BY r.created_at, r.seq", params)
        out = []
        for r in rows:
            content = json.loads(record_cipher.open_sealed(bytes(r[9]), bytes(r[0]).hex(), "office-record",
                                                           bytes(r[8])))
            out.append(OfficeRecord(bytes(r[0]), bytes(r[1]), r[2], r[3], r[4], r[5],
                                    bytes(r[6]) if r[6] else None, datetime.fromisoformat(r[7]), content))
        return out

    # -- alerts and purge certificates --------------------------------------------------------------------
    def alert(self, kind: str, device_kid: bytes | None, detail: str) -> None:
        self.vault.execute("INSERT INTO alerts (at, kind, device_kid, detail) VALUES (?, ?, ?, ?)",
                           (self._stamp(), kind, device_kid, detail))

    def alerts(self) -> list[Alert]:
        rows = self.vault.query("SELECT n, at, kind, device_kid, detail, acknowledged_at FROM alerts ORDER BY n")
        return [Alert(r[0], datetime.fromisoformat(r[1]), r[2], bytes(r[3]) if r[3] else None, r[4],
                      datetime.fromisoformat(r[5]) if r[5] else None) for r in rows]

    def add_purge_certificate(self, device_kid: bytes, serial: int, issued_at: int, entries: int, body: bytes) -> bool:
        cursor = self.vault.execute(
            "INSERT INTO purge_certificates (device_kid, serial, issued_at, entries, body, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (device_kid, serial, issued_at, entries, body, self._stamp()))
        return bool(cursor.rowcount)

    def purge_certificates(self, device_kid: bytes) -> list[tuple[int, int, int]]:
        return [(r[0], r[1], r[2]) for r in self.vault.query(
            "SELECT serial, issued_at, entries FROM purge_certificates WHERE device_kid = ? ORDER BY serial",
            (device_kid,))]

    # -- the console's own settings (its user's name, the ladder's contacts, the backup done) -----------
    def setting(self, key: str) -> str | None:
        row = self.vault.query_one("SELECT value FROM settings WHERE key = ?", (key,))
        return str(row[0]) if row else None

    def put_setting(self, key: str, value: str) -> None:
        """Call inside a transaction."""
        self.vault.execute("INSERT INTO settings (key, value) VALUES (?, ?)"
                           " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # -- the consoles open on the office (office/sharing.py) -------------------------------------------
    def console_seen(self, row: ConsoleRow) -> None:
        """Call inside a transaction."""
        self.vault.execute("INSERT INTO consoles (console_id, who, pc, seen_at) VALUES (?, ?, ?, ?)"
                           " ON CONFLICT(console_id) DO UPDATE SET who = excluded.who, pc = excluded.pc,"
                           " seen_at = excluded.seen_at",
                           (row.console_id, row.who, row.pc, row.seen_at.isoformat(timespec="seconds")))

    def consoles(self) -> list[ConsoleRow]:
        return [ConsoleRow(r[0], r[1], r[2], datetime.fromisoformat(r[3]), bool(r[4])) for r in self.vault.query(
            "SELECT console_id, who, pc, seen_at, fetching FROM consoles ORDER BY seen_at")]

    def give_fetch_to(self, console_id: str) -> None:
        """Call inside a transaction."""
        self.vault.execute("UPDATE consoles SET fetching = (console_id = ?)", (console_id,))

    def forget_console(self, console_id: str) -> None:
        self.vault.execute("DELETE FROM consoles WHERE console_id = ?", (console_id,))

    def forget_consoles(self, before: datetime) -> None:
        self.vault.execute("DELETE FROM consoles WHERE seen_at < ?", (before.isoformat(timespec="seconds"),))

    # -- messages to laptops ------------------------------------------------------------------------------
    # -- allocations ----------------------------------------------------------------------------------
    def allocate(self, reference: str, device_kid: bytes, initial: str, brief: str, by: str) -> None:
        """Record (or renew) a case's allocation to a laptop. Call inside a transaction."""
        self.vault.execute(
            "INSERT INTO allocations (reference, device_kid, initial, brief, allocated_at, by_whom)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(reference, device_kid) DO UPDATE SET initial = excluded.initial,"
            " brief = excluded.brief, allocated_at = excluded.allocated_at, by_whom = excluded.by_whom",
            (reference, device_kid, initial, brief, self._stamp(), by))

    def allocations(self) -> list[AllocationRow]:
        return [AllocationRow(r[0], bytes(r[1]), r[2], r[3], datetime.fromisoformat(r[4]), r[5])
                for r in self.vault.query("SELECT reference, device_kid, initial, brief, allocated_at, by_whom"
                                          " FROM allocations ORDER BY allocated_at")]

    def referral_done(self, record_id: bytes, outcome: str, reference: str, by: str) -> None:
        """Record what was done with a referral. Call inside a transaction."""
        self.vault.execute(
            "INSERT INTO referral_outcomes (record_id, outcome, reference, done_at, by_whom) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(record_id) DO UPDATE SET outcome = excluded.outcome, reference = excluded.reference,"
            " done_at = excluded.done_at, by_whom = excluded.by_whom",
            (record_id, outcome, reference, self._stamp(), by))

    def referral_outcomes(self) -> dict[bytes, tuple[str, str, datetime, str]]:
        """(outcome, reference, when, by whom) by referral record."""
        return {bytes(r[0]): (r[1], r[2], datetime.fromisoformat(r[3]), r[4]) for r in self.vault.query(
            "SELECT record_id, outcome, reference, done_at, by_whom FROM referral_outcomes")}

    def record_follow_up(self, record_id: bytes, action: str, who: str, done_at: datetime, note: str,
                         recorded_by: str) -> None:
        """What was done about a safeguarding concern. Call inside a transaction."""
        self.vault.execute(
            "INSERT INTO safeguarding_followups (record_id, action, who, done_at, note, recorded_by, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(record_id) DO UPDATE SET action = excluded.action,"
            " who = excluded.who, done_at = excluded.done_at, note = excluded.note,"
            " recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
            (record_id, action, who, done_at.isoformat(timespec="minutes"), note, recorded_by, self._stamp()))

    def follow_ups(self) -> dict[bytes, FollowUpRow]:
        rows = self.vault.query("SELECT record_id, action, who, done_at, note, recorded_by FROM safeguarding_followups")
        return {bytes(r[0]): FollowUpRow(r[1], r[2], datetime.fromisoformat(r[3]), r[4], r[5]) for r in rows}

    # -- difficult visits and incidents ---------------------------------------------------------------
    def mark_file(self, reference: str, reason: str, by: str) -> None:
        """Call inside a transaction."""
        self.vault.execute("INSERT INTO case_marks (reference, reason, marked_at, by_whom) VALUES (?, ?, ?, ?)",
                           (reference, reason, self._stamp(), by))

    def file_marks(self) -> list[MarkRow]:
        """Every mark, oldest first."""
        return [MarkRow(r[0], r[1], datetime.fromisoformat(r[2]), r[3]) for r in self.vault.query(
            "SELECT reference, reason, marked_at, by_whom FROM case_marks ORDER BY n")]

    def hse_reported(self, record_id: bytes, on: date, by: str) -> None:
        """Call inside a transaction."""
        self.vault.execute("INSERT INTO hse_reports (record_id, reported_on, by_whom) VALUES (?, ?, ?)"
                           " ON CONFLICT(record_id) DO UPDATE SET reported_on = excluded.reported_on,"
                           " by_whom = excluded.by_whom", (record_id, on.isoformat(), by))

    def hse_reports(self) -> dict[bytes, tuple[date, str]]:
        return {bytes(r[0]): (date.fromisoformat(r[1]), r[2]) for r in self.vault.query(
            "SELECT record_id, reported_on, by_whom FROM hse_reports")}

    def decide_case(self, reference: str, device_kid: bytes, decision: str, note: str, by: str) -> None:
        """Call inside a transaction."""
        self.vault.execute("INSERT INTO case_decisions (reference, device_kid, decision, note, decided_at, by_whom)"
                           " VALUES (?, ?, ?, ?, ?, ?)", (reference, device_kid, decision, note, self._stamp(), by))

    def case_decisions(self) -> list[tuple[str, bytes, str, str, datetime, str]]:
        """(reference, laptop, decision, note, when, by whom), oldest first."""
        return [(r[0], bytes(r[1]), r[2], r[3], datetime.fromisoformat(r[4]), r[5]) for r in self.vault.query(
            "SELECT reference, device_kid, decision, note, decided_at, by_whom FROM case_decisions ORDER BY n")]

    # -- feedback ----------------------------------------------------------------------------------------
    def add_feedback(self, reference: str, device_kid: bytes | None, answers: dict[str, Any], by: str) -> None:
        """Call inside a transaction."""
        self.vault.execute("INSERT INTO feedback (reference, device_kid, answers, recorded_by, recorded_at)"
                           " VALUES (?, ?, ?, ?, ?)", (reference, device_kid, json.dumps(answers), by, self._stamp()))

    def feedback(self) -> list[tuple[str, bytes | None, dict[str, Any], str, datetime]]:
        """(reference, laptop, answers, recorded by, when), oldest first."""
        return [(r[0], bytes(r[1]) if r[1] is not None else None, json.loads(r[2]), r[3], datetime.fromisoformat(r[4]))
                for r in self.vault.query("SELECT reference, device_kid, answers, recorded_by, recorded_at"
                                          " FROM feedback ORDER BY n")]

    def mark_forwarded(self, record_id: bytes, on: date, by: str) -> None:
        """Call inside a transaction."""
        self.vault.execute("INSERT INTO forwarded (record_id, forwarded_on, by_whom) VALUES (?, ?, ?)"
                           " ON CONFLICT(record_id) DO UPDATE SET forwarded_on = excluded.forwarded_on,"
                           " by_whom = excluded.by_whom", (record_id, on.isoformat(), by))

    def forwarded(self) -> dict[bytes, tuple[date, str]]:
        return {bytes(r[0]): (date.fromisoformat(r[1]), r[2]) for r in self.vault.query(
            "SELECT record_id, forwarded_on, by_whom FROM forwarded")}

    def next_message(self, device_kid: bytes, kind: str, subject: str) -> int:
        """A new, ever larger serial for a message to a laptop, logged with what it was about
        (a visit id or a claim month; no content). Call inside a transaction."""
        cursor = self.vault.execute("INSERT INTO office_messages (device_kid, kind, subject, sent_at)"
                                    " VALUES (?, ?, ?, ?)", (device_kid, kind, subject, self._stamp()))
        return int(cursor.lastrowid)

    def messages_sent(self, device_kid: bytes) -> list[tuple[int, str, str, datetime]]:
        return [(r[0], r[1], r[2], datetime.fromisoformat(r[3])) for r in self.vault.query(
            "SELECT serial, kind, subject, sent_at FROM office_messages WHERE device_kid = ? ORDER BY serial",
            (device_kid,))]
