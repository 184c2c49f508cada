"""Volunteer settings kept inside the vault (the IPS code, the reference format, numbers)."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace

from ..domain.about_me import AboutMe
from ..domain.references import DEFAULT_FORMAT, ReferenceFormat
from .vault import VaultConnection


@dataclass(frozen=True)
class VolunteerSettings:
    """Defaults come from the handbook's list of numbers until the office policy arrives."""

    ips_code: str = ""
    reference_pattern: str = DEFAULT_FORMAT.pattern
    reference_example: str = DEFAULT_FORMAT.example
    idle_lock_minutes: int = 5
    office_phone: str = "01392 383080"
    ppo_name: str = ""
    ppo_phone: str = ""
    edt_phone: str = "0845 6000 388"
    # The phone check-in page (DESIGN §6): the relay keeps only salted hashes, per visit.
    checkin_pin: str = ""
    duress_pin: str = ""
    # About the volunteer, for the overdue ladder (docs/architecture.md): sent to the office, sealed.
    about_me_json: str = ""
    family_contact: str = ""        # the family contact's e-mail, as vaults before ``about_me_json`` kept it

    @property
    def about_me(self) -> AboutMe:
        try:
            return AboutMe.from_record(json.loads(self.about_me_json)) if self.about_me_json else \
                AboutMe(family_email=self.family_contact)
        except (ValueError, AttributeError):
            return AboutMe(family_email=self.family_contact)

    def with_about_me(self, about: AboutMe) -> VolunteerSettings:
        return replace(self, about_me_json=json.dumps(about.to_record()), family_contact=about.family_email)

    @property
    def pins(self) -> tuple[str, str] | None:
        """Both PINs when they are set and differ, else None (no phone page is offered)."""
        if self.checkin_pin and self.duress_pin and self.checkin_pin != self.duress_pin:
            return self.checkin_pin, self.duress_pin
        return None

    @property
    def reference_format(self) -> ReferenceFormat:
        return ReferenceFormat(self.reference_pattern, self.reference_example)


class SettingsRepository:
    def __init__(self, vault: VaultConnection) -> None:
        self._vault = vault

    def load(self) -> VolunteerSettings:
        stored = dict(self._vault.query("SELECT key, value FROM settings"))
        values: dict[str, object] = {}
        for f in fields(VolunteerSettings):
            if f.name in stored:
                values[f.name] = int(stored[f.name]) if f.type in (int, "int") else stored[f.name]
        return replace(VolunteerSettings(), **values)  # type: ignore[arg-type]

    def value(self, key: str) -> str | None:
        """A setting kept by another part of the app (an expense profile, a message serial)."""
        row = self._vault.query_one("SELECT value FROM settings WHERE key = ?", (key,))
        return str(row[0]) if row else None

    def put_value(self, key: str, value: str) -> None:
        """Call inside a transaction."""
        self._vault.execute("INSERT INTO settings (key, value) VALUES (?, ?)"
                            " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def save(self, settings: VolunteerSettings) -> None:
        for f in fields(settings):
            self.put_value(f.name, str(getattr(settings, f.name)))
