"""The relay's log: one line per event on stdout, with time, level and event, plain or JSON.

Every line is content-free by construction: events carry counts, short key-id prefixes,
route patterns and error classes, never a body, a token, a PIN or an address the relay was
given. Times are the relay's clock (``clock.time``), the one its alerts are dated by, so a
drill's log reads in the drill's time. See docs/architecture.md, "Running the relay".
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from .. import clock

log = logging.getLogger("ips_relay")


def event(name: str, level: int = logging.INFO, **fields: object) -> None:
    """One structured, content-free log line."""
    log.log(level, name, extra={"event_fields": fields})


def _stamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(clock.time(), UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, "event_fields", None)
    return dict(fields) if isinstance(fields, dict) else {}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"time": _stamp(record), "level": record.levelname.lower(),
                                "event": record.getMessage(), **_fields(record)}
        if record.name != log.name:
            line["logger"] = record.name
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = record.exc_info[0].__name__
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, sort_keys=False, default=str)


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        parts = [_stamp(record), record.levelname, record.getMessage()]
        parts += [f"{key}={json.dumps(value, default=str) if isinstance(value, str) and ' ' in value else value}"
                  for key, value in _fields(record).items()]
        text = " ".join(str(p) for p in parts)
        if record.exc_info and record.exc_info[0] is not None:
            text += "\n" + self.formatException(record.exc_info)
        return text


def setup_logging(form: str = "plain", level: str = "info") -> None:
    """Everything (the relay's events and uvicorn's own warnings) to stdout in one format."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter() if form == "json" else PlainFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    log.setLevel(getattr(logging, level.upper(), logging.INFO))
