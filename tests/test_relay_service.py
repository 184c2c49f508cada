"""Running the relay as a council's IT person does: its settings from a file and the environment,
``check-config``, ``--version``, one-line errors, the log, ``/metrics``, ``/docs``, health when
the ladder stalls, and ``backup`` / ``restore`` while it serves. Every test runs the real
``ips-relay`` (and the other two commands) as processes."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSPHRASE, Clock
from prometheus_client.parser import text_string_to_metric_families
from relay_support import free_port, relay_process, stop_process
from relay_world import Setup, relay_world
from test_sync_relay import note

from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.office.inbox import pull
from ips_desktop.office.service import OfficeService
from ips_desktop.relay import config
from ips_desktop.store.profile import Profile
from ips_desktop.sync.relay_client import RelayTransport
from ips_desktop.sync.watch_client import WatchClient

BIN = Path(sys.executable).parent
ROOT = "ab" * 32
REPO = Path(__file__).resolve().parent.parent
CANARY = "Canary-Quokka-4417"


def relay(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "ips-relay"), *args], capture_output=True, text=True, timeout=timeout,
                          env={"PATH": "/usr/bin:/bin", **(env or {})})


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def shown(output: str) -> dict[str, str]:
    """check-config's lines, as {setting: "value  (source)"}."""
    return dict(line.split(" = ", 1) for line in output.splitlines() if " = " in line)


# -- settings ------------------------------------------------------------------------------------
def test_settings_come_from_the_file_then_the_environment_then_the_flags(tmp_path: Path) -> None:
    settings = tmp_path / "relay.toml"
    settings.write_text(f'data = "{tmp_path / "data"}"\noffice_root = "{ROOT}"\n'
                        '[listen]\nport = 9000\ntrusted_proxies = ["10.0.0.5"]\n'
                        '[smtp]\nhost = "mail.council.example"\nport = 587\n[log]\nformat = "json"\n')
    checked = relay("check-config", "--config", str(settings),
                    env={"IPS_RELAY_PORT": "9001", "IPS_RELAY_SMTP_FROM": "alerts@council.example"})
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.strip() == "The settings are good."
    said = shown(checked.stdout)
    assert said["[listen] port"] == "9001  (IPS_RELAY_PORT)"  # the environment over the file
    assert said["[smtp] host"] == f"'mail.council.example'  ({settings})"
    assert said["[smtp] from"] == "'alerts@council.example'  (IPS_RELAY_SMTP_FROM)"
    assert said["[listen] trusted_proxies"] == f"['10.0.0.5']  ({settings})"
    assert said["[api] docs"] == "False  (default)"
    flagged = relay("check-config", "--port", "9002", "--trusted-proxy", "10.0.0.6", "--api-docs",
                    env={"IPS_RELAY_CONFIG": str(settings), "IPS_RELAY_PORT": "9001"})
    said = shown(flagged.stdout)
    assert said["[listen] port"] == "9002  (--port)"  # a flag over both
    assert said["[listen] trusted_proxies"] == "['10.0.0.6']  (--trusted-proxy)"
    assert said["[api] docs"] == "True  (--api-docs)"
    assert "smtp password: not set" in flagged.stdout


@pytest.mark.parametrize(("text", "env", "said"), [
    ('data = "/srv"\noffice_root = "abc"\n', {}, "--office-root (office_root) must be the 64 hex digits"),
    ("data = /srv\n", {}, "is not valid TOML"),
    (f'data = "/srv"\noffice_root = "{ROOT}"\n[smtp]\nhots = "x"\n', {}, "[smtp] hots is not a setting"),
    (f'data = "/srv"\noffice_root = "{ROOT}"\n[listen]\nport = "eighty"\n', {}, "must be a whole number"),
    (f'data = "/srv"\noffice_root = "{ROOT}"\n', {"IPS_RELAY_API_DOCS": "perhaps"}, "must be true or false"),
    (f'data = "/srv"\noffice_root = "{ROOT}"\n[smtp]\nhost = "m"\nuser = "u"\n', {},
     "--smtp-user (smtp.user) needs the password in IPS_RELAY_SMTP_PASSWORD"),
    (f'data = "/srv"\noffice_root = "{ROOT}"\n[listen]\ntls_cert = "/nowhere.pem"\ntls_key = "/nowhere.key"\n', {},
     "--tls-cert (listen.tls_cert): /nowhere.pem is not a file that exists."),
])
def test_check_config_says_in_a_line_what_is_wrong(tmp_path: Path, text: str, env: dict[str, str], said: str) -> None:
    settings = tmp_path / "relay.toml"
    settings.write_text(text)
    for command in ("check-config", "serve"):
        run = relay(command, "--config", str(settings), env=env)
        assert run.returncode == 2
        assert said in run.stderr
        assert "Traceback" not in run.stderr + run.stdout
        lines = run.stderr.strip().splitlines()
        assert all(line.startswith("ips-relay: ") for line in lines)
        assert len(lines) == 1 or command == "check-config"  # check-config lists every problem, a line each


