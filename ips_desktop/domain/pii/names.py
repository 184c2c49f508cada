"""Finding personal names in free text.

A gazetteer of first names and surnames (Faker's maintained person providers for the languages
spoken in families in England and Wales, plus curated lists in ``resources/``), matched without
accents ("Sian" finds "Siân"), and the cues people use when they write about someone:

- a title starts a name and everything capitalised after it belongs to it ("Mr Abdul Karim
  Miah", "the EP, Dr Kate Marsh"; lower case too: "rang mrs mcallister"); a title with an
  initial ("Mr P.") is what the handbook asks for and is left alone;
- a first name takes the capitalised words after it as surnames ("Seán Murphy", "Hodan
  Warsame");
- names that are ordinary words ("Grace", "Will", "Summer", "Bill") count only with a cue: a
  kinship word before ("her daughter Summer"), a contact verb before ("Rang Faith"), a speech
  verb after ("Bill rang"), a role in brackets after ("Mark (Dad)"), a possessive ("Reece's
  school refusal"), a date of birth after, or a capital letter in mid-sentence;
- a note typed all in lower case is read as if capitalised ("priya patel re her son arjun").

Words after a name that make it a place or organisation ("St Peter's School", "the Rose Room",
"Sainsbury's café") keep it from being a person. A professional named after or before their
role is replaced by the role ("the class teacher, Mr David Hughes" → "the class teacher"), as
the handbook asks: "use roles instead e.g. class teacher, Educational Psychologist".
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .findings import Finding, FindingKind


def _read(name: str) -> str:
    return resources.files("ips_desktop.resources").joinpath(name).read_text("utf-8")


def _load_words() -> dict[str, frozenset[str]]:
    sections: dict[str, set[str]] = {}
    current: set[str] = set()
    for line in _read("pii_words.txt").splitlines():
        line = line.strip()
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), set())
        elif line and not line.startswith("#"):
            current.update(line.split())
    return {name: frozenset(words) for name, words in sections.items()}


def _word_file(name: str) -> frozenset[str]:
    return frozenset(w for line in _read(name).splitlines() if not line.startswith("#") for w in line.split())


_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "ı": "i", "æ": "ae", "œ": "oe", "’": "'"})


def fold(word: str) -> str:
    """Lower case without accents: "Siân" → "sian", "Łukasz" → "lukasz", "Ștefan" → "stefan"."""
    word = word.lower().translate(_FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_WORDS = _load_words()
HONORIFICS = _WORDS["honorifics"]
VOCABULARY = _WORDS["vocabulary"]
# Common English words (SCOWL's, written by tools/pii-word-lists): a name in the gazetteer that is
# also one of these counts only with a cue, and a capitalised word that is neither is "unknown".
ENGLISH = _word_file("english_words.txt")
SPEECH_VERBS = _WORDS["speech_verbs"]
CONTACT_VERBS = _WORDS["contact_verbs"]
KIN_WORDS = _WORDS["kin_words"]
CUE_WORDS = _WORDS["cue_words"] | KIN_WORDS
ROLE_WORDS = _WORDS["role_words"]
ORGANISATION_WORDS = _WORDS["organisation_words"]
BRANDS = _WORDS["brands"]
NOT_A_PERSON_BEFORE = _WORDS["not_a_person_before"]
ORDINARY_CAPITALS = _WORDS["ordinary_capitals"]
STOPWORDS = _WORDS["stopwords"]
PLACES = _WORDS["places"]
_PLACE_PREPOSITIONS = frozenset({"in", "at", "from", "near", "into", "towards", "outside", "around", "via"})
NOT_PERSON_AFTER_POSSESSIVE = _WORDS["not_person_after_possessive"]
_NEVER_PAIRED = ORDINARY_CAPITALS | VOCABULARY

# Letters (any alphabet), with inner apostrophes and hyphens: "O'Neill", "Al-Rashid", "Jayden's".
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_INITIALS = re.compile(r"^[A-Z]\.?$")

# Faker locales whose people live in England and Wales in numbers (census 2021 languages).
_LOCALES = ("en_GB", "en_IE", "ga_IE", "en_US", "en_NZ", "en_IN", "en_PK", "en_NG", "en_KE", "pl_PL", "ro_RO",
            "lt_LT", "lv_LV", "pt_PT", "pt_BR", "tr_TR", "ar_AA", "ar_SA", "yo_NG", "ig_NG", "ha_NG", "tw_GH",
            "bn_BD", "hi_IN", "ta_IN", "gu_IN", "zh_CN", "zu_ZA", "sw", "es_ES", "it_IT", "fr_FR", "de_DE",
            "cs_CZ", "sk_SK", "hu_HU", "bg_BG")
_FIRST_ATTRS = re.compile(r"^first_(?:names|romanized_names)(?:_\w+)?$|^first_names_(?:male|female)(?:_\w+)?$")
_LAST_ATTRS = re.compile(r"^(?:\w+_)?last_(?:names|romanized_names)(?:_\w+)?$|^\w+_last_names$")


def _provider_names(pattern: re.Pattern[str]) -> set[str]:
    names: set[str] = set()
    for locale in _LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:
            continue
        for attr in dir(provider):
            if not pattern.match(attr):
                continue
            values = getattr(provider, attr)
            if isinstance(values, dict | list | tuple):
                for name in values:
                    folded = fold(str(name))
                    if re.fullmatch(r"[a-z][a-z'-]*", folded):
                        names.add(folded)
    return names


@cache
def gazetteer_first_names() -> frozenset[str]:
    """Every first name known, before words that are also English are set aside."""
    return frozenset(_provider_names(_FIRST_ATTRS) | {fold(w) for w in _word_file("first_names_extra.txt")})


@cache
def gazetteer_surnames() -> frozenset[str]:
    return frozenset(_provider_names(_LAST_ATTRS) | {fold(w) for w in _word_file("surnames_extra.txt")})


@cache
def ambiguous() -> frozenset[str]:
    """Names that are ordinary words too ("grace", "will", "bill", "can", "dawn")."""
    return frozenset(_WORDS["ambiguous"] | ((gazetteer_first_names() | gazetteer_surnames()) & ENGLISH))


@cache
def first_names() -> frozenset[str]:
    return frozenset(gazetteer_first_names() - VOCABULARY - HONORIFICS)


@cache
def surnames() -> frozenset[str]:
    return frozenset(gazetteer_surnames() - VOCABULARY - HONORIFICS)


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and not (word.isupper() and len(word) > 1)


def initials_for(name: str) -> str:
    parts = [p for p in re.split(r"[\s-]+", name) if p and fold(p).rstrip(".") not in HONORIFICS]
    return "".join(p[0].upper() + "." for p in parts) or name[:1].upper() + "."


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    word: str

    @property
    def possessive(self) -> bool:
        return self.word.endswith(("'s", "’s")) and len(self.word) > 2

    @property
    def bare(self) -> str:
        """Folded, without a possessive: "Jayden's" → "jayden"."""
        return fold(self.word[:-2] if self.possessive else self.word)

    @property
    def length(self) -> int:
        return self.end - self.start - (2 if self.possessive else 0)


class _Text:
    """The tokens of one text and what is known about each position."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [_Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
        starts = [t for i, t in enumerate(self.tokens) if self.sentence_start(i)]
        # "rang mrs mcallister re transport. she says…": a note typed all in lower case.
        self.lower_case_style = bool(starts) and sum(t.word[:1].islower() for t in starts) * 2 > len(starts)

    def token(self, i: int) -> _Token | None:
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def bare(self, i: int) -> str:
        token = self.token(i)
        return token.bare if token else ""

    def gap(self, i: int) -> str:
        """The characters between token i and the next."""
        a, b = self.token(i), self.token(i + 1)
        return self.text[a.end:b.start] if a and b else ""

    def adjacent(self, i: int) -> bool:
        token = self.token(i)
        return token is not None and not token.possessive and self.gap(i) in (" ", "\u00a0")

    def sentence_start(self, i: int) -> bool:
        token = self.tokens[i]
        before = self.text[:token.start].rstrip(" \t\"'“(")
        return not before or before[-1] in ".!?:;\n•*" or before.endswith(("\n", " -", "–"))

    def capitalised(self, i: int) -> bool:
        token = self.token(i)
        if token is None:
            return False
        return _is_capitalised(token.word) or (self.lower_case_style and token.word.islower())

    def after(self, i: int, chars: int = 12) -> str:
        token = self.tokens[i]
        return self.text[token.end:token.end + chars]


