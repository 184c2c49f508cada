"""The optional "remember on this computer" secret in the OS keyring (DESIGN §3).

``keyring`` is imported lazily (it costs ~90 ms) and only here. Honest description for the
UI: this protects against a stolen disk, not against someone using the logged-in account.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
from dataclasses import dataclass

log = logging.getLogger(__name__)

SERVICE = "IPS Desktop"


@dataclass(frozen=True)
class KeyringStatus:
    available: bool
    reason: str  # why not, in words a volunteer can act on; empty when available
    backend: str = ""


class KeyringProblem(Exception):
    """The password store refused (locked, no prompt possible). ``str()`` says so in plain words."""


class KeyringAdapter:
    """Stores and fetches one 32-byte secret per profile in the OS keyring."""

    def __init__(self, service: str = SERVICE) -> None:
        self._service = service

    def status(self) -> KeyringStatus:
        try:
            import keyring
            from keyring.backends import fail
        except Exception as exc:  # a broken install must not stop the app
            return KeyringStatus(False, f"The keyring library could not load ({type(exc).__name__}).")
        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
            return KeyringStatus(
                False,
                "This computer has no password store that IPS Desktop can use "
                "(on Linux: GNOME Keyring or KWallet), so the passphrase must be typed each time.",
                name,
            )
        return KeyringStatus(True, "", name)

    def store(self, profile: str, secret: bytes) -> None:
        """Raises :class:`KeyringProblem` when the store will not take it (locked, no prompt)."""
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(self._service, profile, base64.b64encode(secret).decode())
        except KeyringError as exc:
            log.warning("keyring refused to store the secret (%s)", type(exc).__name__)
            raise KeyringProblem(
                "Your passphrase could not be remembered on this computer: the system's password store "
                "is locked or did not answer. Your notes are open; you will type the passphrase next time, "
                "and you can try again in Settings.") from None

    def fetch(self, profile: str) -> bytes | None:
        import keyring
        from keyring.errors import KeyringError

        try:
            value = keyring.get_password(self._service, profile)
        except KeyringError:
            log.warning("keyring refused to hand over the remembered secret")
            return None
        if value is None:
            return None
        try:
            secret = base64.b64decode(value, validate=True)
        except ValueError:
            return None
        return secret if len(secret) == 32 else None

    def forget(self, profile: str) -> None:
        import keyring
        from keyring.errors import PasswordDeleteError

        with contextlib.suppress(PasswordDeleteError):
            keyring.delete_password(self._service, profile)

    @staticmethod
    def new_secret() -> bytes:
        return os.urandom(32)
