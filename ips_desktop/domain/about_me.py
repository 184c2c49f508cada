"""What a volunteer tells the office about themselves for the overdue ladder (docs/architecture.md,
"The overdue ladder"): the name the office knows them by, their mobile, their vehicle and how to
recognise them, and their nominated family contact by e-mail and/or mobile.

Entered at first run or in Settings, sealed to the office as a ``ladder_profile`` record (kept on
the laptop only until the office has it), shown on the visit board and in the overdue pack. The
relay gets only the first name and the mobile, for its messages. The office reads the record as
hostile input: :meth:`AboutMe.from_record` keeps only short, printable text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from .addresses import is_email, uk_mobile

RECORD_TYPE = "ladder_profile"
LIMITS = {"name": 60, "mobile": 20, "vehicle_make": 40, "vehicle_colour": 20, "vehicle_reg": 10,
          "description": 200, "family_email": 254, "family_mobile": 20}


@dataclass(frozen=True)
class AboutMe:
    name: str = ""
    mobile: str = ""
    vehicle_make: str = ""
    vehicle_colour: str = ""
    vehicle_reg: str = ""
    description: str = ""
    family_email: str = ""
    family_mobile: str = ""

    def cleaned(self) -> AboutMe:
        """Spaces trimmed, mobiles as +447…, the registration in capitals (when valid)."""
        values = {f.name: " ".join(str(getattr(self, f.name)).split()) for f in fields(self)}
        for name in ("mobile", "family_mobile"):
            values[name] = uk_mobile(values[name]) or values[name]
        values["vehicle_reg"] = values["vehicle_reg"].upper()
        return AboutMe(**values)

    def problems(self) -> list[str]:
        """Why this cannot be sent, in words a volunteer can act on (empty when fine)."""
        out = []
        words = {"name": "Your name", "mobile": "Your mobile", "vehicle_make": "The vehicle's make",
                 "vehicle_colour": "The vehicle's colour", "vehicle_reg": "The registration",
                 "description": "The description", "family_email": "The family contact's e-mail",
                 "family_mobile": "The family contact's mobile"}
        for name, most in LIMITS.items():
            value = getattr(self, name)
            if len(value) > most or not value.isprintable():
                out.append(f"{words[name]} is too long: at most {most} characters.")
        for name in ("mobile", "family_mobile"):
            if getattr(self, name) and uk_mobile(getattr(self, name)) is None:
                out.append(f"{words[name]}: type a UK mobile number, like 07700 900123.")
        if self.family_email and not is_email(self.family_email):
            out.append(f"“{self.family_email}” is not an e-mail address.")
        reg = self.vehicle_reg.replace(" ", "")
        if reg and not (2 <= len(reg) <= 8 and reg.isalnum()):
            out.append("The registration: letters and numbers as on the number plate, like WA12 ABC.")
        return out

    @property
    def vehicle(self) -> str:
        """"Blue Ford Fiesta, WA12 ABC" (what the police ask for), or "" when none was given."""
        car = " ".join(v for v in (self.vehicle_colour, self.vehicle_make) if v)
        return ", ".join(v for v in (car, self.vehicle_reg) if v)

    @property
    def family(self) -> list[str]:
        return [v for v in (self.family_email, self.family_mobile) if v]

    def to_record(self) -> dict[str, Any]:
        return {"type": RECORD_TYPE, **asdict(self)}

    @classmethod
    def from_record(cls, body: Mapping[str, Any]) -> AboutMe:
        """From a laptop's record: anything not short printable text is dropped, and an address
        or number that does not check out is left off rather than put on the ladder."""
        values = {}
        for name, most in LIMITS.items():
            value = body.get(name, "")
            usable = isinstance(value, str) and len(value) <= most and value.isprintable()
            values[name] = value.strip() if usable else ""
        about = cls(**values)
        if about.mobile and uk_mobile(about.mobile) is None:
            about = _replace(about, mobile="")
        if about.family_mobile and uk_mobile(about.family_mobile) is None:
            about = _replace(about, family_mobile="")
        if about.family_email and not is_email(about.family_email):
            about = _replace(about, family_email="")
        return about

    def for_office(self) -> dict[str, str]:
        """What the board and the overdue pack show."""
        return {"name": self.name, "mobile": self.mobile, "vehicle": self.vehicle, "description": self.description}


def _replace(about: AboutMe, **changes: str) -> AboutMe:
    return AboutMe(**{**asdict(about), **changes})
