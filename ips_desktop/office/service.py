"""The office's sealed-sync logic, without Qt (DESIGN §5, §8).

:class:`OfficeService` creates the office (keys, bundle, policy), makes invites, enrols
laptops after the short authentication string has been compared, opens envelopes in the
order the design fixes (verify, then decrypt), commits each record to the office vault and
only then signs its VERIFIED receipt. Replays get the same receipt again; forks and gaps
raise alerts. Single-threaded: use from the thread that opened the office vault.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from ..crypto import enrolment, envelope, office_keys, receipt
from ..crypto.device import open_purge_certificate
from ..crypto.wire import REASON_TEXT, Reason, WireError, kid, raw_public
from ..store.audit import AuditLog
from ..store.errors import VaultConflictError
from ..store.office_store import ChainRow, OfficeRecord, OfficeRepository, OfficeState
from ..store.vault import VaultConnection

log = logging.getLogger(__name__)

Rng = Callable[[int], bytes]
BUNDLE_LIFETIME = 400 * 86400
CERTIFICATE_LIFETIME = 3 * 365 * 86400


class OfficeError(Exception):
    """Something the PPO or IT person can act on; the message says what."""


@dataclass(frozen=True)
class ReceiveResult:
    """What happened to one envelope. ``receipt`` goes back to the laptop (None when the
    envelope was too damaged to name its sender)."""

    outcome: str  # "verified", "duplicate", "rejected", "dropped"
    receipt: bytes | None
    device_kid: bytes | None
    seq: int | None
    reason: Reason | None = None
    gap: bool = False


@dataclass(frozen=True)
class PendingEnrolment:
    invite_id: bytes
    label: str
    sas: str


@dataclass(frozen=True)
class Challenge:
    """The office's answer to a laptop's commitment, to post back under the invite id."""

    invite_id: bytes
    data: bytes


def office_record_id(device_kid: bytes, header_id: bytes) -> bytes:
    """The id the office keeps a laptop's record under: the laptop's own id for it, made unique
    to that laptop. Record ids travel in the clear in envelope headers, so a laptop turned
    hostile could otherwise take another's id first and have the real record refused."""
    return hashlib.sha256(b"ips-office-record/v1" + device_kid + header_id).digest()[:16]


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class OfficeService:
    def __init__(self, vault: VaultConnection, now: Callable[[], datetime], rng: Rng = os.urandom,
                 who: Callable[[], str] = lambda: "") -> None:
        """``who`` names the person acting here, for the audit (the PPO at this console)."""
        self.repo = OfficeRepository(vault, now)
        self.audit = AuditLog(vault, now, who)
        self._vault = vault
        self._now = now
        self._rng = rng
        # Parsed keys and certificates, rebuilt whenever the office's state or devices change,
        # here or through another connection (the console's workers each have their own).
        self._cache: tuple[OfficeState, office_keys.OfficeKeys, dict[bytes, office_keys.DeviceCertificate],
                           frozenset[bytes]] | None = None
        self._cache_version = -1

    def _cached(self) -> tuple[OfficeState, office_keys.OfficeKeys, dict[bytes, office_keys.DeviceCertificate],
                               frozenset[bytes]]:
        version = self._vault.data_version()
        if self._cache is None or version != self._cache_version:
            self._cache_version = version
            state = self.repo.state()
            if state is None:
                raise OfficeError("This office has not been set up yet. Run `ips-office init` first.")
            keys = office_keys.OfficeKeys.from_dict(state.keys)
            devices = self.repo.devices()
            certificates = {d.device_kid: office_keys.open_certificate(d.certificate, keys.root_public)
                            for d in devices}
            self._cache = (state, keys, certificates,
                           frozenset(d.device_kid for d in devices if d.revoked_at is not None))
        return self._cache

    def _changed(self) -> None:
        self._cache = None

    # -- the office ---------------------------------------------------------------------------------
    @property
    def exists(self) -> bool:
        return self.repo.state() is not None

    def _state(self) -> OfficeState:
        return self._cached()[0]

    def device_certificate(self, device_kid: bytes) -> office_keys.DeviceCertificate:
        """The certificate of an enrolled, unrevoked laptop; OfficeError otherwise."""
        _, _, certificates, revoked = self._cached()
        certificate = certificates.get(device_kid)
        if certificate is None or device_kid in revoked:
            raise OfficeError("That laptop is not enrolled (or its enrolment was revoked).")
        return certificate

    def now(self) -> datetime:
        return self._now()

    def random(self, n: int) -> bytes:
        return self._rng(n)

    def keys(self) -> office_keys.OfficeKeys:
        """The office's private keys (a fresh copy the caller may change, as ``rotate`` does)."""
        return office_keys.OfficeKeys.from_dict(self._state().keys)

    def create(self, office_name: str, *, address: str = "", relay_public: bytes | None = None,
               policy: dict[str, Any] | None = None) -> bytes:
        """Make the office's keys and its first bundle. Returns the root public key."""
        check_relay_address(address)
        if self.exists:
            raise OfficeError("This office already exists; its keys have not been changed.")
        keys = office_keys.OfficeKeys.generate(self._rng)
        state = OfficeState(office_name, keys.to_dict(), b"", 0, 1, address, relay_public, policy or {}, 1)
        with self._vault.transaction():
            self._publish(state, keys, revoked=[])
            self.audit.append("office created", "office")
        return keys.root_public

    def _publish(self, state: OfficeState, keys: office_keys.OfficeKeys, revoked: list[bytes]) -> OfficeState:
        version = state.bundle_version + 1
        now = _epoch(self._now())
        relay = office_keys.RelayInfo(state.address, state.relay_public) if state.relay_public else None
        bundle = office_keys.make_bundle(keys, version=version, issued_at=now, not_after=now + BUNDLE_LIFETIME,
                                         office_name=state.office_name, revoked_devices=revoked, relay=relay,
                                         policy=state.policy)
        new_state = replace(state, keys=keys.to_dict(), bundle=bundle, bundle_version=version)
        self.repo.save_state(new_state)
        self._changed()
        return new_state

    def bundle(self) -> bytes:
        return self._state().bundle

    def root_public(self) -> bytes:
        return self.keys().root_public

    def set_relay(self, address: str, relay_public: bytes | None) -> bytes:
        check_relay_address(address)
        state = self._state()
        with self._vault.transaction():
            new = self._publish(replace(state, address=address, relay_public=relay_public), self.keys(),
                                self._revoked())
            self.audit.append("relay changed", "office")
        return new.bundle

    def set_policy(self, policy: dict[str, Any]) -> bytes:
        state = self._state()
        with self._vault.transaction():
            new = self._publish(replace(state, policy=policy), self.keys(), self._revoked())
            self.audit.append("policy changed", "office")
        return new.bundle

    def _revoked(self) -> list[bytes]:
        return [d.device_kid for d in self.repo.devices() if d.revoked_at is not None]

    def rotate(self) -> bytes:
        """New current encryption key (the old one is kept to open what is in transit) and a
        new receipt key; a new bundle carries them to every laptop at its next sync."""
        state = self._state()
        keys = self.keys()
        keys.rotate(self._rng)
        with self._vault.transaction():
            new = self._publish(state, keys, self._revoked())
            self.audit.append("keys rotated", "office", f"bundle {new.bundle_version}")
        return new.bundle

    def resume_after_restore(self, published: bytes | None,
                             key_backup: office_keys.OfficeKeys | None = None) -> bytes:
        """An office restored from a backup catches up with what it published since: its next
        bundle is newer than the one the relay holds (which laptops have pinned), keeps every
        revocation and the policy that bundle carried, and the keys are those the bundle names —
        the backup's own, or the key backup's when the keys were rotated after the office backup.
        Returns the bundle to publish. Refuses, changing nothing, when neither holds them."""
        state = self._state()
        keys = self.keys()
        if published is None:
            return self._resume(state, keys, state.bundle_version, set(), None)
        try:
            current = office_keys.open_bundle(published, keys.root_public)
        except WireError:
            raise OfficeError("The relay holds a key bundle that is not this office's: this backup belongs to "
                              "another office, or the relay to another service.") from None
        if key_backup is not None and key_backup.root_public != keys.root_public:
            raise OfficeError("That key backup belongs to another office (its root key differs).")
        for candidate in (keys, key_backup):
            if candidate is not None and _holds(candidate, current):
                return self._resume(state, candidate, max(state.bundle_version, current.version),
                                    set(current.revoked_devices), current.policy
                                    if current.version > state.bundle_version else None)
        raise OfficeError("The office keys were changed after this backup was made, and the key backup given (if "
                          "any) is older too: records sealed since could not be opened. Nothing was changed; "
                          "find the newest key backup (Office ▸ Back up keys… makes one after every change).")

    def _resume(self, state: OfficeState, keys: office_keys.OfficeKeys, version: int, revoked: set[bytes],
                policy: dict[str, Any] | None) -> bytes:
        with self._vault.transaction():
            for device in self.repo.devices():
                if device.device_kid in revoked:
                    self.repo.revoke_device(device.device_kid)
            self._changed()
            resumed = replace(state, bundle_version=version, policy=policy if policy is not None else state.policy)
            new = self._publish(resumed, keys, self._revoked())
            self.audit.append("office restored", "office", f"bundle {new.bundle_version}")
        return new.bundle

    # -- enrolment ----------------------------------------------------------------------------------
    def make_invite(self, label: str) -> enrolment.Invite:
        state = self._state()
        invite = enrolment.Invite(self._rng(16), self._rng(16), self.keys().root_public,
                                  _epoch(self._now()) + enrolment.INVITE_LIFETIME, state.address)
        with self._vault.transaction():
            self.repo.add_invite(invite.invite_id, invite.secret, label, invite.expires_at)
            self.audit.append("invite made", invite.invite_id.hex()[:8], label)
        return invite

    def _open_invite(self, invite_id: bytes) -> tuple[bytes, str]:
        """(secret, label) of an invite that can still be used."""
        found = self.repo.invite(invite_id)
        if found is None:
            raise OfficeError("The enrolment request names an invite this office never made.")
        secret, label, expires_at, used = found
        if used:
            raise OfficeError("That invite has already been used. Make a new one.")
        if _epoch(self._now()) > expires_at:
            raise OfficeError("That invite has expired. Make a new one.")
        return secret, label

    def receive_enrolment(self, message: bytes) -> PendingEnrolment | Challenge:
        """A laptop's commitment (answered with a :class:`Challenge` to send back at once) or
        its request, checked against the commitment; the PPO then compares the six digits."""
        if enrolment.is_commitment(message):
            return self._receive_commitment(message)
        try:
            parsed, _, _ = enrolment.read_request(message)
        except WireError as exc:
            raise OfficeError(f"The enrolment request was refused: {exc}.") from None
        secret, label = self._open_invite(parsed.invite_id)
        try:
            enrolment.check_request(message, secret)
        except WireError:
            raise OfficeError("The enrolment request does not match its invite code; it was not accepted.") from None
        committed = self.repo.invite_commitment(parsed.invite_id)
        if committed is None or not hmac.compare_digest(committed[0], parsed.commitment):
            with self._vault.transaction():
                self.repo.alert("enrolment", None, f"invite {parsed.invite_id.hex()[:8]}: a request that does not "
                                "match the laptop's first message; refused. Make a new invite and tell the volunteer.")
            raise OfficeError("An enrolment request did not match the laptop's first message; it was refused. "
                              "Someone may be trying to enrol in the volunteer's place: make a new invite.")
        sas = enrolment.short_authentication_string(self.root_public(), parsed, committed[1])
        with self._vault.transaction():
            self.repo.put_enrolment(parsed.invite_id, message, kid(parsed.signing_key), parsed.label or label, sas)
            self.audit.append("enrolment requested", parsed.invite_id.hex()[:8])
        return PendingEnrolment(parsed.invite_id, parsed.label or label, sas)

    def _receive_commitment(self, message: bytes) -> Challenge:
        try:
            invite_id, _ = enrolment.read_commitment(message)
        except WireError as exc:
            raise OfficeError(f"The enrolment request was refused: {exc}.") from None
        secret, _ = self._open_invite(invite_id)
        try:
            _, committed = enrolment.check_commitment(message, secret)
        except WireError:
            raise OfficeError("The enrolment request does not match its invite code; it was not accepted.") from None
        held = self.repo.invite_commitment(invite_id)
        if held is not None and hmac.compare_digest(held[0], committed):  # the same message again
            return Challenge(invite_id, enrolment.make_challenge(invite_id, secret, committed, held[1]))
        nonce = self._rng(enrolment.NONCE_LEN)
        with self._vault.transaction():
            first = self.repo.commit_invite(invite_id, committed, nonce)
            if first:
                self.audit.append("enrolment committed", invite_id.hex()[:8])
            else:
                self.repo.alert("enrolment", None, f"invite {invite_id.hex()[:8]}: a second laptop tried to use "
                                "it; refused. If the volunteer's laptop is not enrolling, make a new invite.")
        if not first:
            raise OfficeError("A second laptop tried to use the same invite; it was refused.")
        return Challenge(invite_id, enrolment.make_challenge(invite_id, secret, committed, nonce))

    def awaiting_requests(self) -> int:
        """Laptops that committed in the last ten minutes and whose request is still to come:
        the console pulls again soon while there are any."""
        since = (self._now() - timedelta(minutes=10)).isoformat(timespec="seconds")
        return self.repo.awaiting_requests(since)

    def pending_enrolments(self) -> list[PendingEnrolment]:
        return [PendingEnrolment(*row) for row in self.repo.pending_enrolments()]

    def accept_enrolment(self, invite_id: bytes) -> bytes:
        """Only after the PPO and volunteer have read the same six digits to each other.
        Returns the response for the laptop (certificate and bundle under the invite's MAC)."""
        state = self._state()
        found = self.repo.enrolment(invite_id)
        invite = self.repo.invite(invite_id)
        if found is None or invite is None:
            raise OfficeError("There is no enrolment request for that invite.")
        request_bytes, label, _, status, response = found
        if status == "accepted" and response is not None:
            return response
        if status != "pending":
            raise OfficeError("That enrolment was refused. Make a new invite.")
        request = enrolment.check_request(request_bytes, invite[0])
        now = _epoch(self._now())
        keys = self.keys()
        certificate = office_keys.make_certificate(
            keys.root, serial=state.next_serial, signing_key=request.signing_key, box_key=request.box_key,
            label=label, not_before=now - 300, not_after=now + CERTIFICATE_LIFETIME)
        response = enrolment.make_response(invite_id, invite[0], certificate, state.bundle)
        with self._vault.transaction():
            self.repo.add_device(kid(request.signing_key), state.next_serial, label, certificate)
            self.repo.save_state(replace(state, next_serial=state.next_serial + 1))
            self._changed()
            self.repo.mark_invite_used(invite_id)
            self.repo.finish_enrolment(invite_id, "accepted", response)
            self.audit.append("device enrolled", kid(request.signing_key).hex(), label)
        return response

    def certificate_for_invite(self, invite_id: bytes) -> bytes:
        found = self.repo.enrolment(invite_id)
        if found is None:
            raise OfficeError("There is no enrolment for that invite.")
        device_kid = kid(enrolment.read_request(found[0])[0].signing_key)
        for device in self.repo.devices():
            if device.device_kid == device_kid:
                return device.certificate
        raise OfficeError("That enrolment has not been accepted.")

    def refuse_enrolment(self, invite_id: bytes) -> None:
        with self._vault.transaction():
            self.repo.finish_enrolment(invite_id, "refused", None)
            self.repo.mark_invite_used(invite_id)
            self.audit.append("enrolment refused", invite_id.hex()[:8])

    def enrolment_response(self, invite_id: bytes) -> bytes | None:
        found = self.repo.enrolment(invite_id)
        return found[4] if found else None

    def revoke(self, device_kid: bytes) -> bytes:
        """Revoke a laptop: its envelopes are refused from now on and a new bundle lists it."""
        state = self._state()
        with self._vault.transaction():
            if not self.repo.revoke_device(device_kid):
                raise OfficeError("No enrolled, unrevoked device has that id.")
            self._changed()
            new = self._publish(state, self.keys(), self._revoked())
            self.audit.append("device revoked", device_kid.hex())
        return new.bundle

    # -- receiving ----------------------------------------------------------------------------------
    def _recipient(self) -> envelope.Recipient:
        _, keys, certificates, revoked = self._cached()
        return envelope.Recipient(
            encryption_keys={kid(raw_public(k)): k for k in keys.encryption},
            devices=certificates, revoked=revoked, min_bundle_version=self._state().min_bundle_version,
            now=_epoch(self._now()))

    def receive(self, data: bytes) -> ReceiveResult:
        """Verify, open, commit, then sign the receipt. Never raises for bad input.

        One transaction from the first look at the chain to the receipt: two consoles sharing
        the office that open the same envelope at once take turns, and the second finds it held
        and answers with the same receipt (docs/architecture.md, "Several PPOs, one office")."""
        try:
            parsed = envelope.parse(data)
        except WireError as exc:
            with self._vault.transaction():
                self.repo.alert("malformed envelope", None, exc.reason.value)
            return ReceiveResult("dropped", None, None, None, exc.reason)
        with self._vault.transaction():
            return self._receive(data, parsed)

    def _receive(self, data: bytes, parsed: envelope.ParsedEnvelope) -> ReceiveResult:
        state = self._state()
        h = parsed.header
        env_hash = parsed.env_hash
        chain = self.repo.chain_around(h.sender_kid, h.seq)
        held = chain.get(h.seq)
        if held is not None and held.env_hash == env_hash:
            return ReceiveResult("duplicate", self._receipt_again(state, h.sender_kid, held), h.sender_kid, h.seq,
                                 Reason(held.reason) if held.reason else None)
        try:
            opened = envelope.open_envelope(data, self._recipient())
            verdict = envelope.check_chain(
                {s: envelope.ChainEntry(r.env_hash, r.prev_hash) for s, r in chain.items()}, h, env_hash)
        except WireError as exc:
            signed = exc.reason not in _BEFORE_SIGNATURE or self._signed_by_sender(parsed)
            return self._reject(state, h, env_hash, exc.reason, signed=signed)
        content = opened.content
        if self._own_record(h.sender_kid, h.record_id) is not None:
            # Signed, but this laptop has already sent a record under that id.
            return self._reject(state, h, env_hash, Reason.DUPLICATE_ID, signed=True)
        self._note_borrowed_id(h)
        supersedes = self._check_supersedes(h, content) if content.supersedes is not None else None
        try:
            return self._store(state, h, env_hash, content, verdict, supersedes)
        except VaultConflictError:  # a clash the checks above did not foresee: refuse, never stall
            log.warning("envelope refused: it clashes with a record held")
            return self._reject(state, h, env_hash, Reason.DUPLICATE_ID, signed=False)

    def _receipt_again(self, state: OfficeState, device_kid: bytes, held: ChainRow) -> bytes:
        """The receipt an envelope got, for the copy sent again (its receipt was lost). One
        signed by a receipt key since retired would be refused by the laptop: it is signed
        again, the same answer under the current key, and kept."""
        if not held.receipt:
            return held.receipt
        first = receipt.parse_receipt(held.receipt)[0]
        current = {kid(raw_public(k)) for k in self._cached()[1].receipt}
        if first.signer_kid in current:
            return held.receipt
        with self._vault.transaction():
            count = self.repo.advance_contiguous(device_kid) if first.status is receipt.Status.VERIFIED \
                else first.cum_seq
            again = receipt.make_receipt(
                self._cached()[1].receipt_signer(), status=first.status, bundle_version=state.bundle_version,
                sender_kid=device_kid, seq=first.seq, record_id=first.record_id, env_hash=first.env_hash,
                cum_seq=count, office_time=_epoch(self._now()), reason=first.reason)
            self.repo.set_receipt(device_kid, first.seq, again)
            self.audit.append("receipt signed again", device_kid.hex(), str(first.seq))
        return again

    def _own_record(self, device_kid: bytes, header_id: bytes) -> tuple[bytes, tuple[bytes, str, str | None]] | None:
        """(the id the office keeps ``device_kid``'s record ``header_id`` under, its origin), if
        it has it: per laptop (``office_record_id``), or the header id itself for a record kept
        before ids were per laptop."""
        for stored in (office_record_id(device_kid, header_id), header_id):
            origin = self.repo.record_origin(stored)
            if origin is not None and origin[0] == device_kid:
                return stored, origin
        return None

    def _note_borrowed_id(self, h: envelope.Header) -> None:
        """Record ids are random and travel in the clear: another laptop's record under the same
        id means one of the two copied it from a header. Both are kept; the PPO is told."""
        others = [o for o in self.repo.records_with_header_id(h.record_id) if o != h.sender_kid]
        if others:
            with self._vault.transaction():
                self.repo.alert("record id used twice", h.sender_kid,
                                f"envelope {h.seq} carries the record id of a record from laptop "
                                f"{others[0].hex()[:8]}; one of the two laptops is not genuine. Both are kept.")

    def _check_supersedes(self, h: envelope.Header, content: envelope.RecordContent) -> bytes:
        """The stored id an edit replaces. An edit may replace only its own laptop's record of
        the same type and case; anything else is kept as a record of its own (the query rule
        ignores the claim) and reported."""
        assert content.supersedes is not None
        found = self._own_record(h.sender_kid, content.supersedes)
        own = found[0] if found else None
        if found is not None:
            if found[1] == (h.sender_kid, content.record_type, content.case_ref):
                return found[0]
            whose = "a record of another kind or case"
        elif any(o != h.sender_kid for o in self.repo.records_with_header_id(content.supersedes)):
            whose = "another laptop's record"
        else:
            return office_record_id(h.sender_kid, content.supersedes)  # not here (yet): nothing to replace
        with self._vault.transaction():
            self.repo.alert("edit of another record", h.sender_kid,
                            f"envelope {h.seq} says it replaces {whose}; kept as a record of its own, "
                            "and the other record is still shown")
        return own or office_record_id(h.sender_kid, content.supersedes)

    def _store(self, state: OfficeState, h: envelope.Header, env_hash: bytes, content: envelope.RecordContent,
               verdict: str, supersedes: bytes | None) -> ReceiveResult:
        with self._vault.transaction():
            self.repo.add_record(OfficeRecord(
                office_record_id(h.sender_kid, h.record_id), h.sender_kid, h.seq, content.record_type,
                content.case_ref, content.created_at, supersedes, self._now(), {
                    "record_type": content.record_type, "case_ref": content.case_ref,
                    "created_at": content.created_at, "sealed_at": content.sealed_at,
                    "retention_class": content.retention_class, "priority": content.priority, "body": content.body,
                }), [(a.name, a.mime, a.data) for a in content.attachments], header_id=h.record_id)
            # The chain row goes in first (with its receipt filled in below) so the cumulative
            # count includes this envelope.
            self.repo.add_chain(h.sender_kid, ChainRow(h.seq, env_hash, h.prev_hash, h.record_id, "verified", None,
                                                       b""))
            signed = receipt.make_receipt(
                self._cached()[1].receipt_signer(), status=receipt.Status.VERIFIED,
                bundle_version=state.bundle_version, sender_kid=h.sender_kid, seq=h.seq, record_id=h.record_id,
                env_hash=env_hash, cum_seq=self.repo.advance_contiguous(h.sender_kid),
                office_time=_epoch(self._now()))
            self.repo.set_receipt(h.sender_kid, h.seq, signed)
            if verdict == envelope.ChainVerdict.GAP:
                self.repo.alert("gap", h.sender_kid, f"envelope {h.seq} arrived before envelope {h.seq - 1}")
            self.audit.append("record received", h.record_id.hex(), content.record_type)
        return ReceiveResult("verified", signed, h.sender_kid, h.seq, gap=verdict == envelope.ChainVerdict.GAP)

    def _signed_by_sender(self, parsed: envelope.ParsedEnvelope) -> bool:
        """Whether the enrolled laptop named in the header really signed this envelope (refused
        for another reason first: an old bundle, a revoked laptop)."""
        certificate = self._recipient().devices.get(parsed.header.sender_kid)
        if certificate is None:
            return False
        try:
            envelope.verify_sender(parsed, certificate)
        except WireError:
            return False
        return True

    def _reject(self, state: OfficeState, h: envelope.Header, env_hash: bytes, reason: Reason,
                signed: bool) -> ReceiveResult:
        """A REJECTED receipt tells the laptop to keep the record and say why. An envelope its
        laptop did not sign gets an alert only: it enters no chain and is answered with no
        receipt, which would take the place of the real one (a file in the drop folder named
        after a volunteer's envelope is all it takes). Nor is a rejection ever sent for an
        envelope number the office holds as received: its VERIFIED receipt stands."""
        held = self.repo.chain_around(h.sender_kid, h.seq).get(h.seq)
        if not signed or (held is not None and held.status == "verified"):
            with self._vault.transaction():
                self.repo.alert("fork" if reason is Reason.FORK else "rejected envelope", h.sender_kid,
                                f"envelope {h.seq}: {REASON_TEXT[reason]}"
                                + ("" if signed else " (not signed by that laptop: no receipt sent)"))
            log.warning("envelope refused without a receipt: %s", reason.value)
            return ReceiveResult("rejected", None, h.sender_kid, h.seq, reason)
        rejection = receipt.make_receipt(
            self._cached()[1].receipt_signer(), status=receipt.Status.REJECTED, bundle_version=state.bundle_version,
            sender_kid=h.sender_kid, seq=h.seq, record_id=h.record_id, env_hash=env_hash, cum_seq=0,
            office_time=_epoch(self._now()), reason=reason)
        with self._vault.transaction():
            kind = "fork" if reason is Reason.FORK else "rejected envelope"
            self.repo.alert(kind, h.sender_kid, f"envelope {h.seq}: {REASON_TEXT[reason]}")
            if signed and reason is not Reason.FORK:
                self.repo.add_chain(h.sender_kid, ChainRow(h.seq, env_hash, h.prev_hash, h.record_id, "rejected",
                                                           reason.value, rejection))
        log.warning("envelope refused: %s", reason.value)
        return ReceiveResult("rejected", rejection, h.sender_kid, h.seq, reason)

    def receive_purge_certificate(self, device_kid: bytes, data: bytes) -> int:
        """File a laptop's signed certificate of deletion; returns how many records it lists."""
        device = next((d for d in self.repo.devices() if d.device_kid == device_kid), None)
        if device is None:
            raise OfficeError("A purge certificate arrived from a device this office does not know.")
        signing_key = office_keys.open_certificate(device.certificate, self.root_public()).signing_key
        try:
            serial, issued_at, entries = open_purge_certificate(data, signing_key)
        except WireError as exc:
            raise OfficeError(f"A purge certificate was refused: {exc}.") from None
        with self._vault.transaction():
            if self.repo.add_purge_certificate(device_kid, serial, issued_at, len(entries), data):
                self.audit.append("purge certificate", device_kid.hex(), str(len(entries)))
        return len(entries)


