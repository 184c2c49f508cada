"""Case references: the only key a record has. The volunteer types one of theirs at first run;
its shape becomes the format, so no one ever reads or writes a pattern."""

from __future__ import annotations

import pytest

from ips_desktop.domain.references import DEFAULT_FORMAT, format_from_example


@pytest.mark.parametrize(("example", "good", "bad"), [
    ("DPPS/123/25", "DPPS/987/26", "DPPS/98/26"),
    ("PPS-2026-00412", "PPS-2027-00001", "PPS-2027-0001"),
    ("ab 1234", "CD5678", "CD567"),
])
def test_a_reference_typed_gives_the_format(example: str, good: str, bad: str) -> None:
    shape = format_from_example(example)
    assert shape.is_valid(good)
    assert not shape.is_valid(bad)
    assert "Sarah Jones" not in shape.pattern
    assert shape.check("Mrs Jones") is not None, "a name is never a reference"


def test_nothing_typed_keeps_the_default() -> None:
    assert format_from_example("  ") == DEFAULT_FORMAT
