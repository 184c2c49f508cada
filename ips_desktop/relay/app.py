"""The relay's HTTP API (DESIGN §9), an ASGI app whose OpenAPI description is at ``/docs`` when enabled.

It carries sealed envelopes it cannot read. Every request but enrolment and health is signed
by an enrolled device's key or by the office (request_auth); replays and clocks outside the
window are refused with a JSON error that says what to fix. The relay verifies each
envelope's device signature before storing it (so forgeries are dropped without any
decryption key), answers with its own STORED receipt, and drops the ciphertext once the
office posts a VERIFIED receipt it has checked against the office's bundle — or after 30
days whatever happens. Logs are structured and content-free.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.resources
import io
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from .. import clock as wall
from ..crypto import envelope, office_keys, receipt, request_auth
from ..crypto.wire import TAG_RECEIPT, Reason, WireError, ed25519_public, kid, raw_public, verify
from .logs import event, log
from .metrics import RelayMetrics
from .storage import RelayStorage
from .watchdog import Sender, Watchdog, deliver_due

HARD_LIMIT = 30 * 86400
WATCH_KEEP = 7 * 86400  # a closed visit stays on the board's history a week, then goes
MAX_ENVELOPE = 80 * 1024 * 1024
MAX_SMALL = 64 * 1024
# An invite lives a day (crypto/enrolment.py); its request and the office's answer are kept a
# week, time enough for the PPO to accept and the laptop to fetch the answer.
ENROLMENT_KEEP = 7 * 86400
MAX_NUMBER = 2**62  # every number in a path or query fits SQLite's 64-bit integers, or is refused (422)
Number = Annotated[int, Path(ge=0, le=MAX_NUMBER)]
OCTETS = "application/octet-stream"


class Refusal(BaseModel):
    """Every refusal's body: a code for programs and a sentence for people."""

    error: str
    message: str


# What any operation can answer besides its success (the document lists them for every one;
# schemathesis in the tests holds the relay to it). 422 is FastAPI's own, for a malformed path
# or query.
REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"model": Refusal, "description": "Malformed: a bad id, envelope, receipt or signature header"},
    401: {"model": Refusal, "description": "Not signed, or the signature does not verify"},
    403: {"model": Refusal, "description": "Signed by a key the relay does not know, or one revoked"},
    404: {"model": Refusal, "description": "Nothing there (or no longer)"},
    409: {"model": Refusal, "description": "Out of order: the office has not published its keys yet, or a replay"},
    413: {"model": Refusal, "description": "Larger than the relay accepts"},
    429: {"model": Refusal, "description": "Too many requests: slow down"},
    503: {"model": Refusal, "description": "Busy with other large uploads: try again in a minute"},
}


class RelayError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    """A token bucket per caller: ``rate`` requests a second with bursts of ``burst``."""

    rate: float
    burst: float
    buckets: dict[str, Bucket] = field(default_factory=dict)

    def allow(self, caller: str, now: float) -> bool:
        bucket = self.buckets.get(caller)
        if bucket is None:
            if len(self.buckets) > 100_000:
                self.buckets.clear()
            bucket = self.buckets[caller] = Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True


def _route(request: Request) -> str:
    """The route's pattern ("/c/{token}"), never the path: a phone page's path is its secret."""
    route = request.scope.get("route")
    pattern = getattr(route, "path", None)
    return str(pattern) if pattern else "/" + request.url.path.strip("/").split("/")[0]




@dataclass(frozen=True)
class Caller:
    key_id: bytes
    is_office: bool
    nonce: bytes = b""


