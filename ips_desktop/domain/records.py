"""Record types kept by the volunteer (DESIGN §4), keyed by case reference, never by a name.

Handbook, "Record keeping": "Keep objective, succinct and careful records of all meetings and
telephone conversations with parents"; "Destroy your handwritten notes as soon as the record
is typed"; reports and papers lent by the parent "should be returned (posted with proof of
posting) to the parent at the earliest opportunity". On the telephone: "Type the agreed
actions, responsibilities, timescales and permission".

Records are frozen values; ``to_dict``/``from_dict`` give the JSON that the store seals.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .bank_holidays import is_working_day
from .codec import encode_dict, opt_date, opt_datetime
from .incident import IncidentReport, VisitOutcome
from .referral import Referral
from .visit_flow import PlanDraft, Visit


class ContactKind(StrEnum):
    TELEPHONE = "telephone"
    MEETING = "meeting"
    HOME_VISIT = "home visit"
    EMAIL = "email"
    LETTER = "letter"
    RESEARCH = "research"


# Roles, not names: "use roles instead e.g. class teacher, Educational Psychologist".
ROLES: tuple[str, ...] = (
    "parent", "carer", "child", "class teacher", "SENCO", "head teacher", "teaching assistant",
    "Educational Psychologist", "speech and language therapist", "occupational therapist",
    "social worker", "health visitor", "school nurse", "paediatrician", "LA SEN officer",
    "caseworker", "PPO", "IPS", "interpreter", "other family member",
)

CONSENT_HOW: tuple[str, ...] = ("verbally on the phone", "verbally in person", "in writing", "by email")


@dataclass(frozen=True)
class AgreedAction:
    what: str
    who: str  # a role
    by_when: date | None = None
    done: bool = False


@dataclass(frozen=True)
class Consent:
    """The parent's permission "to discuss their child with a specified professional or agency"."""

    with_whom: str  # role or agency
    how_given: str
    given_on: date


@dataclass(frozen=True)
class SafeguardingNote:
    """What was done about a concern, and when. Its presence is the safeguarding flag."""

    ppo_told_at: datetime | None = None
    edt_called_at: datetime | None = None
    actions: str = ""


@dataclass(frozen=True)
class ContactRecord:
    kind: ContactKind
    occurred_at: datetime
    duration_minutes: int = 0
    parent_initials: str = ""
    roles_present: tuple[str, ...] = ()
    summary: str = ""
    agreed_actions: tuple[AgreedAction, ...] = ()
    consents: tuple[Consent, ...] = ()
    safeguarding: SafeguardingNote | None = None
    handwritten_notes_destroyed: bool = False
    explained: bool = False        # "explain confidentiality, impartiality and record keeping"
    records_consent: bool = False  # Level 2 casework "is recorded, only with the permission of the parent"

    @property
    def has_safeguarding_concern(self) -> bool:
        return self.safeguarding is not None

    def text_fields(self) -> dict[str, str]:
        """Every free-text field, by a stable name: what the PII guard screens and search indexes."""
        fields = {"summary": self.summary, "parent_initials": self.parent_initials}
        for i, action in enumerate(self.agreed_actions):
            fields[f"action.{i}.what"] = action.what
            fields[f"action.{i}.who"] = action.who
        for i, consent in enumerate(self.consents):
            fields[f"consent.{i}.with_whom"] = consent.with_whom
        if self.safeguarding:
            fields["safeguarding.actions"] = self.safeguarding.actions
        return fields

    def with_text_field(self, name: str, value: str) -> ContactRecord:
        """Return a copy with one field from :meth:`text_fields` replaced (PII one-click fixes)."""
        if name in ("summary", "parent_initials"):
            return replace(self, **{name: value})  # type: ignore[arg-type]
        head, _, rest = name.partition(".")
        if head == "safeguarding" and self.safeguarding:
            return replace(self, safeguarding=replace(self.safeguarding, actions=value))
        index_text, _, attr = rest.partition(".")
        index = int(index_text)
        if head == "action":
            actions = list(self.agreed_actions)
            actions[index] = replace(actions[index], **{attr: value})  # type: ignore[arg-type]
            return replace(self, agreed_actions=tuple(actions))
        if head == "consent":
            consents = list(self.consents)
            consents[index] = replace(consents[index], **{attr: value})  # type: ignore[arg-type]
            return replace(self, consents=tuple(consents))
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return encode_dict(asdict(self)) | {"type": "contact", "v": 1}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ContactRecord:
        sg = data.get("safeguarding")
        return cls(
            kind=ContactKind(data["kind"]),
            occurred_at=datetime.fromisoformat(data["occurred_at"]),
            duration_minutes=int(data.get("duration_minutes", 0)),
            parent_initials=str(data.get("parent_initials", "")),
            roles_present=tuple(data.get("roles_present", ())),
            summary=str(data.get("summary", "")),
            agreed_actions=tuple(
                AgreedAction(a["what"], a["who"], opt_date(a.get("by_when")), bool(a.get("done")))
                for a in data.get("agreed_actions", ())
            ),
            consents=tuple(
                Consent(c["with_whom"], c["how_given"], date.fromisoformat(c["given_on"]))
                for c in data.get("consents", ())
            ),
            safeguarding=None if sg is None else SafeguardingNote(
                opt_datetime(sg.get("ppo_told_at")), opt_datetime(sg.get("edt_called_at")),
                str(sg.get("actions", "")),
            ),
            handwritten_notes_destroyed=bool(data.get("handwritten_notes_destroyed")),
            explained=data.get("explained") is True, records_consent=data.get("records_consent") is True,
        )


