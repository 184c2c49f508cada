"""Safeguarding at the office (issue 17, item 9): the service's numbers in the handbook's steps,
the relay's content-free notice (once per record, a day's most per laptop), the laptop owing the
notice until it is passed on, and the PPO's follow-up."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import Clock
from sync_world import Laptop, Office, enrolled_world

from ips_desktop.domain.escalation import LadderError
from ips_desktop.domain.records import ContactKind, ContactRecord, SafeguardingNote
from ips_desktop.domain.safeguarding import SafeguardingNumbers
from ips_desktop.office.console import OfficeConsole
from ips_desktop.office.inbox import pull
from ips_desktop.office.service import OfficeError
from ips_desktop.relay.storage import RelayStorage
from ips_desktop.relay.watchdog import NOTICES_PER_DAY, Watchdog
from ips_desktop.sync.engine import NOTICES_OWED

NOW = 1_796_000_000


def test_the_offices_numbers_fill_the_handbooks_steps() -> None:
    numbers = SafeguardingNumbers.from_policy({"safeguarding": {"liaison": "01392 383957", "edt": "0845 6000 388",
                                                                "mash": "ring MASH", "office": 7}})
    assert numbers == SafeguardingNumbers(liaison="01392 383957", edt="0845 6000 388")  # not numbers: left out
    steps = numbers.steps("07700 900111", office_fallback="01392 383080")
    assert "contact your PPO by telephone as soon as possible (07700 900111)" in steps
    assert "the central office (01392 383080) or the Liaison Officer (01392 383957)" in steps
    assert "call the Emergency Duty Team (0845 6000 388)" in steps
    assert "your PPO is told at once that it is coming" in steps
    assert "(your PPO's number)" in SafeguardingNumbers().steps("")
    assert SafeguardingNumbers.from_policy({"safeguarding": "nonsense"}) == SafeguardingNumbers()


@pytest.fixture
def watchdog(tmp_path: Path) -> Watchdog:
    dog = Watchdog(RelayStorage(tmp_path / "relay.db"))
    dog.set_contacts(json.dumps({"tiers": {"1": ["ppo@office.test"], "2": ["manager@office.test"]},
                                 "office": ["desk@office.test"],
                                 "volunteers": {"IPS-07": {"first_name": "Sarah", "mobile": ""}}}).encode())
    return dog


def test_the_relay_tells_the_ppo_once_and_says_nothing_of_the_record(watchdog: Watchdog) -> None:
    kid, notice = b"k" * 16, b"n" * 16
    with watchdog.storage.transaction():
        assert watchdog.laptop_notice(kid, "IPS-07", "safeguarding", notice, NOW) == 2  # the PPO and the office desk
    with watchdog.storage.transaction():
        assert watchdog.laptop_notice(kid, "IPS-07", "safeguarding", notice, NOW + 60) == 0  # asked again: told once
    mails = watchdog.due_deliveries(NOW)
    assert sorted(d.address for d in mails) == ["desk@office.test", "ppo@office.test"]
    mail = mails[0].mail
    assert mail.subject == "Safeguarding concern recorded: open the office console"
    with watchdog.storage.transaction():  # an incident goes to the PPO and the service manager
        assert watchdog.laptop_notice(kid, "IPS-07", "incident", notice, NOW) == 2
    incident = [d for d in watchdog.due_deliveries(NOW) if d.mail.subject.startswith("Incident")]
    assert sorted(d.address for d in incident) == ["manager@office.test", "ppo@office.test"]
    assert incident[0].mail.text.startswith("Sarah (IPS-07) recorded an incident report (Form PO3) at ")
    with pytest.raises(LadderError, match="not a notice a laptop can ask for"), watchdog.storage.transaction():
        watchdog.laptop_notice(kid, "IPS-07", "anything", notice, NOW)
    assert mail.text.startswith("Sarah (IPS-07) recorded a safeguarding concern at ")
    assert "This message says nothing more on purpose." in mail.text


def test_a_laptop_cannot_flood_the_office_with_notices(watchdog: Watchdog) -> None:
    kid = b"k" * 16
    for n in range(NOTICES_PER_DAY):
        with watchdog.storage.transaction():
            watchdog.laptop_notice(kid, "IPS-07", "safeguarding", n.to_bytes(16, "big"), NOW + n)
    with pytest.raises(LadderError, match="as many notices as a day allows"), \
            watchdog.storage.transaction():
        watchdog.laptop_notice(kid, "IPS-07", "incident", b"x" * 16, NOW + 100)
    with watchdog.storage.transaction():  # a day later, again
        assert watchdog.laptop_notice(kid, "IPS-07", "safeguarding", b"y" * 16, NOW + 86_500) == 2


class Refusing:
    """A transport whose relay is away for the notice (everything else as the drop folder)."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.asked = inner, 0

    def notice(self, kind: str, notice_id: bytes) -> bool:
        from ips_desktop.sync.transport import TransportError

        self.asked += 1
        raise TransportError("The relay is not answering.")

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.inner, name)


