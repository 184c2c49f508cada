"""The relay's settings: one table, read from a TOML file, then the environment, then flags.

Each setting has a TOML name (``[smtp] host``), an environment variable (``IPS_RELAY_SMTP_HOST``)
and a flag (``--smtp-host``), all derived from the one ``SETTINGS`` table below, which also
writes ``docs/relay.md``'s list (a test holds the two together). Later sources win: defaults,
the file named by ``--config`` or ``IPS_RELAY_CONFIG``, the environment, the command line. The
mail server's password is never a setting in the file: it comes from ``IPS_RELAY_SMTP_PASSWORD``
or a file named by ``smtp.password_file`` (systemd's credentials fit there). See
docs/architecture.md, "Running the relay".
"""

from __future__ import annotations

import argparse
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_PREFIX = "IPS_RELAY_"
CONFIG_VARIABLE = "IPS_RELAY_CONFIG"
PASSWORD_VARIABLE = "IPS_RELAY_SMTP_PASSWORD"  # noqa: S105 (the variable's name)


@dataclass(frozen=True)
class Setting:
    section: str  # "" for the top level
    key: str
    kind: type  # str, int, float, bool or list (of str)
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    flag_name: str = ""  # when the flag is not the name's (``--trusted-proxy``, given once per proxy)

    @property
    def name(self) -> str:
        """The attribute name and the stem of the flag and the variable: ``smtp_host``; the
        listening settings go without their section (``port``, ``--port``, ``IPS_RELAY_PORT``)."""
        return f"{self.section}_{self.key}" if self.section not in ("", "listen") else self.key

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def flag(self) -> str:
        return self.flag_name or "--" + self.name.replace("_", "-")

    @property
    def toml(self) -> str:
        return f"[{self.section}] {self.key}" if self.section else self.key

    @property
    def called(self) -> str:
        """How an error names it: the flag, and where it goes in the file."""
        return f"{self.flag} ({self.section + '.' if self.section else ''}{self.key})"


SETTINGS: tuple[Setting, ...] = (
    Setting("", "data", str, "", "the folder for the relay's database and its own key (required)"),
    Setting("", "office_root", str, "", "the office root key, 64 hex digits: the console's Devices tab or "
                                        "`ips-office root-key` (required to serve)"),
    Setting("listen", "host", str, "127.0.0.1", "the address to listen on; 0.0.0.0 for every interface"),
    Setting("listen", "port", int, 8765, "the TCP port"),
    Setting("listen", "tls_cert", str, "", "a PEM certificate (chain) to serve HTTPS directly; or put a reverse "
                                           "proxy in front"),
    Setting("listen", "tls_key", str, "", "the PEM private key of tls_cert"),
    Setting("listen", "trusted_proxies", list, [], "addresses of reverse proxies whose X-Forwarded-For is "
                                                   "believed (the phone's own address for rate limits)",
            flag_name="--trusted-proxy"),
    Setting("smtp", "host", str, "", "the office's mail server for overdue alerts; empty: the board only"),
    Setting("smtp", "port", int, 25, "25, 587 (STARTTLS) or 465 (TLS)"),
    Setting("smtp", "security", str, "", "tls, starttls or none; empty: tls on 465, starttls otherwise "
                                         "(none only for a mail server on this machine)",
            choices=("", "tls", "starttls", "none")),
    Setting("smtp", "user", str, "", "the login for the mail server (its password: IPS_RELAY_SMTP_PASSWORD or "
                                     "password_file)"),
    Setting("smtp", "password_file", str, "", "a file holding the mail server's password"),
    Setting("smtp", "ca_file", str, "", "the certificate authority of a mail server with a private certificate"),
    Setting("smtp", "from", str, "ips-relay@localhost", "the From address of alert e-mails"),
    Setting("sms", "webhook", str, "", "an http(s) URL that takes {\"to\", \"text\"} JSON to send SMS"),
    Setting("log", "format", str, "plain", "plain (one readable line per event) or json (one JSON object per "
                                           "line)", choices=("plain", "json")),
    Setting("log", "level", str, "info", "debug, info, warning or error",
            choices=("debug", "info", "warning", "error")),
    Setting("api", "docs", bool, False, "serve the API's description at /docs (from the installed package, "
                                        "never a CDN)"),
    Setting("api", "metrics", bool, True, "serve Prometheus metrics at /metrics (counts only, no content)"),
)

BY_NAME = {s.name: s for s in SETTINGS}


class ConfigError(ValueError):
    """A setting that cannot be used, in one sentence that says which and why."""


