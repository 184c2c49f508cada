"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, for the alert tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    _messages: list[tuple[float, Message]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    folder: Path | None = None   # a server process writes each message here as NNNNNN.eml

    @property
    def messages(self) -> list[tuple[float, Message]]:
        """What has arrived, in order (read from the folder when the server is a process)."""
        if self.folder is not None:
            seen = len(self._messages)
            for path in sorted(self.folder.glob("*.eml"))[seen:]:
                self._messages.append((path.stat().st_mtime, message_from_bytes(path.read_bytes(),
                                                                                policy=policy.default)))
        return self._messages

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        with self.lock:
            self._messages.append((time.monotonic(), message_from_bytes(envelope.content, policy=policy.default)))  # type: ignore[attr-defined]
        return "250 OK"

    def received(self) -> list[tuple[str, str, str]]:
        """(to, subject, plain-text body) of everything received so far."""
        with self.lock:
            return [(str(m["To"]), str(m["Subject"]), _part(m, "plain")) for _, m in self.messages]

    def html(self) -> list[str]:
        with self.lock:
            return [_part(m, "html") for _, m in self.messages]

    def headers(self, name: str) -> list[str]:
        with self.lock:
            return [str(m[name]) for _, m in self.messages]

    def save(self, folder: Path) -> list[Path]:
        """Every message as received (.eml) and its plain and HTML parts, for the test report."""
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        with self.lock:
            for n, (_, m) in enumerate(self.messages, 1):
                stem = folder / f"{n:02d}-{str(m['To']).split('@')[0]}"
                stem.with_suffix(".eml").write_bytes(m.as_bytes())
                stem.with_suffix(".txt").write_text(f"To: {m['To']}\nSubject: {m['Subject']}\nDate: {m['Date']}\n\n"
                                                    + _part(m, "plain"), encoding="utf-8")
                if _part(m, "html"):
                    stem.with_suffix(".html").write_text(_part(m, "html"), encoding="utf-8")
                out.append(stem.with_suffix(".txt"))
        return out

    def wait_for(self, count: int, timeout: float = 15.0) -> list[tuple[str, str, str]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received()
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"expected {count} e-mails, got {self.received()}")


def _part(message: Message, kind: str) -> str:
    body = message.get_body(preferencelist=(kind,))  # type: ignore[attr-defined]
    if body is None:
        return ""
    return str(body.get_content())


@contextmanager
def smtp_server(port: int) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def self_signed(tmp: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by itself, and its key: (cert, key) PEM files."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "smtp-cert.pem", tmp / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@contextmanager
def secure_smtp_server(port: int, tmp: Path, mode: str, user: str, password: str) -> Iterator[Inbox]:
    """A real SMTP server as council mail is: ``mode`` "starttls" (it will not take mail or a
    login before STARTTLS) or "tls" (implicit TLS, as on 465), and a login required. It runs as a
    process of its own (tests/smtp_tls_server.py)."""
    import os
    import subprocess
    import sys

    from relay_support import stop_process

    cert, key = self_signed(tmp)
    folder = tmp / f"smtp-{port}-mail"
    folder.mkdir(exist_ok=True)
    server = subprocess.Popen([sys.executable, str(Path(__file__).with_name("smtp_tls_server.py")), str(port),
                               str(cert), str(key), mode, user, str(folder)],
                              env={**os.environ, "SMTP_TEST_PASSWORD": password}, stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        # "ready" comes after the controller has started, which waits until the port is served
        assert server.stdout.readline().strip() == b"ready", "the SMTP server did not start"
        yield Inbox(folder=folder)
    finally:
        stop_process(server)
