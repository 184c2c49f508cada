"""Run the checked-in sealed-sync vectors (tests/vectors/data), CCTV style.

Each vector holds exactly one failure and names its typed outcome; a success names the
SHA-256 of the plaintext released. A vector that fails for a *different* reason than the
one it names is a test failure: a low-level error must not hide behind a higher-level one.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import pytest
from vectors import gen
from vectors.world import World, build

from ips_desktop.crypto import envelope as ev
from ips_desktop.crypto import office_keys as ok
from ips_desktop.crypto import receipt as rc
from ips_desktop.crypto.enrolment import check_request
from ips_desktop.crypto.wire import WireError

DATA = Path(__file__).parent / "vectors" / "data"
FILES = sorted(DATA.glob("*.vec"))


@cache
def world() -> World:
    return build()


def parse_chain(text: str) -> dict[int, ev.ChainEntry]:
    chain = {}
    for item in filter(None, text.split(",")):
        seq, hashes = item.split("=")
        env_hash, prev = hashes.split("/")
        chain[int(seq)] = ev.ChainEntry(bytes.fromhex(env_hash), bytes.fromhex(prev))
    return chain


def run(vector: gen.Vector) -> tuple[str, str]:
    """(outcome, sha256 of released plaintext or "")."""
    w = world()
    h = vector.headers
    try:
        if vector.kind == "envelope":
            opened = ev.open_envelope(vector.body, w.recipient())
            verdict = ev.check_chain(parse_chain(h.get("chain", "")), opened.header, opened.env_hash)
            outcome = "success" if verdict == ev.ChainVerdict.NEW else verdict
            return outcome, opened.plaintext_sha256.hex()
        if vector.kind == "receipt":
            expected = rc.Expected(w.devices[h["env_device"]].kid, int(h["env_seq"]),
                                   bytes.fromhex(h["env_record_id"]), bytes.fromhex(h["env_hash"]),
                                   int(h["env_bundle_version"]))
            rc.verify_receipt(vector.body, w.bundle(), expected)
        elif vector.kind == "bundle":
            pinned = int(h["pinned"])
            ok.open_bundle(vector.body, w.keys.root_public, pinned_version=pinned, pinned_raw=w.bundles[pinned])
        elif vector.kind == "certificate":
            ok.open_certificate(vector.body, w.keys.root_public)
        elif vector.kind == "request":
            check_request(vector.body, bytes.fromhex(h["invite_secret"]))
        else:
            raise AssertionError(f"unknown vector kind {vector.kind}")
    except WireError as exc:
        return exc.reason.value, ""
    return "success", ""


def test_there_are_enough_vectors_and_every_outcome_is_covered() -> None:
    vectors = [gen.decode(p.stem, p.read_bytes()) for p in FILES]
    assert len(vectors) >= 40
    outcomes = {v.expect for v in vectors}
    required = {"success", "duplicate", "gap", "fork", "truncated", "trailing_bytes", "bad_magic", "unknown_version",
                "unknown_suite", "bad_flags", "bad_length", "unknown_recipient", "unknown_sender", "revoked",
                "old_bundle", "expired", "bad_signature", "bad_key", "aead_failure", "schema_failure",
                "sender_mismatch", "wrong_envelope", "wrong_device", "not_office_key", "unknown_signer", "bad_mac"}
    assert required <= outcomes, required - outcomes


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_vector(path: Path) -> None:
    vector = gen.decode(path.stem, path.read_bytes())
    outcome, released = run(vector)
    assert outcome == vector.expect, vector.comment
    if vector.expect in ("success", "duplicate", "gap") and vector.kind == "envelope":
        assert released == vector.headers["payload"]
    else:
        assert released == ""  # nothing released on failure


def test_generator_reproduces_the_checked_in_bytes() -> None:
    """Deterministic randomness pins the sealing direction: regenerate and compare."""
    fresh = {v.name: v.encode() for v in gen.generate()}
    held = {p.stem: p.read_bytes() for p in FILES}
    assert fresh.keys() == held.keys()
    changed = [name for name in fresh if hashlib.sha256(fresh[name]).digest() != hashlib.sha256(held[name]).digest()]
    assert not changed, f"regenerate with `python -m tests.vectors.gen`: {changed}"