CALLING_HOURS = "Handbook: ring parents at “a convenient time for them; between 9am and 5pm weekdays”."
DIAL_141 = "Handbook: “Always dial 141 before the parent's number to prevent parents identifying your home number.”"


def outside_calling_hours(at: datetime) -> bool:
    """Whether a call at ``at`` is outside 9am–5pm on a weekday (bank holidays count as not)."""
    return not is_working_day(at.date()) or not 9 <= at.hour < 17


@dataclass(frozen=True)
class PapersHeld:
    """Documents a parent lent. Reminded about until returned with proof of posting."""

    description: str
    received_on: date
    returned_on: date | None = None
    proof_of_posting: str = ""  # e.g. the Post Office certificate number

    @property
    def returned(self) -> bool:
        return self.returned_on is not None and bool(self.proof_of_posting.strip())

    def text_fields(self) -> dict[str, str]:
        return {"description": self.description}

    def to_dict(self) -> dict[str, Any]:
        return encode_dict(asdict(self)) | {"type": "papers", "v": 1}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PapersHeld:
        return cls(str(data["description"]), date.fromisoformat(data["received_on"]),
                   opt_date(data.get("returned_on")), str(data.get("proof_of_posting", "")))


class Level1Focus(StrEnum):
    CHILD = "child"
    PARENT = "parent"


LEVEL1_CATEGORIES: tuple[str, ...] = (
    "SEN procedures and Code of Practice", "school admissions", "exclusions", "transport",
    "disability", "health", "benefits", "domestic abuse", "housing", "other",
)


@dataclass(frozen=True)
class Level1Contact:
    """An anonymous Level 1 query: "recorded anonymously and simply indicate the category of
    the query ..., which services were signposted, whether the query was mainly about a child
    or a parent". No reference, no initials, no free text."""

    on: date
    category: str
    signposted_to: str
    focus: Level1Focus

    def to_dict(self) -> dict[str, Any]:
        return encode_dict(asdict(self)) | {"type": "level1", "v": 1}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Level1Contact:
        return cls(date.fromisoformat(data["on"]), str(data["category"]),
                   str(data["signposted_to"]), Level1Focus(data["focus"]))


def lots_of_papers(n: int) -> str:
    """“1 lot of papers”, “2 lots of papers”."""
    return "1 lot of papers" if n == 1 else f"{n} lots of papers"


@dataclass(frozen=True)
class CaseStatus:
    """The volunteer closed (or reopened) a case: it goes to the office like any record, so the
    PPO knows the work with the family is finished, and whether the parent's papers are still
    to be posted back. It carries no words of the volunteer's."""

    closed: bool
    at: datetime
    papers_held: int = 0

    @property
    def summary(self) -> str:
        done = "closed" if self.closed else "reopened"
        words = f"Case {done} by the volunteer on {self.at:%d/%m/%Y} at {self.at:%H:%M}"
        if self.papers_held:
            words += f"; {lots_of_papers(self.papers_held)} lent by the parent still to be posted back"
        return words + "."

    def text_fields(self) -> dict[str, str]:
        return {}

    def to_dict(self) -> dict[str, Any]:
        return {"type": "case_status", "v": 1, "closed": self.closed, "at": self.at.isoformat(timespec="seconds"),
                "papers_held": self.papers_held, "summary": self.summary}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseStatus:
        held = data.get("papers_held", 0)
        return cls(data["closed"] is True, datetime.fromisoformat(data["at"]),
                   held if isinstance(held, int) and not isinstance(held, bool) and 0 <= held < 1000 else 0)


