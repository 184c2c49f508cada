"""The visit watchdog (DESIGN §6, §9): watches made at check-out, the overdue ladder run by the
relay so it works while every console is closed, and the notices it sends.

A watch holds the visit id, the device, the due time, the grace and whether it is a drill;
never an address, a name or a case reference. Each tick applies the domain's ladder to every
open watch and stores the new state, its notices and one delivery per recipient in one
transaction, so a relay restarted mid-escalation resumes exactly where it was and no notice is
lost or sent twice. Deliveries are retried with back-off while the mail server is down; the
board shows the alarm either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import smtplib
import sqlite3
import ssl
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol

from ..domain import escalation as ladder
from ..domain.escalation import Kind, LadderPolicy, Notice, Tier, Watch
from .storage import RelayStorage

log = logging.getLogger("ips_relay")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS watches (
    device_kid BLOB NOT NULL, visit_id TEXT NOT NULL, label TEXT NOT NULL, state TEXT NOT NULL,
    open INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (device_kid, visit_id)
);
CREATE INDEX IF NOT EXISTS watches_open ON watches(open);
CREATE TABLE IF NOT EXISTS notices (
    id INTEGER PRIMARY KEY, device_kid BLOB NOT NULL, visit_id TEXT NOT NULL, tier INTEGER NOT NULL,
    kind TEXT NOT NULL, everyone INTEGER NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY, notice_id INTEGER NOT NULL REFERENCES notices(id), channel TEXT NOT NULL,
    address TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, sent_at INTEGER,
    error TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(sent_at, next_at);
"""

MAX_VISIT_ID = 64
MAX_AHEAD = 14 * 3600     # a check-out is for today's visit
RETRY_MAX = 300


@dataclass(frozen=True)
class Contacts:
    """Who each tier is, set by the office (PUT /v1/office/contacts). E-mail addresses, and SMS
    numbers for the webhook; the family contact per volunteer, by device label."""

    tiers: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    office: tuple[str, ...] = ()
    family: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sms: Mapping[int, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: bytes) -> Contacts:
        raw = json.loads(data)
        if not isinstance(raw, dict):
            raise ValueError("contacts must be an object")

        def strings(value: Any) -> tuple[str, ...]:
            if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 254 for v in value):
                raise ValueError("a list of addresses")
            return tuple(value)

        tiers = {int(k): strings(v) for k, v in raw.get("tiers", {}).items() if int(k) in (1, 2, 4)}
        sms = {int(k): strings(v) for k, v in raw.get("sms", {}).items() if int(k) in (1, 2, 3, 4)}
        family = {str(k): strings(v) for k, v in raw.get("family", {}).items()}
        return cls(tiers, strings(raw.get("office", [])), family, sms)

    def audience(self, notice: Notice, label: str) -> list[tuple[str, str]]:
        """(channel, address) for a notice. An alert goes to its tier; an update or all-clear
        to every tier told so far. ``everyone`` adds every office user."""
        if notice.kind in (Kind.ALERT, Kind.DURESS):
            tiers = [notice.tier]
        else:
            tiers = [Tier(t) for t in range(1, notice.tier + 1)]
        out: list[tuple[str, str]] = []
        for tier in tiers:
            emails = self.family.get(label, ()) if tier is Tier.FAMILY else self.tiers.get(int(tier), ())
            out += [("email", a) for a in emails]
            out += [("sms", n) for n in self.sms.get(int(tier), ())]
        if notice.everyone or notice.kind is Kind.DURESS:
            out += [("email", a) for a in self.office]
        return list(dict.fromkeys(out))


class Sender(Protocol):
    def send(self, channel: str, address: str, subject: str, text: str) -> None: ...


_LOOPBACK = ("127.0.0.1", "::1", "localhost")
SMTP_SECURITY = ("tls", "starttls", "none")


def default_smtp_security(host: str | None, port: int) -> str:
    """Implicit TLS on 465; otherwise STARTTLS, except to a mail server on this machine."""
    if port == 465:
        return "tls"
    return "none" if host in _LOOPBACK else "starttls"


