"""The laptop's side of sealed sync, inside the vault: enrolment, the envelope chain, receipts
and the purge log (DESIGN §5).

An envelope is written in the same transaction that takes its record off the outbox and
advances the sequence number, so a crash at any point leaves either the record queued or
the envelope held — never both, never neither, never a reused sequence number. Envelopes
are sealed to the office: the laptop cannot read them back, so they are safe to keep until
the office's VERIFIED receipt arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .vault import VaultConnection

ZERO_HASH = bytes(32)


@dataclass(frozen=True)
class Identity:
    root_public: bytes
    certificate: bytes
    bundle: bytes
    address: str
    next_seq: int
    prev_hash: bytes
    enrolled_at: datetime
    last_sync_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class HeldEnvelope:
    seq: int
    record_id: str | None
    envelope_id: bytes
    env_hash: bytes
    body: bytes | None
    record_type: str
    bundle_version: int
    state: str
    sealed_at: datetime
    verified_at: datetime | None
    attempts: int
    next_attempt_at: datetime | None
    reason: str | None


@dataclass(frozen=True)
class SyncCounts:
    queued: int
    waiting_for_office: int
    rejected: int
    verified: int
    missing: int = 0  # the office's receipts showed it had not arrived: sent again, not confirmed yet


@dataclass(frozen=True)
class PurgeLogEntry:
    n: int
    record_type: str
    seq: int
    env_hash: bytes
    purged_at: datetime
    envelope_id: bytes


@dataclass(frozen=True)
class NewEnvelope:
    data: bytes
    envelope_id: bytes
    env_hash: bytes
    record_type: str
    bundle_version: int


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


_ENVELOPE_COLUMNS = ("seq, record_id, envelope_id, env_hash, body, record_type, bundle_version, state, sealed_at,"
                     " verified_at, attempts, next_attempt_at, reason")


class SyncRepository:
    def __init__(self, vault: VaultConnection, now: Callable[[], datetime]) -> None:
        self._vault = vault
        self._now = now

    @property
    def vault(self) -> VaultConnection:
        return self._vault

    def _stamp(self) -> str:
        return self._now().isoformat(timespec="seconds")

    # -- enrolment ---------------------------------------------------------------------------------
    def identity(self) -> Identity | None:
        row = self._vault.query_one(
            "SELECT root_public, certificate, bundle, address, next_seq, prev_hash, enrolled_at, last_sync_at,"
            " last_error FROM sync_identity WHERE id = 1")
        if row is None:
            return None
        return Identity(bytes(row[0]), bytes(row[1]), bytes(row[2]), row[3], row[4], bytes(row[5]),
                        datetime.fromisoformat(row[6]), _ts(row[7]), row[8])

    def start_enrolment(self, invite_code: str, request: bytes) -> None:
        """``request`` is sent only once the office has answered the commitment to it."""
        self._vault.execute(
            "INSERT INTO pending_enrolment (id, invite_code, request, started_at, challenge) VALUES (1, ?, ?, ?, NULL)"
            " ON CONFLICT(id) DO UPDATE SET invite_code = excluded.invite_code, request = excluded.request,"
            " started_at = excluded.started_at, challenge = NULL", (invite_code, request, self._stamp()))

    def pending_enrolment(self) -> tuple[str, bytes] | None:
        row = self._vault.query_one("SELECT invite_code, request FROM pending_enrolment WHERE id = 1")
        return (row[0], bytes(row[1])) if row else None

    def enrolment_challenge(self) -> bytes | None:
        row = self._vault.query_one("SELECT challenge FROM pending_enrolment WHERE id = 1")
        return bytes(row[0]) if row and row[0] is not None else None

    def keep_enrolment_challenge(self, challenge: bytes) -> None:
        self._vault.execute("UPDATE pending_enrolment SET challenge = ? WHERE id = 1", (challenge,))

    def complete_enrolment(self, root_public: bytes, certificate: bytes, bundle: bytes, address: str) -> None:
        """Pin the office. Re-enrolment keeps the chain going: sequence numbers never restart."""
        current = self.identity()
        next_seq, prev = (current.next_seq, current.prev_hash) if current else (1, ZERO_HASH)
        self._vault.execute("DELETE FROM sync_identity")
        self._vault.execute(
            "INSERT INTO sync_identity (id, root_public, certificate, bundle, address, next_seq, prev_hash,"
            " enrolled_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
            (root_public, certificate, bundle, address, next_seq, prev, self._stamp()))
        self._vault.execute("DELETE FROM pending_enrolment")

    def update_bundle(self, bundle: bytes) -> None:
        self._vault.execute("UPDATE sync_identity SET bundle = ? WHERE id = 1", (bundle,))

    def note_sync(self, error: str | None) -> None:
        self._vault.execute("UPDATE sync_identity SET last_sync_at = ?, last_error = ? WHERE id = 1",
                            (self._stamp(), error))

    # -- outbox → envelopes ----------------------------------------------------------------------------
    def queued(self) -> list[tuple[str, int]]:
        """(record id, priority) waiting to be sealed: safeguarding first, then oldest first."""
        rows = self._vault.query(
            "SELECT o.record_id, o.priority FROM outbox o JOIN records r ON r.id = o.record_id"
            " WHERE r.state = 'saved' ORDER BY o.priority DESC, o.queued_at, r.n")
        return [(r[0], r[1]) for r in rows]

    def outbox_ids(self) -> set[str]:
        return {r[0] for r in self._vault.query("SELECT record_id FROM outbox")}

    def last_envelope_id(self, record_id: str) -> bytes | None:
        row = self._vault.query_one(
            "SELECT envelope_id FROM envelopes WHERE record_id = ? ORDER BY seq DESC LIMIT 1", (record_id,))
        return bytes(row[0]) if row else None

    def commit_envelope(self, record_id: str, seq: int, envelope: NewEnvelope) -> None:
        """Hold a freshly sealed envelope, take its record off the outbox and advance the chain.
        Call inside a transaction; ``seq`` must be the identity's ``next_seq``."""
        self._vault.execute(
            f"INSERT INTO envelopes ({_ENVELOPE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 'sealed', ?, NULL, 0, NULL,"
            " NULL)",
            (seq, record_id, envelope.envelope_id, envelope.env_hash, envelope.data, envelope.record_type,
             envelope.bundle_version, self._stamp()))
        self._vault.execute("DELETE FROM outbox WHERE record_id = ?", (record_id,))
        updated = self._vault.execute(
            "UPDATE sync_identity SET next_seq = ?, prev_hash = ? WHERE id = 1 AND next_seq = ?",
            (seq + 1, envelope.env_hash, seq))
        if updated.rowcount != 1:
            raise RuntimeError("the envelope chain moved underneath the sealer")

    # -- envelopes -------------------------------------------------------------------------------------
    def _rows(self, where: str, params: tuple[object, ...] = ()) -> list[HeldEnvelope]:
        rows = self._vault.query(f"SELECT {_ENVELOPE_COLUMNS} FROM envelopes WHERE {where} ORDER BY seq", params)
        return [HeldEnvelope(r[0], r[1], bytes(r[2]), bytes(r[3]), bytes(r[4]) if r[4] is not None else None, r[5],
                             r[6], r[7], datetime.fromisoformat(r[8]), _ts(r[9]), r[10], _ts(r[11]), r[12])
                for r in rows]

    def refused(self) -> list[HeldEnvelope]:
        """What the office refused and is still on this laptop (for Today)."""
        return self._rows("state = 'rejected' AND record_id IS NOT NULL")

    def envelope(self, seq: int) -> HeldEnvelope | None:
        found = self._rows("seq = ?", (seq,))
        return found[0] if found else None

    def to_send(self, now: datetime) -> list[HeldEnvelope]:
        return self._rows("state = 'sealed' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)",
                          (now.isoformat(timespec="seconds"),))

    def for_record(self, record_id: str) -> list[HeldEnvelope]:
        return self._rows("record_id = ?", (record_id,))

    def all(self) -> list[HeldEnvelope]:
        return self._rows("1")

    def mark_attempt_failed(self, seq: int, retry_at: datetime) -> None:
        self._vault.execute("UPDATE envelopes SET attempts = attempts + 1, next_attempt_at = ? WHERE seq = ?",
                            (retry_at.isoformat(timespec="seconds"), seq))

    def mark_stored(self, seq: int, receipt: bytes | None) -> None:
        self._vault.execute(
            "UPDATE envelopes SET state = 'stored', stored_at = ?, attempts = attempts + 1, next_attempt_at = NULL,"
            " receipt = coalesce(?, receipt) WHERE seq = ? AND state = 'sealed'", (self._stamp(), receipt, seq))

    def mark_verified(self, seq: int, receipt: bytes) -> None:
        """The office holds it: the sealed copy is no longer needed (the record itself waits
        for its retention rule)."""
        self._vault.execute(
            "UPDATE envelopes SET state = 'verified', verified_at = ?, receipt = ?, body = NULL, reason = NULL,"
            " missing_at = NULL WHERE seq = ? AND state IN ('sealed', 'stored')", (self._stamp(), receipt, seq))

    def mark_missing(self, after: int, before: int) -> int:
        """The office has confirmed envelope ``before`` but holds every envelope only up to
        ``after``: those in between the relay said it stored never reached the office. Queue
        them to be sent again (an envelope the office has after all gets the same receipt).
        Returns how many."""
        cursor = self._vault.execute(
            "UPDATE envelopes SET state = 'sealed', next_attempt_at = NULL, missing_at = coalesce(missing_at, ?)"
            " WHERE state = 'stored' AND body IS NOT NULL AND seq > ? AND seq < ?", (self._stamp(), after, before))
        return int(cursor.rowcount)

    def resend_unanswered(self, stored_before: datetime) -> int:
        """Envelopes the relay took before ``stored_before`` with no word from the office since:
        send them again, in case the last of them was lost where no later receipt can show it."""
        cursor = self._vault.execute(
            "UPDATE envelopes SET state = 'sealed', next_attempt_at = NULL WHERE state = 'stored'"
            " AND body IS NOT NULL AND stored_at < ?", (stored_before.isoformat(timespec="seconds"),))
        return int(cursor.rowcount)

    def mark_rejected(self, seq: int, receipt: bytes, reason: str) -> None:
        self._vault.execute(
            "UPDATE envelopes SET state = 'rejected', receipt = ?, reason = ? WHERE seq = ? AND state IN"
            " ('sealed', 'stored')", (receipt, reason, seq))

    def counts(self) -> SyncCounts:
        queued = self._vault.query_one("SELECT count(*) FROM outbox")
        by_state = dict(self._vault.query("SELECT state, count(*) FROM envelopes GROUP BY state"))
        missing = self._vault.query_one("SELECT count(*) FROM envelopes WHERE missing_at IS NOT NULL"
                                        " AND state IN ('sealed', 'stored')")
        return SyncCounts(int(queued[0]) if queued else 0,
                          by_state.get("stored", 0) + by_state.get("sealed", 0),
                          by_state.get("rejected", 0), by_state.get("verified", 0),
                          int(missing[0]) if missing else 0)

    def forget_record(self, record_id: str) -> None:
        """After a purge: keep the envelope's sequence number, hash and receipt, drop the link."""
        self._vault.execute("UPDATE envelopes SET record_id = NULL, body = NULL WHERE record_id = ?", (record_id,))

    # -- epoch re-key bookkeeping --------------------------------------------------------------------
    def owe_rekey(self) -> None:
        """A whole case was purged: re-key soon so its old pages are under a destroyed key."""
        self._vault.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('rekey_owed', '1')")

    def rekey_state(self) -> tuple[datetime | None, bool]:
        """(last re-key, whether one is owed)."""
        rows = dict(self._vault.query("SELECT key, value FROM settings WHERE key IN ('last_rekey_at', 'rekey_owed')"))
        return _ts(rows.get("last_rekey_at")), rows.get("rekey_owed") == "1"

    def note_rekeyed(self) -> None:
        self._vault.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('last_rekey_at', ?)",
                            (self._stamp(),))
        self._vault.execute("DELETE FROM settings WHERE key = 'rekey_owed'")

    # -- purge log -------------------------------------------------------------------------------------
    def log_purge(self, record_id: str, record_type: str, envelope: HeldEnvelope | None, rule: str) -> None:
        self._vault.execute(
            "INSERT INTO purge_log (record_id, record_type, seq, env_hash, receipt, purged_at, rule)"
            " SELECT ?, ?, ?, ?, (SELECT receipt FROM envelopes WHERE seq = ?), ?, ?",
            (record_id, record_type, envelope.seq if envelope else None, envelope.env_hash if envelope else None,
             envelope.seq if envelope else None, self._stamp(), rule))

    def uncertified_purges(self) -> list[PurgeLogEntry]:
        """Purges of records the office held, not yet reported in a certificate of deletion."""
        rows = self._vault.query(
            "SELECT p.n, p.record_type, p.seq, p.env_hash, p.purged_at, e.envelope_id FROM purge_log p"
            " JOIN envelopes e ON e.seq = p.seq WHERE p.certified = 0 ORDER BY p.n")
        return [PurgeLogEntry(r[0], r[1], r[2], bytes(r[3]), datetime.fromisoformat(r[4]), bytes(r[5]))
                for r in rows]

    def mark_certified(self, up_to: int) -> None:
        self._vault.execute("UPDATE purge_log SET certified = 1 WHERE n <= ? AND certified = 0", (up_to,))