class Relay:
    def __init__(self, storage: RelayStorage, key: Ed25519PrivateKey, office_root: bytes,
                 clock: Callable[[], float] = wall.time, rate: float = 50.0, burst: float = 200.0) -> None:
        self.storage = storage
        self.key = key
        self.office_root = office_root
        self.clock = clock
        self.limiter = RateLimiter(rate, burst)
        self.open_limiter = RateLimiter(0.2, 10.0)  # enrolment: a few a minute per address
        self.failure_limiter = RateLimiter(rate, burst)  # refused requests, per address
        self.page_limiter = RateLimiter(2.0, 60.0)  # the phone page, per address (per link: open_limiter)
        self.trusted_proxies: frozenset[str] = frozenset()  # reverse proxies whose X-Forwarded-For counts
        self.metrics = RelayMetrics()
        # Parsed device certificates by key id; cleared whenever a certificate or the
        # revocation list changes.
        self._devices: dict[bytes, tuple[Ed25519PublicKey, office_keys.DeviceCertificate, bool] | None] = {}
        self._bundle: office_keys.KeyBundle | None = None

    def source(self, request: Request) -> str:
        """The address a request came from. Behind a trusted reverse proxy, the last address in
        X-Forwarded-For that is not one of the proxies (the one the proxy itself saw); anyone
        else's X-Forwarded-For is ignored, so it cannot be used to dodge a limit."""
        peer = request.client.host if request.client else "unknown"
        if peer not in self.trusted_proxies:
            return peer
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if hop not in self.trusted_proxies:
                return hop[:64]
        return peer

    def device(self, key_id: bytes) -> tuple[Ed25519PublicKey, office_keys.DeviceCertificate, bool] | None:
        """(public key, certificate, revoked) of an enrolled laptop, or None."""
        if key_id not in self._devices:
            found = self.storage.device(key_id)
            if found is None:
                return None  # not cached: a certificate may arrive later
            certificate = office_keys.open_certificate(found[1], self.office_root)
            self._devices[key_id] = (ed25519_public(found[0]), certificate, found[2])
        return self._devices[key_id]

    def now(self) -> int:
        return int(self.clock())

    # -- the office's keys -------------------------------------------------------------------------
    def bundle(self) -> office_keys.KeyBundle | None:
        if self._bundle is None:
            raw = self.storage.get_meta("bundle")
            self._bundle = office_keys.open_bundle(raw, self.office_root) if raw else None
        return self._bundle

    def office_key(self, key_id: bytes) -> Ed25519PublicKey | None:
        if key_id == kid(self.office_root):
            return ed25519_public(self.office_root)
        bundle = self.bundle()
        return bundle.receipt_key(key_id) if bundle else None

    # -- authentication ------------------------------------------------------------------------------
    def authenticate(self, request: Request, body: bytes, office: bool, record_nonce: bool = True) -> Caller:
        """Check a request's signature, time and rate. The nonce is recorded here unless the
        caller records it in its own transaction (``Caller.nonce``).

        A key's rate limit is charged only once its signature verifies: the office's key id is
        in every invite and bundle, and junk naming it must not lock the office out. Requests
        that fail are limited on a budget of their own, by where they come from."""
        with self._refusals(request):
            signed, public = self._identify(request, office)
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            try:
                request_auth.verify_request(public, signed, request.method, target, body)
            except WireError:
                raise RelayError(401, "bad_signature", "The request signature does not verify.") from None
        if not self.limiter.allow(signed.key_id.hex(), self.clock()):
            raise RelayError(429, "rate_limited", "Too many requests; slow down and try again shortly.")
        caller = Caller(signed.key_id, office, signed.nonce)
        if record_nonce:
            self.use_nonce(caller)
        return caller

    def precheck(self, request: Request, office: bool) -> None:
        """What the headers alone can tell, before a body is read: signed, in time, by a key
        the relay knows and has not revoked. A stranger's upload is refused unread."""
        with self._refusals(request):
            self._identify(request, office)

    @contextmanager
    def _refusals(self, request: Request) -> Iterator[None]:
        try:
            yield
        except RelayError as refused:
            if refused.status in (401, 403) and not self.failure_limiter.allow(self.source(request), self.clock()):
                raise RelayError(429, "rate_limited", "Too many refused requests; slow down.") from None
            raise

    def _identify(self, request: Request, office: bool) -> tuple[request_auth.SignedRequest, Ed25519PublicKey]:
        try:
            signed = request_auth.read_headers(request.headers)
        except WireError:
            raise RelayError(401, "unsigned", "Requests must be signed by an enrolled device or the office.") from None
        now = self.now()
        try:
            request_auth.check_time(signed, now)
        except WireError:
            skew = signed.timestamp - now
            raise RelayError(401, "clock_skew",
                             f"The computer's clock is {abs(skew) // 60} minutes {'ahead of' if skew > 0 else 'behind'}"
                             " the relay's. Set the clock to the correct time and try again.") from None
        if office:
            public = self.office_key(signed.key_id)
            if public is None:
                raise RelayError(403, "not_office", "That key is not one of the office's keys.")
            return signed, public
        device = self.device(signed.key_id)
        if device is None:
            raise RelayError(403, "unknown_device", "This laptop is not enrolled with the office.")
        if device[2]:
            raise RelayError(403, "revoked", "This laptop's enrolment was revoked by the office.")
        if not device[1].valid_at(now):  # the office checks the dates too; the relay no longer trusts past them
            raise RelayError(403, "expired", "This laptop's enrolment is outside its dates; the office must "
                                             "enrol it again.")
        return signed, device[0]

    def refused(self, route: str, code: str, status: int) -> None:
        """A refusal, logged and counted (the route's pattern only: a phone page's path is its secret)."""
        event("refused", route=route, code=code, status=status)
        self.metrics.refused.labels(str(status)).inc()
        if code == "rate_limited":
            self.metrics.rate_limited.labels(route).inc()

    def use_nonce(self, caller: Caller) -> None:
        if not self.storage.use_nonce(caller.key_id, caller.nonce, self.now(), request_auth.WINDOW):
            raise RelayError(409, "replay", "This request was already received (a replay); it was ignored.")

    def housekeeping(self) -> None:
        now = self.now()
        self.storage.expire_nonces(now - 2 * request_auth.WINDOW)
        self.storage.expire_messages(now - HARD_LIMIT)
        self.storage.expire_enrolments(now - ENROLMENT_KEEP)
        expired = self.storage.expire_envelopes(now - HARD_LIMIT, now)
        if expired:
            event("envelopes_expired", count=expired)
            self.metrics.dropped.labels("expired").inc(expired)
        forgotten = self.storage.forget_old(now - HARD_LIMIT)
        if forgotten:
            event("rows_forgotten", count=forgotten)

    # -- device operations -----------------------------------------------------------------------------
    def accept_envelope(self, caller: Caller, body: bytes) -> bytes:
        try:
            parsed = envelope.parse(body)
        except WireError as exc:
            raise RelayError(400, exc.reason.value, f"The envelope was refused: {exc}.") from None
        if parsed.header.sender_kid != caller.key_id:
            raise RelayError(403, Reason.SENDER_MISMATCH.value,
                             "An envelope can only be sent by the laptop that sealed it.")
        device = self.device(caller.key_id)
        if device is None:
            raise RelayError(403, "unknown_device", "This laptop is not enrolled with the office.")
        try:
            envelope.verify_sender(parsed, device[1])
        except WireError as exc:
            raise RelayError(400, exc.reason.value, f"The envelope was refused: {exc}.") from None
        h = parsed.header
        env_hash = parsed.env_hash
        now = self.now()
        fresh = receipt.make_receipt(self.key, status=receipt.Status.STORED, bundle_version=h.bundle_version,
                                     sender_kid=h.sender_kid, seq=h.seq, record_id=h.record_id, env_hash=env_hash,
                                     cum_seq=0, office_time=now)
        with self.storage.transaction():  # the request's nonce, the envelope and its receipt together
            if caller.nonce:
                self.use_nonce(caller)
            stored = self.storage.add_envelope(h.sender_kid, h.seq, env_hash, body, now, fresh)
        event("envelope_stored", device=h.sender_kid.hex()[:8], seq=h.seq, bytes=len(body), new=stored == fresh)
        if stored == fresh:
            self.metrics.stored.inc()
        return stored

    # -- office operations -------------------------------------------------------------------------------
    def accept_receipt(self, body: bytes) -> None:
        bundle = self.bundle()
        if bundle is None:
            raise RelayError(409, "no_bundle", "The office must publish its key bundle first.")
        try:
            parsed, signed, signature = receipt.parse_receipt(body)
            public = bundle.receipt_key(parsed.signer_kid)
            if public is None or parsed.status is receipt.Status.STORED:
                raise WireError(Reason.UNKNOWN_SIGNER)
            verify(public, signature, TAG_RECEIPT, signed)
        except WireError as exc:
            raise RelayError(400, exc.reason.value, f"The receipt was refused: {exc}.") from None
        now = self.now()
        self.storage.put_receipt(parsed.sender_kid, parsed.seq, int(parsed.status), body, now)
        if parsed.status is receipt.Status.VERIFIED:
            self.metrics.dropped.labels("verified").inc(
                self.storage.finish(parsed.sender_kid, parsed.seq, parsed.env_hash, now))
        event("receipt_posted", device=parsed.sender_kid.hex()[:8], seq=parsed.seq, status=parsed.status.name)

    def accept_bundle(self, body: bytes) -> int:
        current = self.bundle()
        try:
            fresh = office_keys.open_bundle(body, self.office_root,
                                            pinned_version=current.version if current else None,
                                            pinned_raw=current.raw if current else None)
        except WireError as exc:
            raise RelayError(400, exc.reason.value, f"The key bundle was refused: {exc}.") from None
        self.storage.set_meta("bundle", body)
        self.storage.set_revoked(set(fresh.revoked_devices))
        self._bundle = fresh
        self._devices.clear()
        # Each console publishes its bundle every minute: only a new version is news.
        changed = current is None or current.version != fresh.version
        event("bundle_published" if changed else "bundle_unchanged", level=logging.INFO if changed else logging.DEBUG,
              version=fresh.version)
        return fresh.version

    def accept_certificate(self, body: bytes) -> None:
        try:
            cert = office_keys.open_certificate(body, self.office_root)
        except WireError as exc:
            raise RelayError(400, exc.reason.value, f"The certificate was refused: {exc}.") from None
        if cert.not_after < self.now():
            raise RelayError(400, "expired", "The certificate was refused: it has already expired.")
        self.storage.put_device(cert.device_kid, cert.signing_key, body)
        bundle = self.bundle()
        if bundle:
            self.storage.set_revoked(set(bundle.revoked_devices))
        self._devices.clear()
        event("device_registered", device=cert.device_kid.hex()[:8])


