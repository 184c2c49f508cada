"""Risk answers change the plan; sunset is computed for the date and place."""

from __future__ import annotations

from datetime import date, datetime

from ips_desktop.domain.risk import ADVICE, GRACE_MINUTES, GRACE_POOR_RECEPTION, Factor, assess
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


def test_every_factor_has_its_effect() -> None:
    start, end = datetime(2026, 11, 24, 10), datetime(2026, 11, 24, 11)
    for factor in Factor:
        effects = assess({factor: True}, start, end, EXETER)
        assert effects.flags == (factor,)
        assert effects.advice == (ADVICE[factor],)  # goes to the PPO and into the overdue pack
        assert (effects.blocked is not None) == (factor is Factor.AGGRESSIVE_OCCUPANT)
        assert effects.call_ppo_before == (factor is Factor.POOR_RECEPTION)
        assert effects.grace_minutes == (GRACE_POOR_RECEPTION if factor is Factor.POOR_RECEPTION else GRACE_MINUTES)
        assert not effects.ends_after_sunset


def test_sunset_follows_the_clock_changes() -> None:
    """Europe/London: an hour later on the wall clock after the March change, earlier after October's."""
    friday, monday = sunset_local(date(2026, 3, 27), *EXETER), sunset_local(date(2026, 3, 30), *EXETER)
    assert friday is not None
    assert monday is not None
    assert 60 <= (monday - friday.replace(day=30)).total_seconds() / 60 <= 75
    autumn_before, autumn_after = sunset_local(date(2026, 10, 23), *EXETER), sunset_local(date(2026, 10, 26), *EXETER)
    assert autumn_before is not None
    assert autumn_after is not None
    assert 60 <= (autumn_before.replace(day=26) - autumn_after).total_seconds() / 60 <= 75
    # A 15:30–17:00 visit: light on the Friday before the October change, dark a week after it.
    before = assess({}, datetime(2026, 10, 23, 15, 30), datetime(2026, 10, 23, 17, 0), EXETER)
    after = assess({}, datetime(2026, 11, 2, 15, 30), datetime(2026, 11, 2, 17, 0), EXETER)
    assert not before.ends_after_sunset
    assert after.ends_after_sunset
