"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, for the alert tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    messages: list[tuple[float, Message]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        with self.lock:
            self.messages.append((time.monotonic(), message_from_bytes(envelope.content, policy=policy.default)))  # type: ignore[attr-defined]
        return "250 OK"

    def received(self) -> list[tuple[str, str, str]]:
        """(to, subject, body) of everything received so far."""
        with self.lock:
            return [(str(m["To"]), str(m["Subject"]), m.get_content())  # type: ignore[attr-defined]
                    for _, m in self.messages]

    def wait_for(self, count: int, timeout: float = 15.0) -> list[tuple[str, str, str]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received()
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"expected {count} e-mails, got {self.received()}")


@contextmanager
def smtp_server(port: int) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
