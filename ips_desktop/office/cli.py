"""``ips-office``: the operations an IT person scripts, before (and beside) the console.

    ips-office init --name "Devon Parent Partnership" --address https://relay.example/ [--relay-key HEX]
    ips-office relay --address URL --relay-key HEX
    ips-office invite IPS-07
    ips-office pull
    ips-office enrolments | accept INVITE | refuse INVITE
    ips-office devices | revoke DEVICE | rotate
    ips-office export --case PP-2026-0142 [--out FILE]
    ips-office root-key            (the office root key that `ips-relay serve --office-root` needs)
    ips-office backup FILE-OR-FOLDER
    ips-office restore BACKUP.ipsovb [--key-backup KEYS.ipsokb]     (on a new PC, into an empty data folder)
    ips-office audit [--last N]    (who did what, newest last: each PPO's console and this command line)
    ips-office passphrase          (change the office passphrase: every PPO's console uses the new one)
    ips-office use [FOLDER]        (the office folder this PC's console and commands use, e.g. a shared one)

The office vault's passphrase is asked for on the terminal, or read from the environment
variable ``IPS_OFFICE_PASSPHRASE`` for scripts (the new one for ``passphrase`` from
``IPS_OFFICE_NEW_PASSPHRASE``). Without ``--data`` the office folder is the one ``use`` chose on
this PC, else this PC user's own data folder. The audit names what is done here "command line
(<user>)". Exit status 0 on success, 1 on a problem the
message explains, 2 on a usage error. No traceback reaches the person typing.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from .. import clock
from ..cli_support import Parser, add_version
from ..crypto.keyslot import MINIMUM_KDF, SHORTEST_PASSPHRASE, calibrate
from ..crypto.wire import WireError, fingerprint
from ..store.errors import VaultError
from ..store.profile import Profile
from ..sync.relay_client import RelayTransport
from ..sync.transport import FolderTransport, TransportError, open_transport
from .inbox import accept, pull
from .restore import back_up, restore
from .service import OfficeError, OfficeService
from .sharing import Consoles
from .this_pc import ThisPC, office_root, shared_office_problem

PASSPHRASE_VARIABLE = "IPS_OFFICE_PASSPHRASE"  # noqa: S105 (the variable's name)
RECOVERY_VARIABLE = "IPS_OFFICE_RECOVERY_PASSPHRASE"
NEW_PASSPHRASE_VARIABLE = "IPS_OFFICE_NEW_PASSPHRASE"  # noqa: S105 (the variable's name)


def _passphrase(confirm: bool) -> str:
    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given:
        return given
    first = getpass.getpass("Office vault passphrase: ")
    if confirm and getpass.getpass("Type it again: ") != first:
        raise OfficeError("The two passphrases differ; nothing was created.")
    return first


def _command_line_user() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        user = "unknown user"
    return f"command line ({user})"


class Session:
    def __init__(self, root: Path, create: bool = False, kdf: str = "calibrate") -> None:
        self.profile = Profile(root, "office", schema="office")
        if create:
            if self.profile.exists():
                raise OfficeError(f"An office vault already exists in {self.profile.dir}; it has not been touched.")
            params = MINIMUM_KDF if kdf == "minimum" else calibrate()
            secrets, self.vault = self.profile.create(_passphrase(confirm=True), params)
            self.db_key = secrets.db_key
        else:
            if not self.profile.exists():
                raise OfficeError(f"There is no office vault in {self.profile.dir}. Run `ips-office init` first.")
            self.passphrase = _passphrase(confirm=False)
            secrets = self.profile.unlock(self.passphrase, clock.now)
            self.vault = self.profile.open_vault(secrets)
            self.db_key = secrets.db_key
        self.service = OfficeService(self.vault, clock.now, who=_command_line_user)

    def transport(self) -> FolderTransport | RelayTransport:
        state = self.service.repo.state()
        if state is None or not state.address:
            raise OfficeError("The office has no relay or drop folder address. Use `ips-office relay`.")
        return open_transport(state.address, self.service.keys().root)

    def close(self) -> None:
        self.vault.close()


def _find(prefix: str, candidates: list[bytes], what: str) -> bytes:
    matches = [c for c in candidates if c.hex().startswith(prefix.lower())]
    if len(matches) != 1:
        raise OfficeError(f"No single {what} starts with “{prefix}”.")
    return matches[0]


def cmd_init(s: Session, args: argparse.Namespace) -> None:
    relay_key = bytes.fromhex(args.relay_key) if args.relay_key else None
    root = s.service.create(args.name, address=args.address or "", relay_public=relay_key)
    print(root.hex())
    print(f"Office created. Root key fingerprint: {fingerprint(root)}", file=sys.stderr)
    print("Start the relay with --office-root set to the hex line above.", file=sys.stderr)


def cmd_root_key(s: Session, args: argparse.Namespace) -> None:
    root = s.service.root_public()
    print(root.hex())
    print(f"Office root key fingerprint: {fingerprint(root)}. Start the relay with --office-root set to the "
          "hex line above.", file=sys.stderr)


def cmd_relay(s: Session, args: argparse.Namespace) -> None:
    s.service.set_relay(args.address, bytes.fromhex(args.relay_key) if args.relay_key else None)
    s.transport().publish_bundle(s.service.bundle())
    print("Relay set and the new key bundle published.")


def cmd_invite(s: Session, args: argparse.Namespace) -> None:
    invite = s.service.make_invite(args.label)
    print(invite.code())
    print(f"Give this code to {args.label}; it works once, for 24 hours.", file=sys.stderr)


def cmd_pull(s: Session, args: argparse.Namespace) -> None:
    consoles = Consoles(s.service.repo, clock.now, "command-line-" + secrets.token_hex(6), _command_line_user)
    other = consoles.claim_fetch()
    if other is not None:
        raise OfficeError(f"{other.words()} fetches the office's records (last at {other.seen_at:%H:%M}): what "
                          "arrives is in the office already. Nothing was fetched here.")
    try:
        result = pull(s.service, s.transport(), lambda step, done, total: consoles.renew())
    finally:
        consoles.leave()
    print(f"verified {result.verified}, duplicates {result.duplicates}, rejected {result.rejected}, "
          f"dropped {result.dropped}, gaps {result.gaps}, purge certificates {result.purge_certificates}")
    for pending in s.service.pending_enrolments():
        print(f"enrolment waiting: invite {pending.invite_id.hex()[:8]}  {pending.label}  code {pending.sas}")
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if result.more_waiting:
        print("More envelopes are waiting (the relay asked the office to slow down): run `ips-office pull` again.",
              file=sys.stderr)
    elif result.awaiting_requests:
        print(f"{result.awaiting_requests} laptop(s) enrolling: run `ips-office pull` again in a few seconds to see "
              "their six digits.", file=sys.stderr)


def cmd_enrolments(s: Session, args: argparse.Namespace) -> None:
    for pending in s.service.pending_enrolments():
        print(f"{pending.invite_id.hex()[:8]}  {pending.label}  code {pending.sas}")


def cmd_accept(s: Session, args: argparse.Namespace) -> None:
    invite = _find(args.invite, [p.invite_id for p in s.service.pending_enrolments()], "waiting enrolment")
    accept(s.service, s.transport(), invite)
    print("Accepted. The laptop finishes enrolling at its next check.")


def cmd_refuse(s: Session, args: argparse.Namespace) -> None:
    invite = _find(args.invite, [p.invite_id for p in s.service.pending_enrolments()], "waiting enrolment")
    s.service.refuse_enrolment(invite)
    print("Refused.")


def cmd_devices(s: Session, args: argparse.Namespace) -> None:
    for d in s.service.repo.devices():
        state = f"revoked {d.revoked_at:%d/%m/%Y}" if d.revoked_at else "active"
        print(f"{d.device_kid.hex()[:12]}  {d.label:10}  enrolled {d.enrolled_at:%d/%m/%Y}  {state}")


def cmd_revoke(s: Session, args: argparse.Namespace) -> None:
    device = _find(args.device, [d.device_kid for d in s.service.repo.devices() if d.revoked_at is None], "device")
    s.transport().publish_bundle(s.service.revoke(device))
    print("Revoked; the relay and every laptop get the new key bundle.")


def cmd_rotate(s: Session, args: argparse.Namespace) -> None:
    s.transport().publish_bundle(s.service.rotate())
    print("Keys rotated and the new bundle published.")


def cmd_export(s: Session, args: argparse.Namespace) -> None:
    records = s.service.repo.records(args.case)
    if not records:
        raise OfficeError(f"No records for case {args.case}.")
    lines = [json.dumps({"case": r.case_ref, "type": r.record_type, "received": r.received_at.isoformat(),
                         "record": r.content}, ensure_ascii=False) for r in records]
    text = "\n".join(lines) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"{len(records)} records written to {args.out}")
    else:
        sys.stdout.write(text)


def cmd_backup(s: Session, args: argparse.Namespace) -> None:
    info = back_up(s.profile, s.service, s.db_key, Path(args.destination))
    print(f"Office backed up to {info.path} ({info.size // 1024} KiB). It opens with the office passphrase.")


def cmd_restore(root: Path, args: argparse.Namespace) -> None:
    """A new office PC: the office from its backup, then a bundle newer than the relay's."""
    profile = Profile(root, "office", schema="office")
    key_backup = None
    if args.key_backup:
        from ..crypto import key_backup as key_file

        data = Path(args.key_backup).read_bytes()
        recovery = os.environ.get(RECOVERY_VARIABLE) or getpass.getpass("Recovery passphrase of the key backup: ")
        try:
            key_backup = key_file.read_backup(data, recovery)
        except WireError as exc:
            raise OfficeError(f"The key backup does not open: {exc}.") from None
    if profile.exists():
        raise OfficeError(f"An office already exists in {profile.dir}; it has not been touched. Restore into a new "
                          "data folder.")
    passphrase = _passphrase(confirm=False)
    info = restore(profile, Path(args.backup), lambda: profile.open_vault(profile.unlock(passphrase, clock.now)),
                   clock.now, key_backup)
    print(f"Office restored from the backup of {info.made_at.astimezone():%d/%m/%Y %H:%M} and its keys published "
          "again. Pull now: the laptops' waiting records come in as usual.")


