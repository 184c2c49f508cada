"""The relay's visit-watch API: check-out, check-in and extend from the laptop; the board,
acknowledge, close and the phone check-in from the office; the ladder's contacts."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request

from ..crypto.wire import KID_LEN
from ..domain import escalation as ladder
from ..domain.escalation import CloseReason
from .app import MAX_NUMBER, MAX_SMALL, Caller, Relay, RelayError, _hex_id
from .logs import event
from .watchdog import Watchdog

Signed = Callable[[Request, int, bool], Awaitable[tuple[Caller, bytes]]]


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        raise RelayError(400, "bad_json", "The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise RelayError(400, "bad_json", "The request body must be a JSON object.")
    return value


def _int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_NUMBER:
        raise RelayError(400, "bad_field", f"“{what}” must be a whole number from 0 to {MAX_NUMBER}.")
    return value


def _text(value: object, what: str, most: int = 80) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > most:
        raise RelayError(400, "bad_field", f"“{what}” must be text of at most {most} characters.")
    return value.strip()


def _hex(value: object, what: str, length: int) -> bytes:
    try:
        raw = bytes.fromhex(value) if isinstance(value, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != length:
        raise RelayError(400, "bad_field", f"“{what}” must be {length} bytes in hex.")
    return raw


def add_watch_routes(app: FastAPI, relay: Relay, watchdog: Watchdog, signed: Signed) -> None:
    from .checkin_page import CheckinLinks, add_checkin_routes

    links = CheckinLinks(watchdog.db)
    add_checkin_routes(app, relay, watchdog, links)

    def label_of(caller: Caller) -> str:
        device = relay.device(caller.key_id)
        return device[1].label if device else caller.key_id.hex()[:8]

    def step(device_kid: bytes, visit_id: str,
             change: Callable[[ladder.Watch], tuple[ladder.Watch, list[ladder.Notice]]]) -> dict[str, Any]:
        try:
            watch = watchdog.step(device_kid, visit_id, relay.now(), change)
        except LookupError:
            raise RelayError(404, "no_watch", "There is no watch for that visit.") from None
        except ladder.LadderError as exc:
            raise RelayError(409, "ladder", str(exc)) from None
        return watch.to_dict()

    # -- the laptop -----------------------------------------------------------------------------------
    @app.post("/v1/watches")
    async def open_watch(request: Request) -> dict[str, Any]:
        """Check-out: the relay watches the visit from now on (visit id, due time, grace; no address)."""
        caller, body = await signed(request, MAX_SMALL, False)
        data = _json(body)
        try:
            watch = watchdog.open_watch(caller.key_id, label_of(caller), _text(data.get("visit_id"), "visit_id", 64),
                                        _int(data.get("due"), "due"), _int(data.get("grace_s"), "grace_s"),
                                        data.get("drill", False) is True, relay.now(),
                                        poor_reception=data.get("poor_reception", False) is True,
                                        risk_flags=_int(data.get("risk_flags", 0), "risk_flags"))
        except ladder.LadderError as exc:
            raise RelayError(400, "bad_watch", str(exc)) from None
        link = data.get("link")
        if isinstance(link, dict):  # the phone check-in page: only hashes of the token and the PINs
            links.add(_hex(link.get("id"), "link.id", 32), caller.key_id, watch.visit_id,
                      _hex(link.get("pin"), "link.pin", 32), _hex(link.get("duress"), "link.duress", 32),
                      _int(link.get("latest_due"), "link.latest_due"))
        event("watch_opened", visit=watch.visit_id[:8], drill=watch.drill, link=isinstance(link, dict))
        return {"watching": True, **watch.to_dict()}

    @app.post("/v1/watches/{visit_id}/check-in")
    async def device_check_in(visit_id: str, request: Request) -> dict[str, Any]:
        caller, _ = await signed(request, MAX_SMALL, False)
        return step(caller.key_id, visit_id, lambda w: ladder.check_in(w, relay.now(), "app"))

    @app.post("/v1/watches/{visit_id}/extend")
    async def device_extend(visit_id: str, request: Request) -> dict[str, Any]:
        caller, body = await signed(request, MAX_SMALL, False)
        due = _int(_json(body).get("due"), "due")
        return step(caller.key_id, visit_id, lambda w: (ladder.extend(w, due), []))

    @app.post("/v1/notices")
    async def laptop_notice(request: Request) -> dict[str, int]:
        """A safeguarding concern or an incident report was sealed: the office is told at once,
        content-free (the PPO and the office, or the PPO and the service manager)."""
        caller, body = await signed(request, MAX_SMALL, False)
        data = _json(body)
        kind = _text(data.get("kind"), "kind", 20)
        notice_id = _hex(data.get("id"), "id", 16)
        try:
            with watchdog.storage.transaction():
                told = watchdog.laptop_notice(caller.key_id, label_of(caller), kind, notice_id, relay.now())
        except ladder.LadderError as exc:
            raise RelayError(429 if "a day allows" in str(exc) else 400, "notice", str(exc)) from None
        event("laptop_notice", kind=kind, told=told)
        return {"told": told}

    # -- the office -----------------------------------------------------------------------------------
    @app.put("/v1/office/contacts")
    async def put_contacts(request: Request) -> dict[str, int]:
        _, body = await signed(request, MAX_SMALL, True)
        try:
            contacts = watchdog.set_contacts(body)
        except (ValueError, TypeError, AttributeError):
            raise RelayError(400, "bad_contacts", "The contacts must be lists of e-mail addresses and UK mobile "
                             "numbers by tier and by volunteer.") from None
        return {"tiers": len(contacts.tiers), "office": len(contacts.office)}

    @app.get("/v1/office/board")
    async def board(request: Request,
                    closed_since: Annotated[int | None, Query(ge=0, le=MAX_NUMBER)] = None) -> list[dict[str, Any]]:
        await signed(request, 0, True)
        return [row.to_json() for row in watchdog.board(closed_since, relay.now())]

    @app.post("/v1/office/watches/{device}/{visit_id}/acknowledge")
    async def acknowledge(device: str, visit_id: str, request: Request) -> dict[str, Any]:
        _, body = await signed(request, MAX_SMALL, True)
        by = _text(_json(body).get("by"), "by")
        return step(_hex_id(device, KID_LEN), visit_id, lambda w: ladder.acknowledge(w, by, relay.now()))

    @app.post("/v1/office/watches/{device}/{visit_id}/close")
    async def close(device: str, visit_id: str, request: Request) -> dict[str, Any]:
        _, body = await signed(request, MAX_SMALL, True)
        data = _json(body)
        try:
            reason = CloseReason(str(data.get("reason")))
        except ValueError:
            raise RelayError(400, "bad_reason", "Closing needs one of the reasons: "
                             + "; ".join(r.value for r in CloseReason) + ".") from None
        by = _text(data.get("by"), "by")
        confirmed = data.get("confirm_duress") is True  # a duress alarm is only closed when this is sent
        return step(_hex_id(device, KID_LEN), visit_id,
                    lambda w: ladder.close(w, reason, by, relay.now(), confirmed))

    @app.post("/v1/office/watches/{device}/{visit_id}/check-in")
    async def phone_check_in(device: str, visit_id: str, request: Request) -> dict[str, Any]:
        """The handbook's phone route: the volunteer rang the PPO, who records it here."""
        _, body = await signed(request, MAX_SMALL, True)
        by = _text(_json(body).get("by"), "by")
        return step(_hex_id(device, KID_LEN), visit_id,
                    lambda w: ladder.check_in(w, relay.now(), f"phoned {by}"))

    @app.post("/v1/office/drills")
    async def schedule_drill(request: Request) -> dict[str, Any]:
        """A drill: a watch the office makes for a pretend visit, so the whole ladder runs with
        every notice marked DRILL (DESIGN §6: "Drills are scheduled and recorded as such")."""
        caller, body = await signed(request, MAX_SMALL, True)
        data = _json(body)
        label = _text(data.get("label", "drill"), "label", 40)
        visit_id = f"drill-{relay.now()}"
        try:
            watch = watchdog.open_watch(caller.key_id, f"DRILL {label}", visit_id, _int(data.get("due"), "due"),
                                        _int(data.get("grace_s", 0), "grace_s"), True, relay.now())
        except ladder.LadderError as exc:
            raise RelayError(400, "bad_watch", str(exc)) from None
        event("drill_scheduled", visit=visit_id)
        return {**watch.to_dict(), "device_kid": caller.key_id.hex()}

    @app.get("/v1/office/watches/{device}/{visit_id}/notices")
    async def notices(device: str, visit_id: str, request: Request) -> list[dict[str, Any]]:
        await signed(request, 0, True)
        return [{"readers": r.split(",") if r else [], "kind": k, "at": at, "text": text}
                for r, k, at, text in watchdog.notices(visit_id)]
