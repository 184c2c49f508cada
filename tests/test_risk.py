"""Risk answers change the plan; sunset is computed for the date and place."""

from __future__ import annotations

from datetime import date, datetime

from ips_desktop.domain.risk import GRACE_MINUTES, GRACE_POOR_RECEPTION, Factor, assess
from ips_desktop.domain.sun import EXETER, sunset_local

LONDON = (51.5074, -0.1278)


def test_sunset_matches_published_times_within_three_minutes() -> None:
    # Sunsets as almanacs list them for these dates, to the minute.
    cases = [(date(2026, 12, 21), LONDON, (15, 54)), (date(2026, 6, 21), LONDON, (21, 21)),
             (date(2026, 12, 21), EXETER, (16, 13)), (date(2026, 3, 20), LONDON, (18, 13))]
    for day, place, (h, m) in cases:
        sunset = sunset_local(day, *place)
        assert sunset is not None
        expected = datetime(day.year, day.month, day.day, h, m)
        assert abs((sunset - expected).total_seconds()) <= 180, (day, place, sunset)


def test_an_aggressive_occupant_blocks_the_visit() -> None:
    effects = assess({Factor.AGGRESSIVE_OCCUPANT: True}, datetime(2026, 11, 24, 10), datetime(2026, 11, 24, 11),
                     EXETER)
    assert effects.blocked is not None
    assert "will not be allocated" in effects.blocked


def test_poor_reception_needs_a_call_first_and_shortens_the_grace() -> None:
    calm = assess({}, datetime(2026, 11, 24, 10), datetime(2026, 11, 24, 11), EXETER)
    poor = assess({Factor.POOR_RECEPTION: True}, datetime(2026, 11, 24, 10), datetime(2026, 11, 24, 11), EXETER)
    assert (calm.call_ppo_before, calm.grace_minutes) == (False, GRACE_MINUTES)
    assert (poor.call_ppo_before, poor.grace_minutes) == (True, GRACE_POOR_RECEPTION)
    assert "telephone beforehand" in poor.advice[0]


def test_a_winter_afternoon_visit_ends_in_the_dark() -> None:
    late = assess({Factor.PARKING_OR_DARK: True}, datetime(2026, 12, 14, 15, 30), datetime(2026, 12, 14, 17, 0),
                  EXETER)
    assert late.ends_after_sunset
    early = assess({}, datetime(2026, 6, 15, 15, 30), datetime(2026, 6, 15, 17, 0), EXETER)
    assert not early.ends_after_sunset
    assert late.flags == (Factor.PARKING_OR_DARK,)
