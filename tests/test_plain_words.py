"""Plain words wherever the volunteer reads: no word from the code ("vault", "relay", "sealed",
"queued", "envelope", "key fingerprint", "record(s)" or any other "(s)") and no "in 446 min" in any sentence the
volunteer's app or its sync layer can put on screen. Docstrings and log lines are not read by
volunteers and are skipped; so are single words (database states, URL parts)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import ips_desktop

ROOT = Path(ips_desktop.__file__).parent
SCREENS = [*sorted((ROOT / "ui" / "volunteer").glob("*.py")), *sorted((ROOT / "ui" / "common").glob("*.py")),
           *sorted((ROOT / "sync").glob("*.py")), ROOT / "store" / "today.py", ROOT / "store" / "casebook.py",
           ROOT / "domain" / "claim.py", ROOT / "domain" / "expenses.py"]
CODE_WORDS = re.compile(r"\b(vaults?|relay|sealed|queue|queued|envelopes?|fingerprint|signed receipt)\b|\w\(s\)"
                        r"|\b\d+ min\b|\} min\b", re.IGNORECASE)
NOT_READ = {"debug", "info", "warning", "error", "exception", "append", "execute", "query", "query_one"}


def _sentences(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and body and \
                isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            skip.add(id(body[0].value))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in NOT_READ:
            skip.update(id(n) for n in ast.walk(node))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip and " " in n.value]


def test_no_code_words_in_what_the_volunteer_reads() -> None:
    found = [f"{path.relative_to(ROOT)}:{line}: {CODE_WORDS.search(text).group(0)!r} in {text[:70]!r}"  # type: ignore[union-attr]
             for path in SCREENS for line, text in _sentences(path) if CODE_WORDS.search(text)]
    assert not found, "\n".join(found)


def test_the_scan_finds_a_code_word() -> None:
    """The test above can fail: a sentence with "vault" in it is found."""
    assert CODE_WORDS.search("Your vault is locked.")
    assert CODE_WORDS.search("back in 446 min")
    assert CODE_WORDS.search("f{n} record(s) waiting")
    assert CODE_WORDS.search("1 detail(s) could identify someone")
    assert not CODE_WORDS.search("your notes are recorded")


def test_the_console_counts_in_plain_english() -> None:
    """The PPO's console says "1 new record", "2 visits": never "record(s)"."""
    maybe_plural = re.compile(r"\w\(s\)")
    found = [f"{path.relative_to(ROOT)}:{line}: {text[:70]!r}"
             for path in sorted((ROOT / "ui" / "office").glob("*.py")) for line, text in _sentences(path)
             if maybe_plural.search(text)]
    assert not found, "\n".join(found)
