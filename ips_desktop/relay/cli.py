"""``ips-relay``: run the relay, check its settings, print its key, back it up and restore it.

    ips-relay serve --config /etc/ips-relay/relay.toml     (or every setting as a flag or variable)
    ips-relay check-config --config /etc/ips-relay/relay.toml
    ips-relay key --data /var/lib/ips-relay
    ips-relay backup --data /var/lib/ips-relay /var/backups/ips-relay/2026-12-03
    ips-relay restore --data /var/lib/ips-relay /var/backups/ips-relay/2026-12-03

The settings (config.py) are documented in docs/relay.md. Bad settings or arguments end in one
line on stderr and exit status 2; a backup that cannot be made or restored in exit status 1.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .watchdog import SmtpSender

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .. import __version__, clock
from ..cli_support import Parser, add_version
from ..crypto.wire import fingerprint, raw_public
from ..hardening import no_core_dumps
from . import config
from .backup import BackupError, serving_lock
from .logs import event


def load_key(data: Path) -> Ed25519PrivateKey:
    """The relay's own signing key (for STORED receipts), made on first start."""
    path = data / "relay-key.bin"
    try:
        data.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            _new_key(path)
        seed = path.read_bytes()
    except OSError as exc:
        raise config.ConfigError(f"The data folder {data} cannot be used ({exc.strerror or exc}).") from None
    if len(seed) != 32:
        raise config.ConfigError(f"{path} is damaged; it has not been changed.")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _new_key(path: Path) -> None:
    # O_BINARY: Windows opens in text mode otherwise and would mangle the key's 0x0A bytes.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        os.write(fd, os.urandom(32))
        os.fsync(fd)
    finally:
        os.close(fd)


def _parser() -> Parser:
    parser = Parser(prog="ips-relay", description="Carries sealed envelopes; holds no key to open them.")
    add_version(parser)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the relay")
    check = sub.add_parser("check-config", help="print the settings the relay would use and what is wrong "
                                                 "with them; exit 2 if anything is")
    key = sub.add_parser("key", help="print the relay's public key for the office")
    backup = sub.add_parser("backup", help="copy the relay's database and key to a folder, safely while it serves")
    restore = sub.add_parser("restore", help="put a backup made by `ips-relay backup` back, with the relay stopped")
    for command in (serve, check, key, backup, restore):
        config.add_flags(command)
    backup.add_argument("destination", type=Path, help="a folder that does not exist yet, or an empty one")
    restore.add_argument("source", type=Path, help="the folder `ips-relay backup` wrote")
    serve.add_argument("--tick", type=float, default=1.0, help=argparse.SUPPRESS)
    serve.add_argument("--housekeeping", type=float, default=60.0, help=argparse.SUPPRESS)
    serve.add_argument("--stall-after", type=float, default=60.0, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    no_core_dumps()
    args = _parser().parse_args(argv)
    try:
        settings = config.load(args)
        problems = settings.problems(serving=args.command in ("serve", "check-config"))
        if args.command == "check-config":
            print("\n".join(settings.shown()))
            for problem in problems:
                print(f"ips-relay: {problem}", file=sys.stderr)
            if not problems:
                print("The settings are good.", file=sys.stderr)
            return 2 if problems else 0
        if problems:
            raise config.ConfigError(problems[0])
        data = Path(settings.data)
        if args.command == "backup":
            from .backup import backup

            print(backup(data, args.destination))
            return 0
        if args.command == "restore":
            from .backup import restore

            print(restore(args.source, data))
            return 0
        relay_key = load_key(data)
        if args.command == "key":
            public = raw_public(relay_key)
            print(public.hex())
            print(f"fingerprint {fingerprint(public)}", file=sys.stderr)
            return 0
        return _serve(args, settings, data, relay_key)
    except config.ConfigError as exc:
        print(f"ips-relay: {exc}", file=sys.stderr)
        return 2
    except BackupError as exc:
        print(f"ips-relay: {exc}", file=sys.stderr)
        return 1


def _serve(args: argparse.Namespace, settings: config.RelayConfig, data: Path, relay_key: Ed25519PrivateKey) -> int:
    import uvicorn

    from ..domain.escalation import LadderPolicy
    from .app import Relay, create_app
    from .logs import setup_logging
    from .storage import RelayStorage
    from .watchdog import Watchdog

    setup_logging(settings.log_format, settings.log_level)
    sender = _sender(settings)
    storage = RelayStorage(data / "relay.db")
    relay = Relay(storage, relay_key, bytes.fromhex(settings.office_root), clock=clock.time)
    relay.trusted_proxies = frozenset(settings.trusted_proxies)

    def ladder() -> LadderPolicy:
        bundle = relay.bundle()
        return LadderPolicy.from_policy(bundle.policy, bundle.office_name) if bundle else LadderPolicy()

    app = create_app(relay, watchdog=Watchdog(storage, ladder), sender=sender, tick_every=args.tick,
                     housekeeping_every=args.housekeeping, docs=settings.api_docs, metrics=settings.api_metrics,
                     stall_after=args.stall_after)
    scheme = "https" if settings.tls_cert else "http"
    with serving_lock(data):
        try:
            listening = socket.create_server((settings.host, settings.port),
                                             family=socket.AF_INET6 if ":" in settings.host else socket.AF_INET)
        except OSError as exc:  # the port in use, an address not on this machine
            why = os.strerror(exc.errno) if exc.errno else str(exc)
            raise config.ConfigError(f"The relay cannot listen on {settings.host}:{settings.port} ({why}).") from None
        server = uvicorn.Server(uvicorn.Config(
            app, log_level="warning", access_log=False, log_config=None, ssl_certfile=settings.tls_cert or None,
            ssl_keyfile=settings.tls_key or None))
        try:
            server.config.load()  # the certificate and key are read here: a bad one is a setting's problem
        except (OSError, ValueError) as exc:
            raise config.ConfigError(f"The TLS certificate {settings.tls_cert} and key {settings.tls_key} cannot be "
                                     f"used: they must be PEM files that belong together ({type(exc).__name__})."
                                     ) from None
        event("relay_started", version=__version__, address=f"{scheme}://{settings.host}:{settings.port}",
              data=str(data), alerts=_alerts_by(settings), docs=settings.api_docs, metrics=settings.api_metrics)
        server.run(sockets=[listening])  # on SIGTERM the app logs relay_stopped as it shuts down
    return 0


def _alerts_by(settings: config.RelayConfig) -> str:
    ways = [way for way, on in (("e-mail", settings.smtp_host), ("SMS", settings.sms_webhook)) if on]
    return " and ".join(ways) or "the board only"


def _sender(settings: config.RelayConfig) -> SmtpSender | None:
    """Alerts go by e-mail, by SMS through the webhook, or both; with neither, the board only."""
    from .watchdog import SmtpSender, default_smtp_security

    if not settings.smtp_host and not settings.sms_webhook:
        return None
    security = settings.smtp_security or default_smtp_security(settings.smtp_host, settings.smtp_port)
    return SmtpSender(settings.smtp_host, settings.smtp_port, settings.smtp_from, settings.sms_webhook,
                      security=security, username=settings.smtp_user, password=settings.smtp_password(),
                      ca_file=settings.smtp_ca_file or None)


if __name__ == "__main__":
    sys.exit(main())
