"""The office console's vault schema (DESIGN §8): its keys, enrolled devices, each device's
envelope chain, the records opened from them (sealed again under per-record keys), alerts
and purge certificates. Same rules as the volunteer's migrations: released steps never change.
"""

from __future__ import annotations

from .migrations import Migration

_V1 = """
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE office_state (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    office_name        TEXT NOT NULL,
    keys               TEXT NOT NULL,
    bundle             BLOB NOT NULL,
    bundle_version     INTEGER NOT NULL,
    min_bundle_version INTEGER NOT NULL,
    address            TEXT NOT NULL,
    relay_public       BLOB,
    policy             TEXT NOT NULL,
    next_serial        INTEGER NOT NULL,
    created_at         TEXT NOT NULL
);
CREATE TABLE invites (
    invite_id   BLOB PRIMARY KEY,
    secret      BLOB NOT NULL,
    label       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     TEXT
);
CREATE TABLE enrolments (
    invite_id   BLOB PRIMARY KEY REFERENCES invites(invite_id),
    request     BLOB NOT NULL,
    device_kid  BLOB NOT NULL,
    label       TEXT NOT NULL,
    sas         TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'refused')),
    response    BLOB
);
CREATE TABLE devices (
    device_kid  BLOB PRIMARY KEY,
    serial      INTEGER NOT NULL UNIQUE,
    label       TEXT NOT NULL,
    certificate BLOB NOT NULL,
    enrolled_at TEXT NOT NULL,
    revoked_at  TEXT,
    contiguous  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE chain (
    device_kid  BLOB NOT NULL,
    seq         INTEGER NOT NULL,
    env_hash    BLOB NOT NULL,
    prev_hash   BLOB NOT NULL,
    record_id   BLOB NOT NULL,
    received_at TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('verified', 'rejected')),
    reason      TEXT,
    receipt     BLOB NOT NULL,
    PRIMARY KEY (device_kid, seq)
);
CREATE TABLE office_records (
    record_id    BLOB PRIMARY KEY,
    device_kid   BLOB NOT NULL,
    seq          INTEGER NOT NULL,
    record_type  TEXT NOT NULL,
    case_ref     TEXT,
    created_at   INTEGER NOT NULL,
    supersedes   BLOB,
    received_at  TEXT NOT NULL,
    body         BLOB NOT NULL
);
CREATE INDEX office_records_case ON office_records(case_ref);
CREATE TABLE office_record_keys (
    record_id BLOB PRIMARY KEY,
    key       BLOB NOT NULL
);
CREATE TABLE alerts (
    n            INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    device_kid   BLOB,
    detail       TEXT NOT NULL,
    acknowledged_at TEXT
);
CREATE TABLE purge_certificates (
    device_kid  BLOB NOT NULL,
    serial      INTEGER NOT NULL,
    issued_at   INTEGER NOT NULL,
    entries     INTEGER NOT NULL,
    body        BLOB NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (device_kid, serial)
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
CREATE TABLE office_messages (
    serial     INTEGER PRIMARY KEY AUTOINCREMENT,
    device_kid BLOB NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    sent_at    TEXT NOT NULL
);
"""

# Receipts and scanned letters in a table of their own, sealed under their record's key, so
# reading records (the board's visit plans, the inbox) never decrypts photos. Records that
# arrived before this step keep theirs inside the record body and are read as they are. A
# visit plan's day and visit id are kept beside it, so today's plans are found without
# opening every plan of the year.
_V3 = """
CREATE TABLE office_attachments (
    record_id BLOB NOT NULL REFERENCES office_records(record_id),
    n         INTEGER NOT NULL,
    body      BLOB NOT NULL,
    PRIMARY KEY (record_id, n)
);
ALTER TABLE office_records ADD COLUMN visit_id TEXT;
ALTER TABLE office_records ADD COLUMN visit_day TEXT;
CREATE INDEX office_records_type ON office_records(record_type, device_kid);
CREATE INDEX office_records_visit_day ON office_records(visit_day);
CREATE INDEX office_records_supersedes ON office_records(supersedes);
"""

# Enrolment commits before it reveals (crypto/enrolment.py): the office keeps the laptop's
# commitment and the nonce it answered with on the invite, until the request opens them.
_V4 = """
ALTER TABLE invites ADD COLUMN commitment BLOB;
ALTER TABLE invites ADD COLUMN office_nonce BLOB;
ALTER TABLE invites ADD COLUMN committed_at TEXT;
"""

