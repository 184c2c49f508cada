"""The mobile check-in page the relay serves (DESIGN §6): a one-time link opened on the
volunteer's phone, a PIN, and three big buttons — "I'm safe", "Extend" and "I need help".

Plain HTML and a form post: no JavaScript, readable on a small screen. Every link, valid or
not, shows the same page until a right PIN is given, so a found or guessed link tells nothing
about the visit. Five wrong PINs lock the link. The duress PIN answers exactly as a check-in
does and raises a silent top-priority alarm. Nothing here is logged but the outcome's name.
"""

from __future__ import annotations

import contextlib
import html
import sqlite3
from collections.abc import Callable
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from ..crypto import checkin
from ..domain import escalation as ladder
from .app import Relay, RelayError, read_body
from .logs import event
from .watchdog import Watchdog

MAX_FAILURES = 5
MAX_FORM = 2048  # a PIN and a button
LOCKED = "Too many wrong PINs: this link is locked. Ring the office now."
PAST_LIMIT = ("That would take the visit past its time limit (90 minutes, or 17:00 for a home visit). "
              "Ring the office to agree more time.")
Apply = Callable[[ladder.Watch], tuple[ladder.Watch, list[ladder.Notice]]]
EXTEND_CHOICES = (15, 30)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checkin_links (
    link_id BLOB PRIMARY KEY, device_kid BLOB NOT NULL, visit_id TEXT NOT NULL, pin BLOB NOT NULL,
    duress BLOB NOT NULL, latest_due INTEGER NOT NULL, failures INTEGER NOT NULL DEFAULT 0,
    locked INTEGER NOT NULL DEFAULT 0
);
"""

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:1.2rem;max-width:28rem;
margin:auto;font-size:1.15rem;line-height:1.4;color:#111;background:#fafafa}
h1{font-size:1.5rem;margin:.2rem 0 1rem}
label{display:block;font-weight:600;margin-bottom:.3rem}
input[type=password]{font-size:1.6rem;width:100%;box-sizing:border-box;padding:.6rem;letter-spacing:.3rem;
border:2px solid #333;border-radius:.4rem}
button{display:block;width:100%;font-size:1.3rem;padding:1rem;margin:.7rem 0;border:0;border-radius:.5rem;
color:#fff;font-weight:700}
.safe{background:#1b6e2a}.extend{background:#1f4f8f}.help{background:#b00020}
.note{color:#444;font-size:1rem}.done{font-size:1.4rem;font-weight:700;color:#1b6e2a}
.problem{color:#b00020;font-weight:700}
"""

_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow",
            "X-Frame-Options": "DENY", "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "form-action 'self'; base-uri 'none'"}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (f"<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
                f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
                f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>")
    return HTMLResponse(document, status_code=status, headers=_HEADERS)


def _form(problem: str = "") -> HTMLResponse:
    extend = "".join(f"<button class='extend' name='action' value='extend{m}'>Extend by {m} minutes</button>"
                     for m in EXTEND_CHOICES)
    shown = f"<p class='problem' role='alert'>{html.escape(problem)}</p>" if problem else ""
    return _page("Check in", f"""<h1>Check in</h1>{shown}
<form method='post' autocomplete='off'>
<label for='pin'>Your check-in PIN</label>
<input id='pin' name='pin' type='password' inputmode='numeric' pattern='[0-9]*' maxlength='8' required autofocus>
<button class='safe' name='action' value='safe'>I'm safe</button>{extend}
<button class='help' name='action' value='help'>I need help</button>
</form><p class='note'>In danger now? Call 999.</p>""")


def _done(message: str) -> HTMLResponse:
    return _page("Checked in", f"<h1>Thank you</h1><p class='done' role='status'>{html.escape(message)}</p>"
                               "<p class='note'>You can close this page.</p>")


class CheckinLinks:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.db.executescript(_SCHEMA)

    def add(self, link_id: bytes, device_kid: bytes, visit_id: str, pin: bytes, duress: bytes,
            latest_due: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO checkin_links (link_id, device_kid, visit_id, pin, duress, latest_due)"
                        " VALUES (?, ?, ?, ?, ?, ?)", (link_id, device_kid, visit_id, pin, duress, latest_due))

    def find(self, link_id: bytes) -> tuple[bytes, str, bytes, bytes, int, int, int] | None:
        row = self.db.execute("SELECT device_kid, visit_id, pin, duress, latest_due, failures, locked"
                              " FROM checkin_links WHERE link_id = ?", (link_id,)).fetchone()
        return (bytes(row[0]), row[1], bytes(row[2]), bytes(row[3]), row[4], row[5], row[6]) if row else None

    def failed(self, link_id: bytes) -> int:
        self.db.execute("UPDATE checkin_links SET failures = failures + 1,"
                        " locked = (failures + 1 >= ?) WHERE link_id = ?", (MAX_FAILURES, link_id))
        row = self.db.execute("SELECT failures FROM checkin_links WHERE link_id = ?", (link_id,)).fetchone()
        return int(row[0]) if row else 0