def concern(text: str) -> ContactRecord:
    return ContactRecord(ContactKind.TELEPHONE, datetime(2026, 12, 7, 10, 0), 20, summary=text,
                         safeguarding=SafeguardingNote(datetime(2026, 12, 7, 10, 25), None, "Rang the PPO."))


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> tuple[Laptop, Office]:
    return enrolled_world(tmp_path, clock)


def test_the_laptop_owes_the_notice_until_it_is_passed_on(world: tuple[Laptop, Office]) -> None:
    laptop, _office = world
    case = laptop.book.open_case("PP-2026-0710")
    record_id = laptop.book.save(None, case, concern("Worried about the child."))
    laptop.book.save(None, case, ContactRecord(ContactKind.EMAIL, datetime(2026, 12, 7, 11, 0), summary="Sent."))
    transports = []

    def away(address: str):  # type: ignore[no-untyped-def]
        from ips_desktop.sync.transport import FolderTransport

        transports.append(Refusing(FolderTransport(Path(address))))
        return transports[-1]

    real = laptop.sync._transport_for
    laptop.sync._transport_for = away  # type: ignore[method-assign]  # the layer above the transport
    assert laptop.sync.run().sent == 2
    assert transports[-1].asked == 1
    assert json.loads(laptop.book.settings_store.value(NOTICES_OWED) or "[]") == [f"safeguarding:{record_id}"]
    laptop.sync._transport_for = real  # type: ignore[method-assign]
    laptop.sync.run()
    assert json.loads(laptop.book.settings_store.value(NOTICES_OWED) or "[]") == []


def test_the_office_lists_concerns_and_the_ppos_follow_up(world: tuple[Laptop, Office], clock: Clock) -> None:
    laptop, office = world
    case = laptop.book.open_case("PP-2026-0710")
    laptop.book.save(None, case, concern("Worried about the child."))
    other = laptop.book.open_case("PP-2026-0711")
    laptop.book.save(None, other, ContactRecord(ContactKind.TELEPHONE, datetime(2026, 12, 7, 9, 0), summary="Fine."))
    laptop.sync.run()
    pull(office.service, office.transport)
    console = OfficeConsole(office.service)
    (found,) = console.concerns()
    assert found.reference == "PP-2026-0710"
    assert found.words().startswith("⚠ Safeguarding concern on case PP-2026-0710 from IPS-07, received ")
    with pytest.raises(OfficeError, match="Choose what was done"):
        console.record_follow_up(found.record.record_id, "shrugged", "PPO Jane", clock(), "", "PPO Jane")
    with pytest.raises(OfficeError, match="cannot be later than now"):
        console.record_follow_up(found.record.record_id, "referred to MASH", "PPO Jane",
                                 clock() + timedelta(days=1), "", "PPO Jane")
    console.record_follow_up(found.record.record_id, "referred to MASH", "PPO Jane", clock(), "MASH ref 4471",
                             "PPO Sam")
    (found,) = console.concerns()
    assert found.follow_up is not None
    assert found.words().endswith(f": referred to MASH by PPO Jane on {clock():%d/%m/%Y at %H:%M}.")
    entries = [(e.event, e.detail) for e in office.service.audit.entries()]
    assert ("safeguarding followed up", "referred to MASH") in entries
