"""Pulling from a transport into the office vault (DESIGN §8 "inbox").

One pass: publish the current bundle, file enrolment requests for the PPO to confirm,
receive every envelope (receipt posted, then the envelope removed from the transport once
its outcome is final), and file purge certificates. Safe to interrupt and run again: an
envelope received twice gets the same receipt and is stored once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from ..crypto import enrolment
from ..sync.transport import Busy, Gone, OfficeTransport
from .service import Challenge, OfficeError, OfficeService, PendingEnrolment, ReceiveResult

log = logging.getLogger(__name__)


@dataclass
class PullResult:
    verified: int = 0
    duplicates: int = 0
    rejected: int = 0
    dropped: int = 0
    gaps: int = 0
    enrolments: list[PendingEnrolment] = field(default_factory=list)
    purge_certificates: int = 0
    problems: list[str] = field(default_factory=list)
    more_waiting: bool = False  # the relay asked to slow down: the rest comes at the next pull
    awaiting_requests: int = 0  # laptops answered mid-enrolment: their request comes in a moment
    fetched_by: str = ""  # another PPO's console fetches for the office (office/sharing.py): nothing fetched here
    others: list[str] = field(default_factory=list)  # the other consoles open on the office, in words


def pull(service: OfficeService, transport: OfficeTransport,
         progress: Callable[[str, int, int], None] | None = None) -> PullResult:
    """Receive what the laptops sent. The relay may ask the office to slow down at any request:
    what was opened stays opened and the result says more are waiting (the console pulls again
    a little later), never an error that hides the records already kept."""
    result = PullResult()
    try:
        _pull(service, transport, progress or (lambda step, done, total: None), result)
    except Busy:
        result.more_waiting = True
    return result


def _pull(service: OfficeService, transport: OfficeTransport, report: Callable[[str, int, int], None],
          result: PullResult) -> None:
    transport.publish_bundle(service.bundle())
    for item in transport.enrolment_requests():
        try:
            pending = service.receive_enrolment(item.data)
        except OfficeError as exc:
            result.problems.append(str(exc))
            transport.done(item.handle)
            continue
        if isinstance(pending, Challenge):  # a laptop's first message: answered at once, no PPO needed
            transport.post_enrolment_response(pending.invite_id, pending.data)
        elif pending.invite_id and service.enrolment_response(pending.invite_id) is None:
            result.enrolments.append(pending)
        transport.done(item.handle)
    result.awaiting_requests = service.awaiting_requests()
    waiting = transport.waiting_envelopes()
    for done, handle in enumerate(waiting):
        report("Opening", done, len(waiting))
        try:
            data = transport.fetch_envelope(handle)
        except Gone:
            continue
        except Busy:
            result.more_waiting = True  # what is opened stays opened; the next pull goes on
            break
        outcome = service.receive(data)
        try:
            if outcome.receipt is not None and outcome.device_kid is not None and outcome.seq is not None:
                transport.post_receipt(outcome.device_kid, outcome.seq, outcome.receipt)
            transport.done(handle)
        except Busy:
            # Opened and kept; its receipt goes when the same envelope is read again (the office
            # gives a duplicate the same receipt).
            result.more_waiting = True
            _count(result, outcome)
            break
        _count(result, outcome)
    if result.more_waiting:
        return  # the relay asked to slow down: certificates come at the next pull too
    for item in transport.purge_certificates():
        device_hex = item.handle.split("/")[-2] if "/" in item.handle else ""
        try:
            service.receive_purge_certificate(bytes.fromhex(device_hex), item.data)
            result.purge_certificates += 1
        except (OfficeError, ValueError) as exc:
            result.problems.append(f"A purge certificate was refused: {exc}")
        transport.done(item.handle)


def _count(result: PullResult, outcome: ReceiveResult) -> None:
    if outcome.outcome == "verified":
        result.verified += 1
        result.gaps += int(outcome.gap)
    elif outcome.outcome == "duplicate":
        result.duplicates += 1
    elif outcome.outcome == "rejected":
        result.rejected += 1
    else:
        result.dropped += 1


def accept(service: OfficeService, transport: OfficeTransport, invite_id: bytes) -> None:
    """The PPO confirmed the six digits: send the laptop its certificate and the bundle."""
    response = service.accept_enrolment(invite_id)
    transport.register_device(service.certificate_for_invite(invite_id))
    transport.post_enrolment_response(enrolment.request_slot(invite_id), response)