def test_docs_relay_md_lists_every_setting_with_its_default() -> None:
    """The reference in docs/relay.md is the settings table itself (config.reference())."""
    text = (REPO / "docs" / "relay.md").read_text(encoding="utf-8")
    assert config.reference() in text
    for setting in config.SETTINGS:
        assert f"`{setting.env}`" in text


# -- the three commands --------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["ips-desktop", "ips-office", "ips-relay"])
def test_every_command_says_its_version(command: str) -> None:
    run = subprocess.run([str(BIN / command), "--version"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0
    assert re.fullmatch(rf"{command} \d+\.\d+\.\d+\n", run.stdout)


@pytest.mark.parametrize(("args", "said"), [
    (["ips-relay", "serve", "--data", "/proc/nope", "--office-root", ROOT],
     "ips-relay: The data folder /proc/nope cannot be used (No such file or directory)."),
    (["ips-relay", "serve", "--data", "{tmp}", "--office-root", ROOT, "--tls-cert", "/nope.pem"],
     "ips-relay: --tls-cert (listen.tls_cert) and --tls-key (listen.tls_key) go together: give both or neither."),
    (["ips-relay", "serve", "--port", "eighty"], "ips-relay serve: argument --port: invalid int value: 'eighty'"),
    (["ips-relay", "serve", "--data", "{tmp}", "--office-root", ROOT, "--port", "70000"],
     "ips-relay: --port (listen.port) 70000 is not a TCP port (1 to 65535)."),
    (["ips-relay", "launch"], "ips-relay: argument command: invalid choice: 'launch'"),
    (["ips-office", "--bogus", "pull"], "ips-office: unrecognized arguments: --bogus"),
    (["ips-desktop", "--bogus"], "ips-desktop: unrecognized arguments: --bogus (see ips-desktop --help)"),
    (["ips-desktop", "--data-dir", "/proc/nope"],
     "ips-desktop: The data folder /proc/nope cannot be used (No such file or directory)."),
    (["ips-office", "--data", "/proc/nope"],
     "ips-office: The data folder /proc/nope cannot be used (No such file or directory)."),
])
def test_bad_arguments_are_one_line_and_exit_2(tmp_path: Path, args: list[str], said: str) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    run = subprocess.run([str(BIN / args[0]), *args[1:]], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    [line] = run.stderr.strip().splitlines()
    assert line.startswith(said)


def test_a_second_relay_on_the_same_folder_and_a_port_in_use_are_refused(tmp_path: Path) -> None:
    with relay_process(tmp_path / "relay", bytes.fromhex(ROOT)) as (url, _):
        port = url.rsplit(":", 1)[1]
        other = relay("serve", "--data", str(tmp_path / "relay"), "--office-root", ROOT, "--port", str(free_port()))
        assert (other.returncode, other.stderr) == (1, f"ips-relay: A relay is already serving from "
                                                       f"{tmp_path / 'relay'}; stop it first.\n")
        busy = relay("serve", "--data", str(tmp_path / "second"), "--office-root", ROOT, "--port", port)
        assert (busy.returncode, busy.stderr) == (2, f"ips-relay: The relay cannot listen on 127.0.0.1:{port} "
                                                     "(Address already in use).\n")


# -- the log ---------------------------------------------------------------------------------------
def test_the_log_has_a_start_line_and_a_bundle_republished_unchanged_is_not_news(tmp_path: Path,
                                                                                  clock: Clock) -> None:
    with relay_world(tmp_path, clock, extra=("--log-format", "plain")) as setup:
        for _ in range(3):  # each console publishes every minute
            setup.office_transport.publish_bundle(setup.office.bundle())
        setup.book.save(None, setup.book.open_case("PP-2026-0171"), note(f"Not for the log. {CANARY}"))
        setup.sync.run()
    (log,) = tmp_path.glob("relay-*.log")
    lines = log.read_text().splitlines()
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    assert re.fullmatch(rf"{stamp} INFO relay_started version=\d+\.\d+\.\d+ address=http://127\.0\.0\.1:\d+ "
                        rf"data={tmp_path / 'relay'} alerts=\"the board only\" docs=True metrics=True", lines[0])
    assert all(re.match(rf"{stamp} (INFO|WARNING|ERROR) \w+", line) for line in lines), lines
    assert sum(" bundle_published " in line for line in lines) == 1  # the first only; the same one again is not
    assert any(" envelope_stored " in line for line in lines)
    assert lines[-1].endswith("INFO relay_stopped")
    assert CANARY not in log.read_text()
    assert "PP-2026-0171" not in log.read_text()


# -- /docs and /metrics ------------------------------------------------------------------------------
def test_docs_are_off_unless_enabled(tmp_path: Path) -> None:
    with relay_process(tmp_path / "relay", bytes.fromhex(ROOT)) as (url, _):
        assert get(url + "/docs")[0] == 404
        assert get(url + "/openapi.json")[0] == 404
        assert get(url + "/v1/health")[0] == 200


@pytest.mark.browser
def test_the_docs_page_works_without_the_internet(tmp_path: Path) -> None:
    """Chromium may fetch from the relay only: every other address is refused, as on a council
    server without internet. The page still shows the API."""
    import shutil

    from playwright.sync_api import sync_playwright

    with relay_process(tmp_path / "relay", bytes.fromhex(ROOT), extra=("--api-docs",)) as (url, _), \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        elsewhere: list[str] = []

        def only_the_relay(route: Any) -> None:
            if route.request.url.startswith(url):
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        page.route("**/*", only_the_relay)
        page.goto(url + "/docs")
        page.get_by_text("/v1/envelopes", exact=True).first.wait_for(timeout=20_000)
        assert "IPS relay" in page.inner_text(".information-container")
        assert elsewhere == []
        browser.close()


def metrics(url: str) -> dict[str, float]:
    """Every sample at /metrics, read with prometheus_client's own parser: {name{labels}: value}."""
    status, body = get(url + "/metrics")
    assert status == 200
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            found[sample.name + (f"{{{labels}}}" if labels else "")] = sample.value
    return found


def test_metrics_count_what_the_relay_carries_and_refuses(tmp_path: Path, clock: Clock) -> None:
    with relay_world(tmp_path, clock) as setup:
        before = metrics(setup.url)
        case = setup.book.open_case("PP-2026-0172")
        for n in range(3):
            setup.book.save(None, case, note(f"Counted, not read. {n} {CANARY}"))
        setup.sync.run()
        carried = metrics(setup.url)
        assert carried["ips_relay_envelopes_stored_total"] - before["ips_relay_envelopes_stored_total"] == 3
        assert carried["ips_relay_envelopes_waiting"] == 3
        assert carried["ips_relay_envelopes_waiting_bytes"] > 0
        pull(setup.office, setup.office_transport)
        setup.sync.run()
        after = metrics(setup.url)
        assert after["ips_relay_envelopes_waiting"] == 0
        dropped = sum(v for k, v in after.items() if k.startswith("ips_relay_envelopes_dropped_total"))
        assert dropped >= 3
        codes = [get_post(setup.url + f"/v1/enrol/{n:032x}") for n in range(15)]  # a few a minute per address
        assert 429 in codes
        limited = metrics(setup.url)
        assert limited["ips_relay_rate_limited_total{route=/v1/enrol/{invite}}"] >= 1
        assert limited["ips_relay_requests_refused_total{status=429}"] >= 1
        for name in ("ips_relay_deliveries_pending", "ips_relay_deliveries_failing",
                     "ips_relay_ladder_tick_age_seconds", "ips_relay_ladder_latency_seconds_count"):
            assert name in limited
        assert CANARY.encode() not in get(setup.url + "/metrics")[1]


def get_post(url: str) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=b"x", method="POST"), timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


# -- health ------------------------------------------------------------------------------------------
def health(url: str) -> tuple[int, dict[str, Any]]:
    status, body = get(url + "/v1/health")
    return status, json.loads(body)


def wait_for(check: Any, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(what)
        time.sleep(0.2)


def test_health_turns_503_while_the_ladder_cannot_run_and_back_after(tmp_path: Path, clock: Clock) -> None:
    """A volunteer is out. Another program holds the relay's database for writing (a careless
    copy tool, say), so the ladder cannot take its step. Health says so in words, and is well
    again once the database is let go."""
    with relay_world(tmp_path, clock, extra=("--stall-after", "3", "--tick", "0.5")) as setup:
        url = setup.url
        watch = WatchClient(RelayTransport(url, setup.keys.signing))
        watch.open_watch("visit-0042", int(time.time()) + 3600, 900)
        assert health(url)[0] == 200
        holder = subprocess.Popen([sys.executable, "-c", (
            "import sqlite3, sys, time\n"
            f"db = sqlite3.connect({str(setup.relay_db)!r}, isolation_level=None)\n"
            "db.execute('BEGIN IMMEDIATE'); db.execute('UPDATE meta SET key = key')\n"
            "print('holding', flush=True); time.sleep(120)\n")], stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "holding"
            wait_for(lambda: health(url)[0] == 503, "health stayed 200 while the ladder was held up", 60)
            status, said = health(url)
            assert status == 503
            assert said["status"] == "the overdue ladder has not run in the last 3 seconds"
            assert said["database"] == "ok"  # it answers reads; it is the ladder that is stuck
        finally:
            stop_process(holder)  # type: ignore[arg-type]
        wait_for(lambda: health(url)[0] == 200, "health did not recover", 60)
        assert health(url)[1]["status"] == "ok"
    log = next(tmp_path.glob("relay-*.log")).read_text()
    assert log.count("ladder_tick_failed") == 1  # said once, not every half second
    assert "ladder_tick_recovered" in log


# -- backup and restore ------------------------------------------------------------------------------
def test_a_backup_taken_while_serving_restores_and_the_waiting_records_arrive(tmp_path: Path, clock: Clock) -> None:
    """The relay's disk is lost with three records waiting for the office: the backup taken while
    it served is restored onto an empty folder, and the office receives all three."""
    port = free_port()
    data = tmp_path / "relay"
    _, office_vault = Profile(tmp_path / "office", "office", schema="office").create(PASSPHRASE, MINIMUM_KDF)
    office = OfficeService(office_vault, clock)
    root = office.create("Test Parent Partnership")
    with relay_process(data, root, port=port) as (url, relay_key):
        setup = Setup(tmp_path, clock, url, relay_key, office)
        setup.enrol()
        case = setup.book.open_case("PP-2026-0173")
        for n in range(3):
            setup.book.save(None, case, note(f"Waiting at the relay. {n} {CANARY}"))
        assert setup.sync.run().sent == 3
        made = relay("backup", "--data", str(data), str(tmp_path / "backup"))  # while it serves
        assert made.returncode == 0, made.stderr
        assert made.stdout.startswith("Backed up the relay (")
        refused = relay("restore", "--data", str(data), str(tmp_path / "backup"))
        assert (refused.returncode, refused.stderr) == (1, f"ips-relay: A relay is already serving from {data}; "
                                                           "stop it first.\n")
    assert (tmp_path / "backup" / "relay-key.bin").stat().st_mode & 0o077 == 0
    assert (tmp_path / "backup" / "relay.db").stat().st_mode & 0o077 == 0
    lost = tmp_path / "new-disk"
    restored = relay("restore", "--data", str(lost), str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith(f"Restored the relay from {tmp_path / 'backup'} (made ")
    with relay_process(lost, root, port=port) as (url, again_key):
        assert again_key == relay_key  # the laptops' STORED receipts still check
        pulled = pull(office, setup.office_transport)
        assert pulled.verified == 3
        assert len(office.repo.records("PP-2026-0173")) == 3
        setup.sync.run()
        assert {e.state for e in setup.sync.state.all()} >= {"verified"}
    setup.vault.close()
    office_vault.close()


def test_a_damaged_backup_is_refused_and_nothing_is_changed(tmp_path: Path) -> None:
    data = tmp_path / "relay"
    with relay_process(data, bytes.fromhex(ROOT)):
        assert relay("backup", "--data", str(data), str(tmp_path / "backup")).returncode == 0
    before = {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()}
    copy = tmp_path / "backup" / "relay.db"
    raw = bytearray(copy.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    copy.write_bytes(bytes(raw))
    run = relay("restore", "--data", str(data), str(tmp_path / "backup"))
    assert (run.returncode, run.stderr) == (1, f"ips-relay: The backup in {tmp_path / 'backup'} is damaged: relay.db "
                                               "is missing or not what was backed up. Nothing was changed.\n")
    assert {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()} == before
    again = relay("backup", "--data", str(data), str(tmp_path / "backup"))
    assert (again.returncode, again.stderr) == (1, f"ips-relay: {tmp_path / 'backup'} already holds something; give a "
                                                   "new or empty folder.\n")


def test_restoring_over_a_relay_keeps_what_was_there(tmp_path: Path) -> None:
    data = tmp_path / "relay"
    with relay_process(data, bytes.fromhex(ROOT)):
        assert relay("backup", "--data", str(data), str(tmp_path / "backup")).returncode == 0
    old_key = (data / "relay-key.bin").read_bytes()
    run = relay("restore", "--data", str(data), str(tmp_path / "backup"))
    assert run.returncode == 0, run.stderr
    [aside] = data.glob("before-restore-*")
    assert (aside / "relay-key.bin").read_bytes() == old_key
    assert f"What was there before is in {aside}." in run.stdout
    with sqlite3.connect(data / "relay.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
