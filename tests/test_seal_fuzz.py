"""Hypothesis mutation of valid envelopes, receipts and bundles: a changed message is never
accepted, never crashes the parser with anything but a typed refusal, and never releases
plaintext."""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vectors.gen import Gen
from vectors.world import World

from ips_desktop.crypto import envelope as ev
from ips_desktop.crypto import office_keys as ok
from ips_desktop.crypto import receipt as rc
from ips_desktop.crypto.wire import WireError


@cache
def fixtures() -> tuple[World, bytes, bytes]:
    g = Gen()
    env = g.seal("fuzz", content=g.content("CANARY-FUZZ-7Q"))
    h = ev.parse(env).header
    receipt = rc.make_receipt(g.w.keys.receipt_signer(), status=rc.Status.VERIFIED, bundle_version=5,
                              sender_kid=h.sender_kid, seq=h.seq, record_id=h.record_id,
                              env_hash=ev.envelope_hash(env), cum_seq=1, office_time=0)
    return g.w, env, receipt


@st.composite
def mutation(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "overwrite"]))
    at = draw(st.integers(0, len(data) - 1))
    if kind == "flip":
        bit = draw(st.integers(0, 7))
        return data[:at] + bytes([data[at] ^ (1 << bit)]) + data[at + 1:]
    if kind == "truncate":
        return data[:at]
    if kind == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    if kind == "delete":
        n = draw(st.integers(1, 64))
        return data[:at] + data[at + n:]
    chunk = draw(st.binary(min_size=1, max_size=32))
    return data[:at] + chunk + data[at + len(chunk):]


FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.data())
def test_mutated_envelope_is_refused_and_releases_nothing(data: st.DataObject) -> None:
    world, env, _ = fixtures()
    mutated = data.draw(mutation(env))
    if mutated == env:
        return
    try:
        opened = ev.open_envelope(mutated, world.recipient())
    except WireError:
        return
    raise AssertionError(f"a mutated envelope opened (released {opened.plaintext_sha256.hex()})")


@FUZZ
@given(st.data())
def test_mutated_receipt_is_refused(data: st.DataObject) -> None:
    world, env, receipt = fixtures()
    mutated = data.draw(mutation(receipt))
    if mutated == receipt:
        return
    h = ev.parse(env).header
    expected = rc.Expected(h.sender_kid, h.seq, h.record_id, ev.envelope_hash(env), 5)
    try:
        rc.verify_receipt(mutated, world.bundle(), expected)
    except WireError:
        return
    raise AssertionError("a mutated receipt was accepted")


@FUZZ
@given(st.data())
def test_mutated_bundle_is_refused(data: st.DataObject) -> None:
    world, _, _ = fixtures()
    bundle = world.bundles[5]
    mutated = data.draw(mutation(bundle))
    if mutated == bundle:
        return
    try:
        ok.open_bundle(mutated, world.keys.root_public)
    except WireError:
        return
    raise AssertionError("a mutated bundle was accepted")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_never_crash_any_parser(blob: bytes) -> None:
    world, _, _ = fixtures()
    for parse in (lambda b: ev.open_envelope(b, world.recipient()),
                  lambda b: rc.parse_receipt(b),
                  lambda b: ok.open_bundle(b, world.keys.root_public),
                  lambda b: ok.open_certificate(b, world.keys.root_public)):
        try:
            parse(blob)
        except WireError:
            continue
        raise AssertionError("random bytes were accepted")
