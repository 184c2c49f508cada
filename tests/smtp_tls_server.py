"""A real SMTP server as council mail is, run as a process of its own by smtp_support: STARTTLS
(or implicit TLS) and a login required, each message written to a folder as NNNNNN.eml.

Its own process because an in-process TLS server thread, left behind by the ladder tests, was
followed by crashes in later Qt tests of the same run; a process shares nothing with them.

    python smtp_tls_server.py PORT CERT KEY MODE USER FOLDER   (the password in SMTP_TEST_PASSWORD)
"""

from __future__ import annotations

import os
import signal
import ssl
import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Folder:
    def __init__(self, folder: Path) -> None:
        self.folder, self.count, self.lock = folder, 0, threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        with self.lock:
            self.count += 1
            name = f"{self.count:06d}.eml"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(envelope.content)  # type: ignore[attr-defined]
        tmp.rename(self.folder / name)  # whole, or not there at all
        return "250 OK"


def main() -> None:
    port, cert, key, mode, user, folder = sys.argv[1:7]
    password = os.environ["SMTP_TEST_PASSWORD"]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(server: object, session: object, envelope: object, mechanism: str, data: object) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login == user.encode() and data.password == password.encode()
        return AuthResult(success=ok, handled=False)  # False: the server answers 535 itself

    handler = Folder(Path(folder))
    options: dict[str, object] = {"authenticator": authenticator, "auth_required": True}
    if mode == "starttls":
        controller = Controller(handler, hostname="127.0.0.1", port=int(port), tls_context=context,
                                require_starttls=True, **options)
    else:  # the whole connection is TLS, which aiosmtpd cannot see
        controller = Controller(handler, hostname="127.0.0.1", port=int(port), ssl_context=context,
                                auth_require_tls=False, **options)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
