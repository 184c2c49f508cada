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
import html
import json
import logging
import smtplib
import sqlite3
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol

from .. import clock as wall
from ..domain import escalation as ladder
from ..domain.addresses import is_email, uk_mobile
from ..domain.alert_mail import Alert, Mail, Volunteer, render
from ..domain.escalation import LADDER_ORDER, LadderPolicy, Notice, Reader, Watch
from .logs import event
from .metrics import RelayMetrics
from .storage import RelayStorage

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
# Added since the first relays: who each notice is for, the facts its messages are written
# from, and which reader each delivery is (a relay upgraded mid-ladder keeps its rows).
_COLUMNS = (("notices", "readers", "TEXT NOT NULL DEFAULT ''"), ("notices", "facts", "TEXT"),
            ("deliveries", "reader", "TEXT NOT NULL DEFAULT 'ppo'"), ("deliveries", "first_failed_at", "INTEGER"))

MAX_VISIT_ID = 64
NOTICES_PER_DAY = 20  # safeguarding and incident notices a laptop may ask for in a day
# What a laptop may ask the relay to tell the office, in so many words, and whom.
LAPTOP_NOTICES = {"safeguarding": ("a safeguarding concern", (Reader.PPO, Reader.OFFICE)),
                  "incident": ("an incident report (Form PO3)", (Reader.PPO, Reader.MANAGER))}
MAX_AHEAD = 14 * 3600     # a check-out is for today's visit
RETRY_MAX = 300
MAX_RISK_FLAGS = 20

_TIER_KEYS = {Reader.PPO: "1", Reader.MANAGER: "2", Reader.POLICE: "4"}
@dataclass(frozen=True)
class Contacts:
    """Who each reader is, set by the office (PUT /v1/office/contacts): e-mail addresses and SMS
    numbers for the PPO, the service manager and the police decision; every office user; and,
    per volunteer (by IPS code), the first name and mobile the messages use and the family
    contact's e-mail and mobile. Hostile input is refused whole."""

    tiers: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    office: tuple[str, ...] = ()
    family: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sms: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    family_sms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    volunteers: Mapping[str, Volunteer] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: bytes) -> Contacts:
        raw = json.loads(data)
        if not isinstance(raw, dict):
            raise ValueError("contacts must be an object")

        def listed(value: Any) -> list[Any]:
            if not isinstance(value, list) or len(value) > 20:
                raise ValueError("a list of at most 20")
            return value

        def emails(value: Any) -> tuple[str, ...]:
            out = listed(value)
            if not all(isinstance(v, str) and is_email(v) for v in out):
                raise ValueError("a list of e-mail addresses")
            return tuple(out)

        def mobiles(value: Any) -> tuple[str, ...]:
            out = [uk_mobile(v) if isinstance(v, str) else None for v in listed(value)]
            if None in out:
                raise ValueError("a list of UK mobile numbers")
            return tuple(v for v in out if v)

        def labels(value: Any) -> dict[str, Any]:
            if not isinstance(value, dict) or len(value) > 500 or not all(
                    isinstance(k, str) and 0 < len(k) <= 40 and k.isprintable() for k in value):
                raise ValueError("an object keyed by IPS code")
            return value

        tiers = {int(k): emails(v) for k, v in raw.get("tiers", {}).items() if int(k) in (1, 2, 4)}
        sms = {int(k): mobiles(v) for k, v in raw.get("sms", {}).items() if int(k) in (1, 2, 4)}
        family = {k: emails(v) for k, v in labels(raw.get("family", {})).items()}
        family_sms = {k: mobiles(v) for k, v in labels(raw.get("family_sms", {})).items()}
        volunteers = {}
        for code, card in labels(raw.get("volunteers", {})).items():
            if not isinstance(card, dict):
                raise ValueError("a volunteer's first name and mobile")
            name, mobile = card.get("first_name", ""), card.get("mobile", "")
            if not isinstance(name, str) or len(name) > 40 or not name.isprintable() or not isinstance(mobile, str):
                raise ValueError("a volunteer's first name")
            number = uk_mobile(mobile) if mobile else ""
            if number is None:
                raise ValueError("a volunteer's mobile")
            volunteers[code] = Volunteer(code, name.strip(), number)
        return cls(tiers, emails(raw.get("office", [])), family, sms, family_sms, volunteers)

    def volunteer(self, label: str) -> Volunteer:
        """The drill's pretend volunteer is named by the drill's label."""
        return self.volunteers.get(label) or Volunteer(label.removeprefix("DRILL ").strip() or label)

    def office_reachable(self) -> bool:
        """Whether any office user has an address: without one, the office has no cover."""
        return bool(self.tiers.get(1) or self.sms.get(1) or self.office)

    def audience(self, readers: tuple[Reader, ...], label: str) -> list[tuple[str, str, str]]:
        """(reader, channel, address) for each reader; an address is told once, as the first
        reader it belongs to (the PPO is also an office user)."""
        out: dict[tuple[str, str], str] = {}
        for reader in readers:
            if reader is Reader.FAMILY:
                emails, numbers = self.family.get(label, ()), self.family_sms.get(label, ())
            elif reader is Reader.OFFICE:
                emails, numbers = self.office, ()
            else:
                key = int(_TIER_KEYS[reader])
                emails, numbers = self.tiers.get(key, ()), self.sms.get(key, ())
            for channel, address in [("email", a) for a in emails] + [("sms", n) for n in numbers]:
                out.setdefault((channel, address), reader.value)
        return [(reader, channel, address) for (channel, address), reader in out.items()]


