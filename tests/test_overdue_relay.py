"""The overdue ladder end to end: a real ``ips-relay`` process, a real SMTP server on 127.0.0.1
that takes nothing before STARTTLS and a login, the office and an enrolled laptop talking to
the relay, and one clock for all of them, moved by the test through the documented clock input.

Each test asserts who received which message, its subject and the lines its reader acts on; every
message received is kept under test-reports/messages/ (see the ``report`` fixture)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from ladder_world import FAMILY, MANAGER, MIN, OFFICE_PHONE, POLICE, PPO, PPO2, World
from ladder_world import world as world  # the fixture
from relay_support import relay_process
from smtp_support import Inbox

from ips_desktop.crypto.checkin import new_token
from ips_desktop.domain.escalation import CloseReason, Reader, WatchState
from ips_desktop.sync.transport import TransportError
from ips_desktop.sync.watch_client import PhoneLink

Report = Callable[[Any], None]
PIN, DURESS = "4827", "1593"
RING_SARAH = "Ring Sarah on 07700 900456."


def recipients(mail: list[tuple[str, str, str]]) -> list[str]:
    return sorted(to for to, _, _ in mail)


def new_mail(inbox: Inbox, seen: int, count: int) -> list[tuple[str, str, str]]:
    """The next ``count`` messages after the ``seen`` already looked at, and no more."""
    mail = inbox.wait_for(seen + count)
    time.sleep(0.6)  # two ticks: nothing else is on its way
    assert len(inbox.received()) == seen + count, inbox.received()[seen:]
    return mail[seen:]


def to(mail: list[tuple[str, str, str]], address: str) -> tuple[str, str]:
    [(subject, body)] = [(s, b) for t, s, b in mail if t == address]
    return subject, body


@contextmanager
def running(world: World, report: Report) -> Iterator[tuple[str, Inbox]]:
    """The mail server and the relay process, the laptop enrolled; every message kept for the report."""
    with world.smtp() as inbox, \
            relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
        report(inbox)
        world.connect(url, key, enrol=True)
        yield url, inbox


def test_the_default_timeline_tells_each_reader_what_to_do(world: World, report: Report) -> None:
    with running(world, report) as (_url, inbox):
        due = world.working_day_at(10, 0)
        world.move_to(due - 10 * MIN)
        world.laptop_watch.open_watch("visit-0001", due, 15 * MIN, risk_flags=2)
        [row] = world.office_watch.board()
        assert (row.label, row.next_step_at) == ("IPS-11", due + 15 * MIN)

        world.move_to(due + 15 * MIN - 5)
        time.sleep(1.0)
        assert inbox.received() == []  # not yet: due + grace has not passed
        world.move_to(due + 15 * MIN + 1)
        [(address, subject, body)] = new_mail(inbox, 0, 1)
        assert (address, subject) == (PPO, "OVERDUE: Sarah (IPS-11) has not checked in")
        for line in (RING_SARAH, "Acknowledge on the visit board", "- Due back: 10:00 on ",
                     "- Alert raised: 10:15, after 15 minutes' grace", "- Risk answers: 2 flagged on the plan",
                     "At 10:20, if nobody acknowledges: every office user and the service manager will be told."):
            assert line in body, body
        assert "visit-0001" not in body  # no visit id, no place, no case reference
        assert parsedate_to_datetime(inbox.headers("Date")[0]).timestamp() == pytest.approx(due + 15 * MIN, abs=5)
        assert inbox.headers("Message-ID")[0].endswith("@office.test>")
        assert '<h1 style="color:#b00020' in inbox.html()[0]
        assert "Ring Sarah on 07700 900456." in inbox.html()[0]
        assert world.office_watch.board()[0].watch.state is WatchState.ALERTING

        # Nobody acknowledges for 5 minutes: it moves within the office (every office user and
        # the service manager), never straight to the family.
        world.move_to(due + 20 * MIN + 1)
        mail = new_mail(inbox, 1, 3)
        assert recipients(mail) == sorted([PPO, PPO2, MANAGER])
        assert "Nobody has acknowledged the alert for Sarah (IPS-11)" in to(mail, PPO2)[1]
        subject, body = to(mail, MANAGER)
        assert "Make sure someone in the office has taken it on" in body
        assert "At 10:30, if nobody acknowledges: the family contact will be told." in body

        world.move_to(due + 30 * MIN + 1)
        [(address, subject, body)] = new_mail(inbox, 4, 1)
        assert (address, subject) == (FAMILY, "Sarah has not checked in after a visit")
        for line in ("Sarah volunteers with Test Parent Partnership", "due back at 10:00", RING_SARAH,
                     f"ask them to ring the office on {OFFICE_PHONE}.", "ring 999"):
            assert line in body, body
        for jargon in ("visit board", "IPS Office", "IPS-11", "acknowledge", "PPO"):
            assert jargon not in body, jargon  # the family has no board and does not know the codes

        world.move_to(due + 45 * MIN + 1)
        [(address, subject, body)] = new_mail(inbox, 5, 1)
        assert (address, subject) == (POLICE, "POLICE DECISION: Sarah (IPS-11) is 45 minutes overdue")
        assert "Decide now whether to call the police." in body
        assert "give them the overdue pack" in body

        # An acknowledgement is told to everyone already told: the family too.
        world.office_watch.acknowledge(world.device, "visit-0001", "PPO Jane")
        with pytest.raises(TransportError, match="Already acknowledged by PPO Jane"):
            world.office_watch.acknowledge(world.device, "visit-0001", "PPO Sam")
        mail = new_mail(inbox, 6, 5)
        assert recipients(mail) == sorted([PPO, PPO2, MANAGER, FAMILY, POLICE])
        assert {s for _, s, _ in mail} == {"Acknowledged: PPO Jane is dealing with Sarah (IPS-11)"}
        assert "you do not need to do anything unless Sarah rings you" in to(mail, FAMILY)[1]

        # Closing needs a reason and says who closed it, to everyone told.
        with pytest.raises(TransportError, match="Closing needs one of the reasons"):
            world.office_http.request("POST", f"/v1/office/watches/{world.device}/visit-0001/close",
                                      b'{"reason": "fine", "by": "PPO Jane"}')
        closed = world.office_watch.close(world.device, "visit-0001", CloseReason.PHONED, "PPO Jane")
        assert (closed.state, closed.closed_by) == (WatchState.CLOSED, "PPO Jane")
        mail = new_mail(inbox, 11, 5)
        assert {s for _, s, _ in mail} == {"All clear: Sarah (IPS-11) is safe"}
        assert "PPO Jane closed the alert for Sarah (IPS-11) at 10:45: phoned the office." in to(mail, PPO)[1]
        with pytest.raises(TransportError, match="already closed"):
            world.laptop_watch.check_in("visit-0001")
        assert world.office_watch.board() == []
        assert world.office_watch.board(closed_since=0)[0].watch.closed_reason == "phoned the office"


def test_an_acknowledgement_in_the_office_keeps_the_family_out_of_it(world: World, report: Report) -> None:
    with running(world, report) as (_url, inbox):
        due = world.working_day_at(14, 0)
        world.move_to(due - 10 * MIN)
        world.laptop_watch.open_watch("visit-0002", due, 5 * MIN, poor_reception=True, risk_flags=1)
        world.move_to(due + 5 * MIN + 1)
        [(address, _, body)] = new_mail(inbox, 0, 1)
        assert address == PPO
        assert "- Reception: poor where the visit is" in body
        world.move_to(due + 10 * MIN + 1)  # the 5 minutes run out: within the office
        assert recipients(new_mail(inbox, 1, 3)) == sorted([PPO, PPO2, MANAGER])
        world.office_watch.acknowledge(world.device, "visit-0002", "PPO Sam")
        assert recipients(new_mail(inbox, 4, 3)) == sorted([PPO, PPO2, MANAGER])
        world.move_to(due + 50 * MIN)
        time.sleep(1.0)
        assert len(inbox.received()) == 7  # acknowledged: no family, no police decision
        world.laptop_watch.check_in("visit-0002")
        mail = new_mail(inbox, 7, 3)
        assert {s for _, s, _ in mail} == {"Checked in: Sarah (IPS-11) is safe"}
        assert "Sarah checked in at 14:50 (app)." in to(mail, MANAGER)[1]
        assert FAMILY not in recipients(inbox.received())


def test_outside_office_cover_the_family_and_police_decision_are_told_at_once(world: World,
                                                                             report: Report) -> None:
    with running(world, report) as (_url, inbox):
        due = world.working_day_at(17, 30)  # the office closes at 5pm
        world.move_to(due - 10 * MIN)
        world.laptop_watch.open_watch("visit-0003", due, 15 * MIN)
        world.move_to(due + 15 * MIN + 1)
        mail = new_mail(inbox, 0, 4)
        assert recipients(mail) == sorted([PPO, MANAGER, FAMILY, POLICE])
        subject, body = to(mail, FAMILY)
        assert "The office is closed at the moment, so you are being told straight away." in body
        assert "The office is closed, so do not wait for it" in body
        assert "so the family contact and the police decision were told at the same time" in to(mail, PPO)[1]
        assert world.office_watch.board()[0].watch.no_cover
        world.move_to(due + 20 * MIN + 1)  # every office user, in case someone is still there
        assert recipients(new_mail(inbox, 4, 2)) == sorted([PPO, PPO2])
        with pytest.raises(TransportError, match="Only a drill"):
            world.office_watch.close(world.device, "visit-0003", CloseReason.DRILL, "PPO Jane")
        world.office_watch.close(world.device, "visit-0003", CloseReason.CHECKED_IN, "PPO Jane")
        assert recipients(new_mail(inbox, 6, 5)) == sorted([PPO, PPO2, MANAGER, FAMILY, POLICE])

        # A drill on a Saturday: the same, every message marked DRILL.
        saturday = world.saturday_at(11)
        world.move_to(saturday - 2 * MIN)
        drill = world.office_watch.schedule_drill("December ladder test", saturday)
        world.move_to(saturday + 1)
        mail = new_mail(inbox, 11, 3)  # the drill has no family contact
        assert recipients(mail) == sorted([PPO, MANAGER, POLICE])
        subject, body = to(mail, PPO)
        assert subject == "DRILL — OVERDUE: December ladder test has not checked in"
        assert body.startswith("THIS IS A DRILL: nobody is in danger.")
        world.office_watch.close(drill.device, drill.watch.visit_id, CloseReason.DRILL, "PPO Jane")
        mail = new_mail(inbox, 14, 3)
        assert {s for _, s, _ in mail} == {"DRILL — All clear: the drill for December ladder test is over"}


def press(url: str, link: PhoneLink, pin: str, action: str = "safe") -> str:
    """What the volunteer's phone does on the check-in page: post the PIN and a button."""
    body = urllib.parse.urlencode({"pin": pin, "action": action}).encode()
    with urllib.request.urlopen(urllib.request.Request(link.url(url), body), timeout=5) as answer:
        return str(answer.read().decode())


