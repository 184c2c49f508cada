"""Issue 14, item 10, through a real ``ips-relay`` process with the real office core and an
enrolled laptop: the office keys rotate fifty times, a record travels after each rotation and
comes back VERIFIED; retired receipt keys are trusted no longer. (After eight rotations the
bundle was refused by laptops and the relay, and the office's relay pull failed.)"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from conftest import Clock
from relay_world import Setup, relay_world

from ips_desktop.crypto import office_keys
from ips_desktop.crypto.wire import kid, raw_public
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.office.inbox import pull
from ips_desktop.sync.transport import Busy

ROTATIONS = 50


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[Setup]:
    with relay_world(tmp_path, clock) as setup:
        yield setup


def patiently(call: Callable[[], object]) -> None:
    """As the console does when the relay asks it to slow down (every pull publishes the bundle
    again, too): wait a moment and try again."""
    for _ in range(20):
        try:
            call()
            return
        except Busy:
            time.sleep(1)
    call()


def test_fifty_rotations_and_a_record_after_each(world: Setup, clock: Clock) -> None:
    case = world.book.open_case("PP-2026-0999")
    receipt_kids = [kid(raw_public(world.office.keys().receipt[0]))]
    for n in range(ROTATIONS):
        bundle = world.office.rotate()
        patiently(partial(world.office_transport.publish_bundle, bundle))
        receipt_kids.append(kid(raw_public(world.office.keys().receipt[0])))
        world.book.save(None, case, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 9, 0), 5,
                                                  summary=f"Call {n} after rotation {n + 1}."))
        sent = world.sync.run()
        for _ in range(10):  # the relay may ask the laptop to slow down: as the app, try again shortly
            if sent.status == "ok":
                break
            time.sleep(1)
            clock.now += timedelta(minutes=10)
            sent = world.sync.run()
        assert (sent.status, sent.sent) == ("ok", 1), f"rotation {n + 1}: {sent.message}"
        result = pull(world.office, world.office_transport)
        verified = result.verified
        while result.more_waiting:  # the relay asked the office to slow down: as the console, pull again
            time.sleep(1)
            result = pull(world.office, world.office_transport)
            verified += result.verified
        assert verified == 1, f"rotation {n + 1}: {result}"
        clock.now += timedelta(minutes=1)
    world.sync.run()  # the receipts come back
    assert {e.state for e in world.sync.state.all()} <= {"verified"}
    bundle = office_keys.open_bundle(world.office.bundle(), world.office.root_public())
    assert len(bundle.receipt_keys) == 2
    assert all(bundle.receipt_key(old) is None for old in receipt_kids[:-2]), "retired keys are not trusted"
    assert len(world.office.keys().encryption) <= 4


def test_a_lost_receipt_comes_back_under_the_current_key(world: Setup, clock: Clock) -> None:
    """The office verified an envelope, its receipt was lost, and the receipt key has since
    been retired: the copy the laptop sends again is answered with the same receipt signed by
    a key the laptop trusts (before: signed by the retired key, refused, waiting for ever)."""
    case = world.book.open_case("PP-2026-0998")
    world.book.save(None, case, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 11, 20, 9, 0), 5,
                                              summary="A call whose receipt is lost."))
    assert world.sync.run().sent == 1
    assert pull(world.office, world.office_transport).verified == 1
    with sqlite3.connect(world.relay_db) as db:
        assert db.execute("DELETE FROM receipts").rowcount == 1
    for _ in range(3):  # the receipt key that signed it is retired
        patiently(partial(world.office_transport.publish_bundle, world.office.rotate()))
    assert world.sync.run().verified == 0
    clock.now += timedelta(days=4)
    assert world.sync.run().sent == 1  # unanswered for three days: sent again
    again = pull(world.office, world.office_transport)
    assert (again.verified, again.duplicates) == (0, 1)
    assert world.sync.run().verified == 1
    assert world.sync.state.counts().waiting_for_office == 0