class Sender(Protocol):
    def send(self, channel: str, address: str, mail: Mail) -> None: ...


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

    def send(self, channel: str, address: str, mail: Mail) -> None:
        if channel == "sms":
            if not self.sms_webhook:
                raise OSError("no SMS webhook configured")
            body = json.dumps({"to": address, "text": mail.sms}).encode()
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
        message["Subject"] = mail.subject
        message["Date"] = formatdate(wall.time(), localtime=True)  # the relay's clock (docs: "Time")
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or "ips-relay.invalid")
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
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
class DeliveryState:
    """One message's way out, for the board: sent, retrying since a time, or not yet tried."""

    reader: str
    channel: str
    sent_at: int | None
    failing_since: int | None
    error: str | None

    def to_json(self) -> dict[str, Any]:
        return {"reader": self.reader, "channel": self.channel, "sent_at": self.sent_at,
                "failing_since": self.failing_since, "error": self.error}


@dataclass(frozen=True)
class BoardRow:
    device_kid: bytes
    label: str
    watch: Watch
    next_step_at: int | None
    updated_at: int
    deliveries: tuple[DeliveryState, ...] = ()
    volunteer: Volunteer | None = None

    def to_json(self) -> dict[str, Any]:
        return {**self.watch.to_dict(), "device_kid": self.device_kid.hex(), "label": self.label,
                "next_step_at": self.next_step_at, "updated_at": self.updated_at,
                "deliveries": [d.to_json() for d in self.deliveries]}


@dataclass(frozen=True)
class Delivery:
    id: int
    channel: str
    address: str
    attempts: int
    mail: Mail
    due_at: int = 0  # when its ladder step fell due (the notice's time)