def test_duress_while_out_and_after_escalation(world: World, report: Report) -> None:
    with running(world, report) as (url, inbox):
        due = world.working_day_at(11, 0)
        world.move_to(due - 40 * MIN)
        link = PhoneLink(new_token(), PIN, DURESS, latest_due=due + 30 * MIN)
        world.laptop_watch.open_watch("visit-0004", due, 15 * MIN, link=link)
        page = press(url, link, DURESS)
        assert "re checked in. Thank you.</p>" in page  # what whoever is watching the phone sees
        mail = new_mail(inbox, 0, 4)
        assert recipients(mail) == sorted([PPO, PPO2, MANAGER, POLICE])  # at once; never the family
        subject, body = to(mail, PPO)
        assert subject == "DURESS: Sarah (IPS-11) needs help"
        assert body.splitlines()[2] == ("DURESS: do not ring the volunteer; ring the police on 999 and give them the "
                                        "overdue pack.")
        assert "Do not ring Sarah: a call could put them in danger." in body
        assert "Ring Sarah on" not in body
        assert "Their screen showed a normal check-in" in body

        world.office_watch.acknowledge(world.device, "visit-0004", "PPO Jane")
        mail = new_mail(inbox, 4, 4)
        assert {s for _, s, _ in mail} == {"DURESS: Acknowledged: PPO Jane is dealing with Sarah (IPS-11)"}
        [row] = world.office_watch.board()
        assert row.watch.duress
        assert row.watch.state is WatchState.ACKNOWLEDGED
        with pytest.raises(TransportError, match="needs confirming"):
            world.office_watch.close(world.device, "visit-0004", CloseReason.INCIDENT, "PPO Jane")
        world.office_watch.close(world.device, "visit-0004", CloseReason.INCIDENT, "PPO Jane", confirm_duress=True)
        mail = new_mail(inbox, 8, 4)
        assert {s for _, s, _ in mail} == {"Closed: incident, Sarah (IPS-11)"}
        assert not any("All clear" in s or "safe" in s for _, s, _ in inbox.received())
        assert world.office_watch.board(closed_since=0)[0].watch.duress  # and in the history

        # After escalation: the family was told by time; duress then goes to the office and the
        # police decision at once, and a later check-in does not end it.
        due2 = due + 60 * MIN
        link2 = PhoneLink(new_token(), PIN, DURESS, latest_due=due2 + 30 * MIN)
        world.laptop_watch.open_watch("visit-0005", due2, 15 * MIN, link=link2)
        world.move_to(due2 + 15 * MIN + 1)
        new_mail(inbox, 12, 1)
        world.move_to(due2 + 20 * MIN + 1)
        new_mail(inbox, 13, 3)
        world.move_to(due2 + 30 * MIN + 1)
        assert recipients(new_mail(inbox, 16, 1)) == [FAMILY]
        seen = 17
        press(url, link2, DURESS)
        mail = new_mail(inbox, seen, 4)
        assert recipients(mail) == sorted([PPO, PPO2, MANAGER, POLICE])
        world.laptop_watch.check_in("visit-0005")
        mail = new_mail(inbox, seen + 4, 5)
        assert {s for _, s, _ in mail} == {"DURESS continues: a check-in came from Sarah (IPS-11)"}
        assert world.office_watch.board()[0].watch.state is WatchState.ALERTING


