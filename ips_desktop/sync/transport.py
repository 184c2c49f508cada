"""Transports: how sealed envelopes, receipts, bundles and enrolment messages travel.

Both transports carry the same bytes; neither is trusted. The relay and the drop folder see
only ciphertext and routing metadata (a device's key id and a sequence number).

:class:`FolderTransport` is a drop folder (a mapped network share, a synced folder, a USB
stick) that needs no server::

    <folder>/bundle.okb                      current office key bundle (office writes)
    <folder>/inbox/<device>/<seq>.env        sealed envelopes (laptops write)
    <folder>/receipts/<device>/<seq>.rcpt    receipts (office writes, laptop removes once held)
    <folder>/enrol/<invite>.req / .resp      enrolment request and response
    <folder>/purge/<device>/<serial>.cert    signed certificates of deletion

Every file is written under a temporary name, flushed and renamed, so a reader never sees
half a file. The office is the only reader of ``inbox/`` and deletes an envelope once it has
committed it and written the VERIFIED receipt.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

if TYPE_CHECKING:
    from .relay_client import RelayTransport

MAX_FILE = 80 * 1024 * 1024


class TransportError(Exception):
    """The office could not be reached. The message says what to check; records stay queued."""


class Busy(TransportError):
    """The relay asked this side to slow down (its rate limit): carry on a little later."""


class Gone(TransportError):
    """The item was taken (by another console, or its file was removed) before it was read."""


@dataclass(frozen=True)
class Incoming:
    handle: str
    data: bytes


class DeviceTransport(Protocol):
    def deliver(self, device_kid: bytes, seq: int, envelope: bytes) -> bytes | None:
        """Hand one envelope over; returns the relay's STORED receipt when there is one."""

    def receipts(self, device_kid: bytes) -> list[Incoming]: ...

    def forget_receipt(self, device_kid: bytes, handle: str) -> None: ...

    def bundle(self) -> bytes | None: ...

    def send_enrolment(self, invite_id: bytes, request: bytes) -> None: ...

    def enrolment_response(self, invite_id: bytes) -> bytes | None: ...

    def send_purge_certificate(self, device_kid: bytes, serial: int, data: bytes) -> None: ...

    def messages(self, device_kid: bytes) -> list[Incoming]:
        """Sealed messages from the office to this laptop."""

    def forget_message(self, device_kid: bytes, handle: str) -> None: ...

    def notice(self, kind: str, notice_id: bytes) -> bool:
        """Ask for the office to be told, content-free, that a safeguarding concern or an incident
        report ("safeguarding", "incident") is on its way. True when it was passed on (or there is
        no one to pass it to: a drop folder has no mail)."""


class OfficeTransport(Protocol):
    def waiting_envelopes(self) -> list[str]:
        """Handles of the envelopes waiting, oldest first; each is read by :meth:`fetch_envelope`
        only when the office comes to it, so a backlog of any size is never all in memory and
        never spends the relay's rate limit before anything is opened."""

    def fetch_envelope(self, handle: str) -> bytes:
        """Raises :class:`Gone` when it is no longer there."""

    def post_receipt(self, device_kid: bytes, seq: int, receipt: bytes) -> None: ...

    def done(self, handle: str) -> None: ...

    def publish_bundle(self, bundle: bytes) -> None: ...

    def published_bundle(self) -> bytes | None:
        """The bundle the laptops are given now (an office restored from a backup publishes past it)."""
        ...

    def enrolment_requests(self) -> list[Incoming]: ...

    def post_enrolment_response(self, invite_id: bytes, response: bytes) -> None: ...

    def purge_certificates(self) -> list[Incoming]: ...

    def register_device(self, certificate: bytes) -> None: ...

    def post_message(self, device_kid: bytes, serial: int, message: bytes) -> None: ...


def open_transport(address: str, key: Ed25519PrivateKey) -> FolderTransport | RelayTransport:
    """A relay for an http(s) address, otherwise a drop folder at that path. ``key`` signs
    relay requests (the laptop's device key, or the office's root key)."""
    if address.startswith(("http://", "https://")):
        from .relay_client import RelayTransport

        return RelayTransport(address, key)
    return FolderTransport(Path(address))


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name("." + path.name + ".partial")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


