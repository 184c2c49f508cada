"""Safeguarding: the handbook's steps with the service's numbers, and what the PPO did about a
concern (issue 17, item 9).

Handbook, "IPS and safeguarding": "Contact your PPO by telephone as soon as possible … It is then
the responsibility of the PPO to look into the situation further, gain more information and
decide if a referral needs to be passed to the relevant agency. If your PPO is not available then
you can contact another officer or the DPPS Liaison Officer. … out of hours … call the Emergency
Duty Team." The numbers are the office's (its policy, in the signed bundle); the volunteer's own
settings fill any the office has not set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

POLICY_KEY = "safeguarding"
NUMBER_NAMES = {"office": "Central office", "liaison": "Liaison Officer (service manager)",
                "edt": "Emergency Duty Team", "mash": "MASH (the PPO refers)"}
FOLLOW_UPS = ("looked into by the PPO", "referred to MASH", "referred to another agency", "no further action")
_NUMBER = re.compile(r"[0-9 +()-]{6,24}")

STEPS = (
    "Handbook, “IPS and safeguarding”: make notes (mentally if not initially written) but do not ask leading "
    "questions; contact your PPO by telephone as soon as possible ({ppo}); if your PPO is not available contact "
    "another officer, the central office ({office}) or the Liaison Officer ({liaison}); out of hours, if you do "
    "not want to leave it to the next day, call the Emergency Duty Team ({edt}). Note your actions and pass them "
    "to your PPO as soon as possible. This record is sent first, and your PPO is told at once that it is coming."
)


def is_number(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text.strip())) and sum(c.isdigit() for c in text) >= 6


@dataclass(frozen=True)
class SafeguardingNumbers:
    office: str = ""
    liaison: str = ""
    edt: str = ""
    mash: str = ""

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any]) -> SafeguardingNumbers:
        """The numbers in the office policy; anything that is not a phone number is left out."""
        given = policy.get(POLICY_KEY, {})
        if not isinstance(given, Mapping):
            return cls()
        return cls(**{name: str(given[name]).strip() for name in NUMBER_NAMES
                      if isinstance(given.get(name), str) and is_number(given[name])})

    def to_policy(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in NUMBER_NAMES if getattr(self, name)}

    def steps(self, ppo: str, office_fallback: str = "", edt_fallback: str = "") -> str:
        """The handbook's steps with each number, the volunteer's own where the office set none."""
        def shown(number: str, missing: str) -> str:
            return number or missing

        return STEPS.format(ppo=shown(ppo, "your PPO's number"),
                            office=shown(self.office or office_fallback, "the office's number"),
                            liaison=shown(self.liaison, "the number the office gave you"),
                            edt=shown(self.edt or edt_fallback, "the Emergency Duty Team's number"))