def _not_a_person_here(t: _Text, i: int) -> bool:
    """"St Peter's", "Queen Elizabeth's School", "the Rose Room", "Sainsbury's café"."""
    token = t.tokens[i]
    if i and t.bare(i - 1) in NOT_A_PERSON_BEFORE and t.capitalised(i - 1) and t.gap(i - 1) in (" ", ". "):
        return True
    if token.bare in BRANDS:
        return True
    nxt = t.bare(i + 1)
    if (t.adjacent(i) or token.possessive) and nxt in ORGANISATION_WORDS and t.capitalised(i + 1):
        return True
    return token.possessive and nxt in NOT_PERSON_AFTER_POSSESSIVE


def _dob_after(t: _Text, i: int) -> bool:
    return bool(re.match(r"\s*[,(]?\s*(?:d\.?o\.?b|date of birth|born\b)", t.after(i, 24), re.IGNORECASE))


def _kin_in_brackets_after(t: _Text, i: int) -> bool:
    """"Faith (Mum)", "Bill (Grandad, …)", "Mr Okafor (class teacher)"."""
    m = re.match(r"\s*\(\s*([^\W\d_]+)", t.after(i, 30))
    return m is not None and fold(m.group(1)) in KIN_WORDS | ROLE_WORDS


def _introduced(t: _Text, i: int) -> bool:
    """Right after a family word or a role in the same phrase: "her son Kai", "the TA, Bev"."""
    prev = t.bare(i - 1)
    if i == 0 or t.sentence_start(i):
        return False
    return (prev in KIN_WORDS and t.gap(i - 1) in (" ", ", ")) or (prev in ROLE_WORDS and t.gap(i - 1) == ", ")


