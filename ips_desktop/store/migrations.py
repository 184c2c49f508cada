"""Numbered schema migrations, each preceded by an encrypted backup (DESIGN §3).

A migration's SQL never changes once released: tests build a vault at an old version from
a frozen copy of its schema and upgrade it. Add a new numbered step instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .vault import VaultConnection, VaultError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    version: int
    title: str
    sql: str


_V1 = """
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE cases (
    id         TEXT PRIMARY KEY,
    reference  TEXT NOT NULL UNIQUE,
    status     TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opened_at  TEXT NOT NULL,
    closed_at  TEXT
);
CREATE TABLE records (
    n          INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    case_id    TEXT REFERENCES cases(id),
    kind       TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('draft', 'saved')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    priority   INTEGER NOT NULL DEFAULT 0,
    body       BLOB NOT NULL
);
CREATE INDEX records_case ON records(case_id);
CREATE TABLE record_keys (
    record_id  TEXT PRIMARY KEY,
    key        BLOB NOT NULL
);
CREATE TABLE outbox (
    record_id  TEXT PRIMARY KEY REFERENCES records(id),
    queued_at  TEXT NOT NULL,
    priority   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    event      TEXT NOT NULL,
    subject    TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  BLOB NOT NULL,
    hash       BLOB NOT NULL
);
"""

_V2 = """
CREATE VIRTUAL TABLE search_index USING fts5(
    text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE attachments (
    id         TEXT PRIMARY KEY,
    record_id  TEXT NOT NULL REFERENCES records(id),
    added_at   TEXT NOT NULL,
    size       INTEGER NOT NULL,
    body       BLOB NOT NULL
);
CREATE INDEX attachments_record ON attachments(record_id);
"""

_V3 = """
CREATE TABLE sync_identity (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    root_public  BLOB NOT NULL,
    certificate  BLOB NOT NULL,
    bundle       BLOB NOT NULL,
    address      TEXT NOT NULL,
    next_seq     INTEGER NOT NULL,
    prev_hash    BLOB NOT NULL,
    enrolled_at  TEXT NOT NULL,
    last_sync_at TEXT,
    last_error   TEXT
);
CREATE TABLE pending_enrolment (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    invite_code  TEXT NOT NULL,
    request      BLOB NOT NULL,
    started_at   TEXT NOT NULL
);
CREATE TABLE envelopes (
    seq          INTEGER PRIMARY KEY,
    record_id    TEXT,
    envelope_id  BLOB NOT NULL UNIQUE,
    env_hash     BLOB NOT NULL,
    body         BLOB,
    record_type  TEXT NOT NULL,
    bundle_version INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('sealed', 'stored', 'verified', 'rejected')),
    sealed_at    TEXT NOT NULL,
    stored_at    TEXT,
    verified_at  TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    receipt      BLOB,
    reason       TEXT
);
CREATE INDEX envelopes_record ON envelopes(record_id);
CREATE INDEX envelopes_state ON envelopes(state);
CREATE TABLE purge_log (
    n            INTEGER PRIMARY KEY,
    record_id    TEXT NOT NULL,
    record_type  TEXT NOT NULL,
    seq          INTEGER,
    env_hash     BLOB,
    receipt      BLOB,
    purged_at    TEXT NOT NULL,
    rule         TEXT NOT NULL,
    certified    INTEGER NOT NULL DEFAULT 0
);
"""

# An envelope the office's receipts showed it lacks (the relay lost it): sent again, and the
# volunteer is told until the office confirms it.
_V4 = """
ALTER TABLE envelopes ADD COLUMN missing_at TEXT;
"""

# Enrolment commits before it reveals: the office's answer to the laptop's commitment is kept
# with the pending request, so the six digits can be shown again after a restart.
_V5 = """
ALTER TABLE pending_enrolment ADD COLUMN challenge BLOB;
"""

# Each agreed action's date and tick, beside its sealed record, so the week's list and the status
# bar's count need not open every note (CaseBook.actions_to_do). Dates only: the words stay sealed.
# Filled for older vaults the first time the case book opens (CaseBook._index_actions).
_V6 = """
CREATE TABLE action_dates (
    record_id TEXT NOT NULL,
    idx       INTEGER NOT NULL,
    by_when   TEXT,
    done      INTEGER NOT NULL,
    PRIMARY KEY (record_id, idx)
);
CREATE INDEX action_dates_due ON action_dates(done, by_when);
INSERT INTO settings (key, value) VALUES ('action_dates_owed', '1');
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "cases, records, record keys, outbox, audit log", _V1),
    Migration(2, "full-text search index and attachments", _V2),
    Migration(3, "sealed sync: enrolment, envelopes, purge log", _V3),
    Migration(4, "envelopes the office lacks, sent again", _V4),
    Migration(5, "the office's answer to an enrolment commitment", _V5),
    Migration(6, "agreed actions' dates beside their records", _V6),
)
LATEST = MIGRATIONS[-1].version


class MigrationError(VaultError):
    """A migration failed and was rolled back; the backup made before it is named."""


def migrate(vault: VaultConnection, backup_path: Callable[[int], Path],
            migrations: tuple[Migration, ...] = MIGRATIONS) -> list[int]:
    """Bring ``vault`` to the last of ``migrations`` (the volunteer schema unless the office
    passes its own). Returns the versions applied.

    A vault that already has data (version ≥ 1) is copied to ``backup_path(version)`` first.
    A vault newer than this program is refused rather than touched.
    """
    current = vault.user_version
    if current > migrations[-1].version:
        raise MigrationError(
            "This vault was written by a newer IPS Desktop. Please update the app; "
            "the vault has not been changed."
        )
    pending = [m for m in migrations if m.version > current]
    if not pending:
        return []
    backup: Path | None = None
    if current >= 1:
        backup = vault.backup_to(backup_path(current))
        log.info("backed up vault at schema %d before migrating", current)
    applied: list[int] = []
    for migration in pending:
        try:
            vault.executescript("BEGIN IMMEDIATE;\n" + migration.sql +
                                f"\nPRAGMA user_version = {migration.version};\nCOMMIT;")
        except Exception as exc:
            vault.rollback_if_open()
            where = f" A copy made before the upgrade is at {backup}." if backup else ""
            raise MigrationError(
                f"Upgrading the vault failed at step {migration.version} and was undone.{where}"
            ) from exc
        applied.append(migration.version)
        log.info("vault schema now at %d", migration.version)
    return applied