_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def check_relay_address(address: str) -> None:
    """A relay is reached over https: over plain http the volunteers' phone check-in page, and
    its PIN, would cross the network unprotected. Plain http is allowed only to this computer
    (tests and demos). A drop folder's path passes."""
    if not address.lower().startswith("http://"):
        return
    host = (urlsplit(address).hostname or "").lower()
    if host in _LOOPBACK or host.startswith("127."):
        return
    raise OfficeError("A relay's address must start with https://: over plain http:// the volunteers' phone "
                      "check-in page would carry their PIN unprotected. Ask your IT contact for the https address.")


_BEFORE_SIGNATURE = {Reason.UNKNOWN_RECIPIENT, Reason.OLD_BUNDLE, Reason.UNKNOWN_SENDER, Reason.REVOKED,
                     Reason.BAD_SIGNATURE}


def _holds(keys: office_keys.OfficeKeys, bundle: office_keys.KeyBundle) -> bool:
    """Whether ``keys`` has the private half of every key ``bundle`` names."""
    encryption = {kid(raw_public(k)) for k in keys.encryption}
    receipts = {kid(raw_public(k)) for k in keys.receipt}
    return all(e.kid in encryption for e in bundle.encryption_keys) and \
        all(r.kid in receipts for r in bundle.receipt_keys)
