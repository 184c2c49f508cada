"""The office's messages to a laptop (DESIGN §6, §8): approve or refuse a visit plan with the
office's own pre-visit check, record a check-in the volunteer phoned in, and mark a claim
received, approved or returned with a reason. Each is sealed to that laptop and signed by the
office, logged (kind and subject only), and posted through the same transport as receipts."""

from __future__ import annotations

from ..crypto.office_message import MessageKind, make_message
from ..sync.transport import OfficeTransport
from .service import OfficeError, OfficeService, _epoch

CLAIM_STATES = ("received", "approved", "returned")


def send(service: OfficeService, transport: OfficeTransport, device_kid: bytes, kind: MessageKind,
         body: dict[str, str], subject: str) -> int:
    """Seal, log and post one message; returns its serial."""
    certificate = service.device_certificate(device_kid)
    with service.repo.vault.transaction():
        serial = service.repo.next_message(device_kid, kind.value, subject)
        service.audit.append(f"message sent: {kind.value}", device_kid.hex(), subject)
    data = make_message(service.keys().receipt_signer(), certificate, kind=kind, serial=serial,
                        issued_at=_epoch(service.now()), body=body, rng=service.random)
    transport.post_message(device_kid, serial, data)
    return serial


def approve_visit(service: OfficeService, transport: OfficeTransport, device_kid: bytes, visit_id: str, by: str,
                  checks: str = "") -> int:
    """Handbook: the PPO agrees a home visit; "if anything of concern, the case is not suitable"."""
    return send(service, transport, device_kid, MessageKind.VISIT_APPROVED,
                {"visit_id": visit_id, "by": by, "checks": checks}, visit_id)


def refuse_visit(service: OfficeService, transport: OfficeTransport, device_kid: bytes, visit_id: str, by: str,
                 reason: str) -> int:
    if not reason.strip():
        raise OfficeError("Say why the visit is refused; the volunteer sees it.")
    return send(service, transport, device_kid, MessageKind.VISIT_REFUSED,
                {"visit_id": visit_id, "by": by, "reason": reason.strip()}, visit_id)


def record_phone_check_in(service: OfficeService, transport: OfficeTransport, device_kid: bytes, visit_id: str,
                          by: str) -> int:
    return send(service, transport, device_kid, MessageKind.CHECK_IN_RECORDED, {"visit_id": visit_id, "by": by},
                visit_id)


def claim_status(service: OfficeService, transport: OfficeTransport, device_kid: bytes, month: str, state: str,
                 by: str, reason: str = "") -> int:
    if state not in CLAIM_STATES:
        raise OfficeError("A claim is received, approved or returned.")
    if state == "returned" and not reason.strip():
        raise OfficeError("Say why the claim is returned, so the volunteer can put it right.")
    return send(service, transport, device_kid, MessageKind.CLAIM_STATUS,
                {"month": month, "state": state, "reason": reason.strip(), "by": by}, f"{month} {state}")