@dataclass
class SmtpSender:
    """E-mail through the office's SMTP server, and SMS through a webhook if one is set.

    ``security``: "tls" (implicit, port 465), "starttls" (port 587 or 25; refused if the server
    does not offer it, never sent in clear instead) or "none" (a mail server on this machine).
    ``username``/``password``: the login, only ever sent over TLS. ``ca_file``: the certificate
    authority to trust for a server with a private certificate (the system's otherwise)."""

    host: str | None
    port: int = 25
    sender: str = "ips-relay@localhost"
    sms_webhook: str = ""
    timeout: float = 10.0
    security: str = "none"
    username: str = ""
    password: str = field(default="", repr=False)
    ca_file: str | None = None

    def __post_init__(self) -> None:
        if self.security not in SMTP_SECURITY:
            raise ValueError(f"SMTP security is one of {', '.join(SMTP_SECURITY)}")
        if self.security == "none" and self.host and self.host not in _LOOPBACK:
            raise ValueError("alert e-mail goes to another machine only over TLS: use --smtp-security tls or "
                             "starttls (none is for a mail server on this machine)")
        if self.username and self.security == "none":
            raise ValueError("an SMTP login is only sent over TLS: use --smtp-security tls or starttls")

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def send(self, channel: str, address: str, subject: str, text: str) -> None:
        if channel == "sms":
            if not self.sms_webhook:
                raise OSError("no SMS webhook configured")
            body = json.dumps({"to": address, "text": text}).encode()
            if not self.sms_webhook.startswith(("https://", "http://")):
                raise OSError("the SMS webhook must be an http(s) address")
            request = urllib.request.Request(self.sms_webhook, body,  # noqa: S310 (scheme checked above)
                                             {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=self.timeout):  # noqa: S310 (the office's own URL)
                return
        if not self.host:
            raise OSError("no mail server configured (--smtp-host)")
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = address
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=True)  # a retried alert still says when it was written
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or "ips-relay.invalid")
        message.set_content(text)
        smtp: smtplib.SMTP
        if self.security == "tls":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=self._tls())  # raises if the server does not offer it
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


@dataclass(frozen=True)
class BoardRow:
    device_kid: bytes
    label: str
    watch: Watch
    next_step_at: int | None
    updated_at: int

    def to_json(self) -> dict[str, Any]:
        return {**self.watch.to_dict(), "device_kid": self.device_kid.hex(), "label": self.label,
                "next_step_at": self.next_step_at, "updated_at": self.updated_at}


@dataclass(frozen=True)
class Delivery:
    id: int
    channel: str
    address: str
    attempts: int
    subject: str
    text: str


