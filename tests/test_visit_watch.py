"""The volunteer app's core and the relay together: a visit planned in the real vault is
checked out, the relay confirms the watch (only then is it "monitored"), the relay learns no
address or case reference, the visit goes overdue and the PPO's e-mail arrives; a check-in
from the app ends the watch."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from conftest import Clock
from ladder_world import MIN, PPO, World
from ladder_world import world as world  # the fixture
from relay_support import relay_process

from ips_desktop.domain.escalation import WatchState
from ips_desktop.domain.visits import Slot, VenueKind
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.visitbook import VisitBook
from ips_desktop.sync.transport import TransportError
from ips_desktop.sync.visit_watch import VisitWatcher, epoch, latest_due

PLACE = "Canary-Kestrel-5521 library, Crediton"


@pytest.fixture
def day(clock: Clock) -> datetime:
    clock.now = datetime(2026, 11, 25, 13, 40)  # a Wednesday
    return clock.now


def test_check_out_is_monitored_only_once_the_relay_confirms(world: World, clock: Clock, day: datetime) -> None:
    book = CaseBook(world.vault, clock)
    visits = VisitBook(book, clock)
    case = book.open_case("PP-2026-0777")
    rid = visits.plan(case, Slot(VenueKind.PUBLIC, day + timedelta(minutes=20), 60), place=PLACE)
    visits.check_out(rid)
    visit = visits.get(rid).visit
    assert not visit.monitored
    world.move_to(epoch(day))

    # No relay yet: the visit stays not monitored and the volunteer is told why.
    with pytest.raises(TransportError, match="cannot be reached"):
        VisitWatcher(f"http://127.0.0.1:{world.relay_port}", world.keys.signing, world.now).open(
            visit, visits.policy)
    assert not visits.get(rid).visit.monitored

    with world.smtp() as inbox, \
            relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
        world.connect(url, key, enrol=True)
        watcher = VisitWatcher(url, world.keys.signing, world.now)
        watching = watcher.open(visit, visits.policy, pins=("4827", "1593"))
        visits.confirm_watch(rid)
        assert visits.get(rid).visit.monitored
        assert watching.url is not None
        assert watching.url.startswith(url + "/c/")
        assert watching.watch.due == epoch(visit.due_at)
        assert watching.watch.grace_s == 15 * MIN
        assert watching.link is not None
        assert watching.link.latest_due == epoch(latest_due(visit, visits.policy))  # 90 minutes in all
        assert watching.link.latest_due == epoch(day + timedelta(minutes=20 + 90))

        world.move_to(epoch(visit.alert_at) + 1)
        mail = inbox.wait_for(1)
        assert [to for to, _, _ in mail] == [PPO]
        assert "PP-2026-0777" not in mail[0][2]  # the relay never had the case reference
        assert "Canary-Kestrel" not in mail[0][2]

        clock.now = visit.alert_at + timedelta(minutes=1)
        visits.check_in(rid)
        safe = watcher.check_in(visits.get(rid).visit)
        assert safe.state is WatchState.SAFE  # late: the office closes it with a reason
        assert "Sarah checked in at 15:15 (app)." in inbox.wait_for(2)[1][2]

    relay_db = (world.tmp / "relay" / "relay.db").read_bytes()
    assert b"Canary-Kestrel" not in relay_db
    assert b"PP-2026-0777" not in relay_db
    assert b"4827" not in relay_db


def test_an_extension_moves_the_relays_due_time(world: World, clock: Clock, day: datetime) -> None:
    book = CaseBook(world.vault, clock)
    visits = VisitBook(book, clock)
    rid = visits.plan(book.open_case("PP-2026-0778"), Slot(VenueKind.PUBLIC, day + timedelta(minutes=20), 45),
                      place="Library, Crediton")
    visits.check_out(rid)
    world.move_to(epoch(day))
    with relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
        world.connect(url, key, enrol=True)
        watcher = VisitWatcher(url, world.keys.signing, world.now)
        watcher.open(visits.get(rid).visit, visits.policy)
        visits.extend(rid, 30)
        moved = watcher.extend(visits.get(rid).visit)
        assert moved.due == epoch(day + timedelta(minutes=20 + 45 + 30))
        time.sleep(0.1)
        assert world.office_watch.board()[0].watch.due == moved.due


def test_an_office_approval_reaches_the_laptop_through_the_relay(world: World, clock: Clock, day: datetime) -> None:
    from ips_desktop.domain.visit_flow import State
    from ips_desktop.office import messages

    book = CaseBook(world.vault, clock)
    visits = VisitBook(book, clock)
    clock.now = day - timedelta(days=1)
    rid = visits.plan(book.open_case("PP-2026-0779"), Slot(VenueKind.PARENT_HOME, day + timedelta(minutes=20), 60),
                      place="14 Victoria Road, Exeter EX4 6PQ", attendees=("parent",))
    with relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
        world.connect(url, key, enrol=True)
        messages.approve_visit(world.office, world.office_http, world.keys.kid, visits.get(rid).visit.visit_id,
                               "PPO Jane", "Nothing of concern on file.")
        relay_db = (world.tmp / "relay" / "relay.db").read_bytes()
        assert b"Nothing of concern" not in relay_db  # sealed to the laptop: the relay cannot read it
        assert world.sync.run().office_said == ["The office approved your visit for case PP-2026-0779."]
        assert visits.get(rid).visit.state is State.APPROVED
        assert world.laptop_watch.transport.request("GET", "/v1/messages") == b"[]"  # taken once applied