def _cued(t: _Text, i: int) -> bool:
    """A cue that the word at i names a person, strong enough for a name that is also a word."""
    prev, before = t.bare(i - 1), t.bare(i - 2)
    nxt = t.token(i + 1)
    if _introduced(t, i) or (prev in CUE_WORDS and t.gap(i - 1) == " " and not t.sentence_start(i)):
        return True
    if t.gap(i - 1) == " " and (prev in CONTACT_VERBS or (prev == "to" and before in CONTACT_VERBS)):
        return True
    if nxt is not None and nxt.bare in SPEECH_VERBS and t.gap(i) == " " and t.tokens[i].bare in first_names():
        return True
    return _kin_in_brackets_after(t, i) or _dob_after(t, i)


_GREETINGS = frozenset({"hi", "hello", "dear", "thanks", "best", "regards", "cheers", "love", "morning",
                        "afternoon", "evening"})


def _greeted(t: _Text, i: int) -> bool:
    """"Hi Bronwen," / "Dear Mr Evans" / "Best, Iestyn": the word after a greeting or sign-off."""
    return t.bare(i - 1) in _GREETINGS and t.gap(i - 1) in (" ", ", ")


def _unknown(t: _Text, j: int) -> bool:
    """A capitalised word in none of the lists: no English word, place, role or organisation we know."""
    token = t.token(j)
    if token is None or not _is_capitalised(token.word) or len(token.bare) < 2:
        return False
    bare = token.bare
    return not any(bare in words for words in (
        ENGLISH, VOCABULARY, ambiguous(), PLACES, ORGANISATION_WORDS, ROLE_WORDS, KIN_WORDS, BRANDS, HONORIFICS,
        STOPWORDS, SPEECH_VERBS, CONTACT_VERBS))


