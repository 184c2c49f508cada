"""Cases allocated from the console (issue 17, item 4).

Handbook: the PPO sends the volunteer "a file number and initial to use to identify the case".
The PPO allocates a case to one enrolled laptop: the reference, the parent's initial and a
short brief with no names (screened here as the laptop screens a record). The allocation is
sealed to that laptop as an office message and kept at the office, so a record that arrives
under a reference the office never allocated to the laptop that sent it is pointed out: a
mistyped digit must not file notes under another family.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..crypto.office_message import MessageKind
from ..domain.pii import screen_fields
from ..domain.records import MOST_BRIEF
from ..domain.references import DEFAULT_FORMAT, normalise_reference, office_format, reference_shaped
from ..store.office_store import AllocationRow
from ..sync.transport import OfficeTransport
from .messages import send
from .service import OfficeError, OfficeService

INITIAL = re.compile(r"[A-Za-z](?:\.?\s?[A-Za-z]){0,2}\.?")


@dataclass(frozen=True)
class Allocation:
    reference: str
    device_kid: bytes
    initial: str
    brief: str


def check(service: OfficeService, device_kid: bytes, reference: str, initial: str, brief: str) -> Allocation:
    """The allocation as it will be sent, or :class:`OfficeError` saying what to put right."""
    device = next((d for d in service.repo.devices() if d.device_kid == device_kid), None)
    if device is None:
        raise OfficeError("Choose the volunteer's laptop the case goes to.")
    if device.revoked_at is not None:
        raise OfficeError(f"{device.label}'s laptop was revoked on {device.revoked_at:%d/%m/%Y}: a case cannot "
                          "go to it. Enrol the volunteer's new laptop first.")
    state = service.repo.state()
    fmt = office_format(state.policy if state else {})
    ref = normalise_reference(reference)
    example = fmt.example if fmt else DEFAULT_FORMAT.example
    if not ref:
        raise OfficeError(f"Type the case reference, for example {example}.")
    if fmt is not None:
        problem = fmt.check(ref)
        if problem:
            raise OfficeError(problem.replace("your PPO gave you", "from the service's case system"))
    elif not (reference_shaped(ref) and any(c.isdigit() for c in ref)):
        # No format in the office policy: anything shaped like a reference number, never a name.
        raise OfficeError(f"“{ref[:40]}” is not a case reference (for example {example}). Set the service's "
                          "format in Office ▸ Office policy.")
    initial = initial.strip()
    if not INITIAL.fullmatch(initial):
        raise OfficeError("Type the parent's initial (one to three letters, like H or H.T.), never a name.")
    brief = " ".join(brief.split())
    if len(brief) > MOST_BRIEF:
        raise OfficeError(f"Keep the brief to {MOST_BRIEF} characters: it is a note to start from, not the file.")
    findings = screen_fields({"brief": brief})
    if findings:
        first = findings[0].finding
        raise OfficeError(f"The brief has “{first.text}”: {first.advice} The brief goes to the volunteer's "
                          "laptop, so it carries roles and initials only.")
    return Allocation(ref, device_kid, initial.upper(), brief)


def allocate(service: OfficeService, transport: OfficeTransport, allocation: Allocation, by: str) -> int:
    """Seal the allocation to the laptop, post it, then keep it here. Returns the message's serial."""
    serial = send(service, transport, allocation.device_kid, MessageKind.CASE_ALLOCATED,
                  {"reference": allocation.reference, "initial": allocation.initial, "brief": allocation.brief,
                   "by": by}, allocation.reference)
    with service.repo.vault.transaction():
        service.repo.allocate(allocation.reference, allocation.device_kid, allocation.initial, allocation.brief, by)
        service.audit.append("case allocated", allocation.device_kid.hex(), allocation.reference)
    return serial


def allocated(service: OfficeService) -> dict[str, list[AllocationRow]]:
    """Each reference's allocations, oldest first (a case can move to another volunteer)."""
    out: dict[str, list[AllocationRow]] = {}
    for row in service.repo.allocations():
        out.setdefault(row.reference, []).append(row)
    return out