def test_a_restarted_relay_resumes_the_ladder_where_it_was(world: World, report: Report) -> None:
    with world.smtp() as inbox:
        report(inbox)
        with relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
            world.connect(url, key, enrol=True)
            due = world.working_day_at(10, 0)
            world.move_to(due - 10 * MIN)
            world.laptop_watch.open_watch("visit-0006", due, 15 * MIN)
            world.move_to(due + 15 * MIN + 1)
            assert recipients(new_mail(inbox, 0, 1)) == [PPO]
        # Down for 20 minutes: every step that fell due is taken once when it comes back.
        world.move_to(due + 35 * MIN)
        with relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
            world.connect(url, key, enrol=False)
            mail = new_mail(inbox, 1, 4)  # every office user and the manager; the family
            assert recipients(mail) == sorted([PPO, PPO2, MANAGER, FAMILY])
            world.move_to(due + 45 * MIN + 1)
            assert recipients(new_mail(inbox, 5, 1)) == [POLICE]
            told = world.office_watch.board()[0].watch.told
            assert told == (Reader.PPO, Reader.OFFICE, Reader.MANAGER, Reader.FAMILY, Reader.POLICE)


def health(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url + "/v1/health", timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def wait_until(check: Callable[[], bool], what: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_mail_down_then_up_is_retried_and_the_board_says_what_is_failing(world: World, report: Report) -> None:
    with relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
        world.connect(url, key, enrol=True)
        due = world.working_day_at(10, 0)
        world.move_to(due - 5 * MIN)
        world.laptop_watch.open_watch("visit-0007", due, 0)
        world.move_to(due + 1)
        wait_until(lambda: world.office_watch.board()[0].watch.state is WatchState.ALERTING, "no alert")
        wait_until(lambda: any(d.failing_since for d in world.office_watch.board()[0].deliveries), "no failure")
        [row] = world.office_watch.board()
        [delivery] = row.deliveries
        assert (delivery.reader, delivery.channel, delivery.sent_at) == ("ppo", "email", None)
        assert delivery.error == "the mail server is not answering"
        status, said = health(url)  # what monitoring sees: not "ok" while alerts fail
        assert status == 503, said
        assert said["status"] == "alerts are not getting out"
        assert said["alerts_failing"] == 1
        with world.smtp() as inbox:
            report(inbox)
            world.move_to(int(world.now()) + 30)  # past the back-off
            assert recipients(inbox.wait_for(1)) == [PPO]
            wait_until(lambda: health(url)[0] == 200, "health stayed unhealthy")
            assert world.office_watch.board()[0].deliveries[0].sent_at is not None
        assert health(url)[1]["status"] == "ok"


def test_a_mail_server_refusing_the_login_is_said_in_plain_words(world: World) -> None:
    env = {**world.env, "IPS_RELAY_SMTP_PASSWORD": "not the password"}
    with world.smtp() as inbox, \
            relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=env) as (url, key):
        world.connect(url, key, enrol=True)
        due = world.working_day_at(10, 0)
        world.move_to(due - 5 * MIN)
        world.laptop_watch.open_watch("visit-0008", due, 0)
        world.move_to(due + 1)
        wait_until(lambda: bool(world.office_watch.board()[0].deliveries)
                   and world.office_watch.board()[0].deliveries[0].error is not None, "no error on the board")
        assert world.office_watch.board()[0].deliveries[0].error == (
            "the mail server refused the relay's login (check the SMTP user name and password)")
        assert inbox.received() == []


def test_a_check_in_on_time_sends_nothing_and_a_replayed_request_is_refused(world: World) -> None:
    import http.client

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ips_desktop.crypto import request_auth

    with world.smtp() as inbox, \
            relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
        world.connect(url, key, enrol=True)
        due = int(world.now()) + 30 * MIN
        world.laptop_watch.open_watch("visit-0009", due, 15 * MIN)
        target = "/v1/watches/visit-0009/check-in"
        headers = request_auth.sign_request(world.keys.signing, "POST", target, b"{}", int(world.now()))

        def send(signed: dict[str, str]) -> int:
            conn = http.client.HTTPConnection("127.0.0.1", world.relay_port, timeout=5)
            conn.request("POST", target, b"{}", signed)
            return conn.getresponse().status

        forged = request_auth.sign_request(Ed25519PrivateKey.generate(), "POST", target, b"{}", int(world.now()))
        assert send(forged) == 403  # signed by a key the office never enrolled
        assert world.office_watch.board()[0].watch.state is WatchState.WATCHING
        assert send(headers) == 200
        assert send(headers) == 409  # the same signed request again: a replay
        world.move_to(due + 60 * MIN)
        time.sleep(1.0)
        assert inbox.received() == []
        assert world.office_watch.board() == []


def test_sms_only_through_the_offices_webhook(world: World) -> None:
    import http.server
    import threading

    got: list[dict[str, str]] = []

    class Gateway(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    extra = ("--sms-webhook", f"http://127.0.0.1:{server.server_port}/send", "--tick", "0.2",
             "--housekeeping", "0.3")  # no mail server at all
    try:
        with relay_process(world.tmp / "relay", world.root, world.relay_port, extra, env=world.env) as (url, key):
            world.connect(url, key, enrol=True)
            world.office_watch.set_contacts({1: []}, office=[], sms={1: ["07700 900123"]},
                                            family_sms={"IPS-11": ["07700 900789"]},
                                            volunteers={"IPS-11": {"first_name": "Sarah", "mobile": "07700900456"}})
            due = world.working_day_at(10, 0)
            world.move_to(due - 5 * MIN)
            world.laptop_watch.open_watch("visit-sms-1", due, 0)
            world.move_to(due + 1)
            wait_until(lambda: bool(got), "no SMS reached the webhook")
            assert got[0] == {"to": "+447700900123", "text": "OVERDUE: Sarah (IPS-11) has not checked in. "
                                                             f"{RING_SARAH} Office: {OFFICE_PHONE}."}
            world.move_to(due + 30 * MIN + 1)
            wait_until(lambda: len(got) >= 2, "the family's SMS did not go")
            assert got[1]["to"] == "+447700900789"
            assert got[1]["text"].startswith("Sarah has not checked in after a visit. Ring Sarah")
    finally:
        server.shutdown()