def cmd_audit(s: Session, args: argparse.Namespace) -> None:
    """Who did what, newest last: one line each, in the office's own words (never record text)."""
    labels = {d.device_kid.hex(): d.label for d in s.service.repo.devices()}
    for entry in s.service.audit.entries(last=args.last):
        subject = labels.get(entry.subject, entry.subject[:12])
        print(f"{entry.at:%d/%m/%Y %H:%M:%S}  {entry.who or '-':24}  {entry.event}"
              + (f"  {subject}" if subject else "") + (f"  {entry.detail}" if entry.detail else ""))
    broken = s.service.audit.first_broken()
    if broken is not None:
        raise OfficeError(f"The audit has been altered at entry {broken}: tell your IT contact.")


def cmd_passphrase(s: Session, args: argparse.Namespace) -> None:
    """A new office passphrase: the key file wrapped again (the records' key stays)."""
    new = os.environ.get(NEW_PASSPHRASE_VARIABLE)
    if not new:
        new = getpass.getpass("New office passphrase: ")
        if getpass.getpass("Type it again: ") != new:
            raise OfficeError("The two new passphrases differ; the passphrase is unchanged.")
    if len(new) < SHORTEST_PASSPHRASE:
        raise OfficeError(f"The new passphrase needs at least {SHORTEST_PASSPHRASE} characters; it is unchanged.")
    params = MINIMUM_KDF if args.kdf == "minimum" else calibrate()
    s.profile.change_passphrase(s.passphrase, new, params, clock.now)
    with s.vault.transaction():
        s.service.audit.append("office passphrase changed", "office")
    print("The office passphrase is changed. Tell every PPO who opens this office the new one (in person or by "
          "phone); their consoles ask for it at the next unlock.")


