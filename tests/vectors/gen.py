"""Generate the sealed-sync test vectors (C2SP CCTV style): one failure per vector, a typed
expected outcome, made with a deterministic random source.

    .venv/bin/python -m tests.vectors.gen      # rewrites tests/vectors/data/*.vec

``tests/test_vectors.py`` checks every file and also regenerates them in memory, so the
checked-in bytes pin the sealing direction too.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from pathlib import Path

from ips_desktop.crypto import envelope as ev
from ips_desktop.crypto import office_keys as ok
from ips_desktop.crypto import receipt as rc
from ips_desktop.crypto import wire
from ips_desktop.crypto.enrolment import Invite, make_request
from ips_desktop.crypto.wire import TAG_RECEIPT, TAG_SEAL, canonical_json, kid, raw_public, sign

from .drbg import Drbg
from .world import NOW, World, build

DATA = Path(__file__).parent / "data"
# CCTV age x25519_low_order: an order-8 point chosen to be unlikely to be on a hard-coded list.
LOW_ORDER_POINT = bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")


@dataclass
class Vector:
    name: str
    kind: str  # envelope | receipt | bundle | certificate | request
    expect: str
    comment: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        lines = [f"expect: {self.expect}", f"kind: {self.kind}", *(f"{k}: {v}" for k, v in self.headers.items()),
                 f"comment: {self.comment}"]
        return ("\n".join(lines) + "\n\n").encode() + self.body


def decode(name: str, data: bytes) -> Vector:
    head, body = data.split(b"\n\n", 1)
    fields = dict(line.split(": ", 1) for line in head.decode().splitlines())
    return Vector(name, fields.pop("kind"), fields.pop("expect"), fields.pop("comment"), body, fields)


class Gen:
    def __init__(self) -> None:
        self.w: World = build()
        self.vectors: list[Vector] = []

    def add(self, v: Vector) -> None:
        self.vectors.append(v)

    # -- envelope helpers ---------------------------------------------------------------------------
    def content(self, text: str = "Phone call with parent about the EHC assessment.", **kw: object) -> ev.RecordContent:
        base: dict[str, object] = dict(record_type="contact", case_ref="PP/0042", created_at=NOW - 3600,
                                       sealed_at=NOW - 60, retention_class="contact",
                                       body={"kind": "telephone", "summary": text})
        base.update(kw)
        return ev.RecordContent(**base)  # type: ignore[arg-type]

    def seal(self, label: str, *, device: str = "A", seq: int = 1, prev: bytes = ev.ZERO_HASH,
             content: ev.RecordContent | None = None, bundle_version: int = 5, inner: bytes | None = None,
             recipient: bytes | None = None, inner_kid_device: str | None = None) -> bytes:
        rng = Drbg("seal/" + label)
        d = self.w.devices[device]
        bundle = self.w.bundle(bundle_version) if bundle_version in self.w.bundles else self.w.bundle()
        if inner is None:
            inner_kid = self.w.devices[inner_kid_device or device].kid
            inner = ev.encode_inner(content or self.content(), inner_kid)
        return ev.seal_inner(inner, device_key=d.signing, bundle_version=bundle_version,
                             recipient_public=recipient or bundle.current_encryption_key.public, seq=seq,
                             prev_hash=prev, record_id=rng(16), rng=rng)

    def resign(self, data: bytes, device: str = "A", tag: bytes = TAG_SEAL) -> bytes:
        body = data[:-64]
        return body + sign(self.w.devices[device].signing, tag, body)

    def env(self, name: str, expect: str, comment: str, body: bytes, chain: str = "", payload: str = "") -> None:
        headers = {}
        if chain:
            headers["chain"] = chain
        if expect in ("success", "duplicate", "gap"):
            headers["payload"] = payload or self.released(body)
        self.add(Vector(name, "envelope", expect, comment, body, headers))

    def released(self, body: bytes) -> str:
        return ev.open_envelope(body, self.w.recipient()).plaintext_sha256.hex()

    @staticmethod
    def chain_entry(seq: int, data: bytes) -> str:
        env = ev.parse(data)
        return f"{seq}={ev.envelope_hash(data).hex()}/{env.header.prev_hash.hex()}"

    def bad_inner(self, meta: bytes, tail: bytes = b"", size: int | None = None) -> bytes:
        raw = struct.pack(">I", len(meta)) + meta + tail
        size = size or ev.bucket_size(len(raw))
        return raw + bytes(size - len(raw))

    def meta(self, **changes: object) -> dict[str, object]:
        m: dict[str, object] = {
            "schema": 1, "record_type": "contact", "case_ref": "PP/0042", "created_at": NOW - 3600,
            "sealed_at": NOW - 60, "device_kid": self.w.devices["A"].kid.hex(), "supersedes": None,
            "retention_class": "contact", "priority": 0, "body": {"summary": "x"}, "attachments": []}
        m.update(changes)
        return m


def envelopes(g: Gen) -> None:
    good = g.seal("good")
    g.env("env_success", "success", "a valid envelope from an enrolled device", good)
    g.env("env_success_attachment", "success", "a valid envelope with a scanned letter inside",
          g.seal("attach", content=g.content(attachments=(ev.Attachment("scan 2026-11-18.pdf", "application/pdf",
                                                                       b"%PDF-1.7\n" + bytes(9000)),))))
    g.env("env_success_next_key", "success", "sealed to the bundle's next encryption key (rotation)",
          g.seal("next", recipient=g.w.bundle().encryption_keys[1].public))
    first = g.seal("chain1")
    second = g.seal("chain2", seq=2, prev=ev.envelope_hash(first))
    g.env("env_success_chain", "success", "seq 2 following the held seq 1", second, g.chain_entry(1, first))
    g.env("env_duplicate", "duplicate", "the same envelope again: answered with the same receipt", first,
          g.chain_entry(1, first))
    g.env("env_fork_same_seq", "fork", "seq 1 again with different content", g.seal("fork1"),
          g.chain_entry(1, first))
    g.env("env_fork_prev_hash", "fork", "seq 2 whose previous hash is not the held seq 1",
          g.seal("fork2", seq=2, prev=hashlib.sha256(b"other").digest()), g.chain_entry(1, first))
    g.env("env_fork_next", "fork", "seq 1 that the held seq 2 does not follow", g.seal("fork3"),
          g.chain_entry(2, second))
    g.env("env_gap", "gap", "seq 3 while only seq 1 is held: kept, gap reported",
          g.seal("gap", seq=3, prev=hashlib.sha256(b"missing").digest()), g.chain_entry(1, first))
    g.env("env_first_with_prev", "fork", "seq 1 with a non-zero previous hash",
          g.seal("firstprev", prev=hashlib.sha256(b"x").digest()))

    # structure
    g.env("env_truncated_header", "truncated", "cut inside the header", good[:60])
    g.env("env_truncated_empty", "truncated", "empty input", b"")
    g.env("env_truncated_ciphertext", "truncated", "cut inside the ciphertext", good[:ev.HEADER_LEN + 100])
    g.env("env_truncated_signature", "truncated", "last signature byte missing", good[:-1])
    g.env("env_trailing_byte", "trailing_bytes", "one byte appended", good + b"\x00")
    g.env("env_trailing_block", "trailing_bytes", "a second signature appended", good + good[-64:])

    def patch(offset: int, value: bytes, data: bytes = good) -> bytes:
        return data[:offset] + value + data[offset + len(value):]

    g.env("env_bad_magic", "bad_magic", "magic is not IPSSEAL", patch(0, b"IPSSEEL"))
    g.env("env_unknown_version", "unknown_version", "version 2", patch(7, b"\x02"))
    g.env("env_unknown_suite", "unknown_suite", "suite byte 2: no negotiation", patch(8, b"\x02"))
    g.env("env_flags", "bad_flags", "flags must be zero", patch(9, b"\x01"))
    ct_len = struct.unpack_from(">I", good, ev.HEADER_LEN - 4)[0]
    g.env("env_ct_len_not_bucket", "bad_length", "ciphertext length not a size bucket",
          patch(ev.HEADER_LEN - 4, struct.pack(">I", ct_len - 1)))
    g.env("env_ct_len_beyond", "truncated", "ciphertext length names a larger bucket than is present",
          patch(ev.HEADER_LEN - 4, struct.pack(">I", ct_len + 4096)))
    g.env("env_seq_zero", "bad_length", "sequence number 0", patch(52, bytes(8)))

    # keys and senders
    g.env("env_unknown_recipient", "unknown_recipient", "sealed to another office's key",
          g.seal("other", recipient=raw_public(g.w.other_office.encryption[0])))
    g.env("env_old_bundle", "old_bundle", "sealed under bundle 3; the office accepts 4 and later",
          g.seal("old", bundle_version=3))
    g.env("env_unknown_sender", "unknown_sender", "from device D, never enrolled", g.seal("d", device="D"))
    g.env("env_revoked", "revoked", "from device C, whose enrolment was revoked", g.seal("c", device="C"))
    g.env("env_expired_certificate", "expired", "from device E, whose certificate has expired",
          g.seal("e", device="E"))

    # signatures
    flipped_sig = bytearray(good)
    flipped_sig[-10] ^= 0x01
    g.env("env_sig_bitflip", "bad_signature", "one bit of the signature flipped", bytes(flipped_sig))
    g.env("env_sig_wrong_tag", "bad_signature", "signed under the receipt tag instead of the seal tag",
          g.resign(good, tag=TAG_RECEIPT))
    g.env("env_sig_other_device", "bad_signature", "header names A, signed by enrolled device B",
          g.resign(good, device="B"))
    g.env("env_sender_mismatch", "sender_mismatch", "header and signature are B's; the sender inside is A",
          g.seal("mismatch", device="B", inner_kid_device="A"))
    flipped_ct = bytearray(good)
    flipped_ct[ev.HEADER_LEN + 40] ^= 0x01
    g.env("env_ct_flip_unsigned", "bad_signature", "ciphertext byte flipped, signature left as it was",
          bytes(flipped_ct))

    # binding and AEAD (re-signed by the device so only the AEAD can catch them)
    g.env("env_header_flip", "aead_failure", "record id byte flipped and re-signed: the header is bound",
          g.resign(patch(ev.HEADER_LEN - 20, bytes([good[ev.HEADER_LEN - 20] ^ 1]))))
    g.env("env_header_bundle_version", "aead_failure", "bundle version changed 5→6 and re-signed",
          g.resign(patch(10, struct.pack(">Q", 6))))
    g.env("env_ct_flip", "aead_failure", "ciphertext byte flipped and re-signed", g.resign(bytes(flipped_ct)))
    tag_flip = bytearray(good)
    tag_flip[-65] ^= 0x80
    g.env("env_tag_flip", "aead_failure", "AEAD tag flipped and re-signed", g.resign(bytes(tag_flip)))
    g.env("env_eph_swapped", "aead_failure", "ephemeral key from another envelope, re-signed",
          g.resign(patch(ev.HEADER_LEN, first[ev.HEADER_LEN:ev.HEADER_LEN + 32])))
    g.env("env_eph_low_order", "bad_key", "ephemeral key is a low-order point (CCTV x25519_low_order)",
          g.resign(patch(ev.HEADER_LEN, LOW_ORDER_POINT)))
    g.env("env_eph_zero", "bad_key", "ephemeral key is all zeros", g.resign(patch(ev.HEADER_LEN, bytes(32))))

    # schema (valid cryptography around a bad inner payload)
    def inner_case(name: str, comment: str, inner: bytes) -> None:
        g.env(name, "schema_failure", comment, g.seal(name, inner=inner))

    inner_case("env_padding_not_zero", "padding has a non-zero byte",
               g.bad_inner(canonical_json(g.meta()))[:-1] + b"\x01")
    inner_case("env_padding_too_long", "padded to 8 KiB when 4 KiB was enough",
               g.bad_inner(canonical_json(g.meta()), size=8192))
    inner_case("env_meta_not_canonical", "meta JSON has spaces",
               g.bad_inner(canonical_json(g.meta()).replace(b",", b", ")))
    inner_case("env_meta_duplicate_key", "meta JSON repeats a key",
               g.bad_inner(canonical_json(g.meta())[:-1] + b',"schema":1}'))
    inner_case("env_meta_unknown_field", "meta has an extra field", g.bad_inner(canonical_json(g.meta(extra=1))))
    m = g.meta()
    del m["retention_class"]
    inner_case("env_meta_missing_field", "meta lacks retention_class", g.bad_inner(canonical_json(m)))
    inner_case("env_meta_schema_2", "record schema version 2", g.bad_inner(canonical_json(g.meta(schema=2))))
    inner_case("env_meta_float", "a float in the body",
               g.bad_inner(canonical_json(g.meta()).replace(b'"summary":"x"', b'"summary":1.5')))
    inner_case("env_meta_bool_for_int", "priority is true, not a number",
               g.bad_inner(canonical_json(g.meta(priority=True))))
    inner_case("env_meta_length_overrun", "meta length beyond the payload",
               struct.pack(">I", 5000) + bytes(4092))
    att = [{"name": "a.pdf", "mime": "application/pdf", "size": 3, "sha256": hashlib.sha256(b"abd").hexdigest()}]
    inner_case("env_attachment_hash", "attachment bytes do not match their hash",
               g.bad_inner(canonical_json(g.meta(attachments=att)), b"abc"))
    att_long = [dict(att[0], size=10_000, sha256=hashlib.sha256(b"abc").hexdigest())]
    inner_case("env_attachment_overrun", "attachment size beyond the payload",
               g.bad_inner(canonical_json(g.meta(attachments=att_long)), b"abc"))
    inner_case("env_meta_not_utf8", "meta is not UTF-8", g.bad_inner(b"\xff\xfe{}"))


def receipts(g: Gen) -> None:
    env = g.seal("good")
    parsed = ev.parse(env)
    h = parsed.header
    env_hash = ev.envelope_hash(env)
    context = {"env_device": "A", "env_seq": str(h.seq), "env_record_id": h.record_id.hex(),
               "env_hash": env_hash.hex(), "env_bundle_version": "5"}

    def make(signer: object = None, **kw: object) -> bytes:
        args: dict[str, object] = dict(status=rc.Status.VERIFIED, bundle_version=5, sender_kid=h.sender_kid, seq=h.seq,
                                       record_id=h.record_id, env_hash=env_hash, cum_seq=1, office_time=NOW)
        args.update(kw)
        return rc.make_receipt(signer or g.w.keys.receipt_signer(), **args)  # type: ignore[arg-type]

    def add(name: str, expect: str, comment: str, body: bytes) -> None:
        g.add(Vector(name, "receipt", expect, comment, body, dict(context)))

    good = make()
    add("rcpt_verified", "success", "VERIFIED by the office receipt key", good)
    add("rcpt_stored", "success", "STORED by the relay (stop retrying; no purge)",
        make(g.w.relay, status=rc.Status.STORED))
    add("rcpt_rejected", "success", "REJECTED with a reason",
        make(status=rc.Status.REJECTED, reason=wire.Reason.SCHEMA))
    add("rcpt_relay_claims_verified", "not_office_key", "the relay signed a VERIFIED receipt", make(g.w.relay))
    add("rcpt_office_claims_stored", "unknown_signer", "STORED must come from the relay", make(status=rc.Status.STORED))
    add("rcpt_retired_key", "unknown_signer", "signed by a receipt key no longer in the bundle",
        make(g.w.retired_receipt_key))
    add("rcpt_other_office", "unknown_signer", "signed by another office's receipt key",
        make(g.w.other_office.receipt_signer()))
    flipped = bytearray(good)
    flipped[-1] ^= 1
    add("rcpt_sig_bitflip", "bad_signature", "signature bit flipped", bytes(flipped))
    body_flip = bytearray(good)
    body_flip[-64 - 9] ^= 1
    add("rcpt_time_flip", "bad_signature", "office time changed after signing", bytes(body_flip))
    add("rcpt_sig_wrong_tag", "bad_signature", "signed under the seal tag",
        good[:-64] + sign(g.w.keys.receipt_signer(), TAG_SEAL, good[:-64]))
    add("rcpt_wrong_hash", "wrong_envelope", "for another envelope's hash",
        make(env_hash=hashlib.sha256(b"other").digest()))
    add("rcpt_wrong_seq", "wrong_envelope", "for another sequence number", make(seq=2))
    add("rcpt_wrong_record", "wrong_envelope", "for another record id", make(record_id=bytes(16)))
    add("rcpt_wrong_device", "wrong_device", "for device B", make(sender_kid=g.w.devices["B"].kid))
    add("rcpt_old_bundle", "old_bundle", "signed under bundle 4; the envelope used 5", make(bundle_version=4))
    add("rcpt_truncated", "truncated", "last byte missing", good[:-1])
    add("rcpt_trailing", "trailing_bytes", "one byte appended", good + b"\x00")
    add("rcpt_bad_magic", "bad_magic", "magic is not IPSRCPT", b"IPSRCPX" + good[7:])
    add("rcpt_unknown_version", "unknown_version", "version 2", good[:7] + b"\x02" + good[8:])
    status_at = 7 + 1 + 8 + 16 + 16 + 8 + 16 + 32
    add("rcpt_unknown_status", "schema_failure", "status 7",
        _resign_receipt(g, good[:status_at] + b"\x07" + good[status_at + 1:]))
    add("rcpt_verified_with_reason", "schema_failure", "a VERIFIED receipt carrying a reason code",
        _resign_receipt(g, good[:status_at + 1] + b"\x03" + good[status_at + 2:]))
    rejected = make(status=rc.Status.REJECTED, reason=wire.Reason.SCHEMA)
    add("rcpt_unknown_reason", "schema_failure", "a rejection with reason code 250",
        _resign_receipt(g, rejected[:status_at + 1] + b"\xfa" + rejected[status_at + 2:]))


def _resign_receipt(g: Gen, data: bytes) -> bytes:
    body = data[:-64]
    return body + sign(g.w.keys.receipt_signer(), TAG_RECEIPT, body)


def documents(g: Gen) -> None:
    w = g.w
    g.add(Vector("okb_success", "bundle", "success", "bundle 5, pinned 4", w.bundles[5], {"pinned": "4"}))
    g.add(Vector("okb_same_version", "bundle", "success", "bundle 5 again, pinned 5 (same bytes)", w.bundles[5],
                 {"pinned": "5"}))
    g.add(Vector("okb_rollback", "bundle", "old_bundle", "bundle 4 offered while 5 is pinned", w.bundles[4],
                 {"pinned": "5"}))
    twin = ok.make_bundle(w.keys, version=5, issued_at=NOW, not_after=NOW + 86400, office_name="Twin")
    g.add(Vector("okb_same_version_different", "bundle", "old_bundle", "a different bundle numbered 5", twin,
                 {"pinned": "5"}))
    g.add(Vector("okb_other_office", "bundle", "unknown_signer", "signed by another office's root key",
                 w.other_bundle, {"pinned": "4"}))
    flipped = bytearray(w.bundles[5])
    flipped[40] ^= 1
    g.add(Vector("okb_body_flip", "bundle", "bad_signature", "a byte of the body changed", bytes(flipped),
                 {"pinned": "4"}))
    g.add(Vector("okb_trailing", "bundle", "trailing_bytes", "one byte appended", w.bundles[5] + b"\n",
                 {"pinned": "4"}))
    body = canonical_json({"version": 6}).replace(b":", b": ")
    head = struct.pack(">6sBB16sI", b"IPSDOC", 1, 1, kid(w.keys.root_public), len(body))
    g.add(Vector("okb_not_canonical", "bundle", "schema_failure", "signed, but the body is not canonical JSON",
                 head + body + sign(w.keys.root, wire.TAG_BUNDLE, head + body), {"pinned": "4"}))
    cert_as_bundle = w.certificates["A"]
    g.add(Vector("okb_is_certificate", "bundle", "schema_failure", "a device certificate offered as a bundle",
                 cert_as_bundle, {"pinned": "4"}))
    g.add(Vector("cert_success", "certificate", "success", "device A's certificate", w.certificates["A"]))
    other_cert = ok.make_certificate(w.other_office.root, serial=1, signing_key=w.devices["A"].signing_public,
                                     box_key=w.devices["A"].box_public, label="IPS-01", not_before=NOW,
                                     not_after=NOW + 86400)
    g.add(Vector("cert_other_office", "certificate", "unknown_signer", "issued by another office", other_cert))
    rng = Drbg("invite")
    invite = Invite(rng(16), rng(16), w.keys.root_public, NOW + 86400, "http://127.0.0.1:8765")
    nonce = rng(32)
    request = make_request(invite, w.devices["D"], "IPS-09", "0.1.0", nonce)
    headers = {"invite_secret": invite.secret.hex()}
    g.add(Vector("enrol_success", "request", "success", "an enrolment request under the invite", request, headers))
    wrong = Invite(invite.invite_id, rng(16), w.keys.root_public, NOW + 86400, "")
    g.add(Vector("enrol_wrong_secret", "request", "bad_mac", "MAC made with a different invite secret",
                 make_request(wrong, w.devices["D"], "IPS-09", "0.1.0", nonce), headers))
    swapped = bytearray(request)
    swapped[-1] ^= 1
    g.add(Vector("enrol_bad_signature", "request", "bad_signature", "proof-of-possession signature flipped",
                 bytes(swapped), headers))


def generate() -> list[Vector]:
    g = Gen()
    envelopes(g)
    receipts(g)
    documents(g)
    return g.vectors


def main() -> None:
    DATA.mkdir(exist_ok=True)
    for old in DATA.glob("*.vec"):
        old.unlink()
    vectors = generate()
    for v in vectors:
        (DATA / f"{v.name}.vec").write_bytes(v.encode())
    print(f"wrote {len(vectors)} vectors to {DATA}")


if __name__ == "__main__":
    main()