@dataclass(frozen=True)
class EventSummary:
    """Community work with no case: handbook, at events, "Email your PPO a brief summary of the
    event or contacts made, adhering to the record keeping guidelines". Screened like a record;
    the families who approached the volunteer are counted, never named (each is a referral)."""

    on: date
    event: str  # what it was: "coffee morning at the children's centre"
    summary: str
    hours: Decimal = Decimal(0)
    families_approached: int = 0

    def text_fields(self) -> dict[str, str]:
        return {"event": self.event, "summary": self.summary}

    def problems(self) -> list[str]:
        out = []
        if not self.event.strip():
            out.append("Say what the event was, e.g. “coffee morning at the children's centre”.")
        if not self.summary.strip():
            out.append("Write a brief summary of the event or the contacts made.")
        if not Decimal(0) <= self.hours <= Decimal(24):
            out.append("Hours: at most 24 for one event.")
        if not 0 <= self.families_approached <= 500:
            out.append("Families who approached you: a number from 0.")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"type": "event", "v": 1, "on": self.on.isoformat(), "event": self.event, "summary": self.summary,
                "hours": str(self.hours), "families_approached": self.families_approached}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventSummary:
        families = data.get("families_approached", 0)
        return cls(date.fromisoformat(data["on"]), str(data["event"]), str(data["summary"]),
                   Decimal(str(data.get("hours", "0"))),
                   families if isinstance(families, int) and not isinstance(families, bool) else 0)


MOST_BRIEF = 600  # characters in the office's brief for a case: a short note, not a file


@dataclass(frozen=True)
class CaseAllocation:
    """The PPO gave the volunteer this case (handbook: the PPO sends "a file number and initial to
    use to identify the case"): the parent's initial and a short brief, no names. It comes from
    the office, sealed to this laptop, and is never sent back; it stays while the case is open."""

    initial: str
    brief: str
    by: str  # the PPO, as the office names them
    at: datetime

    def text_fields(self) -> dict[str, str]:
        return {"brief": self.brief}

    def to_dict(self) -> dict[str, Any]:
        return {"type": "allocation", "v": 1, "initial": self.initial, "brief": self.brief, "by": self.by,
                "at": self.at.isoformat(timespec="seconds")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseAllocation:
        return cls(str(data["initial"]), str(data["brief"]), str(data["by"]), datetime.fromisoformat(data["at"]))


@dataclass(frozen=True)
class CaseDecision:
    """After a difficult visit or an incident, the PPO's decision whether the case continues
    (handbook: "the continuation of a service to the Service user may be reviewed"). From the
    office, never sent back; it stays while the case is open."""

    decision: str  # "continue" or "stop"
    note: str
    by: str
    at: datetime

    def words(self) -> str:
        said = {"continue": "the case continues", "stop": "the case stops"}.get(self.decision, self.decision)
        return f"{self.by} decided on {self.at:%d/%m/%Y} that {said}" + (f": {self.note}" if self.note else ".")

    def text_fields(self) -> dict[str, str]:
        return {"note": self.note}

    def to_dict(self) -> dict[str, Any]:
        return {"type": "case_decision", "v": 1, "decision": self.decision, "note": self.note, "by": self.by,
                "at": self.at.isoformat(timespec="seconds")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseDecision:
        return cls(str(data["decision"]), str(data["note"]), str(data["by"]), datetime.fromisoformat(data["at"]))


@dataclass(frozen=True)
class CaseSummary:
    id: str
    reference: str
    open: bool
    opened_at: datetime
    closed_at: datetime | None = None
    record_count: int = 0
    last_contact: datetime | None = None
    attention: tuple[str, ...] = field(default=())


AnyRecord = (ContactRecord | PapersHeld | Level1Contact | Visit | VisitOutcome | IncidentReport | PlanDraft
             | CaseStatus | CaseAllocation | Referral | EventSummary | CaseDecision)


def record_from_dict(data: dict[str, Any]) -> AnyRecord:
    from .forward import NoteToForward  # it holds agreed actions, so it imports this module

    kinds: dict[str, Any] = {"forward": NoteToForward,
                             "contact": ContactRecord, "papers": PapersHeld, "level1": Level1Contact,
                             "visit_plan": Visit, "visit_outcome": VisitOutcome, "incident": IncidentReport,
                             "visit_draft": PlanDraft, "case_status": CaseStatus, "allocation": CaseAllocation,
                             "referral": Referral, "event": EventSummary, "case_decision": CaseDecision}
    try:
        return kinds[data["type"]].from_dict(data)  # type: ignore[no-any-return]
    except KeyError:
        raise ValueError("unknown record type") from None