def add_checkin_routes(app: FastAPI, relay: Relay, watchdog: Watchdog, links: CheckinLinks) -> None:
    @app.get("/c/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def show(token: str, request: Request) -> HTMLResponse:
        try:
            _limit(relay, request, token)
        except _Slow:
            return _slow_page(relay)
        return _form()

    @app.post("/c/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def answer(token: str, request: Request) -> HTMLResponse:
        try:
            _limit(relay, request, token)
        except _Slow:
            return _slow_page(relay)
        try:  # read while counting: a 600 MB post stops at 2 KiB, it is never held whole
            body = await read_body(request, MAX_FORM)
        except RelayError:
            return _form("Type your PIN and press a button.")
        fields = parse_qs(body.decode(errors="replace"))
        pin = (fields.get("pin") or [""])[0].strip()
        action = (fields.get("action") or [""])[0]
        if not pin or action not in ("safe", "help", *(f"extend{m}" for m in EXTEND_CHOICES)):
            return _form("Type your PIN and press a button.")
        found = links.find(checkin.token_id(token)) if checkin.token_bytes(token) else None
        if found is None:
            checkin.pin_verifier(pin, token)  # the same work either way: no timing oracle
            return _form("That PIN was not accepted.")
        device_kid, visit_id, pin_v, duress_v, latest_due, _, locked = found
        # The duress PIN raises the alarm whatever else is true (even on a locked link), and the
        # page answers exactly as the real PIN would for the button pressed: whoever is watching
        # the phone sees nothing different.
        if checkin.pin_matches(pin, token, duress_v):
            held = watchdog.get(device_kid, visit_id)
            too_long = (action.startswith("extend") and held is not None
                        and held[0].due + 60 * int(action.removeprefix("extend")) > latest_due)
            if locked or too_long:
                _alarm(device_kid, visit_id)
                return _form(LOCKED) if locked else _refused(PAST_LIMIT)
            return _apply(lambda w: ladder.duress(w, relay.now()), device_kid, visit_id, "duress", _said(action))
        if locked:
            return _form(LOCKED)
        if not checkin.pin_matches(pin, token, pin_v):
            failures = links.failed(checkin.token_id(token))
            event("checkin_page", outcome="wrong_pin", failures=failures)
            if failures >= MAX_FAILURES:
                return _form(LOCKED)
            return _form("That PIN was not accepted.")
        if action == "safe":
            return _apply(lambda w: ladder.check_in(w, relay.now(), "phone page"), device_kid, visit_id, "safe",
                          _said(action))
        if action == "help":
            return _apply(lambda w: ladder.duress(w, relay.now(), asked_for_help=True), device_kid, visit_id, "help",
                          _said(action))
        minutes = int(action.removeprefix("extend"))

        def extend(w: ladder.Watch) -> tuple[ladder.Watch, list[ladder.Notice]]:
            new_due = w.due + 60 * minutes
            if new_due > latest_due:
                raise ladder.LadderError(PAST_LIMIT)
            return ladder.extend(w, new_due), []

        return _apply(extend, device_kid, visit_id, "extend", _said(action))

    def _alarm(device_kid: bytes, visit_id: str) -> None:
        with contextlib.suppress(LookupError, ladder.LadderError):
            watchdog.step(device_kid, visit_id, relay.now(), lambda w: ladder.duress(w, relay.now()))
        event("checkin_page", outcome="duress")

    def _apply(change: Apply, device_kid: bytes, visit_id: str, outcome: str, success: str) -> HTMLResponse:
        try:
            watchdog.step(device_kid, visit_id, relay.now(), change)
        except LookupError:
            return _form("This visit is not being watched. Ring the office.")
        except ladder.LadderError as exc:
            if outcome == "duress":  # even on a closed visit the alarm must look like success
                return _done(success)
            return _refused(str(exc))
        event("checkin_page", outcome=outcome)
        return _done(success)


def _refused(message: str) -> HTMLResponse:
    return _page("Check in", f"<h1>Check in</h1><p class='problem' role='alert'>{html.escape(message)}"
                             "</p><p class='note'>Ring the office if you need to.</p>")


def _said(action: str) -> str:
    """What the page says after a button, the same for the real PIN and the duress PIN."""
    if action == "safe":
        return "You're checked in. Thank you."
    if action == "help":
        return "The office has been alerted and is calling for help. If you are in danger, call 999."
    return f"Extended by {int(action.removeprefix('extend'))} minutes."


class _Slow(Exception):
    """The page was asked too often: answered with the page itself, never raw JSON."""


def _limit(relay: Relay, request: Request, token: str) -> None:
    """Tries are counted per link (a few a minute: a person pressing buttons), and far more
    loosely per address: behind a council's proxy or a mobile network's shared address one
    phone must not block every volunteer's "I'm safe"."""
    link = checkin.token_id(token).hex() if checkin.token_bytes(token) else "not-a-link"
    if not relay.open_limiter.allow("page-link:" + link, relay.clock()) or \
            not relay.page_limiter.allow("page-from:" + relay.source(request), relay.clock()):
        raise _Slow


def _slow_page(relay: Relay) -> HTMLResponse:
    relay.refused("/c/{token}", "rate_limited", 429)
    return _page("Check in", "<h1>Check in</h1><p class='problem' role='alert'>Too many tries just now. Wait a "
                             "minute and try again.</p><p class='note'>If you need help, ring the office now. "
                             "In danger? Call 999.</p>", status=429)

