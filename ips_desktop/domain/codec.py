"""JSON-ready values for records: dates as ISO text, tuples as lists. What the store seals."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any


def encode_dict(value: dict[str, Any]) -> dict[str, Any]:
    return {k: encode(v) for k, v in value.items()}


def encode(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        items = [encode(v) for v in value]
        return sorted(items) if isinstance(value, frozenset | set) else items
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def opt_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def opt_datetime(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
