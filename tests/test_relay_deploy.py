"""The files in deploy/, used as a council's IT person uses them: the systemd units checked by
``systemd-analyze``, the example settings and the container's environment accepted by
``ips-relay check-config``, and Debian's real nginx, configured from the example, in front of
the real relay (the check-in page, the API, body limits per route, and rate limits per phone
through ``X-Forwarded-For``)."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import Clock
from relay_support import free_port, stop_process
from relay_world import relay_world
from smtp_support import self_signed
from test_sync_relay import note

from ips_desktop.crypto import checkin
from ips_desktop.office.inbox import pull
from ips_desktop.sync.relay_client import RelayTransport
from ips_desktop.sync.transport import TransportError
from ips_desktop.sync.watch_client import WatchClient

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
BIN = Path(sys.executable).parent
ROOT = "cd" * 32


def _installed(unit: str, tmp: Path) -> Path:
    """The unit as installed: the relay where deploy.md puts it, here this checkout's venv."""
    text = (DEPLOY / unit).read_text()
    assert "/opt/ips-relay/bin/" in text or unit.endswith(".timer")
    target = tmp / unit
    target.write_text(text.replace("/opt/ips-relay/bin/", f"{BIN}/"))
    return target


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze (tools/system-packages)")
def test_the_systemd_units_verify_and_the_service_is_hardened(tmp_path: Path) -> None:
    units = [_installed(u, tmp_path) for u in ("ips-relay.service", "ips-relay-backup.service",
                                               "ips-relay-backup.timer")]
    verified = subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True,
                              timeout=60)
    assert verified.returncode == 0, verified.stderr
    assert verified.stderr.strip() == ""  # systemd only warns about a misspelt setting: any line fails
    security = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(units[0])],
                              capture_output=True, text=True, timeout=60)
    exposure = re.search(r"Overall exposure level for ips-relay.service: (\d+\.\d+)", security.stdout)
    assert exposure is not None, security.stdout + security.stderr
    assert float(exposure.group(1)) <= 2.0, security.stdout  # systemd's "OK" band
    service = (DEPLOY / "ips-relay.service").read_text()
    for hardening in ("User=ips-relay", "ProtectSystem=strict", "NoNewPrivileges=yes", "StateDirectory=ips-relay",
                      "CapabilityBoundingSet=\n", "UMask=0077"):
        assert hardening in service


def _environment(unit_text: str) -> dict[str, str]:
    return dict(line.split("=", 2)[1:] for line in unit_text.splitlines() if line.startswith("Environment="))


