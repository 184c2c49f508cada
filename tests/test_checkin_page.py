"""The phone check-in page in a real headless Chromium (Debian's, driven by Playwright),
served by a real relay process: check in with the PIN; the duress PIN looks the same to the
volunteer while the board shows the alarm and the office is e-mailed; a found or guessed link
shows nothing about the visit; five wrong PINs lock it; extend stays within the limits."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest
from ladder_world import MANAGER, MIN, POLICE, PPO, PPO2, World
from ladder_world import live as live  # the fixtures
from ladder_world import world as world
from smtp_support import Inbox

from ips_desktop.crypto.checkin import new_token
from ips_desktop.domain.escalation import WatchState
from ips_desktop.sync.watch_client import PhoneLink

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PIN, DURESS = "4827", "1593"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("IPS_REQUIRE_BROWSER"):
            pytest.fail("IPS_REQUIRE_BROWSER is set but Debian's chromium is not installed")
        pytest.skip("no chromium on this machine (CI installs Debian's)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A small phone screen."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def watched_visit(world: World, url: str, visit_id: str) -> tuple[PhoneLink, int]:
    due = int(world.now()) + 30 * MIN
    link = PhoneLink(new_token(), PIN, DURESS, latest_due=due + 20 * MIN)
    world.laptop_watch.open_watch(visit_id, due, 15 * MIN, link=link)
    return link, due


def test_checking_in_with_the_pin(live: tuple[World, str, Inbox], phone: Any) -> None:
    world, url, inbox = live
    link, _ = watched_visit(world, url, "visit-page-1")
    phone.goto(link.url(url))
    assert phone.title() == "Check in"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # fits a small screen
    assert phone.evaluate("document.scripts.length") == 0  # no JavaScript at all
    assert "IPS-11" not in phone.content()
    assert "visit-page-1" not in phone.content()
    phone.fill("#pin", PIN)
    phone.click("text=I'm safe")
    assert phone.locator("[role=status]").inner_text() == "You're checked in. Thank you."
    assert world.office_watch.board() == []  # on time: the watch simply ends
    closed = world.office_watch.board(closed_since=0)[0].watch
    assert closed.closed_reason == "checked in (phone page)"
    time.sleep(0.5)
    assert inbox.received() == []


def test_the_duress_pin_looks_like_success_and_raises_the_alarm(live: tuple[World, str, Inbox], phone: Any) -> None:
    world, url, inbox = live
    link, _ = watched_visit(world, url, "visit-page-2")
    phone.goto(link.url(url))
    phone.fill("#pin", PIN)
    phone.click("text=I'm safe")
    normal = phone.content()
    link2, _ = watched_visit(world, url, "visit-page-3")
    phone.goto(link2.url(url))
    phone.fill("#pin", DURESS)
    phone.click("text=I'm safe")
    assert phone.content() == normal  # byte for byte what a real check-in shows
    board = {b.watch.visit_id: b.watch for b in world.office_watch.board()}
    assert board["visit-page-3"].duress
    assert board["visit-page-3"].state is WatchState.ALERTING
    mail = inbox.wait_for(4)
    # at once: the PPO, every office user, the service manager and the police decision; not the family
    assert sorted(to for to, _, _ in mail) == sorted([PPO, PPO2, MANAGER, POLICE])
    assert all(subject == "DURESS: Sarah (IPS-11) needs help" for _, subject, _ in mail)


def test_a_found_or_guessed_link_tells_nothing_and_wrong_pins_lock_it(live: tuple[World, str, Inbox],
                                                                      phone: Any) -> None:
    world, url, _ = live
    link, _ = watched_visit(world, url, "visit-page-4")
    phone.goto(link.url(url))
    real = phone.content()
    phone.goto(url + "/c/" + new_token())
    assert phone.content() == real  # a guessed link shows exactly the same page
    phone.fill("#pin", PIN)
    phone.click("text=I'm safe")
    assert phone.locator("[role=alert]").inner_text() == "That PIN was not accepted."
    phone.goto(link.url(url))
    for _ in range(4):
        phone.fill("#pin", "0000")
        phone.click("text=I'm safe")
        assert phone.locator("[role=alert]").inner_text() == "That PIN was not accepted."
    phone.fill("#pin", "0000")
    phone.click("text=I'm safe")
    assert "this link is locked" in phone.locator("[role=alert]").inner_text()
    phone.fill("#pin", PIN)  # even the right PIN now: ring the office
    phone.click("text=I'm safe")
    assert "this link is locked" in phone.locator("[role=alert]").inner_text()
    assert world.office_watch.board()[0].watch.state is WatchState.WATCHING


def test_extend_within_the_limits_and_i_need_help(live: tuple[World, str, Inbox], phone: Any) -> None:
    world, url, inbox = live
    link, due = watched_visit(world, url, "visit-page-5")
    phone.goto(link.url(url))
    phone.fill("#pin", PIN)
    phone.click("text=Extend by 15 minutes")
    assert phone.locator("[role=status]").inner_text() == "Extended by 15 minutes."
    assert world.office_watch.board()[0].watch.due == due + 15 * MIN
    phone.goto(link.url(url))
    phone.fill("#pin", PIN)
    phone.click("text=Extend by 15 minutes")  # 30 past the plan: beyond the 20 minutes it may run over
    assert "past its time limit" in phone.locator("[role=alert]").inner_text()
    phone.goto(link.url(url))
    phone.fill("#pin", PIN)
    phone.click("text=I need help")
    assert "calling for help" in phone.locator("[role=status]").inner_text()
    mail = inbox.wait_for(2)
    assert "pressed “I need help”" in mail[0][2]
