"""The volunteer's window and the relay's watch, with a stand-in watcher (the real relay is in
tests/test_visit_watch.py): not monitored until the relay answers, then monitored with the
phone link and its QR code; a relay that cannot be reached says to phone the office; the app's
check-in reaches the relay."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from ips_desktop.domain.escalation import Watch
from ips_desktop.domain.visits import Slot, VenueKind
from ips_desktop.sync.transport import TransportError
from ips_desktop.sync.visit_watch import Watching
from ips_desktop.sync.watch_client import PhoneLink

pytestmark = pytest.mark.gui


class StandInWatcher:
    def __init__(self) -> None:
        self.reachable = False
        self.opened: list[tuple[str, tuple[str, str] | None]] = []
        self.checked_in: list[str] = []

    def open(self, visit, policy, pins=None, drill=False):  # type: ignore[no-untyped-def]
        if not self.reachable:
            raise TransportError("The office relay at https://relay.test cannot be reached.")
        self.opened.append((visit.visit_id, pins))
        link = PhoneLink("tok", *pins, 0) if pins else None
        return Watching(Watch(visit.visit_id, "IPS-17", 0, 900), link, "https://relay.test/c/tok" if link else None)

    def check_in(self, visit):  # type: ignore[no-untyped-def]
        self.checked_in.append(visit.visit_id)
        return Watch(visit.visit_id, "IPS-17", 0, 900)

    def extend(self, visit):  # type: ignore[no-untyped-def]
        return Watch(visit.visit_id, "IPS-17", 0, 900)


def test_monitored_only_when_the_relay_answers(running, qtbot) -> None:
    app, clock = running
    clock.now = datetime(2026, 11, 25, 13, 40)
    app.book.save_settings(replace(app.book.settings, checkin_pin="4827", duress_pin="1593"))
    watcher = StandInWatcher()
    controller = app.visits
    controller.keeper.watcher_for = lambda: watcher
    problems: list[str] = []
    controller.keeper.problem.connect(problems.append)
    case = app.book.open_case("PP-2026-0901")
    rid = controller.visits.plan(case, Slot(VenueKind.PUBLIC, clock.now + timedelta(minutes=20), 60),
                                 place="Library, Crediton")
    controller.after_step(urgent=False)

    controller.banner.check_out.click()  # as the volunteer leaves for the visit
    assert controller.visits.get(rid).visit.state.value == "out"
    qtbot.waitUntil(lambda: bool(problems), timeout=5000)
    assert "Phone the office to tell them" in problems[0]
    controller.keeper.sync()
    qtbot.wait(200)
    assert len(problems) == 1  # said once, not every 30 seconds
    assert not controller.visits.get(rid).visit.monitored
    assert "NOT MONITORED" in controller.banner.detail.text()

    watcher.reachable = True
    controller.keeper.sync()
    qtbot.waitUntil(lambda: controller.visits.get(rid).visit.monitored, timeout=5000)
    assert watcher.opened == [(controller.visits.get(rid).visit.visit_id, ("4827", "1593"))]
    assert "NOT MONITORED" not in controller.banner.detail.text()
    dialog = controller.link_dialog
    assert dialog is not None
    assert dialog.link.text() == "https://relay.test/c/tok"
    assert not dialog.code.pixmap().isNull()  # the QR code to scan

    controller.check_in_now()
    qtbot.waitUntil(lambda: bool(watcher.checked_in), timeout=5000)
    app.lock()
    assert not dialog.isVisible(), "the link is off screen while locked"
