"""The overdue ladder end to end: a real ``ips-relay`` process and a real SMTP server on
127.0.0.1, the office and an enrolled laptop talking to it, and the relay's clock moved on by
a test clock. A visit goes overdue and the PPO's e-mail arrives; the tiers climb on time; an
acknowledgement stops them; closing sends the all-clear; a relay restarted mid-ladder resumes
it; a mail server that is down is retried while the board still alarms."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from ladder_world import FAMILY, MANAGER, MIN, POLICE, PPO, PPO2, World
from ladder_world import world as world  # the fixture
from relay_support import relay_process
from smtp_support import smtp_server

from ips_desktop.domain.escalation import CloseReason, WatchState
from ips_desktop.sync.transport import TransportError


def recipients(mail: list[tuple[str, str, str]]) -> list[str]:
    return [to for to, _, _ in mail]


def test_overdue_alert_ladder_acknowledgement_and_all_clear(world: World) -> None:
    with smtp_server(world.smtp_port) as inbox, \
            relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
        world.connect(url, key, enrol=True)
        start = int(world.now())
        due = start + 10 * MIN
        watch = world.laptop_watch.open_watch("visit-0001", due, 5 * MIN)  # poor reception: 5 minutes' grace
        assert watch.state is WatchState.WATCHING
        board = world.office_watch.board()
        assert [(b.label, b.watch.visit_id, b.next_step_at) for b in board] == [("IPS-11", "visit-0001", due + 300)]

        world.move_to(due + 5 * MIN - 5)
        time.sleep(1.0)
        assert inbox.received() == []  # not yet: due + grace has not passed
        world.move_to(due + 5 * MIN + 1)
        mail = inbox.wait_for(1)
        assert recipients(mail) == [PPO]
        assert mail[0][1] == "OVERDUE: a volunteer has not checked in"
        assert "IPS-11" in mail[0][2]
        assert "visit-0001" in mail[0][2]
        assert world.office_watch.board()[0].watch.state is WatchState.ALERTING

        # Nobody acknowledges for 2 minutes: the manager and every office user are told.
        world.move_to(due + 7 * MIN + 2)
        mail = inbox.wait_for(4)
        assert sorted(recipients(mail[1:])) == sorted([MANAGER, PPO, PPO2])
        assert "Escalated to the service manager" in mail[1][2]
        # Two PPOs acknowledge at once: the first wins, the other is told who has it.
        world.office_watch.acknowledge(world.device, "visit-0001", "PPO Jane")
        with pytest.raises(TransportError, match="Already acknowledged by PPO Jane"):
            world.office_watch.acknowledge(world.device, "visit-0001", "PPO Sam")
        world.move_to(due + 40 * MIN)
        time.sleep(1.5)
        assert len(inbox.received()) == 4  # acknowledged: the ladder stops

        # Closing needs a reason and sends the all-clear to everyone who was told.
        with pytest.raises(TransportError, match="Closing needs one of the reasons"):
            world.office_http.request("POST", f"/v1/office/watches/{world.device}/visit-0001/close",
                                      b'{"reason": "fine", "by": "PPO Jane"}')
        closed = world.office_watch.close(world.device, "visit-0001", CloseReason.SAFE_LATE, "PPO Jane")
        assert closed.state is WatchState.CLOSED
        mail = inbox.wait_for(7)
        assert sorted(recipients(mail[4:])) == sorted([PPO, MANAGER, PPO2])
        assert all(subject == "All clear" for _, subject, _ in mail[4:])
        assert "safe, running late" in mail[4][2]
        # A check-in after the visit closed is refused, and the board keeps the record for the day.
        with pytest.raises(TransportError, match="already closed"):
            world.laptop_watch.check_in("visit-0001")
        assert world.office_watch.board() == []
        assert world.office_watch.board(closed_since=start)[0].watch.closed_reason == "safe, running late"


def test_a_relay_restarted_mid_ladder_resumes_where_it_was(world: World) -> None:
    with smtp_server(world.smtp_port) as inbox:
        with relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
            world.connect(url, key, enrol=True)
            due = int(world.now()) + 2 * MIN
            world.laptop_watch.open_watch("visit-0002", due, 15 * MIN)
            world.move_to(due + 15 * MIN + 1)
            assert recipients(inbox.wait_for(1)) == [PPO]
        # Down for 25 minutes: every tier that fell due is told once when it comes back.
        world.move_to(due + 40 * MIN)
        with relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
            world.connect(url, key, enrol=False)
            inbox.wait_for(1 + 2 * 3)  # the manager and family tiers fell due, each with every office user
            time.sleep(1.0)
            assert len(inbox.received()) == 7  # the police decision is not due until +45 or 2 minutes on
            world.move_to(due + 42 * MIN + 1)
            inbox.wait_for(10)
            time.sleep(0.5)
            mail = inbox.received()
            assert len(mail) == 10
            assert sum("Escalated to the PPO." in body for _, _, body in mail) == 1  # not sent again
            tier_of = {MANAGER: "the service manager", FAMILY: "the nominated family contact",
                       POLICE: "the police decision"}
            for to, words in tier_of.items():
                assert [f"Escalated to {words}." in body for t, _, body in mail if t == to] == [True]
            assert world.office_watch.board()[0].watch.tier == 4


def test_a_mail_server_that_is_down_is_retried_and_the_board_still_alarms(world: World) -> None:
    with relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
        world.connect(url, key, enrol=True)
        due = int(world.now()) + MIN
        world.laptop_watch.open_watch("visit-0003", due, 0)
        world.move_to(due + 1)
        deadline = time.monotonic() + 10
        while world.office_watch.board()[0].watch.state is not WatchState.ALERTING:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(1.0)  # a failed attempt or two against the closed port
        status, report = health(url)  # what monitoring sees: not "ok" while alerts fail
        assert status == 503, report
        assert report["status"] == "alerts are not getting out"
        assert report["alerts_failing"] == 1
        assert report["last_delivery_error"] == "ConnectionRefusedError"
        assert report["ladder_last_tick_s_ago"] < 5
        with smtp_server(world.smtp_port) as inbox:
            world.move_to(int(world.now()) + 30)  # past the back-off
            assert recipients(inbox.wait_for(1)) == [PPO]
            deadline = time.monotonic() + 10
            while health(url)[0] != 200:
                assert time.monotonic() < deadline, health(url)
                time.sleep(0.1)
        assert health(url)[1]["status"] == "ok"


def health(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url + "/v1/health", timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_a_check_in_on_time_sends_nothing_and_a_replayed_request_is_refused(world: World) -> None:
    with smtp_server(world.smtp_port) as inbox, \
            relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
        world.connect(url, key, enrol=True)
        due = int(world.now()) + 30 * MIN
        world.laptop_watch.open_watch("visit-0004", due, 15 * MIN)
        transport = world.laptop_watch.transport
        target = "/v1/watches/visit-0004/check-in"
        from ips_desktop.crypto import request_auth

        headers = request_auth.sign_request(world.keys.signing, "POST", target, b"{}", int(world.now()))
        import http.client

        def send() -> int:
            conn = http.client.HTTPConnection("127.0.0.1", world.relay_port, timeout=5)
            conn.request("POST", target, b"{}", headers)
            return conn.getresponse().status

        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        forged = request_auth.sign_request(Ed25519PrivateKey.generate(), "POST", target, b"{}", int(world.now()))
        conn = http.client.HTTPConnection("127.0.0.1", world.relay_port, timeout=5)
        conn.request("POST", target, b"{}", forged)
        assert conn.getresponse().status == 403  # signed by a key the office never enrolled
        assert world.office_watch.board()[0].watch.state is WatchState.WATCHING
        assert send() == 200
        assert send() == 409  # the same signed request again: a replay
        assert transport is not None
        world.move_to(due + 60 * MIN)
        time.sleep(1.0)
        assert inbox.received() == []
        assert world.office_watch.board() == []


def test_a_scheduled_drill_runs_the_ladder_marked_as_a_drill(world: World) -> None:
    with smtp_server(world.smtp_port) as inbox, \
            relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
        world.connect(url, key, enrol=True)
        due = int(world.now()) + MIN
        drill = world.office_watch.schedule_drill("November ladder test", due)
        assert drill.watch.drill
        [row] = world.office_watch.board()
        assert row.label == "DRILL November ladder test"
        world.move_to(due + 1)
        mail = inbox.wait_for(1)
        assert mail[0][1] == "DRILL — OVERDUE: a volunteer has not checked in"
        assert mail[0][2].startswith("DRILL — ")
        world.office_watch.close(drill.device, drill.watch.visit_id, CloseReason.DRILL, "PPO Jane")
        mail = inbox.wait_for(2)
        assert mail[1][1] == "DRILL — All clear"
        assert world.office_watch.board(closed_since=0)[0].watch.closed_reason == "drill"


def test_sms_goes_through_the_offices_webhook(world: World) -> None:
    import http.server
    import json
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
    extra = (*world.extra, "--sms-webhook", f"http://127.0.0.1:{server.server_port}/send")
    try:
        with smtp_server(world.smtp_port), \
                relay_process(world.tmp / "relay", world.root, world.relay_port, extra, env=world.env) as (url, key):
            world.connect(url, key, enrol=True)
            world.office_watch.set_contacts({1: [PPO]}, office=[], sms={1: ["07700 900123"]})
            due = int(world.now()) + MIN
            world.laptop_watch.open_watch("visit-sms-1", due, 0)
            world.move_to(due + 1)
            deadline = time.monotonic() + 10
            while not got:
                assert time.monotonic() < deadline, "no SMS reached the webhook"
                time.sleep(0.05)
            assert got[0]["to"] == "07700 900123"
            assert "has not checked in" in got[0]["text"]
    finally:
        server.shutdown()
