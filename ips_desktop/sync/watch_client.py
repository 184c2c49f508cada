"""The relay's visit-watch API from either side, over a signed :class:`RelayTransport`.

The laptop opens a watch at check-out (visit id, due time, grace; never the address), checks
in and extends. The office reads the board, acknowledges, closes with a reason, records a
phone check-in and sets who each tier of the ladder is. Errors are :class:`TransportError`
with the relay's own words, e.g. "Already acknowledged by PPO Jane at 14:32."
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..crypto import checkin
from ..domain.escalation import CloseReason, Watch
from .relay_client import RelayTransport
from .transport import TransportError


@dataclass(frozen=True)
class PhoneLink:
    """The phone check-in page for one visit: the link's token, the two PINs, and the latest
    time an extension may reach (90 minutes, 17:00 for a home visit)."""

    token: str
    pin: str
    duress_pin: str
    latest_due: int

    def url(self, relay_url: str) -> str:
        return relay_url.rstrip("/") + "/c/" + self.token


@dataclass(frozen=True)
class DeliveryState:
    """How one of the ladder's messages is getting out (for the board)."""

    reader: str              # ppo, office, manager, family, police
    channel: str             # email or sms
    sent_at: int | None
    failing_since: int | None
    error: str | None

    @classmethod
    def from_json(cls, row: Any) -> DeliveryState:
        if not isinstance(row, dict):
            raise TransportError("The office's server answered with something that is not valid data.")

        def number(value: object) -> int | None:
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        error = row.get("error")
        return cls(str(row.get("reader", ""))[:20], str(row.get("channel", ""))[:10], number(row.get("sent_at")),
                   number(row.get("failing_since")), error[:200] if isinstance(error, str) else None)


@dataclass(frozen=True)
class BoardEntry:
    device: str          # device key id, hex
    label: str           # the volunteer's IPS code
    watch: Watch
    next_step_at: int | None
    updated_at: int
    deliveries: tuple[DeliveryState, ...] = ()


class WatchClient:
    def __init__(self, transport: RelayTransport) -> None:
        self.transport = transport

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = self.transport.request(method, path, json.dumps(body or {}).encode() if body is not None else b"")
        try:
            return json.loads(data)
        except ValueError:
            raise TransportError("The office's server answered with something that is not valid data.") from None

    # -- the laptop -----------------------------------------------------------------------------------
    def open_watch(self, visit_id: str, due: int, grace_s: int, drill: bool = False,
                   link: PhoneLink | None = None, poor_reception: bool = False, risk_flags: int = 0) -> Watch:
        """Only what the ladder's messages need: whether reception is poor there and how many
        risk answers were "yes" (never which, nor the place)."""
        body: dict[str, Any] = {"visit_id": visit_id, "due": due, "grace_s": grace_s, "drill": drill,
                                "poor_reception": poor_reception, "risk_flags": risk_flags}
        if link is not None:
            body["link"] = {"id": checkin.token_id(link.token).hex(),
                            "pin": checkin.pin_verifier(link.pin, link.token).hex(),
                            "duress": checkin.pin_verifier(link.duress_pin, link.token).hex(),
                            "latest_due": link.latest_due}
        answer = self._call("POST", "/v1/watches", body)
        if answer.get("watching") is not True:
            raise TransportError("The office's server did not confirm it is watching this visit.")
        return Watch.from_dict(answer)

    def check_in(self, visit_id: str) -> Watch:
        return Watch.from_dict(self._call("POST", f"/v1/watches/{visit_id}/check-in", {}))

    def extend(self, visit_id: str, due: int) -> Watch:
        return Watch.from_dict(self._call("POST", f"/v1/watches/{visit_id}/extend", {"due": due}))

    # -- the office -----------------------------------------------------------------------------------
    def set_contacts(self, tiers: dict[int, list[str]], office: list[str],
                     family: dict[str, list[str]] | None = None, sms: dict[int, list[str]] | None = None,
                     family_sms: dict[str, list[str]] | None = None,
                     volunteers: dict[str, dict[str, str]] | None = None) -> None:
        """Who the ladder tells. ``volunteers``: per IPS code, the first name and mobile number
        the messages use (all the relay holds about a volunteer)."""
        self._call("PUT", "/v1/office/contacts", {"tiers": {str(k): v for k, v in tiers.items()}, "office": office,
                                                  "family": family or {},
                                                  "sms": {str(k): v for k, v in (sms or {}).items()},
                                                  "family_sms": family_sms or {}, "volunteers": volunteers or {}})

    def board(self, closed_since: int | None = None) -> list[BoardEntry]:
        query = f"?closed_since={int(closed_since)}" if closed_since is not None else ""
        return [BoardEntry(row["device_kid"], row["label"], Watch.from_dict(row), row.get("next_step_at"),
                           int(row["updated_at"]), tuple(DeliveryState.from_json(d) for d in row.get("deliveries", [])))
                for row in self._call("GET", "/v1/office/board" + query)]

    def acknowledge(self, device: str, visit_id: str, by: str) -> Watch:
        return Watch.from_dict(self._call("POST", f"/v1/office/watches/{device}/{visit_id}/acknowledge", {"by": by}))

    def close(self, device: str, visit_id: str, reason: CloseReason, by: str, confirm_duress: bool = False) -> Watch:
        return Watch.from_dict(self._call("POST", f"/v1/office/watches/{device}/{visit_id}/close",
                                          {"reason": reason.value, "by": by, "confirm_duress": confirm_duress}))

    def phone_check_in(self, device: str, visit_id: str, by: str) -> Watch:
        return Watch.from_dict(self._call("POST", f"/v1/office/watches/{device}/{visit_id}/check-in", {"by": by}))

    def schedule_drill(self, label: str, due: int, grace_s: int = 0) -> BoardEntry:
        row = self._call("POST", "/v1/office/drills", {"label": label, "due": due, "grace_s": grace_s})
        return BoardEntry(row["device_kid"], row["device"], Watch.from_dict(row), None, due)

    def notices(self, device: str, visit_id: str) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/v1/office/watches/{device}/{visit_id}/notices"))