def test_the_example_settings_pass_check_config_as_the_unit_runs_it(tmp_path: Path) -> None:
    """deploy/relay.toml with the office's key filled in, under the unit's environment."""
    password = tmp_path / "smtp-password"
    password.write_text("app-password\n")
    settings = tmp_path / "relay.toml"
    text = (DEPLOY / "relay.toml").read_text()
    assert "REPLACE-WITH-THE-OFFICE-ROOT-KEY" in text
    settings.write_text(text.replace("REPLACE-WITH-THE-OFFICE-ROOT-KEY", ROOT)
                        .replace("/run/credentials/ips-relay.service/smtp-password", str(password)))
    env = {**_environment((DEPLOY / "ips-relay.service").read_text()), "PATH": "/usr/bin:/bin"}
    assert env["IPS_RELAY_CONFIG"] == "/etc/ips-relay/relay.toml"
    env.update(IPS_RELAY_CONFIG=str(settings), IPS_RELAY_DATA=str(tmp_path / "data"))
    checked = subprocess.run([str(BIN / "ips-relay"), "check-config"], capture_output=True, text=True, env=env,
                             timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert "[listen] trusted_proxies = ['127.0.0.1']" in checked.stdout
    assert "smtp password: set" in checked.stdout
    unfilled = subprocess.run([str(BIN / "ips-relay"), "check-config", "--config", str(DEPLOY / "relay.toml"),
                               "--data", str(tmp_path / "data")], capture_output=True, text=True, timeout=60)
    assert unfilled.returncode == 2  # the example as shipped says what is still to fill in
    assert "--office-root (office_root) must be the 64 hex digits" in unfilled.stderr


def test_the_container_file_runs_the_relay_with_settings_from_its_environment(tmp_path: Path) -> None:
    """No container runtime here: the image's environment and command are run as they would be
    in it (the build itself is `docker build -f deploy/Containerfile .`)."""
    text = (DEPLOY / "Containerfile").read_text()
    env_block = re.search(r"^ENV (.+?)(?=^\S)", text, re.S | re.M)
    assert env_block is not None
    env = dict(re.findall(r"(IPS_RELAY_\w+)=(\S+)", env_block.group(1)))
    assert env["IPS_RELAY_HOST"] == "0.0.0.0"  # noqa: S104 (in its own container: the host maps the port)
    for source in re.findall(r"^COPY (.+) /src/?\S*$", text, re.M):
        for name in source.split():
            assert (REPO / name).exists(), name
    assert re.search(r'^ENTRYPOINT \["/opt/ips-relay/bin/ips-relay"\]$', text, re.M)
    assert re.search(r'^CMD \["serve"\]$', text, re.M)
    env.update(IPS_RELAY_DATA=str(tmp_path / "data"), IPS_RELAY_OFFICE_ROOT=ROOT, PATH="/usr/bin:/bin")
    checked = subprocess.run([str(BIN / "ips-relay"), "check-config"], capture_output=True, text=True, env=env,
                             timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert "[listen] host = '0.0.0.0'  (IPS_RELAY_HOST)" in checked.stdout
    assert "[log] format = 'json'  (IPS_RELAY_LOG_FORMAT)" in checked.stdout


# -- nginx in front of the relay ---------------------------------------------------------------------
@contextmanager
def nginx_in_front(tmp: Path, relay_port: int) -> Iterator[tuple[int, ssl.SSLContext]]:
    """Debian's nginx with deploy/nginx-ips-relay.conf, changed only where a real install
    changes it: the ports, the names and the certificate. Yields (HTTPS port, a TLS context
    that trusts its certificate)."""
    cert, key = self_signed(tmp)
    https, plain = free_port(), free_port()
    site = (DEPLOY / "nginx-ips-relay.conf").read_text()
    for before, after in (("listen 80;", f"listen 127.0.0.1:{plain};"), ("listen [::]:80;", ""),
                          ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
                          ("listen [::]:443 ssl http2;", ""),
                          ("/etc/letsencrypt/live/relay.example.org/fullchain.pem", str(cert)),
                          ("/etc/letsencrypt/live/relay.example.org/privkey.pem", str(key)),
                          ("127.0.0.1:8765", f"127.0.0.1:{relay_port}")):
        assert before in site, before  # the example still has what deploy.md tells people to change
        site = site.replace(before, after)
    (tmp / "nginx").mkdir()
    (tmp / "nginx" / "site.conf").write_text(site)
    (tmp / "nginx" / "nginx.conf").write_text(
        f"daemon off;\npid {tmp}/nginx/nginx.pid;\nerror_log {tmp}/nginx/error.log warn;\n"
        "worker_processes 1;\nevents { worker_connections 256; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp}/nginx/body;\n"
        f"  proxy_temp_path {tmp}/nginx/proxy;\n  fastcgi_temp_path {tmp}/nginx/fastcgi;\n"
        f"  uwsgi_temp_path {tmp}/nginx/uwsgi;\n  scgi_temp_path {tmp}/nginx/scgi;\n"
        f"  include {tmp}/nginx/site.conf;\n}}\n")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    tested = subprocess.run([nginx, "-t", "-c", str(tmp / "nginx" / "nginx.conf")], capture_output=True, text=True,
                            timeout=60)
    assert tested.returncode == 0, tested.stderr
    proc = subprocess.Popen([nginx, "-c", str(tmp / "nginx" / "nginx.conf")], stderr=subprocess.PIPE)
    context = ssl.create_default_context(cafile=str(cert))
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                request(https, context, "GET", "/v1/health")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start: " + (tmp / "nginx" / "error.log").read_text()) from None
                time.sleep(0.1)
        yield https, context
    finally:
        stop_process(proc)  # type: ignore[arg-type]


def request(port: int, context: ssl.SSLContext, method: str, path: str, body: bytes | None = None,
            source: str = "127.0.0.1", headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One HTTPS request to nginx from ``source``, one of this machine's loopback addresses:
    127.0.0.2 and 127.0.0.3 are two different phones as nginx sees them."""
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=20, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
                    reason="needs Debian's nginx (tools/system-packages)")
def test_the_relay_behind_real_nginx(tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    relay_port = free_port()
    with relay_world(tmp_path, clock, extra=("--trusted-proxy", "127.0.0.1"), port=relay_port) as setup, \
            nginx_in_front(tmp_path, relay_port) as (https, context):
        # The API through nginx: the laptop's signed requests and the office's (each signature
        # covers the path, so nginx must pass it unchanged).
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "smtp-cert.pem"))  # trust nginx's test certificate
        through = f"https://127.0.0.1:{https}"
        setup.book.save(None, setup.book.open_case("PP-2026-0180"), note("Through the proxy."))
        assert setup.sync.run().status == "ok"
        assert pull(setup.office, RelayTransport(through, setup.office.keys().root)).verified == 1
        watch = WatchClient(RelayTransport(through, setup.keys.signing))
        watch.open_watch("visit-0180", int(time.time()) + 3600, 900)
        assert [row.watch.visit_id for row in WatchClient(RelayTransport(through, setup.office.keys().root)).board()] \
            == ["visit-0180"]

        # The phone page, and its rate limit per phone: one phone pressing again and again is
        # slowed down; another phone behind the same nginx is not, whatever headers it sends.
        token = checkin.new_token()
        status, page = request(https, context, "GET", f"/c/{token}", source="127.0.0.2")
        assert status == 200
        assert b"Check in" in page
        codes = [request(https, context, "GET", f"/c/{checkin.new_token()}", source="127.0.0.2",
                         headers={"X-Forwarded-For": f"198.51.100.{n}"})[0] for n in range(70)]
        assert codes[-1] == 429  # its own X-Forwarded-For does not make it seventy phones
        assert request(https, context, "GET", f"/c/{checkin.new_token()}", source="127.0.0.3")[0] == 200

        # Body limits per route: the check-in form is small, a sealed record may be 80 MiB.
        assert request(https, context, "POST", f"/c/{token}", body=b"pin=" + b"1" * 8000,
                       source="127.0.0.4")[0] == 413
        # A 2 MiB upload from the enrolled laptop is carried to the relay, which reads it and
        # answers in its own words (the junk is no envelope). (An unsigned one is refused by the
        # relay before it reads the body, and nginx, still streaming it, may then answer 502.)
        with pytest.raises(TransportError, match="The office's server refused the request: The envelope was refused"):
            RelayTransport(through, setup.keys.signing).request("POST", "/v1/envelopes", b"\0" * (2 * 1024 * 1024))
        assert request(https, context, "POST", "/v1/enrol/" + "00" * 16, body=b"\0" * (100 * 1024))[0] == 413
        assert request(https, context, "GET", "/metrics")[0] == 404  # not for the internet
    log = next(tmp_path.glob("relay-*.log")).read_text()
    assert "198.51.100." not in log
    assert os.path.exists(tmp_path / "nginx" / "error.log")