class Watchdog:
    """Runs on the relay's event-loop thread, over the relay's one SQLite connection."""

    def __init__(self, storage: RelayStorage, policy: Callable[[], LadderPolicy] = LadderPolicy) -> None:
        self.storage = storage
        self.db: sqlite3.Connection = storage.db
        self.db.executescript(_SCHEMA)
        for table, column, kind in _COLUMNS:
            have = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
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
        if not notices:
            return
        contacts, policy = self.contacts(), self.policy()
        step = ladder.next_step(watch, policy, now)
        for notice in notices:
            facts = Alert(notice.kind, watch, now, contacts.volunteer(label), step).to_dict()
            highest = max(LADDER_ORDER.index(r) for r in notice.readers)
            self._notice(device_kid, watch.visit_id, highest, notice.kind.value, notice.text, notice.readers,
                         json.dumps(facts), label, now, contacts)
            event("notice", kind=notice.kind.value, readers=[r.value for r in notice.readers],
                  visit=watch.visit_id[:8])

    def open_watch(self, device_kid: bytes, label: str, visit_id: str, due: int, grace_s: int, drill: bool,
                   now: int, poor_reception: bool = False, risk_flags: int = 0) -> Watch:
        if not visit_id or len(visit_id) > MAX_VISIT_ID or not visit_id.isascii():
            raise ladder.LadderError("That visit id is not valid.")
        if not now - 3600 <= due <= now + MAX_AHEAD or not 0 <= grace_s <= 3600:
            raise ladder.LadderError("The due time must be today's and the grace at most an hour.")
        if not 0 <= risk_flags <= MAX_RISK_FLAGS:
            raise ladder.LadderError(f"The number of risk answers must be from 0 to {MAX_RISK_FLAGS}.")
        with self.storage.transaction():
            found = self.get(device_kid, visit_id)
            if found is not None and found[0].state is not ladder.WatchState.WATCHING:
                return found[0]  # a repeated check-out: the watch already running wins
            watch = Watch(visit_id, label, due, grace_s, drill, poor_reception=poor_reception, risk_flags=risk_flags)
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
            watch, _ = self._climb(device_kid, label, watch, now)  # the ladder first, if a tick is late
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
        rows = self.db.execute("SELECT device_kid, label, state FROM watches WHERE open = 1").fetchall()
        for device_kid, label, state in rows:
            with self.storage.transaction():
                _, count = self._climb(device_kid, label, Watch.from_dict(json.loads(state)), now)
            made += count
        self.last_tick = time.monotonic()
        return made

    def _climb(self, device_kid: bytes, label: str, watch: Watch, now: int) -> tuple[Watch, int]:
        """Every step of the ladder due by ``now``, each stored with the watch as it was then
        (so each message says who had been told at its own step): inside a transaction."""
        policy, reachable, made = self.policy(), self.contacts().office_reachable(), 0
        while True:
            moved, notices = ladder.advance(watch, now, policy, reachable)
            if not notices:
                return watch, made
            self._store(device_kid, label, moved, notices, now)
            watch, made = moved, made + len(notices)

    def board(self, include_closed_since: int | None = None, now: int | None = None) -> list[BoardRow]:
        policy = self.policy()
        sql = "SELECT device_kid, label, state, updated_at FROM watches WHERE open = 1"
        params: tuple[object, ...] = ()
        if include_closed_since is not None:
            sql += " OR updated_at >= ?"
            params = (include_closed_since,)
        rows = []
        for device_kid, label, state, updated in self.db.execute(sql, params).fetchall():
            watch = Watch.from_dict(json.loads(state))
            rows.append(BoardRow(bytes(device_kid), label, watch, ladder.next_step_at(watch, policy, now), updated,
                                 self.delivery_states(bytes(device_kid), watch.visit_id)))
        return sorted(rows, key=lambda r: (not r.watch.duress, r.watch.state is not ladder.WatchState.ALERTING,
                                           r.watch.due))

    def delivery_states(self, device_kid: bytes, visit_id: str) -> tuple[DeliveryState, ...]:
        return tuple(DeliveryState(r[0], r[1], r[2], r[3], r[4]) for r in self.db.execute(
            "SELECT d.reader, d.channel, d.sent_at, d.first_failed_at, d.error FROM deliveries d JOIN notices n"
            " ON n.id = d.notice_id WHERE n.device_kid = ? AND n.visit_id = ? ORDER BY d.id", (device_kid, visit_id)))

    def notices(self, visit_id: str) -> list[tuple[str, str, int, str]]:
        """(readers, kind, at, text) told about one visit, oldest first."""
        return [(r[0], r[1], r[2], r[3]) for r in self.db.execute(
            "SELECT readers, kind, at, text FROM notices WHERE visit_id = ? ORDER BY id", (visit_id,))]

    # -- notices a laptop asks for ---------------------------------------------------------------------
    def laptop_notice(self, device_kid: bytes, label: str, kind: str, notice_id: bytes, now: int) -> int:
        """A laptop sealed a safeguarding concern or an incident report (Form PO3): tell the office
        at once, without a word of it (the record itself is sealed to the office). A safeguarding
        concern goes to the PPO and every office user; an incident to the PPO and the service
        manager (handbook: "This must be drawn to the attention of the Senior Manager"). Each
        notice id is told once; a laptop is told at most ``NOTICES_PER_DAY`` times a day. Returns
        how many messages were queued (0 for a notice already told). Call inside a transaction."""
        if kind not in LAPTOP_NOTICES:
            raise ladder.LadderError("That is not a notice a laptop can ask for.")
        key = f"{kind}:{notice_id.hex()}"
        if self.db.execute("SELECT 1 FROM notices WHERE device_kid = ? AND visit_id = ?",
                           (device_kid, key)).fetchone():
            return 0
        (recent,) = self.db.execute(f"SELECT count(*) FROM notices WHERE device_kid = ? AND kind IN "
                                    f"({', '.join('?' for _ in LAPTOP_NOTICES)}) AND at > ?",
                                    (device_kid, *LAPTOP_NOTICES, now - 86400)).fetchone()
        if recent >= NOTICES_PER_DAY:
            raise ladder.LadderError("This laptop has sent as many notices as a day allows; its records still "
                                     "reach the office.")
        who = self.contacts().volunteer(label)
        what, readers = LAPTOP_NOTICES[kind]
        text = (f"{who.called} recorded {what} at {ladder.day_and_clock(now)}. The record is on its way to the "
                "office, sealed: open the office console, where it is shown first, and record what was done. "
                "This message says nothing more on purpose.")
        told = self._notice(device_kid, key, 0, kind, text, readers, None, label, now, self.contacts(),
                            everyone=True)
        event("notice", kind=kind, readers=[r.value for r in readers])
        return told

    def _notice(self, device_kid: bytes, visit_id: str, tier: int, kind: str, text: str,
                readers: tuple[Reader, ...], facts: str | None, label: str, now: int, contacts: Contacts,
                everyone: bool | None = None) -> int:
        """One notice and a delivery to each of its readers' addresses, due now; returns how many
        deliveries. ``everyone``: whether every office user is told (by default, when they are a
        reader). Call inside a transaction."""
        told = Reader.OFFICE in readers if everyone is None else everyone
        cursor = self.db.execute(
            "INSERT INTO notices (device_kid, visit_id, tier, kind, everyone, text, at, readers, facts)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (device_kid, visit_id, tier, kind, int(told), text, now, ",".join(r.value for r in readers), facts))
        audience = contacts.audience(readers, label)
        for reader, channel, address in audience:
            self.db.execute("INSERT INTO deliveries (notice_id, reader, channel, address, next_at)"
                            " VALUES (?, ?, ?, ?, ?)", (cursor.lastrowid, reader, channel, address, now))
        return len(audience)

    # -- deliveries ----------------------------------------------------------------------------------
    def due_deliveries(self, now: int, limit: int = 50) -> list[Delivery]:
        rows = self.db.execute(
            "SELECT d.id, d.channel, d.address, d.attempts, d.reader, n.kind, n.text, n.facts, n.at FROM deliveries d"
            " JOIN notices n ON n.id = d.notice_id WHERE d.sent_at IS NULL AND d.next_at <= ? ORDER BY d.id LIMIT ?",
            (now, limit)).fetchall()
        policy = self.policy()
        out = []
        for did, channel, address, attempts, reader, kind, text, facts, at in rows:
            out.append(Delivery(did, channel, address, attempts, _mail(reader, kind, text, facts, policy), at))
        return out

    def delivered(self, delivery_id: int, now: int) -> None:
        self.db.execute("UPDATE deliveries SET sent_at = ?, error = NULL WHERE id = ?", (now, delivery_id))

    def failed(self, delivery: Delivery, now: int, error: str) -> None:
        wait = min(RETRY_MAX, 5 * 2 ** delivery.attempts)
        self.db.execute("UPDATE deliveries SET attempts = attempts + 1, next_at = ?, error = ?,"
                        " first_failed_at = coalesce(first_failed_at, ?) WHERE id = ?",
                        (now + wait, error[:200], now, delivery.id))

    def failing(self) -> tuple[int, str | None]:
        """(deliveries that have failed at least once and not gone since, the last error)."""
        row = self.db.execute("SELECT count(*), max(error) FROM deliveries WHERE sent_at IS NULL AND attempts > 0"
                              ).fetchone()
        return (int(row[0]), row[1]) if row else (0, None)

    def open_states(self) -> dict[str, int]:
        """How many visits being watched are in each state (out, overdue …), for the metrics."""
        rows = self.db.execute("SELECT state, count(*) FROM watches WHERE open = 1 GROUP BY state").fetchall()
        return {str(state): int(count) for state, count in rows}

    def undelivered(self) -> int:
        row = self.db.execute("SELECT count(*) FROM deliveries WHERE sent_at IS NULL").fetchone()
        return int(row[0])


def _mail(reader: str, kind: str, text: str, facts: str | None, policy: LadderPolicy) -> Mail:
    """The message for one delivery, written from its notice's stored facts. A notice stored
    before facts were kept is sent as its one line."""
    if facts:
        try:
            return render(Alert.from_dict(json.loads(facts)), Reader(reader), policy)
        except (ValueError, KeyError, TypeError):
            event("notice_facts_unreadable", level=logging.WARNING)
    subject = ("DRILL — " if text.startswith("DRILL") else "") + {
        "alert": "OVERDUE: a volunteer has not checked in", "duress": "DURESS: a volunteer needs help",
        "update": "Update: the volunteer checked in", "all clear": "All clear",
        "safeguarding": "Safeguarding concern recorded: open the office console",
        "incident": "Incident report (Form PO3) from a volunteer: open the office console"}.get(kind, "Visit alert")
    return Mail(subject, text + "\n", f"<p>{html.escape(text)}</p>", f"{subject}. {text}"[:480])


async def deliver_due(watchdog: Watchdog, sender: Sender, now: Callable[[], int],
                      metrics: RelayMetrics | None = None) -> int:
    """Send what is due. The database is used on the event loop's thread only; each send (SMTP
    blocks) runs in a worker thread. Returns how many went."""
    sent = 0
    for delivery in watchdog.due_deliveries(now()):
        try:
            await asyncio.to_thread(sender.send, delivery.channel, delivery.address, delivery.mail)
        except (OSError, smtplib.SMTPException) as exc:
            watchdog.failed(delivery, now(), _error_words(exc))
            event("delivery_failed", level=logging.WARNING, id=delivery.id, error=type(exc).__name__)
            if metrics is not None:
                metrics.send_failures.labels(delivery.channel).inc()
            continue
        at = now()
        watchdog.delivered(delivery.id, at)
        if metrics is not None:
            metrics.sent.labels(delivery.channel).inc()
            metrics.latency.observe(max(0, at - delivery.due_at))
        sent += 1
    return sent


def _error_words(exc: BaseException) -> str:
    """What the board says when a message cannot go: plain words, no addresses."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "the mail server refused the relay's login (check the SMTP user name and password)"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "the mail server does not offer a secure connection (STARTTLS)"
    if isinstance(exc, ssl.SSLError):
        return "the mail server's certificate or secure connection failed"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "the mail server refused the address"
    if isinstance(exc, ConnectionRefusedError | smtplib.SMTPConnectError | smtplib.SMTPServerDisconnected):
        return "the mail server is not answering"
    if isinstance(exc, TimeoutError):
        return "the mail server or SMS gateway took too long to answer"
    if isinstance(exc, urllib.error.URLError | urllib.error.HTTPError):
        return "the SMS gateway did not take the message"
    return f"the message could not be sent ({type(exc).__name__})"
