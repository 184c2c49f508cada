""""Remember on this computer" against a real Secret Service, and with no backend at all."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import PASSPHRASE, Clock

from ips_desktop.crypto.keyring_adapter import KeyringAdapter
from ips_desktop.store.profile import Profile, UnlockError


def _secret_service_ready() -> bool:
    adapter = KeyringAdapter()
    return bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS")) and adapter.status().available


@pytest.mark.secret_service
def test_remember_and_unlock_through_real_secret_service(profile: Profile, vault) -> None:
    if not _secret_service_ready():
        if os.environ.get("IPS_REQUIRE_SECRET_SERVICE"):
            pytest.fail("CI must provide a Secret Service on the D-Bus session bus")
        pytest.skip("no Secret Service on this machine (run under tools/with-secret-service)")
    adapter = KeyringAdapter(service="IPS Desktop tests")
    status = adapter.status()
    assert status.available
    assert "SecretService" in status.backend
    secrets = profile.unlock(PASSPHRASE, Clock())
    secret = adapter.new_secret()
    adapter.store(profile.name, secret)
    profile.remember(secrets, secret)
    try:
        fetched = adapter.fetch(profile.name)
        assert fetched == secret
        assert profile.unlock_with_keyring_secret(fetched) == secrets
    finally:
        adapter.forget(profile.name)
        profile.forget()
    assert adapter.fetch(profile.name) is None
    assert not profile.remembered
    with pytest.raises(UnlockError):
        profile.unlock_with_keyring_secret(secret)


def test_no_backend_is_reported_with_a_reason() -> None:
    code = (
        "import keyring\n"
        "from keyring.backends import fail\n"
        "keyring.set_keyring(fail.Keyring())\n"
        "from ips_desktop.crypto.keyring_adapter import KeyringAdapter\n"
        "s = KeyringAdapter().status()\n"
        "print(s.available, s.reason)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    available, reason = out.stdout.split(" ", 1)
    assert available == "False"
    assert "passphrase must be typed each time" in reason
