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


def write_error_message(exc: Exception) -> str:
    text = str(exc).lower()
    if "full" in text:
        return ("The disk is full, so nothing was saved. Free some space and save again; "
                "your text is still in the editor.")
    if "readonly" in text or "read-only" in text or "permission" in text:
        return "The data folder is read-only, so nothing was saved. Your text is still in the editor."
    return "Saving failed and was undone, so nothing changed. Your text is still in the editor."