class FolderTransport:
    """A drop folder; implements both :class:`DeviceTransport` and :class:`OfficeTransport`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _check(self) -> None:
        if not self.root.is_dir():
            raise TransportError(f"The drop folder {self.root} is not available. Check the share or USB stick "
                                 "is connected; your notes stay on this laptop.")

    def _write(self, path: Path, data: bytes) -> None:
        self._check()
        try:
            _write_atomic(path, data)
        except OSError as exc:
            raise TransportError(f"Could not write to the drop folder ({exc.strerror}). "
                                 "Your notes stay on this laptop.") from None

    def _read_dir(self, folder: Path, suffix: str) -> list[Incoming]:
        self._check()
        found = []
        for path in sorted(folder.glob(f"**/*{suffix}")):
            if path.name.startswith(".") or not path.is_file():
                continue
            try:
                if path.stat().st_size > MAX_FILE:
                    continue
                found.append(Incoming(str(path.relative_to(self.root)), path.read_bytes()))
            except OSError:
                continue
        return found

    # -- laptop side -----------------------------------------------------------------------------------
    def deliver(self, device_kid: bytes, seq: int, envelope: bytes) -> bytes | None:
        self._write(self.root / "inbox" / device_kid.hex() / f"{seq:012d}.env", envelope)
        return None

    def receipts(self, device_kid: bytes) -> list[Incoming]:
        return self._read_dir(self.root / "receipts" / device_kid.hex(), ".rcpt")

    def forget_receipt(self, device_kid: bytes, handle: str) -> None:
        self._unlink(handle)

    def bundle(self) -> bytes | None:
        self._check()
        try:
            return (self.root / "bundle.okb").read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TransportError(f"Could not read the drop folder ({exc.strerror}).") from None

    def send_enrolment(self, invite_id: bytes, request: bytes) -> None:
        self._write(self.root / "enrol" / f"{invite_id.hex()}.req", request)

    def enrolment_response(self, invite_id: bytes) -> bytes | None:
        self._check()
        try:
            return (self.root / "enrol" / f"{invite_id.hex()}.resp").read_bytes()
        except FileNotFoundError:
            return None

    def send_purge_certificate(self, device_kid: bytes, serial: int, data: bytes) -> None:
        self._write(self.root / "purge" / device_kid.hex() / f"{serial:08d}.cert", data)

    def messages(self, device_kid: bytes) -> list[Incoming]:
        return self._read_dir(self.root / "messages" / device_kid.hex(), ".msg")

    def forget_message(self, device_kid: bytes, handle: str) -> None:
        self._unlink(handle)

    def notice(self, kind: str, notice_id: bytes) -> bool:
        """A drop folder has no mail: the console shows it first when it pulls."""
        return True

    # -- office side -------------------------------------------------------------------------------------
    def waiting_envelopes(self) -> list[str]:
        self._check()
        folder = self.root / "inbox"
        return [str(path.relative_to(self.root)) for path in sorted(folder.glob("**/*.env"))
                if not path.name.startswith(".") and path.is_file()]

    def fetch_envelope(self, handle: str) -> bytes:
        path = self.root / handle
        try:
            if path.stat().st_size > MAX_FILE:
                raise Gone(f"“{path.name}” is larger than anything the office sends; it was left in the folder.")
            return path.read_bytes()
        except OSError:
            raise Gone(handle) from None

    def post_receipt(self, device_kid: bytes, seq: int, receipt: bytes) -> None:
        self._write(self.root / "receipts" / device_kid.hex() / f"{seq:012d}.rcpt", receipt)

    def done(self, handle: str) -> None:
        self._unlink(handle)

    def publish_bundle(self, bundle: bytes) -> None:
        self._write(self.root / "bundle.okb", bundle)

    def published_bundle(self) -> bytes | None:
        return self.bundle()

    def enrolment_requests(self) -> list[Incoming]:
        return self._read_dir(self.root / "enrol", ".req")

    def post_enrolment_response(self, invite_id: bytes, response: bytes) -> None:
        self._write(self.root / "enrol" / f"{invite_id.hex()}.resp", response)

    def purge_certificates(self) -> list[Incoming]:
        return self._read_dir(self.root / "purge", ".cert")

    def register_device(self, certificate: bytes) -> None:
        """Nothing to do: a drop folder checks no signatures; the office does."""

    def post_message(self, device_kid: bytes, serial: int, message: bytes) -> None:
        self._write(self.root / "messages" / device_kid.hex() / f"{serial:012d}.msg", message)

    def _unlink(self, handle: str) -> None:
        path = (self.root / handle).resolve()
        if self.root.resolve() not in path.parents:
            return
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
