"""Issue 14, item 17, against a real ``ips-relay`` process: the relay does not keep a lasting
timeline of each volunteer's visits. A closed visit goes after a week with its notices, its
deliveries (family e-mail addresses) and its phone link; an envelope's routing row, receipts and
the office's messages go after the month. Time moves through the clock-offset file."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime

from ladder_world import MIN, World
from ladder_world import live as live  # the fixtures
from ladder_world import world as world
from smtp_support import Inbox

from ips_desktop.crypto.checkin import new_token
from ips_desktop.domain.escalation import CloseReason
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.office.inbox import pull
from ips_desktop.store.casebook import CaseBook
from ips_desktop.sync.watch_client import PhoneLink

DAY = 86400
TABLES = ("watches", "notices", "deliveries", "checkin_links", "envelopes", "receipts")


def rows(world: World) -> dict[str, int]:
    with sqlite3.connect(f"file:{world.tmp / 'relay' / 'relay.db'}?mode=ro", uri=True) as db:
        return {t: int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}


def test_a_closed_visit_and_a_sent_record_leave_no_timeline(live: tuple[World, str, Inbox]) -> None:
    world, _, _ = live
    due = int(world.now()) - 5 * MIN  # already overdue: the ladder makes notices and deliveries
    world.laptop_watch.open_watch("visit-kept-1", due, 0,
                                  link=PhoneLink(new_token(), "4827", "1593", latest_due=due + 60 * MIN))
    book = CaseBook(world.vault, lambda: datetime.now())
    case = book.open_case("PP-2026-0998")
    book.save(None, case, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 9, 0), 5, summary="A call."))
    assert world.sync.run().sent == 1
    assert pull(world.office, world.office_http).verified == 1
    deadline = time.monotonic() + 10
    while rows(world)["deliveries"] == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    world.office_watch.close(world.device, "visit-kept-1", CloseReason.CHECKED_IN, "PPO Jane")  # the all-clear
    held = rows(world)
    assert held["watches"] == 1, held
    assert held["notices"] > 0, held
    assert held["deliveries"] > 0, held
    assert held["envelopes"] == 1, held
    assert held["receipts"] >= 1, held

    world.move_to(int(world.now()) + 8 * DAY)  # a closed visit: a week
    deadline = time.monotonic() + 10
    while rows(world)["watches"] and time.monotonic() < deadline:
        time.sleep(0.1)
    after_week = rows(world)
    visits = ("watches", "notices", "deliveries", "checkin_links")
    assert [after_week[t] for t in visits] == [0, 0, 0, 0], after_week

    world.move_to(int(world.now()) + 31 * DAY)  # routing rows and receipts: the month
    deadline = time.monotonic() + 10
    while rows(world)["envelopes"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert rows(world) == dict.fromkeys(TABLES, 0)
