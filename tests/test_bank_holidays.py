"""Bank holidays in England and Wales against the published lists (gov.uk)."""

from __future__ import annotations

from datetime import date

import pytest

from ips_desktop.domain.bank_holidays import bank_holidays, easter_sunday

PUBLISHED = {
    2021: ["2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27",
           "2021-12-28"],
    2022: ["2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29",
           "2022-09-19", "2022-12-26", "2022-12-27"],
    2023: ["2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28",
           "2023-12-25", "2023-12-26"],
    2026: ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25",
           "2026-12-28"],
    2027: ["2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27",
           "2027-12-28"],
}


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_matches_the_published_list(year: int) -> None:
    assert sorted(d.isoformat() for d in bank_holidays(year)) == PUBLISHED[year]


def test_easter_dates() -> None:
    assert [easter_sunday(y) for y in (2024, 2025, 2038)] == [date(2024, 3, 31), date(2025, 4, 20),
                                                              date(2038, 4, 25)]
