"""DESIGN §2: the core never imports Qt; the layer contracts hold."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ["ips_desktop.domain.pii", "ips_desktop.domain.records", "ips_desktop.domain.lockout",
        "ips_desktop.crypto.keyslot", "ips_desktop.crypto.keyring_adapter",
        "ips_desktop.crypto.record_cipher", "ips_desktop.crypto.envelope", "ips_desktop.crypto.receipt",
        "ips_desktop.crypto.enrolment", "ips_desktop.store.casebook", "ips_desktop.store.profile",
        "ips_desktop.selftest", "ips_desktop.sync", "ips_desktop.reports", "ips_desktop.office",
        "ips_desktop.relay"]


def test_core_modules_never_import_qt() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-2000:]


def test_the_deterministic_test_rng_is_never_used_by_the_program() -> None:
    """Vectors use a seeded random source; production code must only ever use os.urandom."""
    pattern = re.compile(r"^\s*(from|import)\s+\S*(drbg|vectors|tests)\b", re.MULTILINE)
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "ips_desktop").rglob("*.py")
                 if pattern.search(p.read_text())]
    assert offenders == []
