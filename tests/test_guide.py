"""The guide: docs/guide.md is the shipped guide with its pictures, every window F1 can name has
its part of the guide, and the screenshots are at most one commit older than the screens."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from ips_desktop.ui.volunteer.help import INTRO, PICTURES, TOPICS, guide, guide_with_pictures

REPO = Path(__file__).resolve().parent.parent


def test_docs_guide_is_the_shipped_guide_with_its_pictures() -> None:
    assert (REPO / "docs" / "guide.md").read_text(encoding="utf-8") == guide_with_pictures(), \
        "docs/guide.md is out of date: run make screenshots"
    for file, _words in (picture for pictures in PICTURES.values() for picture in pictures):
        assert (REPO / "docs" / "screenshots" / file).stat().st_size > 10_000, file


def test_every_topic_f1_can_open_is_in_the_guide() -> None:
    sections = guide()
    assert next(iter(sections)) == INTRO
    missing = {topic for topic in [*TOPICS.values(), "Today", "Cases and notes", "Writing a note"]
               if topic not in sections}
    assert not missing
    assert all("Handbook:" in sections[t] for t in ("Cases and notes", "Home visits", "Expenses"))


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True).stdout.strip()


def test_screenshots_are_at_most_one_commit_older_than_the_screens() -> None:
    try:
        shots = _git("log", "-1", "--format=%H", "--", "docs/screenshots")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    if not shots:
        pytest.skip("no screenshots committed yet")
    since = _git("rev-list", "--count", f"{shots}..HEAD", "--", "ips_desktop/ui")
    assert int(since) <= 1, f"{since} commits changed the screens (ips_desktop/ui) since the screenshots: " \
                            "run make screenshots and commit them"


def test_every_picture_the_readme_shows_is_there() -> None:
    pictures = re.findall(r"!\[[^\]]*\]\((docs/screenshots/[^)]+)\)", (REPO / "README.md").read_text(encoding="utf-8"))
    assert "docs/screenshots/console-board.png" in pictures
    for picture in pictures:
        assert (REPO / picture).stat().st_size > 10_000, picture
