"""Fixtures of the journey suite: one virtual screen per run, and per test the shipped programs
with fresh homes and data folders, the relay, a real SMTP server and the shared clock file.

A failing journey leaves a screenshot and each program's output in
``tests/journeys/artefacts/<test>/`` (and the tail of each in the test report).
"""

from __future__ import annotations

import json
import mailbox
import shutil
import signal
import time
import urllib.request
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from desktop import REPO, Program, Screen, Service, copy_artefacts, free_port, venv, wait_for

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
JOURNEY_TIMEOUT_S = 300


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def screen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Screen]:
    stack = Screen(tmp_path_factory.mktemp("screen"))
    try:
        yield stack
    finally:
        stack.close()


class Clock:
    """The documented clock input every program reads: seconds added to the real time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.write_text("0")

    @property
    def env(self) -> dict[str, str]:
        return {"IPS_CLOCK_OFFSET_FILE": str(self.path)}

    def offset(self) -> float:
        return float(self.path.read_text() or 0)

    def now(self) -> float:
        return time.time() + self.offset()

    def move_to(self, epoch: float) -> None:
        self.path.write_text(repr(epoch - time.time()))

    def forward(self, seconds: float) -> None:
        self.path.write_text(repr(self.offset() + seconds))


class Mail:
    """A real SMTP server process (aiosmtpd) writing what it accepts into a Maildir."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.dir = root / "maildir"
        for sub in ("cur", "new", "tmp"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        self.service = Service("smtp", [venv("python"), "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
                                        "-c", "aiosmtpd.handlers.Mailbox", str(self.dir)],
                               root / "smtp.log", ready=self._listening)

    def _listening(self) -> bool:
        import socket

        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def messages(self) -> list[dict[str, str]]:
        out = []
        for _, message in mailbox.Maildir(str(self.dir), create=False).items():
            parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
            body = parsed.get_body(("plain",))
            out.append({"to": str(parsed["To"]), "subject": str(parsed["Subject"]),
                        "body": body.get_content() if body is not None else ""})
        return out

    def wait_for(self, what: str, match: Any, timeout: float = 30) -> list[dict[str, str]]:
        return wait_for(what, lambda: [m for m in self.messages() if match(m)], timeout)


class Relay:
    """The real ``ips-relay serve`` on 127.0.0.1, with its key made by ``ips-relay key``."""

    def __init__(self, root: Path, clock: Clock, mail: Mail | None) -> None:
        self.data = root / "relay"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        key = __import__("subprocess").run([venv("ips-relay"), "key", "--data", str(self.data)],
                                           capture_output=True, check=True)
        self.public_key = key.stdout.decode().split()[0]
        self.clock, self.mail, self.root = clock, mail, root
        self.service: Service | None = None

    def start(self, office_root: str) -> None:
        extra = ["--smtp-host", "127.0.0.1", "--smtp-port", str(self.mail.port),
                 "--smtp-from", "relay@office.test"] if self.mail else []
        self.service = Service("relay", [venv("ips-relay"), "serve", "--data", str(self.data), "--office-root",
                                         office_root, "--port", str(self.port), *extra],
                               self.root / "relay.log", env=self.clock.env, ready=self._answering)

    def _answering(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/v1/relay-key", timeout=1) as answer:
                return bool(json.loads(answer.read()).get("public_key"))
        except OSError:
            return False

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()
            self.service = None


class Journey:
    """What one journey starts; everything is stopped when the test ends."""

    def __init__(self, screen: Screen, root: Path) -> None:
        self.screen, self.root = screen, root
        self.clock = Clock(root / "clock-offset")
        self.programs: list[Program] = []
        self.services: list[Any] = []

    def volunteer(self, data: Path | None = None, label: str = "ips-desktop", home: Path | None = None,
                  extra: list[str] | None = None) -> Program:
        data = data or self.root / "volunteer-data"
        program = Program(self.screen, label, [venv("ips-desktop"), "--data-dir", str(data), *(extra or [])],
                          home or self.root / f"{label}-home", env=self.clock.env, log_dir=self.root)
        self.programs.append(program)
        return program

    def office(self, data: Path | None = None, label: str = "ips-office", own_folder: bool = False) -> Program:
        """The console on ``data`` (``--data``), or with ``own_folder`` as a PPO starts it from the
        desktop: on the office folder its PC was told to use, else its own data folder."""
        data = data or self.root / "office-data"
        where = [] if own_folder else ["--data", str(data)]
        program = Program(self.screen, label, [venv("ips-office"), *where],
                          self.root / f"{label}-home", env=self.clock.env, log_dir=self.root)
        self.programs.append(program)
        return program

    def mail(self) -> Mail:
        mail = Mail(self.root)
        self.services.append(mail.service)
        return mail

    def relay(self, mail: Mail | None = None) -> Relay:
        relay = Relay(self.root, self.clock, mail)
        self.services.append(relay)
        return relay

    def close(self) -> None:
        for program in reversed(self.programs):
            program.stop()
        for service in reversed(self.services):
            service.stop()
        self.screen.release_modifiers()


def _timeout(signum: int, frame: object) -> None:
    raise TimeoutError(f"the journey took longer than {JOURNEY_TIMEOUT_S} s")


@pytest.fixture
def journey(screen: Screen, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Journey]:
    run = Journey(screen, tmp_path)
    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(JOURNEY_TIMEOUT_S)
    try:
        yield run
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        failed = any(getattr(request.node, f"rep_{when}", None) is not None
                     and getattr(request.node, f"rep_{when}").failed for when in ("setup", "call"))
        if failed:
            dest = ARTEFACTS / request.node.name
            shutil.rmtree(dest, ignore_errors=True)
            screen.screenshot(dest / "screen.png")
            copy_artefacts(dest, *[p.log_path for p in run.programs], *tmp_path.glob("*.log"))
            for program in run.programs:
                print(f"--- {program.label} output (last 3000 characters) ---\n{program.output()[-3000:]}")
        run.close()


@pytest.fixture(scope="session", autouse=True)
def _installed() -> None:
    venv("ips-desktop")
    assert (REPO / "pyproject.toml").exists()
