"""The vault's failures, each with a message a volunteer can act on.

Kept apart from ``vault.py`` so code that only catches them (the unlock dialog, the profile)
does not load SQLCipher.
"""

from __future__ import annotations


class VaultError(Exception):
    """Base of every vault failure. ``str()`` is a message a volunteer can act on."""


class VaultCorruptError(VaultError):
    """The file is damaged, truncated or does not open with this key. Never overwritten."""


class VaultPlaintextError(VaultError):
    """The file is an unencrypted SQLite database: refuse it rather than write into it."""


class VaultUnsupportedError(VaultError):
    """The SQLCipher library is older than 4, or a required setting could not be set."""


class VaultWriteError(VaultError):
    """A write failed (disk full, read-only folder). The transaction was rolled back."""


class VaultConflictError(VaultError):
    """A save clashed with what the vault already holds (a constraint). Nothing changed."""


class VaultClosedError(VaultError):
    """The vault was locked or closed (or used from a thread that did not open it) while a
    window still tried to use it. Nothing changed; the file is fine."""


class RecordNotFound(VaultError, LookupError):
    """The record is no longer in the vault (discarded, or removed after the office confirmed it)."""

    def __init__(self, record_id: str = "") -> None:
        super().__init__("That record is no longer in your notes: it was discarded, or removed once the office "
                         "confirmed it holds it.")
        self.record_id = record_id


CLOSED_MESSAGE = ("Your notes were locked or closed while this was being done, so nothing was changed. "
                  "Unlock and try again; what you typed is still on screen.")
CONFLICT_MESSAGE = "That clashes with something already kept, so nothing was changed. Check it and try again."


def write_error_message(exc: Exception) -> str:
    text = str(exc).lower()
    if "full" in text:
        return ("The disk is full, so nothing was saved. Free some space and save again; "
                "your text is still in the editor.")
    if "readonly" in text or "read-only" in text or "permission" in text:
        return "The data folder is read-only, so nothing was saved. Your text is still in the editor."
    return "Saving failed and was undone, so nothing changed. Your text is still in the editor."
