"""Finding personal names in free text.

A gazetteer (first names and surnames from Faker's maintained en_GB, en_IE and en_US person
providers) plus the cues people use when they write about someone: honorifics ("Mrs Carter"),
a first name followed by a capitalised surname, kinship and role words followed by a
capitalised word ("her son Kai", "the SENCO, Mrs P"), possessives ("Jayden's EHCP") and
speech verbs ("Sarah said"). Words that are also ordinary English ("May", "Will", "Grace")
count only with such a cue.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .findings import Finding, FindingKind

HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir",
                        "dame", "rev", "revd", "mstr", "master", "lady", "lord"})
# "spoke to sharon", "met kai": how people are introduced when the notes are typed in a hurry.
_CONTACT_VERBS = frozenset({"met", "rang", "phoned", "texted", "emailed", "messaged"})
_CONTACT_VERBS_TO = frozenset({"spoke", "speak", "talked", "talk", "wrote", "write", "chatted"})


def _load_words() -> dict[str, frozenset[str]]:
    sections: dict[str, set[str]] = {}
    current: set[str] = set()
    text = resources.files("ips_desktop.resources").joinpath("pii_words.txt").read_text("utf-8")
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), set())
        elif line and not line.startswith("#"):
            current.update(line.split())
    return {name: frozenset(words) for name, words in sections.items()}


_WORDS = _load_words()
VOCABULARY = _WORDS["vocabulary"]
AMBIGUOUS = _WORDS["ambiguous"]
SPEECH_VERBS = _WORDS["speech_verbs"]
CUE_WORDS = _WORDS["cue_words"]
ORGANISATION_WORDS = _WORDS["organisation_words"]
ORDINARY_CAPITALS = _WORDS["ordinary_capitals"]
NOT_PERSON_AFTER_POSSESSIVE = _WORDS["not_person_after_possessive"]
_NEVER_PAIRED = ORDINARY_CAPITALS | VOCABULARY

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*")


# Faker locales whose people live in England and Wales in numbers.
_LOCALES = ("en_GB", "en_IE", "en_US", "en_NZ", "en_IN", "en_PK", "en_NG")


def _provider_names(attrs: tuple[str, ...]) -> set[str]:
    names: set[str] = set()
    for locale in _LOCALES:
        module = importlib.import_module(f"faker.providers.person.{locale}")
        for attr in attrs:
            names.update(n.lower() for n in getattr(module.Provider, attr, ()) if n.isalpha() or "-" in n)
    return names


@cache
def first_names() -> frozenset[str]:
    names = _provider_names(("first_names", "first_names_male", "first_names_female"))
    extra = resources.files("ips_desktop.resources").joinpath("first_names_extra.txt").read_text("utf-8")
    names.update(w for line in extra.splitlines() if not line.startswith("#") for w in line.split())
    return frozenset(names - VOCABULARY)


@cache
def surnames() -> frozenset[str]:
    return frozenset(_provider_names(("last_names",)) - VOCABULARY)


def _bare(word: str) -> str:
    return re.sub(r"['’]s$", "", word).strip("'’-").lower()


def _is_capitalised(word: str) -> bool:
    return (word[:1].isupper() and not word.isupper()) or (word.isupper() and len(word) == 1)


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'“(")
    return not before or before[-1] in ".!?:;\n•-*" or before.endswith("\n")


def initials_for(name: str) -> str:
    parts = [p for p in re.split(r"[\s-]+", name) if p and p.lower().rstrip(".") not in HONORIFICS]
    return "".join(p[0].upper() + "." for p in parts) or name[:1].upper() + "."


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    word: str

    @property
    def bare(self) -> str:
        return _bare(self.word)

    @property
    def possessive(self) -> bool:
        return self.word.endswith(("'s", "’s"))


def _lower_case_name(tokens: list[_Token], i: int) -> bool:
    """A gazetteer first name typed in lower case right after a contact verb or a kin word."""
    token = tokens[i]
    bare = token.bare
    if not token.word.islower() or len(bare) < 3 or bare in AMBIGUOUS or bare not in first_names():
        return False
    prev = tokens[i - 1].bare if i else ""
    before = tokens[i - 2].bare if i > 1 else ""
    return (prev in _CONTACT_VERBS or (prev == "to" and before in _CONTACT_VERBS_TO)
            or prev in CUE_WORDS - {"named", "called"})


def _is_name(text: str, tokens: list[_Token], i: int) -> tuple[bool, bool]:
    """(is token i a name, does the next token continue it as a surname)."""
    token = tokens[i]
    bare = token.bare
    prev = tokens[i - 1] if i else None
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if _lower_case_name(tokens, i):
        return True, False
    if not _is_capitalised(token.word) or bare in VOCABULARY or len(bare) < 2:
        return False, False
    adjacent = nxt is not None and text[token.end:nxt.start] in (" ", "\u00a0") and not token.possessive
    if prev is not None and prev.bare in ("st", "saint"):
        return False, False
    if adjacent and nxt is not None and nxt.bare in ORGANISATION_WORDS and _is_capitalised(nxt.word):
        return False, False  # "Oakwood Primary", "Taylor Street"
    if token.possessive and nxt is not None and nxt.bare in NOT_PERSON_AFTER_POSSESSIVE:
        return False, False  # "Down's syndrome", "Contact's helpline"
    firsts = first_names()
    surname_next = bool(
        adjacent and nxt is not None and _is_capitalised(nxt.word) and nxt.bare not in VOCABULARY
        and nxt.bare not in ORGANISATION_WORDS
        and (nxt.bare in surnames() or nxt.bare in firsts or not _sentence_start(text, nxt.start))
    )
    honorific_before = prev is not None and prev.bare in HONORIFICS and _is_capitalised(prev.word)
    cue_before = prev is not None and prev.bare in CUE_WORDS
    speech_after = nxt is not None and nxt.bare in SPEECH_VERBS
    mid_sentence = not _sentence_start(text, token.start)
    known = bare in firsts
    if honorific_before:
        return True, surname_next
    if known and (bare not in AMBIGUOUS or surname_next or token.possessive or speech_after or cue_before
                  or (mid_sentence and bare not in ORDINARY_CAPITALS)):
        # A capital letter in mid-sentence turns "Grace" or "Harry" into a name, but not "May".
        return True, surname_next
    if cue_before and mid_sentence:
        return True, surname_next  # "her son Kai", "the SENCO Mrs P"
    if token.possessive and bare not in AMBIGUOUS and bare not in ORGANISATION_WORDS:
        # "Jayden's EHCP": a capitalised word that owns something is a person or a place,
        # and the places people write about are in the vocabulary.
        return True, False
    return False, False


def _joined_by_and(tokens: list[_Token], i: int, names: set[int]) -> bool:
    """"Jack and Harry": a capitalised first name paired with a name found after it."""
    token = tokens[i]
    return (i + 2 < len(tokens) and i + 2 in names and tokens[i + 1].bare in ("and", "or")
            and _is_capitalised(token.word) and token.bare in first_names()
            and token.bare not in _NEVER_PAIRED)


def find_names(text: str) -> list[Finding]:
    tokens = [_Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    spans: dict[int, int] = {}  # first token index -> last token index
    i = 0
    while i < len(tokens):
        is_name, with_surname = _is_name(text, tokens, i)
        if is_name:
            spans[i] = i + 1 if with_surname else i
        i += 2 if is_name and with_surname else 1
    covered = {j for first, last in spans.items() for j in range(first, last + 1)}
    starts = set(spans)
    for i in range(len(tokens)):
        if i not in covered and _joined_by_and(tokens, i, starts):
            spans[i] = i
    findings: list[Finding] = []
    for i in sorted(spans):
        first = tokens[i - 1] if i and tokens[i - 1].bare in HONORIFICS else tokens[i]
        last = tokens[spans[i]]
        end = last.end - (2 if last.possessive else 0)
        name = text[first.start:end]
        findings.append(Finding(FindingKind.NAME, first.start, end, name, initials_for(name)))
    return findings