def _unknown_pair(t: _Text, i: int) -> bool:
    """Two capitalised words in no list, side by side in mid-sentence: "Letter for Tendai Moyo"."""
    return (not t.sentence_start(i) and _unknown(t, i) and t.adjacent(i) and _unknown(t, i + 1)
            and not _not_a_person_here(t, i) and not _not_a_person_here(t, i + 1))


def _run_before_verb(t: _Text, i: int) -> bool:
    """One or two capitalised words in no list, then a verb that follows a person: "Taras is
    managing", "Tharshan Sivakumar wants"."""
    j = i
    while j - i < 2 and _unknown(t, j) and t.adjacent(j) and _unknown(t, j + 1):
        j += 1
    nxt = t.token(j + 1)
    return (_unknown(t, i) and nxt is not None and t.gap(j) == " " and nxt.bare in SPEECH_VERBS
            and nxt.word.islower())


def _known(bare: str, names: frozenset[str]) -> bool:
    """In the list, or a hyphenated name made of names in it ("Mary-Jane", "Smith-Okafor")."""
    return bare in names or ("-" in bare and all(part in names for part in bare.split("-") if part))


def _lower_case_name(t: _Text, i: int) -> bool:
    """A first name typed in lower case right after a contact verb or a family word, in a note
    that is otherwise capitalised: "spoke to sharon", "her son kai"."""
    bare = t.tokens[i].bare
    if len(bare) < 3 or bare in ambiguous() or bare in VOCABULARY or bare not in first_names():
        return False
    prev, before = t.bare(i - 1), t.bare(i - 2)
    return t.gap(i - 1) == " " and (prev in CONTACT_VERBS | KIN_WORDS or (prev == "to" and before in CONTACT_VERBS)
                                    or prev in CUE_WORDS - {"named", "called"})


def _starts_name(t: _Text, i: int) -> bool:
    """Is token i a person's name by itself (titles are handled by the caller)?"""
    token = t.tokens[i]
    bare = token.bare
    if token.word.islower() and not t.lower_case_style:
        return _lower_case_name(t, i)
    if len(bare) < 2 or bare in HONORIFICS or not t.capitalised(i) or _not_a_person_here(t, i):
        return False
    lower = token.word.islower()
    known = _known(bare, first_names())
    surname = _known(bare, surnames())
    if bare in VOCABULARY or bare in STOPWORDS:
        # "her daughter Summer": only a family word right before makes a word a name.
        return (not lower and bare not in STOPWORDS and t.bare(i - 1) in KIN_WORDS and _introduced(t, i)
                and bare in ambiguous())
    if lower and (bare in ambiguous() or len(bare) < 3 or not (known or surname)):
        return False
    if bare in ambiguous() or bare in PLACES or (t.bare(i - 1) in _PLACE_PREPOSITIONS and t.gap(i - 1) == " "):
        if _cued(t, i) or (token.possessive and bare not in ORDINARY_CAPITALS | PLACES):
            return True
        nxt = t.token(i + 1)
        if known and t.adjacent(i) and nxt is not None and t.capitalised(i + 1) and nxt.bare in surnames():
            return True  # "Dawn Pearce", "Mark Hughes"
        # A capital letter in mid-sentence makes "Grace" or "Harry" a name, but not "Park".
        return (not t.sentence_start(i) and bare not in ORDINARY_CAPITALS | PLACES and known and not lower
                and t.bare(i - 1) not in _PLACE_PREPOSITIONS)
    if known:
        return True
    if surname:
        return _cued(t, i) or token.possessive or not t.sentence_start(i)
    # A word in no list at all: only a strong cue ("her son Abdirahman", "Tobi (son)", "Hi Bronwen,",
    # "Moussa's EP report", "Taras is managing"; a run of such words before a verb: "Tharshan
    # Sivakumar wants").
    if lower:
        return False
    return (_introduced(t, i) or _kin_in_brackets_after(t, i) or _dob_after(t, i) or _greeted(t, i)
            or (token.possessive and bare not in PLACES and not t.sentence_start(i))
            or _run_before_verb(t, i) or _unknown_pair(t, i))