def cmd_use(root: Path | None, args: argparse.Namespace) -> None:
    """Which office folder this PC's console and commands use (a shared one, say)."""
    this_pc = ThisPC()
    if args.folder is None:
        print(office_root(root, this_pc))
        return
    chosen, problem = shared_office_problem(Path(args.folder).expanduser().absolute())
    if chosen is None:
        raise OfficeError(problem)
    this_pc.set_office_folder(chosen)
    print(f"This PC's console and commands now use the office in {chosen}.")


COMMANDS: dict[str, Callable[[Session, argparse.Namespace], None]] = {
    "init": cmd_init, "relay": cmd_relay, "invite": cmd_invite, "pull": cmd_pull, "enrolments": cmd_enrolments,
    "accept": cmd_accept, "refuse": cmd_refuse, "devices": cmd_devices, "revoke": cmd_revoke, "rotate": cmd_rotate,
    "export": cmd_export, "root-key": cmd_root_key, "backup": cmd_backup, "audit": cmd_audit,
    "passphrase": cmd_passphrase,
}


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="ips-office", description="The office's console (with no command) and the office side of "
                                              "IPS Desktop's sealed sync.")
    add_version(p)
    p.add_argument("--data", type=Path, default=None, help="office data folder")
    sub = p.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create the office: keys, first key bundle")
    init.add_argument("--name", required=True)
    init.add_argument("--address", help="relay URL or drop folder")
    init.add_argument("--relay-key", help="the relay's public key (`ips-relay key`)")
    init.add_argument("--kdf", choices=["calibrate", "minimum"], default="calibrate")
    relay = sub.add_parser("relay", help="set the relay or drop folder and publish the bundle")
    relay.add_argument("--address", required=True)
    relay.add_argument("--relay-key")
    invite = sub.add_parser("invite", help="make a one-time enrolment invite")
    invite.add_argument("label", help="the volunteer's IPS code, never a name")
    sub.add_parser("pull", help="receive envelopes, send receipts, file enrolments and purge certificates")
    sub.add_parser("enrolments", help="list enrolments waiting for the six-digit check")
    for name in ("accept", "refuse"):
        sub.add_parser(name, help=f"{name} a waiting enrolment").add_argument("invite")
    sub.add_parser("devices", help="list enrolled laptops")
    sub.add_parser("revoke", help="revoke a laptop").add_argument("device")
    sub.add_parser("rotate", help="rotate the office keys")
    sub.add_parser("root-key", help="print the office root key the relay is started with")
    backup = sub.add_parser("backup", help="back up the whole office (records, laptops, keys), opened by the "
                                           "office passphrase")
    backup.add_argument("destination", help="a file, or a folder to put a dated backup in")
    restore_cmd = sub.add_parser("restore", help="on a new PC: the office from its backup (and the newest key "
                                                 "backup, if keys changed since)")
    restore_cmd.add_argument("backup", help="the office backup (.ipsovb)")
    restore_cmd.add_argument("--key-backup", help="the office keys' backup (.ipsokb), its recovery passphrase "
                                                  f"asked for or in {RECOVERY_VARIABLE}")
    audit = sub.add_parser("audit", help="who did what at the office, newest last")
    audit.add_argument("--last", type=_positive, default=50, metavar="N", help="how many entries (default 50)")
    change = sub.add_parser("passphrase", help="change the office passphrase (the new one asked for twice, or in "
                                               f"{NEW_PASSPHRASE_VARIABLE})")
    change.add_argument("--kdf", choices=["calibrate", "minimum"], default="calibrate")
    use = sub.add_parser("use", help="show, or choose, the office folder this PC uses (a shared folder "
                                     "holding the folder “office”)")
    use.add_argument("folder", nargs="?", default=None)
    export = sub.add_parser("export", help="export a case's records")
    export.add_argument("--case", required=True)
    export.add_argument("--out")
    return p


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "use":
            cmd_use(args.data, args)
            return 0
        root = office_root(args.data)
        if args.command == "restore":
            cmd_restore(root, args)
            return 0
        session = Session(root, create=args.command == "init", kdf=getattr(args, "kdf", "calibrate"))
        try:
            COMMANDS[args.command](session, args)
        finally:
            session.close()
    except (OfficeError, VaultError, TransportError) as exc:
        print(f"ips-office: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"ips-office: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a data folder or output file that cannot be used
        where = f" {exc.filename}" if exc.filename else ""
        print(f"ips-office: cannot use{where} ({exc.strerror or exc}).", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
