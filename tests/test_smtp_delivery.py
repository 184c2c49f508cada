"""Issue 15, "Delivery you can trust" (the mail part): the relay's alert e-mails go through a mail
server as council and Microsoft 365 mail is set up — STARTTLS on 587 or TLS on 465, with a login —
tested against a real local SMTP server (aiosmtpd) that requires both. Nothing is ever sent in
clear to a server that does not offer STARTTLS, and a login is never sent without TLS."""

from __future__ import annotations

import smtplib
import ssl
import subprocess
import sys
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from ladder_world import MIN, PPO, World
from ladder_world import world as world  # the fixture
from relay_support import free_port, relay_process
from smtp_support import secure_smtp_server, smtp_server

from ips_desktop.domain.alert_mail import Mail
from ips_desktop.relay.watchdog import SmtpSender, default_smtp_security

USER, PASSWORD = "alerts@office.test", "correct horse battery"


def mail(subject: str, text: str) -> Mail:
    return Mail(subject, text, f"<p>{text}</p>", text)
# The implicit-TLS server runs over TLS that aiosmtpd does not see, and warns about AUTH at each connection.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_an_alert_goes_through_a_server_that_wants_tls_and_a_login(tmp_path: Path, mode: str) -> None:
    port = free_port()
    with secure_smtp_server(port, tmp_path, mode, USER, PASSWORD) as inbox:
        sender = SmtpSender("127.0.0.1", port, "alerts@office.test", security=mode, username=USER, password=PASSWORD,
                            ca_file=str(tmp_path / "smtp-cert.pem"))
        sender.send("email", "ppo@office.test", mail("OVERDUE: a volunteer has not checked in", "Ring the volunteer."))
        [(to, subject, body)] = inbox.wait_for(1)
        message = inbox.messages[0][1]
    assert (to, subject) == ("ppo@office.test", "OVERDUE: a volunteer has not checked in")
    assert "Ring the volunteer." in body
    assert parsedate_to_datetime(str(message["Date"])) is not None  # a retried alert still says when
    assert str(message["Message-ID"]).endswith("@office.test>")


def test_a_wrong_password_is_an_error_not_a_silent_drop(tmp_path: Path) -> None:
    port = free_port()
    with secure_smtp_server(port, tmp_path, "starttls", USER, PASSWORD) as inbox:
        sender = SmtpSender("127.0.0.1", port, "alerts@office.test", security="starttls", username=USER,
                            password="wrong", ca_file=str(tmp_path / "smtp-cert.pem"))
        with pytest.raises(smtplib.SMTPAuthenticationError):
            sender.send("email", "ppo@office.test", mail("OVERDUE", "text"))
        assert inbox.received() == []


def test_a_server_without_starttls_gets_nothing_in_clear(tmp_path: Path) -> None:
    port = free_port()
    with smtp_server(port) as inbox:
        sender = SmtpSender("127.0.0.1", port, "alerts@office.test", security="starttls")
        with pytest.raises(smtplib.SMTPNotSupportedError):
            sender.send("email", "ppo@office.test", mail("OVERDUE", "text"))
        assert inbox.received() == []


def test_an_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    port = free_port()
    with secure_smtp_server(port, tmp_path, "starttls", USER, PASSWORD) as inbox:
        sender = SmtpSender("127.0.0.1", port, "alerts@office.test", security="starttls", username=USER,
                            password=PASSWORD)  # the system's authorities: this certificate is nobody's
        with pytest.raises(ssl.SSLCertVerificationError):
            sender.send("email", "ppo@office.test", mail("OVERDUE", "text"))
        assert inbox.received() == []


def test_the_defaults_and_the_rules(tmp_path: Path) -> None:
    assert default_smtp_security("smtp.office365.com", 587) == "starttls"
    assert default_smtp_security("mail.council.gov.uk", 465) == "tls"
    assert default_smtp_security("mail.council.gov.uk", 25) == "starttls"
    assert default_smtp_security("127.0.0.1", 25) == "none"  # a mail server on this machine
    with pytest.raises(ValueError, match="only over TLS"):
        SmtpSender("mail.example", 25, security="none")
    with pytest.raises(ValueError, match="only sent over TLS"):
        SmtpSender("127.0.0.1", 25, security="none", username=USER, password=PASSWORD)


def test_the_relay_says_in_one_line_what_its_mail_settings_lack(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("ips-relay")
    run = subprocess.run([str(exe), "serve", "--data", str(tmp_path / "relay"), "--office-root", "00" * 32,
                          "--smtp-host", "smtp.office365.com", "--smtp-port", "587", "--smtp-user", USER],
                         capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "ips-relay: --smtp-user (smtp.user) needs the password in IPS_RELAY_SMTP_PASSWORD or --smtp-password-file "
        "(smtp.password_file)."]


def test_sms_needs_no_mail_server() -> None:
    """With only the SMS webhook set, e-mail says plainly that there is no mail server."""
    sender = SmtpSender(None, sms_webhook="http://127.0.0.1:9/sms")
    with pytest.raises(OSError, match="no mail server configured"):
        sender.send("email", "ppo@office.test", mail("OVERDUE", "text"))


def test_the_relay_process_sends_its_overdue_alert_through_starttls_and_a_login(world: World) -> None:
    """End to end: the real ``ips-relay`` with ``--smtp-port 587``-style settings, its password
    from the environment (never on the command line), and a server that requires both."""
    extra = ("--smtp-host", "127.0.0.1", "--smtp-port", str(world.smtp_port), "--smtp-security", "starttls",
             "--smtp-user", USER, "--smtp-ca-file", str(world.tmp / "smtp-cert.pem"),
             "--smtp-from", "relay@office.test", "--tick", "0.2", "--housekeeping", "0.3")
    with secure_smtp_server(world.smtp_port, world.tmp, "starttls", USER, PASSWORD) as inbox, \
            relay_process(world.tmp / "relay", world.root, world.relay_port, extra,
                          env={**world.env, "IPS_RELAY_SMTP_PASSWORD": PASSWORD}) as (url, key):
        world.connect(url, key, enrol=True)
        due = world.working_day_at(10)  # in office hours: the PPO alone is told first
        world.move_to(due - 10 * MIN)
        world.laptop_watch.open_watch("visit-0002", due, 5 * MIN)
        world.move_to(due + 5 * MIN + 1)
        [(to, subject, body)] = inbox.wait_for(1)
    assert (to, subject) == (PPO, "OVERDUE: Sarah (IPS-11) has not checked in")
    assert "Ring Sarah on 07700 900456." in body
    assert PASSWORD not in (world.tmp / f"relay-{world.relay_port}.log").read_text()