_PARTICLES = frozenset({"da", "de", "do", "dos", "das", "del", "della", "di", "du", "van", "von", "der", "den",
                        "le", "la", "bin", "binti", "al", "el", "ap", "ni", "nic", "mac", "ter"})


def _continues(t: _Text, i: int) -> bool:
    """Does token i carry on the name before it (a surname, a middle name, or a particle with
    the name after it: "Conceição Ferreira da Silva")?"""
    token = t.token(i)
    if (token is not None and token.word.islower() and token.bare in _PARTICLES and t.adjacent(i - 1)
            and t.adjacent(i) and _is_capitalised(t.tokens[i + 1].word)):
        return True
    if token is None or not t.adjacent(i - 1) or not t.capitalised(i):
        return False
    bare = token.bare
    if bare in HONORIFICS or bare in ORGANISATION_WORDS or bare in KIN_WORDS or bare in ROLE_WORDS:
        return False
    if bare in BRANDS or (bare in VOCABULARY and bare not in surnames()) or len(bare) < 2:
        return False
    if token.word.islower():
        return bare in first_names() | surnames() and bare not in ambiguous()
    if t.adjacent(i) and t.bare(i + 1) in ORGANISATION_WORDS and t.capitalised(i + 1):
        return False  # "Sarah Hughes Primary" is a school
    return bare not in SPEECH_VERBS | CONTACT_VERBS


def _title_name(t: _Text, i: int) -> int | None:
    """A title at i followed by a name: the index of the name's last token, else None.
    "Mr P." (an initial) is the handbook's own style and is not a finding."""
    token = t.tokens[i]
    if token.bare not in HONORIFICS or token.possessive:
        return None
    gap = t.gap(i)
    if gap not in (" ", ". ", "\u00a0"):
        return None
    nxt = t.token(i + 1)
    if nxt is None or _INITIALS.match(nxt.word):
        return None
    if nxt.bare in VOCABULARY and not (nxt.bare in surnames() and _is_capitalised(nxt.word)):
        return None
    if not (_is_capitalised(nxt.word) or token.word.islower()):
        return None
    last = i + 1
    while last - i < 4 and not t.tokens[last].possessive and _continues(t, last + 1):
        last += 1
    return last


_ROLE_BEFORE = re.compile(r"(?:\b(the|our|her|his|their|a)\s+)((?:[^\W\d_]+\s+){0,3}?[^\W\d_]+)\s*,?\s*$",
                          re.IGNORECASE)


def _role_before(text: str, start: int) -> tuple[int, str] | None:
    """"the class teacher, " right before a name: (where the role starts, the role)."""
    m = _ROLE_BEFORE.search(text[max(0, start - 60):start])
    if not m:
        return None
    words = [fold(w) for w in m.group(2).split()]
    if not words or words[-1] not in ROLE_WORDS:
        return None
    offset = max(0, start - 60)
    return offset + m.start(), text[offset + m.start():offset + m.end()].rstrip(" ,")


def _role_after(text: str, end: int) -> tuple[int, str] | None:
    """" (class teacher)" right after a name: (where it ends, the role)."""
    m = re.match(r"\s*\(\s*((?:[^\W\d_]+\s+){0,3}?[^\W\d_]+)\s*\)", text[end:end + 50])
    if not m or fold(m.group(1).split()[-1]) not in ROLE_WORDS:
        return None
    return end + m.end(), m.group(1)


