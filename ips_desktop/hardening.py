"""Process settings every program applies first (docs/architecture.md, "Layers").

Core dumps are turned off: a crash of the volunteer app or the office console would otherwise
write the process's memory (decrypted notes, keys) to a file on disk, and a relay's dump would
hold check-in PIN verifiers and family contacts.
"""

from __future__ import annotations


def no_core_dumps() -> None:
    """No crash dumps with record content (soft and hard limit 0, so a child cannot raise it)."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):  # Windows has no resource module; it writes no core files
        pass
