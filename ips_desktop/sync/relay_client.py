"""The relay transport: an HTTP client with timeouts that signs every request (DESIGN §9).

Implements both the laptop's and the office's side of the transport protocol. Anything that
goes wrong in transit — refused connection, timeout, a 5xx, an answer that is not what was
asked for — becomes a :class:`TransportError` whose message a volunteer can act on; records
stay queued. A clock outside the relay's window is named as such.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .. import clock as wall
from ..crypto import receipt as receipt_format
from ..crypto import request_auth
from ..crypto.wire import WireError
from .transport import Busy, Gone, Incoming, TransportError

OCTETS = "application/octet-stream"


MAX_ANSWER = 16 * 1024 * 1024  # lists, receipts, messages, the bundle
MAX_ENVELOPE_ANSWER = 81 * 1024 * 1024  # one envelope (the relay accepts 80 MiB) and its framing

class NotFound(Exception):
    pass


class RelayTransport:
    def __init__(self, url: str, key: Ed25519PrivateKey, timeout: float = 20.0,
                 clock: Callable[[], float] = wall.time) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TransportError(f"“{url}” is not the office's address (it should start with https://).")
        self.url = url
        self._parts = parts
        self._key = key
        self._timeout = timeout
        self._clock = clock
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._parts.scheme == "https" else http.client.HTTPConnection
            self._conn = cls(self._parts.hostname or "", self._parts.port, timeout=self._timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method: str, path: str, body: bytes = b"", sign: bool = True,
                limit: int = MAX_ANSWER) -> bytes:
        """The answer's body, read no further than ``limit`` bytes: a relay (or whatever answers
        at its address) cannot make this computer hold more than that."""
        target = self._parts.path.rstrip("/") + path
        headers = {"Content-Type": OCTETS, "Content-Length": str(len(body))}
        if sign:
            headers.update(request_auth.sign_request(self._key, method, target, body, int(self._clock())))
        for attempt in (1, 2):
            try:
                conn = self._connection()
                conn.request(method, target, body=body, headers=headers)
                response = conn.getresponse()
                data = self._read(response, limit)
                break
            except (ConnectionError, http.client.HTTPException, OSError) as exc:
                self.close()
                # A kept-alive connection the relay closed is retried once on a fresh one.
                if attempt == 2 or isinstance(exc, socket.timeout | TimeoutError | ConnectionRefusedError):
                    raise TransportError(self._unreachable(exc)) from None
        if response.status == 404:
            raise NotFound(path)
        if response.status == 429:
            raise Busy(self._explain(response.status, data))
        if response.status >= 400:
            raise TransportError(self._explain(response.status, data))
        return data

    def _read(self, response: http.client.HTTPResponse, limit: int) -> bytes:
        declared = response.getheader("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            self.close()
            raise TransportError(self._too_big(limit))
        data = response.read(limit + 1)
        if len(data) > limit:
            self.close()  # the rest is never read: this connection is finished
            raise TransportError(self._too_big(limit))
        return data

    def _too_big(self, limit: int) -> str:
        return (f"The office's server at {self.url} sent an answer larger than {limit // 1048576} MB, which IPS "
                "Desktop does not accept. Your notes stay on this laptop; tell your IT contact.")

    def _unreachable(self, exc: BaseException) -> str:
        if isinstance(exc, socket.timeout | TimeoutError):
            return (f"The office's server at {self.url} did not answer in time. Your notes stay on this laptop "
                    "and will be sent when it does.")
        return (f"The office's server at {self.url} cannot be reached. Check the internet connection; "
                "your notes stay on this laptop.")

    def _explain(self, status: int, data: bytes) -> str:
        try:
            answer = json.loads(data)
            code, message = str(answer["error"]), str(answer["message"])
        except (ValueError, KeyError, TypeError):
            return (f"The office's server at {self.url} gave an answer IPS Desktop does not understand "
                    f"(HTTP {status}). Your notes stay on this laptop.")
        if code == "clock_skew":
            return f"This computer's clock is wrong: {message}"
        return f"The office's server refused the request: {message}"

    def _json(self, method: str, path: str) -> Any:
        data = self.request(method, path)
        try:
            return json.loads(data)
        except ValueError:
            raise TransportError(f"The office's server at {self.url} answered with something that is not "
                                 "valid data. Your notes stay on this laptop.") from None

    # -- laptop side -------------------------------------------------------------------------------
    def deliver(self, device_kid: bytes, seq: int, envelope: bytes) -> bytes | None:
        return self.request("POST", "/v1/envelopes", envelope)

    def notice(self, kind: str, notice_id: bytes) -> bool:
        self.request("POST", "/v1/notices", json.dumps({"kind": kind, "id": notice_id.hex()}).encode())
        return True

    def receipts(self, device_kid: bytes) -> list[Incoming]:
        data = self.request("GET", "/v1/receipts")
        size = receipt_format.RECEIPT_LEN
        if len(data) % size:
            raise TransportError(f"The office's server at {self.url} sent damaged receipts. Your records are kept.")
        found = []
        for offset in range(0, len(data), size):
            chunk = data[offset:offset + size]
            try:
                parsed = receipt_format.parse_receipt(chunk)[0]
            except WireError:
                continue  # the relay keeps only receipts it verified: damage in transit, skip it
            found.append(Incoming(f"{parsed.seq}/{int(parsed.status)}", chunk))
        return found

    def forget_receipt(self, device_kid: bytes, handle: str) -> None:
        self.request("DELETE", f"/v1/receipts/{handle}")

    def bundle(self) -> bytes | None:
        try:
            return self.request("GET", "/v1/bundle")
        except NotFound:
            return None

    def send_enrolment(self, invite_id: bytes, request: bytes) -> None:
        self.request("POST", f"/v1/enrol/{invite_id.hex()}", request, sign=False)

    def enrolment_response(self, invite_id: bytes) -> bytes | None:
        try:
            return self.request("GET", f"/v1/enrol/{invite_id.hex()}", sign=False)
        except NotFound:
            return None

    def send_purge_certificate(self, device_kid: bytes, serial: int, data: bytes) -> None:
        self.request("POST", f"/v1/purge-certificates/{serial}", data)

    def messages(self, device_kid: bytes) -> list[Incoming]:
        return [Incoming(f"message/{int(item['serial'])}", bytes.fromhex(item["body"]))
                for item in self._json("GET", "/v1/messages")]

    def forget_message(self, device_kid: bytes, handle: str) -> None:
        self.request("DELETE", f"/v1/messages/{int(handle.partition('/')[2])}")

    # -- office side ---------------------------------------------------------------------------------
    def waiting_envelopes(self) -> list[str]:
        return [f"envelope/{int(item['id'])}" for item in self._json("GET", "/v1/office/envelopes?limit=500")]

    def fetch_envelope(self, handle: str) -> bytes:
        try:
            return self.request("GET", f"/v1/office/envelopes/{int(handle.partition('/')[2])}",
                                limit=MAX_ENVELOPE_ANSWER)
        except NotFound:
            raise Gone(handle) from None

    def post_receipt(self, device_kid: bytes, seq: int, receipt: bytes) -> None:
        self.request("POST", "/v1/office/receipts", receipt)

    def done(self, handle: str) -> None:
        kind, _, ident = handle.partition("/")
        if kind == "envelope":
            self.request("DELETE", f"/v1/office/envelopes/{int(ident)}")
        elif kind == "enrol":
            self.request("DELETE", f"/v1/office/enrolments/{ident}")
        elif kind == "purge":
            self.request("DELETE", f"/v1/office/purge-certificates/{ident}")

    def publish_bundle(self, bundle: bytes) -> None:
        self.request("PUT", "/v1/office/bundle", bundle)

    def published_bundle(self) -> bytes | None:
        try:
            return self.request("GET", "/v1/office/bundle")
        except NotFound:
            return None

    def register_device(self, certificate: bytes) -> None:
        self.request("POST", "/v1/office/devices", certificate)

    def post_message(self, device_kid: bytes, serial: int, message: bytes) -> None:
        self.request("POST", f"/v1/office/messages/{device_kid.hex()}/{serial}", message)

    def enrolment_requests(self) -> list[Incoming]:
        return [Incoming(f"enrol/{item['invite']}", bytes.fromhex(item["request"]))
                for item in self._json("GET", "/v1/office/enrolments")]

    def post_enrolment_response(self, invite_id: bytes, response: bytes) -> None:
        self.request("PUT", f"/v1/office/enrolments/{invite_id.hex()}", response)

    def purge_certificates(self) -> list[Incoming]:
        return [Incoming(f"purge/{item['device']}/{int(item['serial'])}", bytes.fromhex(item["body"]))
                for item in self._json("GET", "/v1/office/purge-certificates")]
