"""Issue 14's acceptance: schemathesis against a real ``ips-relay`` process's own OpenAPI
document, bounded, twice — unsigned (what a stranger can send), and with every request signed
by the enrolled laptop's key or the office's (what a rogue laptop or a stolen office key can
send, past the signature check). No answer may be a server error, and every status must be
one the document lists for that operation."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
import requests
import schemathesis
from conftest import Clock
from hypothesis import HealthCheck, given, settings
from relay_world import Setup, relay_world
from schemathesis.specs.openapi.checks import status_code_conformance

from ips_desktop.crypto import request_auth

EXAMPLES = 20
CHECKS = [schemathesis.checks.not_a_server_error, status_code_conformance]
BOUNDED = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    with relay_world(tmp_path_factory.mktemp("schema"), Clock(datetime.now())) as setup:
        yield setup


@pytest.fixture(scope="module")
def relay_schema(world: Setup) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(world.url + "/openapi.json")


PACE = 1 / 45  # just under the relay's 50 requests a second per key (and per address for refusals)
_last = [0.0]
SENT = [0]


def send(prepared: requests.PreparedRequest) -> requests.Response:
    """Send at the pace the relay's rate limits allow, so its answers are about the request and
    not about the rate; a 429 all the same (it is documented) is waited out a little, then kept."""
    with requests.Session() as session:
        for _ in range(5):
            wait = _last[0] + PACE - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            _last[0] = time.monotonic()
            SENT[0] += 1
            response = session.send(prepared, timeout=30)
            if response.status_code != 429:
                break
            time.sleep(0.2)
        return response


def fuzz(schema: schemathesis.BaseSchema, ask: Callable[[schemathesis.Case], requests.Response]) -> int:
    """Every operation in the document, ``EXAMPLES`` generated cases each; returns how many
    operations were run. A failing check raises with the case that broke it."""
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @BOUNDED
        def run(case: schemathesis.Case) -> None:
            case.validate_response(ask(case), checks=CHECKS)

        run()
        operations += 1
    print(f"schemathesis: {operations} operations, {SENT[0]} requests so far")
    return operations


def test_unsigned_requests_get_documented_answers(relay_schema: schemathesis.BaseSchema, world: Setup) -> None:
    def unsigned(case: schemathesis.Case) -> requests.Response:
        return send(requests.Request(**case.as_transport_kwargs(base_url=world.url)).prepare())

    assert fuzz(relay_schema, unsigned) >= 20


def test_signed_requests_get_documented_answers(relay_schema: schemathesis.BaseSchema, world: Setup) -> None:
    def signed(case: schemathesis.Case) -> requests.Response:
        prepared = requests.Request(**case.as_transport_kwargs(base_url=world.url)).prepare()
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode()
        target = prepared.path_url or "/"
        key = world.office.keys().root if target.startswith("/v1/office") else world.keys.signing
        prepared.headers.update(request_auth.sign_request(key, prepared.method or "GET", target, body,
                                                          int(time.time())))
        return send(prepared)

    assert fuzz(relay_schema, signed) >= 20


def test_the_document_is_the_relays_own(world: Setup) -> None:
    """The operations tested are the relay's: the document lists the routes the clients use. (The
    phone page is HTML for people, outside the document: tests/adversarial/test_phone_page*.py.)"""
    paths = requests.get(world.url + "/openapi.json", timeout=10).json()["paths"]
    for route in ("/v1/envelopes", "/v1/receipts", "/v1/office/envelopes", "/v1/enrol/{invite}"):
        assert route in paths, sorted(paths)