# A record is kept under an id unique to its laptop (office.service.office_record_id); the id
# its envelope header gave it is kept beside it, so a second laptop using the same id is seen.
# Records kept before this step were kept under the header id itself.
_V5 = """
ALTER TABLE office_records ADD COLUMN header_id BLOB;
UPDATE office_records SET header_id = record_id;
CREATE INDEX office_records_header ON office_records(header_id);
"""

# Several PPOs may share one office: the audit names who did each thing (store/audit.py).
_V6 = """
ALTER TABLE audit_log ADD COLUMN who TEXT NOT NULL DEFAULT '';
"""

# The consoles running on this office, one row each, and which of them fetches from the relay
# (office/sharing.py).
_V7 = """
CREATE TABLE consoles (
    console_id TEXT PRIMARY KEY,
    who        TEXT NOT NULL,
    pc         TEXT NOT NULL,
    seen_at    TEXT NOT NULL,
    fetching   INTEGER NOT NULL DEFAULT 0
);
"""

# Cases the PPO allocated to a volunteer's laptop from the console (office/allocation.py): a
# record under a reference never allocated to the laptop that sent it is pointed out.
_V8 = """
CREATE TABLE allocations (
    reference    TEXT NOT NULL,
    device_kid   BLOB NOT NULL,
    initial      TEXT NOT NULL,
    brief        TEXT NOT NULL,
    allocated_at TEXT NOT NULL,
    by_whom      TEXT NOT NULL,
    PRIMARY KEY (reference, device_kid)
);
"""

# What the office did with each family's referral (office/referrals.py): allocated as a case,
# or dealt with another way.
_V9 = """
CREATE TABLE referral_outcomes (
    record_id  BLOB PRIMARY KEY,
    outcome    TEXT NOT NULL,
    reference  TEXT NOT NULL DEFAULT '',
    done_at    TEXT NOT NULL,
    by_whom    TEXT NOT NULL
);
"""

# What the PPO did about each safeguarding concern (office/safeguarding.py).
_V10 = """
CREATE TABLE safeguarding_followups (
    record_id   BLOB PRIMARY KEY,
    action      TEXT NOT NULL,
    who         TEXT NOT NULL,
    done_at     TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
"""

# The file marked after a difficult visit or an incident, the HSE report recorded, and the PPO's
# decision to continue or stop a case (office/difficulties.py).
_V11 = """
CREATE TABLE case_marks (
    n         INTEGER PRIMARY KEY,
    reference TEXT NOT NULL,
    reason    TEXT NOT NULL,
    marked_at TEXT NOT NULL,
    by_whom   TEXT NOT NULL
);
CREATE INDEX case_marks_reference ON case_marks(reference);
CREATE TABLE hse_reports (
    record_id   BLOB PRIMARY KEY,
    reported_on TEXT NOT NULL,
    by_whom     TEXT NOT NULL
);
CREATE TABLE case_decisions (
    n          INTEGER PRIMARY KEY,
    reference  TEXT NOT NULL,
    device_kid BLOB NOT NULL,
    decision   TEXT NOT NULL,
    note       TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    by_whom    TEXT NOT NULL
);
"""

# Service users' feedback, the Appendix 4 questionnaire, by case (office/feedback.py).
_V12 = """
CREATE TABLE feedback (
    n           INTEGER PRIMARY KEY,
    reference   TEXT NOT NULL,
    device_kid  BLOB,
    answers     TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX feedback_reference ON feedback(reference);
"""

# Notes the PPO forwarded to a parent or a professional (office/forwarding.py).
_V13 = """
CREATE TABLE forwarded (
    record_id    BLOB PRIMARY KEY,
    forwarded_on TEXT NOT NULL,
    by_whom      TEXT NOT NULL
);
"""

OFFICE_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "office keys, devices, envelope chains, records, alerts", _V1),
    Migration(2, "messages from the office to laptops", _V2),
    Migration(3, "attachments apart from their records; records by type", _V3),
    Migration(4, "enrolment commitments on invites", _V4),
    Migration(5, "records kept under ids unique to their laptop", _V5),
    Migration(6, "who did each thing, in the audit", _V6),
    Migration(7, "the consoles open on the office, and which one fetches", _V7),
    Migration(8, "cases allocated to volunteers", _V8),
    Migration(9, "what was done with each referral", _V9),
    Migration(10, "what was done about each safeguarding concern", _V10),
    Migration(11, "marked files, HSE reports and decisions on cases", _V11),
    Migration(12, "service users' feedback", _V12),
    Migration(13, "notes forwarded to parents and professionals", _V13),
)
