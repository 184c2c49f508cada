"""Drive the shipped programs as a person does: a virtual X screen, the accessibility tree,
the keyboard. Runs under Debian's own ``python3`` (it has pyatspi); the programs under test run
from the project's ``.venv`` as child processes with their normal event loops.

Nothing here reaches into a program: it starts the entry points, reads what the accessibility
tree shows (the same tree a screen reader reads), presses buttons through their accessible
action, and types with ``xdotool`` into the window that has focus. Time moves only through the
documented clock input (``IPS_CLOCK_OFFSET_FILE``, see ``ips_desktop/clock.py``).

Set-up and pitfalls: docs/architecture.md, "Journey tests".
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
NOISE = ("GetApplicationBusAddress", "Failed to set fd limit", "DeprecationWarning")


class JourneyError(AssertionError):
    """What the person would have seen go wrong, with what was on screen."""


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 15.0, every: float = 0.05) -> Any:
    """Poll ``probe`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            value = probe()
        except JourneyError:
            raise
        except Exception as exc:  # a node that vanished while being read: try again
            value, last = None, exc
        if value:
            return value
        if time.monotonic() > deadline:
            extra = f" (last error: {type(last).__name__}: {last})" if last else ""
            raise JourneyError(f"timed out after {timeout:.0f} s waiting for {what}{extra}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _free_display() -> int:
    for number in range(90, 200):
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise RuntimeError("no free X display number")


def _stop(proc: subprocess.Popen[bytes] | None, grace: float = 5.0) -> int | None:
    if proc is None:
        return None
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


class Screen:
    """A private session bus, Xvfb at 1366×768 and the AT-SPI stack, started in that order.

    libatspi binds to the first accessibility bus it meets and cannot move to another, so there
    is one screen per pytest process (a session fixture) and pyatspi is imported only here.
    """

    WIDTH, HEIGHT = 1366, 768

    def __init__(self, root: Path) -> None:
        self.root = root
        self.procs: list[subprocess.Popen[bytes]] = []
        home, runtime = root / "home", root / "runtime"
        home.mkdir(parents=True, exist_ok=True)
        runtime.mkdir(parents=True, exist_ok=True)
        runtime.chmod(0o700)
        self.env = {"HOME": str(home), "XDG_RUNTIME_DIR": str(runtime), "LANG": "en_GB.UTF-8",
                    "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_AT_BRIDGE": "0"}
        bus = self._spawn(["dbus-daemon", "--session", "--nofork", "--print-address=1"], stdout=subprocess.PIPE)
        assert bus.stdout is not None
        self.env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().decode().strip()
        self.display = f":{_free_display()}"
        self.env["DISPLAY"] = self.display
        self._spawn(["Xvfb", self.display, "-screen", "0", f"{self.WIDTH}x{self.HEIGHT}x24", "-nolisten", "tcp"])
        wait_for("the X server", lambda: subprocess.run(["xdpyinfo"], env=self.env,
                                                        capture_output=True).returncode == 0, timeout=20)
        self._spawn(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"])
        self._spawn(["/usr/libexec/at-spi2-registryd"])
        os.environ.update(self.env)
        import pyatspi  # binds to this screen's bus: after the environment is set

        self.atspi = pyatspi
        wait_for("the accessibility registry", lambda: pyatspi.Registry.getDesktop(0) is not None)
        self.keyring_password = "journey keyring"
        keyring = self._spawn(["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                              stdin=subprocess.PIPE)
        assert keyring.stdin is not None
        keyring.stdin.write(self.keyring_password.encode())
        keyring.stdin.close()

    def _spawn(self, argv: list[str], **kw: Any) -> subprocess.Popen[bytes]:
        kw.setdefault("stdout", subprocess.DEVNULL)
        proc = subprocess.Popen(argv, env={**os.environ, **self.env}, stderr=subprocess.DEVNULL, **kw)
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        for proc in reversed(self.procs):
            _stop(proc, 2)

    # -- what a person does with the keyboard and sees on the screen ------------------------------
    def xdotool(self, *args: str) -> str:
        done = subprocess.run(["xdotool", *args], env={**os.environ, **self.env}, capture_output=True, timeout=20)
        return done.stdout.decode()

    def focus(self, title: str, pid: int | None = None) -> None:
        """Give keyboard focus to the visible window with exactly this title (there is no window
        manager: keys go to the focused window); with ``pid``, that process's window (two PPOs'
        consoles on one screen show the same title)."""
        pattern = "^" + "".join("\\" + c if c in ".^$*+?()[]{}|\\" else c for c in title) + "$"
        of_process = ["--all", "--pid", str(pid)] if pid is not None else []

        def found() -> str:
            ids = self.xdotool("search", "--onlyvisible", *of_process, "--name", pattern).split()
            return ids[-1] if ids else ""

        window = wait_for(f"a window titled “{title}”", found)
        self.xdotool("windowraise", window)
        self.xdotool("windowfocus", "--sync", window)

    def key(self, title: str, *keys: str, pid: int | None = None) -> None:
        """Press keys (``ctrl+q``, ``Tab``, ``Return``…) in the window with this title."""
        self.focus(title, pid)
        try:
            self.xdotool("key", "--clearmodifiers", "--delay", "40", *keys)
        finally:
            self.release_modifiers()

    def type(self, title: str, text: str, pid: int | None = None) -> None:
        """Type text into whatever has focus in the window with this title, key by key."""
        self.focus(title, pid)
        self.xdotool("type", "--delay", "4", "--", text)

    def release_modifiers(self) -> None:
        self.xdotool("keyup", "ctrl", "shift", "alt", "super")

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["import", "-window", "root", str(path)], env={**os.environ, **self.env},
                       capture_output=True, timeout=30)
        return path


# -- the accessibility tree ------------------------------------------------------------------------
def _safe(read: Callable[[], Any], default: Any = None) -> Any:
    try:
        return read()
    except Exception:
        return default


def role(node: Any) -> str:
    return str(_safe(node.getRoleName, ""))


def name(node: Any) -> str:
    return str(_safe(lambda: node.name, "") or "")


def description(node: Any) -> str:
    return str(_safe(lambda: node.description, "") or "")


def showing(node: Any) -> bool:
    import pyatspi

    return bool(_safe(lambda: node.getState().contains(pyatspi.STATE_SHOWING), False))


def enabled(node: Any) -> bool:
    import pyatspi

    return bool(_safe(lambda: node.getState().contains(pyatspi.STATE_ENABLED), False))


def selected(node: Any) -> bool:
    import pyatspi

    return bool(_safe(lambda: node.getState().contains(pyatspi.STATE_SELECTED), False))


def checked(node: Any) -> bool:
    import pyatspi

    return bool(_safe(lambda: node.getState().contains(pyatspi.STATE_CHECKED), False))


def children(node: Any) -> list[Any]:
    count = _safe(lambda: node.childCount, 0) or 0
    out = []
    for i in range(count):
        child = _safe(lambda i=i: node.getChildAtIndex(i))
        if child is not None:
            out.append(child)
    return out


def walk(node: Any, only_showing: bool = True) -> Iterator[Any]:
    """Every node under ``node``; hidden branches (wizard pages not shown) are skipped."""
    for child in children(node):
        if only_showing and not showing(child):
            continue
        yield child
        yield from walk(child, only_showing)


def text(node: Any) -> str:
    """What the node says on screen: the text of an entry or a label, else its name."""
    got = _safe(lambda: node.queryText().getText(0, -1))
    if got:
        return str(got)
    return name(node)


def matches(node: Any, name_is: str | None, role_is: str | None, contains: str | None,
            described: str | None) -> bool:
    if role_is is not None and role(node) != role_is:
        return False
    if name_is is not None and name(node) != name_is:
        return False
    if described is not None and description(node) != described:
        return False
    return not (contains is not None and contains.lower() not in text(node).lower())


def find_in(root: Any, name: str | None = None, role: str | None = None, contains: str | None = None,
            description: str | None = None, hidden: bool = False) -> Any | None:
    """The first node that matches, among those showing (or all of them with ``hidden``)."""
    for node in walk(root, only_showing=not hidden):
        if matches(node, name, role, contains, description):
            return node
    return None


def find_all(root: Any, name: str | None = None, role: str | None = None, contains: str | None = None,
             description: str | None = None) -> list[Any]:
    return [n for n in walk(root) if matches(n, name, role, contains, description)]


def set_text(node: Any, value: str) -> None:
    """Replace an entry's text as a paste would (fast for long text; fires the same signals)."""
    node.queryEditableText().setTextContents(value)


def press(node: Any) -> None:
    """A push button's, check box's or menu item's own action (never for one that opens a modal
    dialog: that call would wait for the dialog to close; use :meth:`Program.activate`)."""
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in ("Press", "press", "click", "Toggle", "toggle", "SetFocus"):
            action.doAction(i)
            return
    action.doAction(0)


def grab_focus(node: Any) -> None:
    node.queryComponent().grabFocus()


def centre(node: Any) -> tuple[int, int]:
    import pyatspi

    box = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    return box.x + box.width // 2, box.y + box.height // 2


class Program:
    """One shipped entry point, started as a separate process with its own data and home."""

    def __init__(self, screen: Screen, label: str, argv: list[str], home: Path, env: dict[str, str] | None = None,
                 log_dir: Path | None = None) -> None:
        self.screen, self.label = screen, label
        self.home = home
        for sub in ("", "data", "config", "cache"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        self.log_path = (log_dir or home) / f"{label}.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.env = {**os.environ, **screen.env, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
                    "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache"),
                    "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1", "QT_ACCESSIBILITY": "1", "QT_QPA_PLATFORM": "xcb",
                    "PYTHONFAULTHANDLER": "1", "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
        self.env.pop("PYTHONPATH", None)
        self.argv = argv
        self.proc = subprocess.Popen(argv, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        self._app: Any = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def running(self) -> bool:
        return self.proc.poll() is None

    def app(self, timeout: float = 30) -> Any:
        """The program's node in the accessibility tree, found by its process id."""
        if self._app is not None and _safe(lambda: self._app.childCount, None) is not None:
            return self._app

        def lookup() -> Any:
            if not self.running():
                raise JourneyError(f"{self.label} exited with {self.proc.returncode}: {self.output()[-2000:]}")
            desktop = self.screen.atspi.Registry.getDesktop(0)
            for app in children(desktop):
                if _safe(app.get_process_id) == self.pid:
                    return app
            return None

        self._app = wait_for(f"{self.label} to appear on screen", lookup, timeout)
        return self._app

    def windows(self) -> list[Any]:
        return [w for w in children(self.app()) if showing(w)]

    def window(self, title: str, timeout: float = 20) -> Any:
        """The visible top-level window (main window or dialog) with this title."""
        def lookup() -> Any:
            if not self.running():
                raise JourneyError(f"{self.label} exited with {self.proc.returncode}: {self.output()[-2000:]}")
            for w in children(self.app()):
                if name(w) == title and showing(w):
                    return w
            return None

        try:
            return wait_for(f"the window “{title}” of {self.label}", lookup, timeout)
        except JourneyError as exc:
            shown = [name(w) for w in self.windows()] if self.running() else []
            raise JourneyError(f"{exc}; showing: {shown}") from None

    def gone(self, title: str, timeout: float = 20) -> None:
        wait_for(f"the window “{title}” to close",
                 lambda: not any(name(w) == title and showing(w) for w in children(self.app())), timeout)

    def find(self, window: Any, timeout: float = 15, hidden: bool = False, **how: str) -> Any:
        """A node inside ``window``; ``how`` is name=, role=, contains= or description=. With
        ``hidden``, a control that is not showing now is found too."""
        return wait_for(f"{how} in “{name(window)}”", lambda: find_in(window, hidden=hidden, **how), timeout)

    def read(self, window: Any, timeout: float = 15, **how: str) -> str:
        return text(self.find(window, timeout, **how))

    def focus_on(self, title: str, node: Any) -> None:
        """Put the keyboard focus on a control: through the accessibility tree, or by clicking
        it when the control does not take focus that way."""
        self.screen.focus(title, self.pid)
        grab_focus(node)
        try:
            wait_for("the control to take focus", lambda: _focused(node), timeout=1.5)
        except JourneyError:
            self.click(title, node)
            wait_for("the control to take focus after a click", lambda: _focused(node), timeout=5)

    def activate(self, title: str, node: Any, key: str = "space") -> None:
        """Focus a control and press a key on it, as a keyboard user does. Returns at once even
        when the control opens a modal dialog."""
        self.focus_on(title, node)
        self.screen.key(title, key, pid=self.pid)

    def key(self, title: str, *keys: str) -> None:
        self.screen.key(title, *keys, pid=self.pid)

    def choose(self, title: str, combo: Any, containing: str, tries: int = 12) -> None:
        """Pick the entry of a drop-down list that contains ``containing``: click it open, move
        down with the arrow key until that entry is highlighted, press Return."""
        if containing.lower() in text(combo).lower():
            return
        self.click(title, combo)
        for _ in range(tries):
            self.screen.xdotool("key", "Down")
            time.sleep(0.15)
            self.screen.xdotool("key", "Return")
            try:
                wait_for("the choice", lambda: containing.lower() in text(combo).lower(), timeout=1)
                return
            except JourneyError:
                self.click(title, combo)
        raise JourneyError(f"no entry with “{containing}” in the list (it shows “{text(combo)}”)")

    def click(self, title: str, node: Any) -> None:
        """A real mouse click in the middle of the control, as a person clicks it."""
        self.screen.focus(title, self.pid)
        x, y = centre(node)
        self.screen.xdotool("mousemove", "--sync", str(x), str(y), "click", "1")

    def type(self, title: str, text_: str) -> None:
        self.screen.type(title, text_, pid=self.pid)

    def type_into(self, title: str, node: Any, value: str) -> None:
        """Focus a field, select what is there and type ``value`` key by key, then wait until
        the field shows it, as a person watches the words appear before doing the next thing
        (the keys are still on their way when xdotool returns; a clock moved on meanwhile
        would stamp them with the later time). A spin box shows its unit too; password fields
        show no text to wait for."""
        self.focus_on(title, node)
        self.screen.key(title, "ctrl+a", pid=self.pid)
        self.screen.type(title, value, pid=self.pid)
        if role(node) != "password text":
            wait_for(f"the field to show “{value}”", lambda: value in text(node), timeout=10)

    def output(self) -> str:
        self._log.flush()
        raw = self.log_path.read_bytes().decode("utf-8", "replace")
        return "\n".join(line for line in raw.splitlines() if not any(n in line for n in NOISE))

    def wait_exit(self, timeout: float = 20) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise JourneyError(f"{self.label} did not exit within {timeout:.0f} s") from None

    def stop(self) -> int | None:
        code = _stop(self.proc)
        with contextlib.suppress(OSError):
            self._log.close()
        return code


def _focused(node: Any) -> bool:
    import pyatspi

    return bool(_safe(lambda: node.getState().contains(pyatspi.STATE_FOCUSED), False))


def venv(program: str) -> str:
    path = VENV_BIN / program
    if not path.exists():
        raise RuntimeError(f"{path} is missing: run `make` first (the journeys drive the installed programs)")
    return str(path)


class Service:
    """A background process that is not on screen (the relay, the SMTP server)."""

    def __init__(self, label: str, argv: list[str], log_path: Path, env: dict[str, str] | None = None,
                 ready: Callable[[], Any] | None = None) -> None:
        self.label, self.log_path = label, log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(argv, env={**os.environ, **(env or {})}, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        if ready is not None:
            def probe() -> Any:
                if self.proc.poll() is not None:
                    raise JourneyError(f"{label} exited: {self.output()[-2000:]}")
                return ready()

            wait_for(f"{label} to start", probe, timeout=30)

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_bytes().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
        _stop(self.proc)
        with contextlib.suppress(OSError):
            self._log.close()


def copy_artefacts(dest: Path, *paths: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for path in paths:
        if path.exists():
            shutil.copy(path, dest / path.name)


class Heard:
    """What a screen reader is told without moving the focus: the programs' accessibility
    announcements (AT-SPI ``object:announcement`` events), as they arrive."""

    def __init__(self, screen: Screen) -> None:
        self.said: list[str] = []
        self._registry = screen.atspi.Registry
        self._registry.registerEventListener(self._heard, "object:announcement")

    def _heard(self, event: Any) -> None:
        self.said.append(str(event.any_data or ""))

    def _pump(self) -> None:
        from gi.repository import GLib

        context = GLib.MainContext.default()
        while context.pending():
            context.iteration(False)

    def wait_for(self, words: str, timeout: float = 10) -> str:
        """The first announcement containing ``words``."""
        def probe() -> str | None:
            self._pump()
            return next((s for s in self.said if words in s), None)

        try:
            return wait_for(f"a screen reader to be told “{words}”", probe, timeout)
        except JourneyError:
            raise JourneyError(f"no announcement with “{words}”; heard: {self.said[-8:]}") from None

    def stop(self) -> None:
        self._registry.deregisterEventListener(self._heard, "object:announcement")