def _finding(text: str, start: int, end: int) -> Finding:
    name = text[start:end]
    before = _role_before(text, start)
    if before is not None:
        role_start, role = before
        if text[role_start:start].rstrip().endswith(",") and text[end:end + 1] == ",":
            end += 1  # "the EP, Dr Kate Marsh, said" → "the EP said"
        return Finding(FindingKind.NAME, role_start, end, text[role_start:end], role)
    after = _role_after(text, end)
    if after is not None:
        role_end, role = after
        sentence = start == 0 or text[:start].rstrip()[-1:] in ".!?\n"
        suggestion = ("The " if sentence else "the ") + role
        return Finding(FindingKind.NAME, start, role_end, text[start:role_end], suggestion)
    return Finding(FindingKind.NAME, start, end, name, initials_for(name))


def _pairable(t: _Text, i: int) -> bool:
    token = t.tokens[i]
    return (_is_capitalised(token.word) and token.bare not in _NEVER_PAIRED and token.bare not in STOPWORDS
            and (token.bare in first_names() or _unknown(t, i)) and not _not_a_person_here(t, i))


def _joined_by_and(t: _Text, i: int, names: set[int]) -> bool:
    """"Jack and Harry", "Angel and Honey": a first name (or a word in no list) paired with a
    name found on the other side of "and"."""
    if not _pairable(t, i) or not (0 <= i + 2 < len(t.tokens) or i >= 2):
        return False
    after = i + 2 in names and t.bare(i + 1) in ("and", "or")
    before = i >= 2 and i - 2 in names and t.bare(i - 1) in ("and", "or")
    return after or before


def find_names(text: str) -> list[Finding]:
    t = _Text(text)
    spans: dict[int, int] = {}  # first token index -> last token index
    i = 0
    while i < len(t.tokens):
        last = _title_name(t, i)
        if last is None and _starts_name(t, i):
            last = i
            while last - i < 3 and not t.tokens[last].possessive and _continues(t, last + 1):
                last += 1
        if last is not None:
            spans[i] = last
            i = last + 1
        else:
            i += 1
    # A given name before a name found, in no list or a first name: "Saima Bibi", "Nerys Llewellyn".
    for first in sorted(spans):
        before = first - 1
        if before < 0 or before in spans or not t.adjacent(before) or _not_a_person_here(t, before):
            continue
        bare = t.tokens[before].bare
        unknown = _unknown(t, before) and t.bare(before - 1) not in NOT_A_PERSON_BEFORE
        given = t.capitalised(before) and bare in first_names() and bare not in HONORIFICS
        if unknown or given:
            spans[before] = spans.pop(first)
    starts = set(spans)
    covered = {j for first, last in spans.items() for j in range(first, last + 1)}
    for i in range(len(t.tokens)):
        if i not in covered and _joined_by_and(t, i, starts):
            spans[i] = i
            covered.add(i)
    # Names recur: once "Faith (Mum)" is a name, so is "Faith can't do mornings".
    named = {t.tokens[j].bare for j in covered if t.tokens[j].bare not in HONORIFICS | ORDINARY_CAPITALS}
    for i, token in enumerate(t.tokens):
        if (i not in covered and token.bare in named and _is_capitalised(token.word)
                and not _not_a_person_here(t, i)):
            last = i
            while last - i < 3 and not t.tokens[last].possessive and _continues(t, last + 1):
                last += 1
            spans[i] = last
            covered.update(range(i, last + 1))
    findings: list[Finding] = []
    for i in sorted(spans):
        final = t.tokens[spans[i]]
        end = final.end - (2 if final.possessive else 0)
        found = _finding(text, t.tokens[i].start, end)
        if findings and found.overlaps(findings[-1].start, findings[-1].end):
            continue
        findings.append(found)
    return findings
