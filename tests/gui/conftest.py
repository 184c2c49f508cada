"""A volunteer app through its first run, on real vault files, for the GUI tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from conftest import PASSPHRASE, Clock

from ips_desktop.crypto.keyring_adapter import KeyringStatus
from ips_desktop.crypto.keyslot import MINIMUM_KDF
from ips_desktop.store.profile import Profile
from ips_desktop.ui.volunteer.launch import VolunteerApp


class NoKeyring:
    def status(self) -> KeyringStatus:
        return KeyringStatus(False, "No password store on this test machine.")


def _first_run(qtbot, app: VolunteerApp) -> None:
    app.start()
    wizard = app.wizard
    assert wizard is not None
    qtbot.addWidget(wizard)
    wizard.next()
    page = wizard.passphrase_page
    page.first.setText("short")
    assert not page.isComplete()
    assert page.meter.value() == 0
    page.first.setText(PASSPHRASE)
    page.second.setText(PASSPHRASE + "x")
    assert not page.isComplete()
    page.second.setText(PASSPHRASE)
    assert page.isComplete()
    wizard.next()
    details = wizard.details_page
    assert not details.remember.isEnabled()
    assert "No password store" in details.remember.toolTip()
    details.ips_code.setText("IPS-17")
    wizard.accept()
    qtbot.waitUntil(lambda: app.window is not None and app.window.isVisible(), timeout=20000)


@pytest.fixture
def running(qtbot, tmp_path: Path):
    clock = Clock(datetime.now())
    app = VolunteerApp(Profile(tmp_path / "data"), NoKeyring(), now=clock, kdf=lambda: MINIMUM_KDF)  # type: ignore[arg-type]
    _first_run(qtbot, app)
    qtbot.addWidget(app.window)
    yield app, clock
    app.shutdown()


@pytest.fixture(autouse=True)
def _collect_after_each_test(qapp):  # type: ignore[no-untyped-def]
    """Collect each test's leftover Qt wrappers at its end, with the event loop's deferred
    deletes done first, never at a random moment inside the next test's widget building."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
    gc.collect()
