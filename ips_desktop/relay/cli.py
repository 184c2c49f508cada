"""``ips-relay``: run the relay, or print its public key for the office.

    ips-relay serve --data /var/lib/ips-relay --office-root HEX [--host 127.0.0.1] [--port 8765]
    ips-relay key --data /var/lib/ips-relay

Overdue alerts: ``--smtp-host`` (and ``--smtp-port``, ``--smtp-from``) for e-mail,
``--sms-webhook`` for SMS. Without them the ladder still runs and the office's board alarms.

TLS: put a standard reverse proxy in front, or pass uvicorn's ``--ssl-certfile`` and
``--ssl-keyfile`` through ``--tls-cert`` / ``--tls-key``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

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
    serve.add_argument("--smtp-port", type=int, default=25)
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
    from .watchdog import SmtpSender, Watchdog

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    storage = RelayStorage(args.data / "relay.db")
    relay = Relay(storage, relay_key, root, clock=clock.time)
    relay.trusted_proxies = frozenset(args.trusted_proxy)

    def ladder() -> LadderPolicy:
        bundle = relay.bundle()
        return LadderPolicy.from_policy(bundle.policy) if bundle else LadderPolicy()

    sender = SmtpSender(args.smtp_host, args.smtp_port, args.smtp_from, args.sms_webhook) if args.smtp_host else None
    app = create_app(relay, watchdog=Watchdog(storage, ladder), sender=sender, tick_every=args.tick,
                     housekeeping_every=args.housekeeping)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                ssl_certfile=args.tls_cert, ssl_keyfile=args.tls_key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
