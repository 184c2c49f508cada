"""Who the volunteer is, from the laptop to the people who need it: the volunteer's name, mobile,
vehicle and description are entered on the laptop, sealed to the office, shown in the overdue pack
and (the first name and mobile only) used by the relay's messages. The overdue pack is read back
for an overdue visit and for a duress. The real relay process, a mail server that requires
STARTTLS and a login, and one clock moved through the documented input."""

from __future__ import annotations

import io
import time
import urllib.parse
import urllib.request
from datetime import timedelta

from conftest import Clock
from ladder_world import MANAGER, MIN, POLICE, PPO, PPO2, World
from ladder_world import world as world  # the fixture
from pypdf import PdfReader
from relay_support import relay_process

from ips_desktop.domain.about_me import AboutMe
from ips_desktop.domain.risk import Factor
from ips_desktop.domain.uk_time import from_epoch
from ips_desktop.domain.visits import Slot, VenueKind
from ips_desktop.office.console import OfficeConsole
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.visitbook import VisitBook
from ips_desktop.sync.visit_watch import VisitWatcher, epoch

PLACE = "Crediton Library, Union Road"
PIN, DURESS = "4827", "1593"


def pack_text(console: OfficeConsole, device: str, visit_id: str) -> str:
    pdf = console.overdue_pack(device, visit_id)
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def test_the_pack_and_the_messages_say_who_the_volunteer_is(world: World, clock: Clock, report,  # type: ignore[no-untyped-def]
                                                             monkeypatch) -> None:
    monkeypatch.setenv("IPS_CLOCK_OFFSET_FILE", str(world.offset_file))  # the console reads the documented clock
    day = from_epoch(world.working_day_at(9, 30))
    clock.now = day
    book = CaseBook(world.vault, clock)
    visits = VisitBook(book, clock)
    book.tell_office_about_me(AboutMe("Sarah Jones", "07700 900456", "Ford Fiesta", "blue", "WA12 ABC",
                                      "tall, red coat", "partner@home.test"))
    rid = visits.plan(book.open_case("PP-2026-0810"), Slot(VenueKind.PUBLIC, day + timedelta(minutes=30), 60),
                      place=PLACE, attendees=("parent",), risk=frozenset({Factor.ANIMALS}))
    world.move_to(epoch(day))
    with world.smtp() as inbox, \
            relay_process(world.tmp / "relay", world.root, world.relay_port, world.extra, env=world.env) as (url, key):
        report(inbox)
        world.connect(url, key, enrol=True)
        world.sync.run()
        console = OfficeConsole(world.office)
        console.set_contacts({1: [PPO], 2: [MANAGER], 4: [POLICE]}, [PPO, PPO2], {})
        console.pull()  # the plan and what Sarah told the office: the relay gets her first name and mobile
        assert console.contacts()["family"] == {"IPS-11": ["partner@home.test"]}

        clock.now = day + timedelta(minutes=25)
        world.move_to(epoch(clock.now))
        visit = visits.check_out(rid)
        watching = VisitWatcher(url, world.keys.signing, world.now).open(visit, visits.policy, pins=(PIN, DURESS))
        world.move_to(epoch(visit.alert_at) + 1)
        [(to, subject, body)] = inbox.wait_for(1)
        assert (to, subject) == (PPO, "OVERDUE: Sarah (IPS-11) has not checked in")
        assert "Ring Sarah on 07700 900456." in body
        assert "- Risk answers: 1 flagged on the plan" in body

        text = pack_text(console, world.device, visit.visit_id)
        for line in ("OVERDUE VOLUNTEER: NOT CHECKED IN", "Who Sarah Jones (IPS-11), mobile 07700 900456",
                     PLACE, "Meeting whom parent", "Due back 11:00 on", "Vehicle blue Ford Fiesta, WA12 ABC",
                     "Description tall, red coat", "Are there animals on the premises? Yes.",
                     f"Alert raised 11:15 on {visit.due_at:%A %d/%m/%Y} (15 min grace)",
                     "11:15 Not checked in (due back 11:00, 15 min late): told the PPO"):
            assert line in text, (line, text)

        # Duress, on the phone page, after the alert.
        assert watching.url is not None
        body_of = urllib.parse.urlencode({"pin": DURESS, "action": "safe"}).encode()
        world.move_to(epoch(visit.alert_at) + 2 * MIN)
        with urllib.request.urlopen(urllib.request.Request(watching.url, body_of), timeout=5):
            pass
        inbox.wait_for(1 + 4)
        text = pack_text(console, world.device, visit.visit_id)
        for line in ("DURESS: DO NOT RING THE VOLUNTEER", "Duress raised 11:17 on",
                     "DURESS: do not ring the volunteer; ring the police on 999 and give them the overdue pack",
                     "11:17 DURESS: the volunteer used the duress PIN at 11:17"):
            assert line in text, (line, text)
        assert "NOT CHECKED IN" not in text

        time.sleep(0.3)
        relay_db = b"".join(p.read_bytes() for p in (world.tmp / "relay").glob("relay.db*"))
        for secret in (b"Jones", b"WA12", b"Fiesta", b"red coat", b"Crediton", b"PP-2026-0810"):
            assert secret not in relay_db, secret  # the relay holds the first name and mobile, nothing more
        assert b"Sarah" in relay_db
