"""The phone check-in page against a real ``ips-relay`` process, driven as an attacker or a
coercer would (plain HTTP posts of the form).

Issue 14, items 5 and 20: once a visit closes, its phone link and the PIN verifiers behind it
are gone from ``relay.db`` (with a token and the file the PINs were ground offline in 194 s),
and the spent link cannot re-open the alarm. Item 7: the duress PIN always raises the alarm,
and the page answers it exactly as it answers the real PIN for the same button."""

from __future__ import annotations

import html
import sqlite3
import urllib.parse
import urllib.request

import pytest
from ladder_world import MIN, World
from ladder_world import live as live  # the fixtures
from ladder_world import world as world
from smtp_support import Inbox

from ips_desktop.crypto.checkin import new_token
from ips_desktop.sync.watch_client import PhoneLink

PIN, DURESS = "4827", "1593"


def press(url: str, pin: str, action: str) -> str:
    form = urllib.parse.urlencode({"pin": pin, "action": action}).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=form, method="POST"), timeout=10) as answer:
        return html.unescape(answer.read().decode())


def links_held(world: World) -> int:
    with sqlite3.connect(f"file:{world.tmp / 'relay' / 'relay.db'}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT count(*) FROM checkin_links").fetchone()[0])


def watched(world: World, visit_id: str) -> PhoneLink:
    due = int(world.now()) + 30 * MIN
    link = PhoneLink(new_token(), PIN, DURESS, latest_due=due + 20 * MIN)
    world.laptop_watch.open_watch(visit_id, due, 15 * MIN, link=link)
    return link


def alarmed(world: World, visit_id: str) -> bool:
    return any(row.watch.visit_id == visit_id and row.watch.duress for row in world.office_watch.board())


def test_a_closed_visits_link_is_deleted_and_cannot_raise_the_alarm_again(live: tuple[World, str, Inbox]) -> None:
    world, url, inbox = live
    link = watched(world, "visit-spent-1")
    assert links_held(world) == 1
    assert "You're checked in" in press(link.url(url), PIN, "safe")
    assert links_held(world) == 0, "the link and its PIN verifiers went with the visit"
    answer = press(link.url(url), PIN, "help")  # before: re-opened the alarm on a closed visit
    assert "Thank you" not in answer
    assert world.office_watch.board() == [], "no alarm from a spent link"
    assert inbox.received() == []


def test_the_duress_pin_raises_the_alarm_on_a_link_locked_by_wrong_pins(live: tuple[World, str, Inbox]) -> None:
    """Before: after five wrong PINs the lock was checked first, and the duress PIN did nothing."""
    world, url, _ = live
    link = watched(world, "visit-duress-1")
    for _ in range(5):
        press(link.url(url), "0000", "safe")
    real = press(link.url(url), PIN, "safe")
    assert "locked" in real
    coerced = press(link.url(url), DURESS, "safe")
    assert coerced == real, "the coercer sees what the real PIN shows"
    assert alarmed(world, "visit-duress-1")


@pytest.mark.parametrize("action", ["extend15", "extend30", "safe", "help"])
def test_the_duress_pin_answers_as_the_real_pin_does_for_each_button(live: tuple[World, str, Inbox],
                                                                     action: str) -> None:
    """Before: duress and "Extend" answered "You're checked in" instead of "Extended by 15 minutes"."""
    world, url, _ = live
    real = press(watched(world, f"visit-real-{action}").url(url), PIN, action)
    coerced = press(watched(world, f"visit-coerced-{action}").url(url), DURESS, action)
    assert coerced == real
    assert alarmed(world, f"visit-coerced-{action}")
