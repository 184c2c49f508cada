"""The laptop's side of the visit watch (DESIGN §6): at check-out the relay is asked to watch
the visit — visit id, due time, grace and, for the phone page, only hashes of the link and the
PINs; never the address, a name or a case reference. The visit counts as monitored only once
the relay has answered. Network only: no vault access, so it may run off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .. import clock as wall
from ..crypto.checkin import new_token
from ..domain.escalation import Watch
from ..domain.risk import Factor
from ..domain.uk_time import to_epoch as epoch
from ..domain.visit_flow import Visit
from ..domain.visits import VisitPolicy, latest_extension
from .relay_client import RelayTransport
from .transport import TransportError
from .watch_client import PhoneLink, WatchClient


def latest_due(visit: Visit, policy: VisitPolicy) -> datetime:
    """The latest the visit may be extended to (90 minutes in all; 17:00 for a home visit)."""
    longer = replace(visit.slot, minutes=visit.slot.minutes + visit.extended_minutes)
    return visit.due_at + timedelta(minutes=latest_extension(longer, policy))


@dataclass(frozen=True)
class Watching:
    watch: Watch
    link: PhoneLink | None
    url: str | None      # the phone check-in page, to open on the volunteer's phone


class VisitWatcher:
    def __init__(self, relay_url: str, signing_key: Ed25519PrivateKey,
                 clock: Callable[[], float] = wall.time) -> None:
        self.relay_url = relay_url
        self.client = WatchClient(RelayTransport(relay_url, signing_key, timeout=10.0, clock=clock))

    def open(self, visit: Visit, policy: VisitPolicy, pins: tuple[str, str] | None = None,
             drill: bool = False) -> Watching:
        """Ask the relay to watch. Raises :class:`TransportError` (the visit stays "not
        monitored" and the volunteer is told to phone the office)."""
        link = None
        if pins is not None:
            link = PhoneLink(new_token(), pins[0], pins[1], epoch(latest_due(visit, policy)))
        watch = self.client.open_watch(visit.visit_id, epoch(visit.due_at), 60 * visit.grace_minutes, drill, link,
                                       poor_reception=Factor.POOR_RECEPTION in visit.risk, risk_flags=len(visit.risk))
        if watch.visit_id != visit.visit_id:
            raise TransportError("The office's server confirmed a different visit; phone the office.")
        return Watching(watch, link, link.url(self.relay_url) if link else None)

    def check_in(self, visit: Visit) -> Watch:
        return self.client.check_in(visit.visit_id)

    def extend(self, visit: Visit) -> Watch:
        return self.client.extend(visit.visit_id, epoch(visit.due_at))
