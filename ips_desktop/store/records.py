"""Sealed records, their data keys, the search index, attachments and the outbox.

Every body is sealed with the record's own key (``crypto.record_cipher``). The search index
is a contentless FTS5 table: it holds tokens, never the text, inside the encrypted file.
Purging deletes the record's key first, then everything derived from the record, in one
transaction (DESIGN §3).
"""

from __future__ import annotations

import json
import logging
import re
import struct
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..crypto import record_cipher
from .errors import RecordNotFound
from .vault import VaultConnection

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
# How long truncating the WAL waits for a reader on another connection (a sync in progress):
# short, since it can run on the GUI thread; an unfinished truncation is owed, not dropped.
SCRUB_WAIT_MS = 500

log = logging.getLogger(__name__)


def index_words(text: str) -> set[str]:
    """The words the search index makes of ``text``, near enough to tell whether an edit
    removed one (letters and digits, case and accents folded, as the index's tokenizer does)."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    return set(re.findall(r"[^\W_]+", folded))


@dataclass(frozen=True)
class StoredRecord:
    id: str
    case_id: str | None
    kind: str
    state: str
    created_at: datetime
    updated_at: datetime
    priority: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class AttachmentInfo:
    id: str
    record_id: str
    name: str
    mime: str
    size: int
    added_at: datetime



def fts_query(text: str) -> str:
    """User words as quoted prefix terms: no FTS5 syntax reaches the engine from a search box."""
    words = re.findall(r"\w+", text)[:12]
    return " ".join('"' + w.replace('"', "") + '"*' for w in words)


_WITH_KEYS = ("SELECT r.id, r.case_id, r.kind, r.state, r.created_at, r.updated_at, r.priority,"
              " r.body, k.key FROM records r JOIN record_keys k ON k.record_id = r.id")


class RecordRepository:
    def __init__(self, vault: VaultConnection, now: Callable[[], datetime]) -> None:
        self._vault = vault
        self._now = now

    # -- records -----------------------------------------------------------------------------
    def put(self, record_id: str | None, case_id: str | None, kind: str, payload: dict[str, Any],
            state: str, search_text: str, priority: int = 0, removes_words: bool = False) -> str:
        """Insert or replace a record's sealed body and its index rows. Call in a transaction.
        ``removes_words``: the new text lacks a word the old one had. The old word stays in an
        old index segment until the index is merged, so the merge is owed (:meth:`scrub`)."""
        now = self._now().isoformat(timespec="seconds")
        plaintext = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        if record_id is None:
            record_id = uuid.uuid4().hex
            key = record_cipher.new_record_key()
            self._vault.execute("INSERT INTO record_keys (record_id, key) VALUES (?, ?)", (record_id, key))
            body = record_cipher.seal(key, record_id, "record", plaintext)
            cursor = self._vault.execute(
                "INSERT INTO records (id, case_id, kind, state, created_at, updated_at, priority, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (record_id, case_id, kind, state, now, now, priority, body),
            )
            n = cursor.lastrowid
        else:
            key = self._key(record_id)
            row = self._vault.query_one("SELECT n FROM records WHERE id = ?", (record_id,))
            if row is None:
                raise RecordNotFound(record_id)
            n = row[0]
            body = record_cipher.seal(key, record_id, "record", plaintext)
            self._vault.execute(
                "UPDATE records SET case_id = ?, kind = ?, state = ?, updated_at = ?, priority = ?,"
                " body = ? WHERE id = ?",
                (case_id, kind, state, now, priority, body, record_id),
            )
            self._vault.execute("DELETE FROM search_index WHERE rowid = ?", (n,))
            if removes_words:
                self._owe("index_merge_owed")
        if search_text.strip():
            self._vault.execute("INSERT INTO search_index (rowid, text) VALUES (?, ?)", (n, search_text))
        self.index_actions(record_id, payload)
        return record_id

    def index_actions(self, record_id: str, payload: dict[str, Any]) -> None:
        """A contact record's agreed actions' dates and ticks, beside it (no words). Call in a transaction."""
        self._vault.execute("DELETE FROM action_dates WHERE record_id = ?", (record_id,))
        actions = payload.get("agreed_actions", []) if payload.get("type") == "contact" else []
        for i, action in enumerate(actions if isinstance(actions, list) else []):
            if isinstance(action, dict) and str(action.get("what", "")).strip():
                by_when = action.get("by_when")
                self._vault.execute("INSERT INTO action_dates (record_id, idx, by_when, done) VALUES (?, ?, ?, ?)",
                                    (record_id, i, by_when if isinstance(by_when, str) else None,
                                     int(action.get("done") is True)))

    def with_actions_to_do(self, due_by: str | None = None, case_id: str | None = None) -> list[str]:
        """Ids of the contact records in open cases with an action not done (due by ``due_by``,
        an ISO date, when given), without opening any record."""
        sql = ("SELECT DISTINCT a.record_id FROM action_dates a JOIN records r ON r.id = a.record_id"
               " JOIN cases c ON c.id = r.case_id WHERE a.done = 0 AND c.status = 'open'")
        params: list[object] = []
        if due_by is not None:
            sql += " AND a.by_when IS NOT NULL AND a.by_when <= ?"
            params.append(due_by)
        if case_id is not None:
            sql += " AND r.case_id = ?"
            params.append(case_id)
        return [r[0] for r in self._vault.query(sql, params)]

    def actions_due_count(self, due_by: str) -> int:
        row = self._vault.query_one(
            "SELECT count(*) FROM action_dates a JOIN records r ON r.id = a.record_id JOIN cases c"
            " ON c.id = r.case_id WHERE a.done = 0 AND c.status = 'open' AND a.by_when IS NOT NULL"
            " AND a.by_when <= ?", (due_by,))
        return int(row[0]) if row else 0

    def _key(self, record_id: str) -> bytes:
        row = self._vault.query_one("SELECT key FROM record_keys WHERE record_id = ?", (record_id,))
        if row is None:
            raise RecordNotFound(record_id)
        return bytes(row[0])

    def get(self, record_id: str) -> StoredRecord:
        row = self._vault.query_one(
            "SELECT r.id, r.case_id, r.kind, r.state, r.created_at, r.updated_at, r.priority, r.body,"
            " k.key FROM records r JOIN record_keys k ON k.record_id = r.id WHERE r.id = ?",
            (record_id,),
        )
        if row is None:
            raise RecordNotFound(record_id)
        return self._decode(row)

    def _decode(self, row: tuple[Any, ...]) -> StoredRecord:
        rid, case_id, kind, state, created, updated, priority, body, key = row
        plaintext = record_cipher.open_sealed(bytes(key), rid, "record", bytes(body))
        return StoredRecord(rid, case_id, kind, state, datetime.fromisoformat(created),
                            datetime.fromisoformat(updated), priority, json.loads(plaintext))

    def all(self, case_id: str | None = None, kind: str | None = None) -> list[StoredRecord]:
        where, params = [], []
        if case_id is not None:
            where.append("r.case_id = ?")
            params.append(case_id)
        if kind is not None:
            where.append("r.kind = ?")
            params.append(kind)
        sql = _WITH_KEYS
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [self._decode(row) for row in self._vault.query(sql + " ORDER BY r.n", params)]

    def headers(self) -> list[tuple[str, str, str, str | None]]:
        """(id, kind, state, case id) of every record, without opening any body."""
        return [(r[0], r[1], r[2], r[3]) for r in self._vault.query(
            "SELECT id, kind, state, case_id FROM records ORDER BY n")]

    def drafts(self) -> list[StoredRecord]:
        """Every draft, oldest change first (a handful: a draft becomes a record when saved)."""
        return [self._decode(row) for row in self._vault.query(
            _WITH_KEYS + " WHERE r.state = 'draft' ORDER BY r.updated_at")]

    def draft_times(self) -> list[datetime]:
        """When each draft was last changed (for the day-3 reminder), without opening any body."""
        return [datetime.fromisoformat(r[0]) for r in self._vault.query(
            "SELECT updated_at FROM records WHERE state = 'draft'")]

    def ids_for_case(self, case_id: str) -> list[str]:
        return [r[0] for r in self._vault.query("SELECT id FROM records WHERE case_id = ?", (case_id,))]

    def search(self, text: str, limit: int = 200) -> list[str]:
        query = fts_query(text)
        if not query:
            return []
        rows = self._vault.query(
            "SELECT r.id FROM search_index s JOIN records r ON r.n = s.rowid"
            " WHERE search_index MATCH ? ORDER BY s.rank LIMIT ?",
            (query, limit),
        )
        return [r[0] for r in rows]

    def purge(self, record_id: str) -> None:
        """Crypto-shred one record: its key first, then body, index rows, attachments, outbox.

        Call inside a transaction; checkpoint afterwards so the WAL keeps no old pages.
        """
        self.purge_many([record_id])

    def purge_many(self, record_ids: list[str]) -> None:
        """Crypto-shred a batch, set-based: the keys of every record in the batch go first,
        then everything derived from them. Call inside a transaction. Deleted tokens stay in
        old index segments until they are merged, so the merge owed is recorded in the same
        transaction and a crash before it cannot skip it."""
        ids = json.dumps(record_ids)
        chosen = "(SELECT value FROM json_each(?))"
        rowids = [r[0] for r in self._vault.query(f"SELECT n FROM records WHERE id IN {chosen}", (ids,))]
        if len(rowids) != len(set(record_ids)):
            raise RecordNotFound("one of the records to purge is not in the vault")
        self._vault.execute(f"DELETE FROM record_keys WHERE record_id IN {chosen}", (ids,))
        self._vault.execute(f"DELETE FROM search_index WHERE rowid IN {chosen}", (json.dumps(rowids),))
        for table in ("attachments", "outbox", "action_dates"):
            self._vault.execute(f"DELETE FROM {table} WHERE record_id IN {chosen}", (ids,))
        self._vault.execute(f"DELETE FROM records WHERE id IN {chosen}", (ids,))
        self._owe("index_merge_owed")

    def _owe(self, what: str) -> None:
        self._vault.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, '1')", (what,))

    def _owed(self) -> set[str]:
        return {r[0] for r in self._vault.query(
            "SELECT key FROM settings WHERE key IN ('index_merge_owed', 'wal_truncate_owed')")}

    def optimise_index(self) -> None:
        """Merge index segments so deleted tokens are not left in old segments."""
        self._vault.execute("INSERT INTO search_index (search_index) VALUES ('optimize')")
        self._vault.execute("DELETE FROM settings WHERE key = 'index_merge_owed'")

    def scrub(self) -> bool:
        """After words left the vault (a purge, a replaced name): merge the index, so no deleted
        token stays in an old segment, then truncate the WAL, so no old page stays beside the
        file. A reader on another connection can hold the WAL for a moment; if it does, the
        truncation is owed and :meth:`settle_purges` tries again. Returns whether it finished."""
        self.optimise_index()
        self._vault.execute("DELETE FROM settings WHERE key = 'wal_truncate_owed'")
        if self._vault.checkpoint(wait_ms=SCRUB_WAIT_MS):
            return True
        self._owe("wal_truncate_owed")
        log.warning("the vault's journal is in use; its old pages are cleared at the next chance")
        return False

    def settle_purges(self) -> bool:
        """Finish what an interrupted purge or a busy journal left: merge the index and truncate
        the WAL. Returns whether anything was owed."""
        if not self._owed():
            return False
        self.scrub()
        return True

    # -- attachments ---------------------------------------------------------------------------
    def add_attachment(self, record_id: str, name: str, mime: str, data: bytes) -> str:
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise ValueError("attachment too large")
        key = self._key(record_id)
        attachment_id = uuid.uuid4().hex
        meta = json.dumps({"name": name, "mime": mime}).encode()
        sealed = record_cipher.seal(key, attachment_id, "attachment",
                                    struct.pack(">I", len(meta)) + meta + data)
        self._vault.execute(
            "INSERT INTO attachments (id, record_id, added_at, size, body) VALUES (?, ?, ?, ?, ?)",
            (attachment_id, record_id, self._now().isoformat(timespec="seconds"), len(data), sealed),
        )
        return attachment_id

    def _open_attachment(self, row: tuple[Any, ...]) -> tuple[AttachmentInfo, bytes]:
        attachment_id, record_id, added, size, body = row
        plain = record_cipher.open_sealed(self._key(record_id), attachment_id, "attachment", bytes(body))
        (meta_len,) = struct.unpack_from(">I", plain)
        meta = json.loads(plain[4:4 + meta_len])
        info = AttachmentInfo(attachment_id, record_id, meta["name"], meta["mime"], size,
                              datetime.fromisoformat(added))
        return info, plain[4 + meta_len:]

    def attachments(self, record_id: str) -> list[AttachmentInfo]:
        rows = self._vault.query(
            "SELECT id, record_id, added_at, size, body FROM attachments WHERE record_id = ?"
            " ORDER BY added_at, id", (record_id,))
        return [self._open_attachment(row)[0] for row in rows]

    def attachment_data(self, attachment_id: str) -> bytes:
        row = self._vault.query_one(
            "SELECT id, record_id, added_at, size, body FROM attachments WHERE id = ?", (attachment_id,))
        if row is None:
            raise RecordNotFound(attachment_id)
        return self._open_attachment(row)[1]

    # -- outbox ----------------------------------------------------------------------------------
    def enqueue(self, record_id: str, priority: int = 0) -> None:
        """Queue a saved record for the office, in the caller's transaction."""
        self._vault.execute(
            "INSERT INTO outbox (record_id, queued_at, priority) VALUES (?, ?, ?)"
            " ON CONFLICT(record_id) DO UPDATE SET queued_at = excluded.queued_at,"
            " priority = max(priority, excluded.priority)",
            (record_id, self._now().isoformat(timespec="seconds"), priority),
        )

    def unsent_count(self) -> int:
        row = self._vault.query_one("SELECT count(*) FROM outbox")
        return int(row[0]) if row else 0
