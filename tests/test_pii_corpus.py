"""The PII guard against two corpora of realistic IPS notes, each scored on its own:

- ``tests/data/pii_corpus.txt``: notes written with the guard (ids m…) and held out from it (h…);
- ``tests/data/pii_corpus_b.txt``: a second held-out corpus, written without sight of the
  guard's rules, with other names, styles and origins.

A detail counts as caught only when findings cover all of it ("Mr Imran" of "Mr Imran
Chaudhry" is a miss: the one-click fix would keep the surname). Prints recall, precision and
false alarms, and holds the targets on each corpus: recall ≥ 0.95, at most one false alarm per
10 clean notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from ips_desktop.domain.pii import FindingKind, screen

DATA = Path(__file__).parent / "data"
# Corpora held to the targets. C was written after the rules changed for B and then used to
# improve them, so it is no longer held out.
CORPORA = {"A": DATA / "pii_corpus.txt", "B": DATA / "pii_corpus_b.txt", "C": DATA / "pii_corpus_c.txt"}
# Written last, by someone who saw neither the rules nor the other corpora, and never tuned on:
# its figures are reported (make test prints them) as the honest estimate for unseen notes,
# not held to the targets, which would make it one more corpus to tune on. One plain bug it
# showed was fixed (a word after "UPN" taken for the number, d43: precision 0.956 → 0.962);
# its misses were left as they are.
UNSEEN = DATA / "pii_corpus_d.txt"
KINDS = {
    "name": FindingKind.NAME, "phone": FindingKind.PHONE, "email": FindingKind.EMAIL,
    "postcode": FindingKind.POSTCODE, "address": FindingKind.ADDRESS, "dob": FindingKind.DATE_OF_BIRTH,
    "nino": FindingKind.NI_NUMBER, "upn": FindingKind.PUPIL_NUMBER,
}
_MARK = re.compile(r"\[\[(.+?)\|(\w+)\]\]", re.DOTALL)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: FindingKind


@dataclass(frozen=True)
class Note:
    ident: str
    clean: bool
    text: str
    spans: tuple[Span, ...]


def _unmark(marked: str) -> tuple[str, tuple[Span, ...]]:
    out: list[str] = []
    spans: list[Span] = []
    pos = length = 0
    for m in _MARK.finditer(marked):
        out.append(marked[pos:m.start()])
        length += m.start() - pos
        spans.append(Span(length, length + len(m.group(1)), KINDS[m.group(2)]))
        out.append(m.group(1))
        length += len(m.group(1))
        pos = m.end()
    out.append(marked[pos:])
    return "".join(out), tuple(spans)


def load_corpus(path: Path) -> list[Note]:
    notes: list[Note] = []
    body = [line for line in path.read_text("utf-8").splitlines() if not line.startswith("#")]
    for block in re.split(r"^=== ", "\n".join(body), flags=re.MULTILINE)[1:]:
        header, _, marked = block.partition("\n")
        ident, label = header.split()
        text, spans = _unmark(marked.strip())
        assert "[[" not in text, f"{ident}: malformed mark"
        assert (label == "clean") == (not spans), f"{ident}: label {label} but {len(spans)} marks"
        notes.append(Note(ident, label == "clean", text, spans))
    return notes


NOTES = {label: load_corpus(path) for label, path in CORPORA.items()}
UNSEEN_NOTES = load_corpus(UNSEEN)


@pytest.mark.parametrize("label", [*sorted(CORPORA), "D"])
def test_corpus_is_big_enough_and_balanced(label: str) -> None:
    notes = NOTES.get(label, UNSEEN_NOTES)
    assert len(notes) >= 60
    assert sum(n.clean for n in notes) >= 30
    kinds = {s.kind for n in notes for s in n.spans}
    assert kinds == set(FindingKind), f"no examples of {set(FindingKind) - kinds}"


@dataclass
class Score:
    notes: int = 0
    clean: int = 0
    marked: int = 0
    caught: int = 0
    wrong_kind: int = 0
    findings: int = 0
    true_findings: int = 0
    clean_alarms: int = 0

    @property
    def recall(self) -> float:
        return self.caught / self.marked

    @property
    def precision(self) -> float:
        return self.true_findings / self.findings if self.findings else 1.0

    @property
    def alarms_per_ten_clean(self) -> float:
        return 10 * self.clean_alarms / self.clean

    def line(self, label: str) -> str:
        return (f"PII corpus {label}: {self.notes} notes ({self.clean} clean), {self.marked} identifying "
                f"details; recall {self.recall:.3f}, precision {self.precision:.3f}, false alarms "
                f"{self.alarms_per_ten_clean:.2f} per 10 clean notes, wrong kind {self.wrong_kind}")


def score(notes: list[Note], problems: list[str]) -> Score:
    result = Score(notes=len(notes), clean=sum(n.clean for n in notes))
    for note in notes:
        found = screen(note.text)
        result.findings += len(found)
        for span in note.spans:
            result.marked += 1
            hits = [f for f in found if f.overlaps(span.start, span.end)]
            covered = {i for f in hits for i in range(f.start, f.end)}
            if all(i in covered for i in range(span.start, span.end)):
                result.caught += 1
                result.wrong_kind += all(f.kind is not span.kind for f in hits)
            elif hits:
                problems.append(f"{note.ident}: only part of {span.kind} {note.text[span.start:span.end]!r}: "
                                f"{[f.text for f in hits]}")
            else:
                problems.append(f"{note.ident}: missed {span.kind} {note.text[span.start:span.end]!r}")
        for f in found:
            if any(f.overlaps(s.start, s.end) for s in note.spans):
                result.true_findings += 1
            else:
                result.clean_alarms += note.clean
                problems.append(f"{note.ident}: false alarm {f.kind} {f.text!r}")
    return result


@pytest.mark.parametrize("label", sorted(CORPORA))
def test_recall_and_precision_meet_targets(label: str, capsys: pytest.CaptureFixture[str]) -> None:
    problems: list[str] = []
    overall = score(NOTES[label], problems)
    with capsys.disabled():
        print()
        print(overall.line(label))
        if label == "A":
            print(score([n for n in NOTES[label] if n.ident.startswith("h")], []).line("A, held-out part"))
        for line in problems:
            print(f"PII corpus {label}:   {line}")
    assert overall.recall >= 0.95
    assert overall.alarms_per_ten_clean <= 1.0


def test_report_the_unseen_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    """Corpus D's figures, printed with its misses and false alarms (see UNSEEN)."""
    problems: list[str] = []
    unseen = score(UNSEEN_NOTES, problems)
    with capsys.disabled():
        print()
        print(unseen.line("D (unseen, reported only)"))
        for line in problems:
            print(f"PII corpus D:   {line}")
    assert unseen.marked >= 100