def _error(exc: RelayError) -> JSONResponse:
    return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status)


# Bodies larger than this are read a few at a time (``LARGE_READS``): four 80 MiB uploads at
# once, each naming an enrolled laptop, would otherwise hold 320 MiB in the ladder's process.
LARGE_BODY = 1024 * 1024
LARGE_READS = 2
LARGE_WAIT_S = 20.0


class _LargeReads:
    """The slots for reading large bodies; made on first use, inside the server's event loop."""

    def __init__(self) -> None:
        self._slots: asyncio.Semaphore | None = None

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._slots is None:
            self._slots = asyncio.Semaphore(LARGE_READS)
        try:
            await asyncio.wait_for(self._slots.acquire(), LARGE_WAIT_S)
        except TimeoutError:
            raise RelayError(503, "busy", "The relay is receiving other large records; try again in a minute.") \
                from None
        try:
            yield
        finally:
            self._slots.release()


_large_reads = _LargeReads()


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as it passes ``limit``: never held beyond it, and held
    once (not as chunks and their join). A large body waits for one of a few slots first."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        raise RelayError(413, "too_large", f"The request is larger than the relay accepts ({limit // 1024} KiB).")
    if limit > LARGE_BODY and (length is None or int(length) > LARGE_BODY):
        async with _large_reads.slot():
            return await _stream(request, limit)
    return await _stream(request, limit)


async def _stream(request: Request, limit: int) -> bytes:
    held = io.BytesIO()
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RelayError(413, "too_large", f"The request is larger than the relay accepts ({limit // 1024} KiB).")
        held.write(chunk)
    return held.getvalue()


def _hex_id(value: str, length: int) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise RelayError(400, "bad_id", "That id is not valid.") from None
    if len(raw) != length:
        raise RelayError(400, "bad_id", "That id is not valid.")
    return raw


def _add_docs(app: FastAPI) -> None:
    """Swagger UI from the fastapi-offline package's copy: the page works without internet."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    assets = str(importlib.resources.files("fastapi_offline").joinpath("static"))
    app.mount("/docs/assets", StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger(request: Request) -> Response:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(openapi_url=f"{root}/openapi.json", title="IPS relay API",
                                   swagger_js_url=f"{root}/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url=f"{root}/docs/assets/swagger-ui.css",
                                   swagger_favicon_url=f"{root}/docs/assets/favicon.png")


def create_app(relay: Relay, housekeeping_every: float = 60.0, watchdog: Watchdog | None = None,
               sender: Sender | None = None, tick_every: float = 1.0, docs: bool = True,
               metrics: bool = True, stall_after: float = 60.0) -> FastAPI:
    """The API. With a ``watchdog`` the relay also runs the overdue ladder every ``tick_every``
    seconds and sends its notices through ``sender``. ``docs`` serves the OpenAPI description
    (``/openapi.json``, and ``/docs`` from the installed package's copy of Swagger UI, never a
    CDN); ``metrics`` serves Prometheus's ``/metrics``. ``/v1/health`` turns 503 when the ladder
    has not ticked for ``stall_after`` seconds."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async def tidy() -> None:
            while True:
                try:
                    relay.housekeeping()
                    if watchdog is not None:
                        watchdog.forget_closed(relay.now() - WATCH_KEEP)
                except Exception:  # housekeeping must outlive any one bad pass
                    log.exception("housekeeping failed")
                await asyncio.sleep(housekeeping_every)

        async def keep_going(name: str, step: Callable[[], Awaitable[object]]) -> None:
            """Run ``step`` every ``tick_every`` seconds for ever. A failure is logged once, with
            its traceback, and its recovery once: a database locked for an hour is two lines."""
            failing = False
            while True:
                try:
                    await step()
                    if failing:
                        event(f"{name}_recovered")
                        failing = False
                except Exception:  # the ladder must outlive any one bad tick
                    if not failing:
                        log.exception(f"{name}_failed")
                        failing = True
                await asyncio.sleep(tick_every)

        async def tick() -> None:
            assert watchdog is not None
            watchdog.tick(relay.now())

        async def send() -> None:
            assert watchdog is not None
            assert sender is not None
            await deliver_due(watchdog, sender, relay.now, relay.metrics)

        tasks = [asyncio.create_task(tidy())]
        # The ladder's steps and the sending of its messages are two loops: a mail server that
        # hangs for its ten-second timeout on each message never holds up the next visit's step.
        if watchdog is not None:
            tasks.append(asyncio.create_task(keep_going("ladder_tick", tick)))
        if watchdog is not None and sender is not None:
            tasks.append(asyncio.create_task(keep_going("alert_sending", send)))
        yield
        for task in tasks:
            task.cancel()
        event("relay_stopped")

    app = FastAPI(title="IPS relay", version="1", lifespan=lifespan, responses=REFUSALS, docs_url=None,
                  redoc_url=None, openapi_url="/openapi.json" if docs else None,
                  description="Carries sealed envelopes between volunteers' laptops and the office. It holds no key "
                              "that opens a record.")

    @app.exception_handler(RelayError)
    async def relay_error(request: Request, exc: RelayError) -> JSONResponse:
        if exc.status >= 400:
            relay.refused(_route(request), exc.code, exc.status)
        return _error(exc)

    octets = {"requestBody": {"content": {OCTETS: {"schema": {"type": "string", "format": "binary"}}}}}

    async def signed(request: Request, limit: int, office: bool) -> tuple[Caller, bytes]:
        relay.precheck(request, office)
        body = await read_body(request, limit)
        return relay.authenticate(request, body, office), body

    @app.get("/v1/health")
    async def health() -> JSONResponse:
        """For monitoring: 200 only when the database answers, the ladder has ticked in the last
        minute and no alert is failing to get out; 503 with what is wrong otherwise."""
        report: dict[str, Any] = {"database": "ok"}
        problems = []
        try:
            relay.storage.get_meta("bundle")
        except sqlite3.Error:
            report["database"] = "error"
            problems.append("the database does not answer")
        if watchdog is not None:
            ticked = watchdog.last_tick
            report["ladder_last_tick_s_ago"] = None if ticked is None else round(time.monotonic() - ticked, 1)
            if ticked is None or time.monotonic() - ticked > stall_after:
                problems.append("the overdue ladder has not run in the last minute" if stall_after == 60 else
                                f"the overdue ladder has not run in the last {stall_after:g} seconds")
            if report["database"] == "ok":
                failing, error = watchdog.failing()
                report["alerts_failing"] = failing
                if failing:
                    report["last_delivery_error"] = error
                    problems.append("alerts are not getting out")
        report["status"] = "ok" if not problems else "; ".join(problems)
        return JSONResponse(report, status_code=200 if not problems else 503)

    if docs:
        _add_docs(app)
    if metrics:
        relay.metrics.watch(relay.storage, watchdog)

        @app.get("/metrics", include_in_schema=False)
        async def prometheus() -> Response:
            return Response(generate_latest(relay.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/relay-key")
    async def relay_key() -> dict[str, str]:
        return {"public_key": raw_public(relay.key).hex()}

    # -- laptops --------------------------------------------------------------------------------------
    @app.post("/v1/envelopes", openapi_extra=octets)
    async def post_envelope(request: Request) -> Response:
        relay.precheck(request, office=False)  # a stranger's 80 MiB is refused before it is read
        body = await read_body(request, MAX_ENVELOPE)
        caller = relay.authenticate(request, body, office=False, record_nonce=False)
        return Response(relay.accept_envelope(caller, body), media_type=OCTETS)

    @app.get("/v1/receipts")
    async def get_receipts(request: Request) -> Response:
        caller, _ = await signed(request, 0, office=False)
        return Response(b"".join(body for _, _, body in relay.storage.receipts(caller.key_id)), media_type=OCTETS)

    @app.delete("/v1/receipts/{seq}/{status}")
    async def forget_receipt(seq: Number, status: Number, request: Request) -> dict[str, str]:
        caller, _ = await signed(request, 0, office=False)
        relay.storage.forget_receipt(caller.key_id, seq, status)
        return {"status": "ok"}

    def held_bundle() -> Response:
        raw = relay.storage.get_meta("bundle")
        if raw is None:
            raise RelayError(404, "no_bundle", "The office has not published its keys yet.")
        return Response(raw, media_type=OCTETS)

    @app.get("/v1/bundle")
    async def get_bundle(request: Request) -> Response:
        await signed(request, 0, office=False)
        return held_bundle()

    @app.post("/v1/purge-certificates/{serial}", openapi_extra=octets)
    async def post_purge_certificate(serial: Number, request: Request) -> dict[str, str]:
        caller, body = await signed(request, MAX_ENVELOPE // 8, office=False)
        relay.storage.put_purge_certificate(caller.key_id, serial, body, relay.now())
        event("purge_certificate", device=caller.key_id.hex()[:8], serial=serial)
        return {"status": "ok"}

    # enrolment: the laptop is not enrolled yet, so these are not signed by a known key;
    # the request carries its own MAC and signature, which only the office can check.
    @app.post("/v1/enrol/{invite}", openapi_extra=octets)
    async def post_enrolment(invite: str, request: Request) -> dict[str, str]:
        caller = relay.source(request)
        if not relay.open_limiter.allow(caller, relay.clock()):
            raise RelayError(429, "rate_limited", "Too many enrolment attempts; wait a minute and try again.")
        body = await read_body(request, MAX_SMALL)
        relay.storage.expire_enrolments(relay.now() - ENROLMENT_KEEP)  # unsigned posts never pile up
        if not relay.storage.put_enrolment(_hex_id(invite, 16), body, relay.now()):
            raise RelayError(409, "already_used", "A request for this invite was already sent.")
        event("enrolment_requested")
        return {"status": "ok"}

    @app.get("/v1/enrol/{invite}")
    async def get_enrolment(invite: str, request: Request) -> Response:
        caller = relay.source(request)
        if not relay.open_limiter.allow(caller + "/poll", relay.clock()):
            raise RelayError(429, "rate_limited", "Too many requests; wait a minute and try again.")
        response = relay.storage.enrolment_response(_hex_id(invite, 16))
        if response is None:
            raise RelayError(404, "pending", "The office has not accepted this laptop yet.")
        return Response(response, media_type=OCTETS)

    # -- the office ---------------------------------------------------------------------------------------
    @app.put("/v1/office/bundle", openapi_extra=octets)
    async def put_bundle(request: Request) -> dict[str, int]:
        body = await read_body(request, MAX_SMALL * 16)
        # The very first bundle is checked against the configured root key alone.
        relay.authenticate(request, body, office=True)
        return {"version": relay.accept_bundle(body)}

    @app.get("/v1/office/bundle")
    async def get_office_bundle(request: Request) -> Response:
        """The bundle the relay holds, for an office restored from a backup to publish past it."""
        await signed(request, 0, office=True)
        return held_bundle()

    @app.post("/v1/office/devices", openapi_extra=octets)
    async def post_device(request: Request) -> dict[str, str]:
        _, body = await signed(request, MAX_SMALL, office=True)
        relay.accept_certificate(body)
        return {"status": "ok"}

    @app.get("/v1/office/envelopes")
    async def list_envelopes(request: Request,
                             limit: Annotated[int, Query(ge=1, le=500)] = 200) -> list[dict[str, object]]:
        await signed(request, 0, office=True)
        return [{"id": e.id, "device": e.device_kid.hex(), "seq": e.seq, "size": e.size}
                for e in relay.storage.waiting(max(1, min(limit, 1000)))]

    @app.get("/v1/office/envelopes/{envelope_id}")
    async def get_envelope(envelope_id: Number, request: Request) -> Response:
        await signed(request, 0, office=True)
        body = relay.storage.envelope_body(envelope_id)
        if body is None:
            raise RelayError(404, "gone", "That envelope is no longer held.")
        return Response(body, media_type=OCTETS)

    @app.delete("/v1/office/envelopes/{envelope_id}")
    async def done_envelope(envelope_id: Number, request: Request) -> dict[str, str]:
        await signed(request, 0, office=True)
        relay.metrics.dropped.labels("finished").inc(relay.storage.finish_by_id(envelope_id, relay.now()))
        return {"status": "ok"}

    @app.post("/v1/office/receipts", openapi_extra=octets)
    async def post_receipt(request: Request) -> dict[str, str]:
        _, body = await signed(request, MAX_SMALL, office=True)
        relay.accept_receipt(body)
        return {"status": "ok"}

    @app.get("/v1/office/enrolments")
    async def list_enrolments(request: Request) -> list[dict[str, str]]:
        await signed(request, 0, office=True)
        return [{"invite": i.hex(), "request": r.hex()} for i, r in relay.storage.enrolment_requests()]

    @app.delete("/v1/office/enrolments/{invite}")
    async def take_enrolment(invite: str, request: Request) -> dict[str, str]:
        await signed(request, 0, office=True)
        relay.storage.take_enrolment(_hex_id(invite, 16))
        return {"status": "ok"}

    @app.put("/v1/office/enrolments/{invite}", openapi_extra=octets)
    async def put_enrolment_response(invite: str, request: Request) -> dict[str, str]:
        _, body = await signed(request, MAX_SMALL * 16, office=True)
        if not relay.storage.set_enrolment_response(_hex_id(invite, 16), body):
            raise RelayError(404, "unknown_invite", "No request was received for that invite.")
        return {"status": "ok"}

    @app.post("/v1/office/messages/{device}/{serial}", openapi_extra=octets)
    async def post_message(device: str, serial: Number, request: Request) -> dict[str, str]:
        """A sealed message from the office to one laptop (approval, claim status, phone check-in)."""
        _, body = await signed(request, MAX_SMALL, True)
        relay.storage.put_message(_hex_id(device, 16), serial, body, relay.now())
        event("message_posted", device=device[:8], serial=serial)
        return {"status": "stored"}

    @app.get("/v1/messages")
    async def get_messages(request: Request) -> list[dict[str, object]]:
        caller, _ = await signed(request, 0, False)
        return [{"serial": s, "body": b.hex()} for s, b in relay.storage.messages(caller.key_id)]

    @app.delete("/v1/messages/{serial}")
    async def forget_message(serial: Number, request: Request) -> dict[str, str]:
        caller, _ = await signed(request, 0, False)
        relay.storage.forget_message(caller.key_id, serial)
        return {"status": "forgotten"}

    @app.get("/v1/office/purge-certificates")
    async def list_purge_certificates(request: Request) -> list[dict[str, object]]:
        await signed(request, 0, office=True)
        return [{"device": d.hex(), "serial": s, "body": b.hex()} for d, s, b in relay.storage.purge_certificates()]

    @app.delete("/v1/office/purge-certificates/{device}/{serial}")
    async def forget_purge_certificate(device: str, serial: Number, request: Request) -> dict[str, str]:
        await signed(request, 0, office=True)
        relay.storage.forget_purge_certificate(_hex_id(device, 16), serial)
        return {"status": "ok"}

    if watchdog is not None:
        from .watch_routes import add_watch_routes

        add_watch_routes(app, relay, watchdog, signed)
    return app
