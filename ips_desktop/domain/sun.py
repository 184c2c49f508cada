"""Sunset for a date and place, computed (NOAA's solar calculation; about a minute's error in
England and Wales). Used to warn when a visit would end in the dark."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

from .uk_time import LONDON

EXETER = (50.7184, -3.5339)  # the office's default location (Devon), overridden by the policy


def sunset_utc(day: date, latitude: float, longitude: float) -> datetime | None:
    """Sunset in UTC, or None when the sun does not set (never the case this far south)."""
    n = day.timetuple().tm_yday
    gamma = 2 * math.pi / 365 * (n - 1 + 0.5)
    eqtime = 229.18 * (0.000075 + 0.001868 * math.cos(gamma) - 0.032077 * math.sin(gamma)
                       - 0.014615 * math.cos(2 * gamma) - 0.040849 * math.sin(2 * gamma))
    decl = (0.006918 - 0.399912 * math.cos(gamma) + 0.070257 * math.sin(gamma) - 0.006758 * math.cos(2 * gamma)
            + 0.000907 * math.sin(2 * gamma) - 0.002697 * math.cos(3 * gamma) + 0.00148 * math.sin(3 * gamma))
    lat = math.radians(latitude)
    cos_ha = math.cos(math.radians(90.833)) / (math.cos(lat) * math.cos(decl)) - math.tan(lat) * math.tan(decl)
    if not -1 <= cos_ha <= 1:
        return None
    hour_angle = math.degrees(math.acos(cos_ha))
    minutes = 720 - 4 * (longitude - hour_angle) - eqtime
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minutes)


def sunset_local(day: date, latitude: float, longitude: float) -> datetime | None:
    """Sunset as UK wall-clock time (naive), GMT or BST as the date requires."""
    utc = sunset_utc(day, latitude, longitude)
    if utc is None:
        return None
    return utc.astimezone(LONDON).replace(tzinfo=None)