@dataclass(frozen=True)
class RelayConfig:
    values: Mapping[str, Any]
    sources: Mapping[str, str]  # setting name -> "default", the file's path, the variable or the flag

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def smtp_password(self) -> str:
        if self.values["smtp_password_file"]:
            path = Path(self.values["smtp_password_file"])
            try:
                return path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"smtp.password_file {path} cannot be read ({exc.strerror}).") from None
        return os.environ.get(PASSWORD_VARIABLE, "")

    def problems(self, serving: bool = True) -> list[str]:
        """Everything wrong with these settings, in plain sentences; empty when they will work."""
        found: list[str] = []

        def said(name: str) -> str:
            return BY_NAME[name].called

        if not self.data:
            found.append(f"{said('data')} is not set: the folder for the relay's database and key.")
        if serving:
            try:
                root = bytes.fromhex(self.office_root)
            except ValueError:
                root = b""
            if len(root) != 32:
                found.append(f"{said('office_root')} must be the 64 hex digits of the office root key (the console's "
                             "Devices tab, or `ips-office root-key`).")
        if not 0 < self.port < 65536:
            found.append(f"{said('port')} {self.port} is not a TCP port (1 to 65535).")
        if bool(self.tls_cert) != bool(self.tls_key):
            found.append(f"{said('tls_cert')} and {said('tls_key')} go together: give both or neither.")
        for name in ("tls_cert", "tls_key", "smtp_ca_file", "smtp_password_file"):
            value = self.values[name]
            if value and not Path(value).is_file():
                found.append(f"{said(name)}: {value} is not a file that exists.")
        if self.smtp_user and not self.values["smtp_password_file"] and not os.environ.get(PASSWORD_VARIABLE):
            found.append(f"{said('smtp_user')} needs the password in {PASSWORD_VARIABLE} or "
                         f"{said('smtp_password_file')}.")
        if self.sms_webhook and not self.sms_webhook.startswith(("https://", "http://")):
            found.append(f"{said('sms_webhook')} must be an http(s) URL.")
        return found

    def shown(self) -> list[str]:
        """Each setting as ``check-config`` prints it: name = value (source)."""
        lines = []
        for s in SETTINGS:
            lines.append(f"{s.toml} = {self.values[s.name]!r}  ({self.sources[s.name]})")
        password = "set" if self.values["smtp_password_file"] or os.environ.get(PASSWORD_VARIABLE) else "not set"
        lines.append(f"smtp password: {password}")
        return lines



def add_flags(parser: argparse.ArgumentParser) -> None:
    """Every setting as a flag; unset flags stay None so that the file and environment show through."""
    parser.add_argument("--config", help=f"a TOML settings file (or {CONFIG_VARIABLE}); see docs/relay.md")
    for s in SETTINGS:
        if s.kind is bool:
            parser.add_argument(s.flag, dest=s.name, action=argparse.BooleanOptionalAction, default=None,
                                help=s.help)
        elif s.kind is list:
            parser.add_argument(s.flag, dest=s.name, action="append", default=None, metavar="ADDRESS",
                                help=s.help + " (give the flag once per address)")
        else:
            parser.add_argument(s.flag, dest=s.name, type=s.kind, default=None, help=s.help,
                                choices=[c for c in s.choices if c] or None)


def _convert(s: Setting, value: Any, where: str) -> Any:
    """A value from the file (typed) or the environment (text) as the setting's kind."""
    if s.kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{where}: {s.toml} must be true or false, not {value!r}.")
    if s.kind is list:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [v.strip() for v in value if v.strip()]
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        raise ConfigError(f"{where}: {s.toml} must be a list of addresses.")
    if s.kind is int:
        if isinstance(value, bool):
            raise ConfigError(f"{where}: {s.toml} must be a whole number.")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: {s.toml} must be a whole number, not {value!r}.") from None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ConfigError(f"{where}: {s.toml} must be text.")
    text = str(value)
    if s.choices and text not in s.choices:
        raise ConfigError(f"{where}: {s.toml} must be one of {', '.join(c for c in s.choices if c)}, not {text!r}.")
    return text


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"The settings file {path} does not exist.") from None
    except OSError as exc:
        raise ConfigError(f"The settings file {path} cannot be read ({exc.strerror}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The settings file {path} is not valid TOML: {exc}.") from None
    found: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            for inner, item in value.items():
                name = inner if key == "listen" else f"{key}_{inner}"
                if name not in BY_NAME or BY_NAME[name].section != key:
                    raise ConfigError(f"{path}: [{key}] {inner} is not a setting (docs/relay.md lists them).")
                found[name] = _convert(BY_NAME[name], item, str(path))
        elif key in BY_NAME and BY_NAME[key].section == "":
            found[key] = _convert(BY_NAME[key], value, str(path))
        else:
            raise ConfigError(f"{path}: {key} is not a setting (docs/relay.md lists them).")
    return found


def load(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> RelayConfig:
    """Defaults, then the file, then the environment, then the flags that were given."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    sources = {s.name: "default" for s in SETTINGS}
    path = getattr(args, "config", None) or env.get(CONFIG_VARIABLE)
    if path:
        for name, value in _read_file(Path(path)).items():
            values[name], sources[name] = value, str(path)
    for s in SETTINGS:
        if s.env in env:
            values[s.name], sources[s.name] = _convert(s, env[s.env], s.env), s.env
    for s in SETTINGS:
        given = getattr(args, s.name, None)
        if given is not None:
            values[s.name], sources[s.name] = given, s.flag
    return RelayConfig(values, sources)


def reference() -> str:
    """The settings as a Markdown table, for docs/relay.md."""
    rows = ["| In the file | Variable | Flag | Default | What it is |", "|---|---|---|---|---|"]
    for s in SETTINGS:
        default = "(none)" if s.default in ("", []) else repr(s.default).lower() if s.kind is bool else s.default
        rows.append(f"| `{s.toml}` | `{s.env}` | `{s.flag}` | {default} | {s.help} |")
    return "\n".join(rows)