class Watchdog:
    """Runs on the relay's event-loop thread, over the relay's one SQLite connection."""

    def __init__(self, storage: RelayStorage, policy: Callable[[], LadderPolicy] = LadderPolicy) -> None:
        self.storage = storage
        self.db: sqlite3.Connection = storage.db
        self.db.executescript(_SCHEMA)
        self.policy = policy
        self.last_tick: float | None = None  # time.monotonic() of the last full tick (/v1/health)

    # -- contacts ------------------------------------------------------------------------------------
    def contacts(self) -> Contacts:
        raw = self.storage.get_meta("contacts")
        return Contacts.from_json(raw) if raw else Contacts()

    def set_contacts(self, data: bytes) -> Contacts:
        contacts = Contacts.from_json(data)
        self.storage.set_meta("contacts", data)
        return contacts

    # -- watches -------------------------------------------------------------------------------------
    def get(self, device_kid: bytes, visit_id: str) -> tuple[Watch, str] | None:
        row = self.db.execute("SELECT state, label FROM watches WHERE device_kid = ? AND visit_id = ?",
                              (device_kid, visit_id)).fetchone()
        return (Watch.from_dict(json.loads(row[0])), row[1]) if row else None

    def _store(self, device_kid: bytes, label: str, watch: Watch, notices: list[Notice], now: int) -> None:
        """The new state, its notices and their deliveries: call inside a transaction."""
        self.db.execute(
            "INSERT INTO watches (device_kid, visit_id, label, state, open, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(device_kid, visit_id) DO UPDATE SET state = excluded.state, open = excluded.open,"
            " updated_at = excluded.updated_at",
            (device_kid, watch.visit_id, label, json.dumps(watch.to_dict()), int(watch.open), now))
        if not watch.open:
            # The visit is over: its phone link and the PIN verifiers behind it go at once, so
            # nothing left on the relay can be ground for the PINs, and the link is spent.
            with contextlib.suppress(sqlite3.OperationalError):  # no phone page on this relay
                self.db.execute("DELETE FROM checkin_links WHERE device_kid = ? AND visit_id = ?",
                                (device_kid, watch.visit_id))
        contacts = self.contacts()
        for notice in notices:
            cursor = self.db.execute(
                "INSERT INTO notices (device_kid, visit_id, tier, kind, everyone, text, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (device_kid, watch.visit_id, int(notice.tier), notice.kind.value, int(notice.everyone), notice.text,
                 now))
            for channel, address in contacts.audience(notice, label):
                self.db.execute("INSERT INTO deliveries (notice_id, channel, address, next_at) VALUES (?, ?, ?, ?)",
                                (cursor.lastrowid, channel, address, now))
            log.info(json.dumps({"event": "notice", "kind": notice.kind.value, "tier": int(notice.tier),
                                 "visit": watch.visit_id[:8]}))

    def open_watch(self, device_kid: bytes, label: str, visit_id: str, due: int, grace_s: int, drill: bool,
                   now: int) -> Watch:
        if not visit_id or len(visit_id) > MAX_VISIT_ID or not visit_id.isascii():
            raise ladder.LadderError("That visit id is not valid.")
        if not now - 3600 <= due <= now + MAX_AHEAD or not 0 <= grace_s <= 3600:
            raise ladder.LadderError("The due time must be today's and the grace at most an hour.")
        with self.storage.transaction():
            found = self.get(device_kid, visit_id)
            if found is not None and found[0].state is not ladder.WatchState.WATCHING:
                return found[0]  # a repeated check-out: the watch already running wins
            watch = Watch(visit_id, label, due, grace_s, drill)
            self._store(device_kid, label, watch, [], now)
        return watch

    def step(self, device_kid: bytes, visit_id: str, now: int,
             change: Callable[[Watch], tuple[Watch, list[Notice]]]) -> Watch:
        """Apply one change (check-in, duress, acknowledge, close, extend) atomically."""
        with self.storage.transaction():
            found = self.get(device_kid, visit_id)
            if found is None:
                raise LookupError(visit_id)
            watch, label = found
            watch, _ = ladder.catch_up(watch, now, self.policy())  # the ladder first, if a tick is late
            changed, notices = change(watch)
            self._store(device_kid, label, changed, notices, now)
        return changed

    def forget_closed(self, before: int) -> int:
        """Visits closed before ``before`` go with their notices, their deliveries (the family
        contacts' addresses) and any phone link left: no lasting timeline of a volunteer's visits."""
        closed = self.db.execute("SELECT device_kid, visit_id FROM watches WHERE open = 0 AND updated_at < ?",
                                 (before,)).fetchall()
        with self.storage.transaction():
            for device_kid, visit_id in closed:
                self.db.execute("DELETE FROM deliveries WHERE notice_id IN (SELECT id FROM notices"
                                " WHERE device_kid = ? AND visit_id = ?)", (device_kid, visit_id))
                self.db.execute("DELETE FROM notices WHERE device_kid = ? AND visit_id = ?", (device_kid, visit_id))
                self.db.execute("DELETE FROM watches WHERE device_kid = ? AND visit_id = ?", (device_kid, visit_id))
                with contextlib.suppress(sqlite3.OperationalError):  # no phone page on this relay
                    self.db.execute("DELETE FROM checkin_links WHERE device_kid = ? AND visit_id = ?",
                                    (device_kid, visit_id))
        return len(closed)

    def tick(self, now: int) -> int:
        """Advance every open watch to ``now``; returns how many notices were made."""
        made = 0
        policy = self.policy()
        rows = self.db.execute("SELECT device_kid, label, state FROM watches WHERE open = 1").fetchall()
        for device_kid, label, state in rows:
            watch = Watch.from_dict(json.loads(state))
            moved, notices = ladder.catch_up(watch, now, policy)
            if notices:
                with self.storage.transaction():
                    self._store(bytes(device_kid), label, moved, notices, now)
                made += len(notices)
        self.last_tick = time.monotonic()
        return made

    def board(self, include_closed_since: int | None = None) -> list[BoardRow]:
        policy = self.policy()
        sql = "SELECT device_kid, label, state, updated_at FROM watches WHERE open = 1"
        params: tuple[object, ...] = ()
        if include_closed_since is not None:
            sql += " OR updated_at >= ?"
            params = (include_closed_since,)
        rows = []
        for device_kid, label, state, updated in self.db.execute(sql, params).fetchall():
            watch = Watch.from_dict(json.loads(state))
            rows.append(BoardRow(bytes(device_kid), label, watch, ladder.next_step_at(watch, policy), updated))
        return sorted(rows, key=lambda r: (not r.watch.duress, r.watch.state is not ladder.WatchState.ALERTING,
                                           r.watch.due))

    def notices(self, visit_id: str) -> list[tuple[int, str, int, str]]:
        """(tier, kind, at, text) told about one visit, oldest first."""
        return [(r[0], r[1], r[2], r[3]) for r in self.db.execute(
            "SELECT tier, kind, at, text FROM notices WHERE visit_id = ? ORDER BY id", (visit_id,))]

    # -- deliveries ----------------------------------------------------------------------------------
    def due_deliveries(self, now: int, limit: int = 50) -> list[Delivery]:
        rows = self.db.execute(
            "SELECT d.id, d.channel, d.address, d.attempts, n.kind, n.text FROM deliveries d"
            " JOIN notices n ON n.id = d.notice_id WHERE d.sent_at IS NULL AND d.next_at <= ? ORDER BY d.id LIMIT ?",
            (now, limit)).fetchall()
        return [Delivery(r[0], r[1], r[2], r[3], _subject(r[4], r[5]), r[5]) for r in rows]

    def delivered(self, delivery_id: int, now: int) -> None:
        self.db.execute("UPDATE deliveries SET sent_at = ?, error = NULL WHERE id = ?", (now, delivery_id))

    def failed(self, delivery: Delivery, now: int, error: str) -> None:
        wait = min(RETRY_MAX, 5 * 2 ** delivery.attempts)
        self.db.execute("UPDATE deliveries SET attempts = attempts + 1, next_at = ?, error = ? WHERE id = ?",
                        (now + wait, error[:200], delivery.id))

    def failing(self) -> tuple[int, str | None]:
        """(deliveries that have failed at least once and not gone since, the last error)."""
        row = self.db.execute("SELECT count(*), max(error) FROM deliveries WHERE sent_at IS NULL AND attempts > 0"
                              ).fetchone()
        return (int(row[0]), row[1]) if row else (0, None)

    def undelivered(self) -> int:
        row = self.db.execute("SELECT count(*) FROM deliveries WHERE sent_at IS NULL").fetchone()
        return int(row[0])


def _subject(kind: str, text: str) -> str:
    drill = "DRILL — " if text.startswith("DRILL") else ""
    return drill + {"alert": "OVERDUE: a volunteer has not checked in", "duress": "DURESS ALARM: act now",
                    "update": "Update: the volunteer checked in", "all clear": "All clear"}.get(kind, "Visit alert")


async def deliver_due(watchdog: Watchdog, sender: Sender, now: Callable[[], int]) -> int:
    """Send what is due. The database is used on the event loop's thread only; each send (SMTP
    blocks) runs in a worker thread. Returns how many went."""
    sent = 0
    for delivery in watchdog.due_deliveries(now()):
        try:
            await asyncio.to_thread(sender.send, delivery.channel, delivery.address, delivery.subject, delivery.text)
        except (OSError, smtplib.SMTPException) as exc:
            watchdog.failed(delivery, now(), type(exc).__name__)
            log.warning(json.dumps({"event": "delivery_failed", "id": delivery.id, "error": type(exc).__name__}))
            continue
        watchdog.delivered(delivery.id, now())
        sent += 1
    return sent
