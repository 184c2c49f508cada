"""``ips-relay``: run the relay, or print its public key for the office.

    ips-relay serve --data /var/lib/ips-relay --office-root HEX [--host 127.0.0.1] [--port 8765]
    ips-relay key --data /var/lib/ips-relay

Overdue alerts: ``--smtp-host`` (and ``--smtp-port``, ``--smtp-security``, ``--smtp-user`` with
the password in ``IPS_RELAY_SMTP_PASSWORD`` or ``--smtp-password-file``, ``--smtp-from``) for
e-mail, ``--sms-webhook`` for SMS, either or both. Without them the ladder still runs and the
office's board alarms.

TLS: put a standard reverse proxy in front, or pass uvicorn's ``--ssl-certfile`` and
``--ssl-keyfile`` through ``--tls-cert`` / ``--tls-key``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .watchdog import SmtpSender

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .. import clock
from ..crypto.wire import fingerprint, raw_public
from ..hardening import no_core_dumps


def load_key(data: Path) -> Ed25519PrivateKey:
    """The relay's own signing key (for STORED receipts), made on first start."""
    path = data / "relay-key.bin"
    data.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # O_BINARY: Windows opens in text mode otherwise and would mangle the key's 0x0A bytes.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        try:
            os.write(fd, os.urandom(32))
            os.fsync(fd)
        finally:
            os.close(fd)
    seed = path.read_bytes()
    if len(seed) != 32:
        raise SystemExit(f"ips-relay: {path} is damaged; it has not been changed.")
    return Ed25519PrivateKey.from_private_bytes(seed)


def main(argv: list[str] | None = None) -> int:
    no_core_dumps()
    parser = argparse.ArgumentParser(prog="ips-relay",
                                     description="Carries sealed envelopes; holds no key to open them.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the relay")
    serve.add_argument("--data", type=Path, required=True, help="folder for the relay's SQLite file and key")
    serve.add_argument("--office-root", required=True, help="the office root public key (hex, from ips-office init)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--tls-cert")
    serve.add_argument("--tls-key")
    serve.add_argument("--smtp-host", help="the office's SMTP server for overdue alerts (none: board only)")
    serve.add_argument("--smtp-port", type=int, default=25, help="25, 587 (STARTTLS) or 465 (TLS)")
    serve.add_argument("--smtp-security", choices=("tls", "starttls", "none"),
                       help="tls on 465, starttls otherwise (the default), none only for a mail server on this "
                            "machine")
    serve.add_argument("--smtp-user", default="", help="the login for the mail server (its password: the "
                                                        "IPS_RELAY_SMTP_PASSWORD environment variable or "
                                                        "--smtp-password-file)")
    serve.add_argument("--smtp-password-file", type=Path, help="a file holding the mail server password")
    serve.add_argument("--smtp-ca-file", help="the certificate authority of a mail server with a private "
                                              "certificate")
    serve.add_argument("--smtp-from", default="ips-relay@localhost", help="the From address of alert e-mails")
    serve.add_argument("--sms-webhook", default="", help="an http(s) URL that takes {to, text} JSON to send SMS")
    serve.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDRESS",
                       help="a reverse proxy in front of the relay whose X-Forwarded-For header is believed "
                            "(give it once per proxy address)")
    serve.add_argument("--tick", type=float, default=1.0, help=argparse.SUPPRESS)
    serve.add_argument("--housekeeping", type=float, default=60.0, help=argparse.SUPPRESS)
    key = sub.add_parser("key", help="print the relay's public key for `ips-office relay`")
    key.add_argument("--data", type=Path, required=True)
    args = parser.parse_args(argv)

    relay_key = load_key(args.data)
    if args.command == "key":
        public = raw_public(relay_key)
        print(public.hex())
        print(f"fingerprint {fingerprint(public)}", file=sys.stderr)
        return 0
    try:
        root = bytes.fromhex(args.office_root)
    except ValueError:
        root = b""
    if len(root) != 32:
        print("ips-relay: --office-root must be the 64 hex digits `ips-office init` printed.", file=sys.stderr)
        return 2
    import uvicorn

    from ..domain.escalation import LadderPolicy
    from .app import Relay, create_app
    from .storage import RelayStorage
    from .watchdog import Watchdog

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    storage = RelayStorage(args.data / "relay.db")
    relay = Relay(storage, relay_key, root, clock=clock.time)
    relay.trusted_proxies = frozenset(args.trusted_proxy)

    def ladder() -> LadderPolicy:
        bundle = relay.bundle()
        return LadderPolicy.from_policy(bundle.policy, bundle.office_name) if bundle else LadderPolicy()

    try:
        sender = _sender(args)
    except (OSError, ValueError) as exc:
        print(f"ips-relay: {exc}", file=sys.stderr)
        return 2
    app = create_app(relay, watchdog=Watchdog(storage, ladder), sender=sender, tick_every=args.tick,
                     housekeeping_every=args.housekeeping)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                ssl_certfile=args.tls_cert, ssl_keyfile=args.tls_key)
    return 0


def _sender(args: argparse.Namespace) -> SmtpSender | None:
    """Alerts go by e-mail, by SMS through the webhook, or both; with neither, the board only."""
    from .watchdog import SmtpSender, default_smtp_security

    if not args.smtp_host and not args.sms_webhook:
        return None
    password = os.environ.get("IPS_RELAY_SMTP_PASSWORD", "")
    if args.smtp_password_file is not None:
        password = args.smtp_password_file.read_text(encoding="utf-8").strip()
    if args.smtp_user and not password:
        raise ValueError("--smtp-user needs the password in IPS_RELAY_SMTP_PASSWORD or --smtp-password-file")
    security = args.smtp_security or default_smtp_security(args.smtp_host, args.smtp_port)
    return SmtpSender(args.smtp_host, args.smtp_port, args.smtp_from, args.sms_webhook, security=security,
                      username=args.smtp_user, password=password, ca_file=args.smtp_ca_file)


if __name__ == "__main__":
    sys.exit(main())
