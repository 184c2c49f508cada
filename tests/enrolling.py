"""The real enrolment, step by step, for tests that need an enrolled laptop (crypto/enrolment.py):
the laptop commits, the office's pull answers, the laptop sends its request and shows six
digits, the office's next pull lists them, the PPO accepts, the laptop pins the office."""

from __future__ import annotations

from ips_desktop.office.inbox import accept, pull
from ips_desktop.office.service import OfficeService
from ips_desktop.sync.engine import DeviceSync
from ips_desktop.sync.transport import OfficeTransport


def enrol_laptop(sync: DeviceSync, office: OfficeService, transport: OfficeTransport, code: str,
                 label: str = "test") -> str:
    """Enrol ``sync``'s laptop with the invite ``code``; returns the six digits both showed."""
    sync.begin_enrolment(code, label, "test")
    assert sync.enrolment_digits() is None  # nothing to compare before the office answers
    assert pull(office, transport).enrolments == []  # the office answered the commitment, no more
    assert not sync.finish_enrolment()  # the request goes now
    digits = sync.enrolment_digits()
    found = pull(office, transport).enrolments
    assert [p.sas for p in found] == [digits]  # the PPO reads these digits with the volunteer
    assert not sync.finish_enrolment()  # not until the PPO accepts
    accept(office, transport, found[0].invite_id)
    assert sync.finish_enrolment()
    assert digits is not None
    return digits
