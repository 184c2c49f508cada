"""The handbook's eight risk factors for a home visit and what each does to the plan
(DESIGN §6; handbook Appendix 3, "RISK ASSESSMENT")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .sun import sunset_local


class Factor(StrEnum):
    ANIMALS = "animals"
    AGGRESSIVE_OCCUPANT = "aggressive_occupant"
    POOR_RECEPTION = "poor_reception"
    GENDER = "gender"
    PARKING_OR_DARK = "parking_or_dark"
    DANGEROUS_LOCATION = "dangerous_location"
    RESTRICTED_EXIT = "restricted_exit"
    DIFFICULT_QUESTIONS = "difficult_questions"


QUESTIONS: dict[Factor, str] = {
    Factor.ANIMALS: "Are there animals on the premises?",
    Factor.AGGRESSIVE_OCCUPANT: "Is anyone at the home known to be aggressive?",
    Factor.POOR_RECEPTION: "Is mobile reception poor there, or is there no other way to call?",
    Factor.GENDER: "Are there gender issues to consider?",
    Factor.PARKING_OR_DARK: "Is parking difficult, or might you be there or leave after dark?",
    Factor.DANGEROUS_LOCATION: "Is it a dangerous location, such as a volatile estate?",
    Factor.RESTRICTED_EXIT: "Are the entrance and exit restricted (for example a block of flats)?",
    Factor.DIFFICULT_QUESTIONS: "Will you have to ask difficult questions?",
}

ADVICE: dict[Factor, str] = {
    Factor.ANIMALS: "“Do not enter without first making contact with the owner of the animals to ensure that it "
                    "is safe to do so… If in doubt, do not enter the premises or ask the client to shut the animal "
                    "in.”",
    Factor.AGGRESSIVE_OCCUPANT: "“If the person is known to be aggressive an IPS will not be allocated to the case.”",
    Factor.POOR_RECEPTION: "“In areas of known poor reception, telephone beforehand to alert the PPO that you will "
                           "have no communication back up.”",
    Factor.GENDER: "“Consider gender issues… It may be necessary to ask a colleague to accompany you.”",
    Factor.PARKING_OR_DARK: "Plan where to park and to leave in daylight; tell the office your vehicle.",
    Factor.DANGEROUS_LOCATION: "Tell your PPO; they may advise that the case is not suitable for a home visit.",
    Factor.RESTRICTED_EXIT: "“Be aware of exits. Try to keep yourself between the client and the door.”",
    Factor.DIFFICULT_QUESTIONS: "“Watch for signs of rising tension.” If the person becomes aggressive, say calmly "
                                "that this is not a good time and leave.",
}

# The volunteer's own assessment during the visit: any of these → leave.
THREAT_SIGNS = (
    "Rising tension in face and body, shouting, swearing, kicking or banging furniture and walls",
    "Personal insults intended to cause distress or harassment",
    "Verbal threats, gestures, stances or obstruction",
    "Possession of any kind of weapon",
    "Being incapable under the influence of alcohol or drugs",
    "Racial, sexual or disability harassment",
    "Deliberate silence",
    "Bullying",
    "Assault, grasping, pulling clothes, poking, punching",
    "Any unwanted physical contact",
    "Threatening use of dogs, animals or a minder",
)

GRACE_MINUTES = 15
GRACE_POOR_RECEPTION = 5


@dataclass(frozen=True)
class Effects:
    """What the answers do to the plan."""

    blocked: str | None            # the visit cannot go ahead, and why
    call_ppo_before: bool          # poor reception: a logged call to the PPO first
    grace_minutes: int             # before the office is alerted after the due time
    ends_after_sunset: bool
    sunset: datetime | None
    flags: tuple[Factor, ...]      # shown to the PPO and in the overdue pack
    advice: tuple[str, ...]


def assess(answers: dict[Factor, bool], start: datetime, end: datetime,
           location: tuple[float, float], grace: tuple[int, int] = (GRACE_MINUTES, GRACE_POOR_RECEPTION)) -> Effects:
    """``grace``: the office's ladder policy, usual and with poor reception (minutes)."""
    yes = tuple(f for f in Factor if answers.get(f))
    blocked = ADVICE[Factor.AGGRESSIVE_OCCUPANT] if Factor.AGGRESSIVE_OCCUPANT in yes else None
    poor = Factor.POOR_RECEPTION in yes
    sunset = sunset_local(start.date(), *location)
    dark = sunset is not None and end > sunset
    return Effects(blocked, poor, grace[1] if poor else grace[0], dark, sunset, yes,
                   tuple(ADVICE[f] for f in yes))

