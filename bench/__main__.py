"""``make bench``: one line per figure, ``bench <name> <value> <unit>``, and bench/results.json.

Ratios are measured against a baseline run in the same process and interleaved with it, so a
busy machine slows both sides alike:

- ``store_overhead_ratio``: the same repository code, schema and one-transaction-per-save
  workload on the vault (SQLCipher, keyed, memory security) and on plain SQLite (the same
  engine build without a key, the same pragmas otherwise);
- ``startup_ratio``: ``ips-desktop`` through its entry point to its first window, over a bare
  PySide6 window, both in fresh interpreters, offscreen, median of 5.

``claim_pdf_seconds`` and ``claim_pdf_mb`` (bench/claim.py) have no baseline: a month's claim
with its receipts is timed and weighed as the volunteer gets it.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlcipher3  # without a key: plain SQLite, the same engine build

from bench import board, claim, flood, ladder, sync
from ips_desktop.crypto import keyslot
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.store import migrations
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.profile import Profile
from ips_desktop.store.records import RecordRepository
from ips_desktop.store.vault import CONNECTION_PRAGMAS, VaultConnection

WORDS = ("annual review transport speech therapy exclusion governors respite tribunal "
         "placement statutory assessment reading support sensory timetable").split()
PASSPHRASE = "bench passphrase for the vault"
RECORDS = 10_000
CASES = 400
ROUNDS = 5


def _note(i: int) -> ContactRecord:
    text = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(40)) + f" item{i}"
    return ContactRecord(ContactKind.TELEPHONE, datetime(2026, 1, 1, 10, 0), 20, summary=text)


def kdf_seconds(params: keyslot.KdfParams) -> float:
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        keyslot.derive_passphrase_kek("bench", bytes(16), params)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _plain_store(path: Path) -> VaultConnection:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    for pragma in (*CONNECTION_PRAGMAS, "journal_mode = WAL"):
        conn.execute(f"PRAGMA {pragma}")
    store = VaultConnection(conn, path)
    migrations.migrate(store, lambda version: path.with_suffix(f".v{version}"))
    return store


def _write(store: VaultConnection, case_ids: list[str], first: int, count: int) -> float:
    """Seconds per saved record, one transaction per save as the editor does it."""
    repo = RecordRepository(store, datetime.now)
    notes = [_note(i) for i in range(first, first + count)]
    start = time.perf_counter()
    for i, note in enumerate(notes, first):
        with store.transaction():
            repo.put(None, case_ids[i % len(case_ids)], "contact", note.to_dict(), "saved", note.summary)
    return (time.perf_counter() - start) / count


def _child(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen([sys.executable, "-m", "bench.child", *args], stdout=subprocess.PIPE,
                            text=True, env=env, cwd=Path(__file__).parent.parent)


def _time_to_first_window(*args: str) -> float:
    start = time.perf_counter()
    child = _child(*args)
    assert child.stdout is not None
    line = child.stdout.readline()
    elapsed = time.perf_counter() - start
    child.wait(timeout=60)
    if line.strip() != "shown":
        raise RuntimeError(f"bench.child {args[0]} did not show a window")
    return elapsed


@contextmanager
def _timed_kdf() -> Iterator[list[float]]:
    """Time spent inside Argon2id during an unlock, so the rest can be measured exactly."""
    spent: list[float] = []
    original = keyslot.derive_passphrase_kek

    def timed(passphrase: str, salt: bytes, params: keyslot.KdfParams) -> bytes:
        start = time.perf_counter()
        try:
            return original(passphrase, salt, params)
        finally:
            spent.append(time.perf_counter() - start)

    keyslot.derive_passphrase_kek = timed  # type: ignore[assignment]
    try:
        yield spent
    finally:
        keyslot.derive_passphrase_kek = original  # type: ignore[assignment]


def unlock_overhead_ms(profile: Profile) -> float:
    runs = []
    for _ in range(ROUNDS):
        with _timed_kdf() as spent:
            start = time.perf_counter()
            secrets = profile.unlock(PASSPHRASE, datetime.now)
            profile.open_vault(secrets).close()
            total = time.perf_counter() - start
        runs.append((total - sum(spent)) * 1000)
    return statistics.median(runs)


def today_refresh_ms(vault: VaultConnection) -> float:
    """What the Today page reads on each refresh (after a save, a sync, once a minute), over the
    10,000-note vault: the median of 20."""
    from ips_desktop.domain.expenses import ExpenseRates
    from ips_desktop.domain.visits import VisitPolicy
    from ips_desktop.store.session import VaultSession
    from ips_desktop.store.today import gather

    session = VaultSession(datetime.now, VisitPolicy, ExpenseRates)
    session.open(vault)
    times = []
    for _ in range(20):
        t = time.perf_counter()
        gather(session, datetime.now)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    results: dict[str, float] = {}

    def report(name: str, value: float, unit: str) -> None:
        results[name] = value
        print(f"bench {name} {value:.3f} {unit}", flush=True)

    params = keyslot.calibrate()
    report("kdf_seconds", kdf_seconds(params), "s")
    report("kdf_memory_mib", params.memory_kib / 1024, "MiB")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        profile_root = root / "profile"
        profile = Profile(profile_root)
        _, vault = profile.create(PASSPHRASE, params)
        book = CaseBook(vault, datetime.now)
        case_ids = [book.open_case(f"PP-2026-{n:04d}") for n in range(1, CASES + 1)]
        plain = _plain_store(root / "plain.db")
        plain.executescript("".join(f"INSERT INTO cases (id, reference, status, opened_at) "
                                    f"VALUES ('{c}', 'PP-{c}', 'open', '2026-01-01');" for c in case_ids))
        # Alternate small blocks so a slow spell of the disk or the CPU hits both stores alike.
        block = 100
        plain_s = vault_s = 0.0
        for first in range(0, RECORDS, block):
            plain_s += _write(plain, case_ids, first, block)
            vault_s += _write(vault, case_ids, first, block)
        plain.close()
        report("store_overhead_ratio", vault_s / plain_s, "x")
        report("save_ms", vault_s / (RECORDS // block) * 1000, "ms")

        latencies = []
        for i in range(200):
            t = time.perf_counter()
            book.records.search(WORDS[i % len(WORDS)][:5] + f" item{i * 37 % RECORDS}")
            latencies.append((time.perf_counter() - t) * 1000)
        report("search_p95_ms_10k", statistics.quantiles(latencies, n=20)[18], "ms")
        report("today_refresh_ms_10k", today_refresh_ms(vault), "ms")
        vault.close()

        report("unlock_overhead_ms", unlock_overhead_ms(profile), "ms")

        sync.seal_ratio(report)
        sync.open_per_s(report, root)
        sync.relay_throughput(report, root)
        flood.flood(report, root)
        sync.purge_1000_s(report, root)
        sync.rekey_10k_s(report, root, profile)
        claim.claim_pdf(report, root)
        ladder.ladder(report, root)
        board.board(report, root)

        child = _child("memory", str(profile_root), PASSPHRASE)
        out, _ = child.communicate(timeout=120)
        rss, peak = (float(v) for v in out.split())
        report("rss_mb_10k", rss, "MB")
        report("rss_peak_mb_10k", peak, "MB")

        bare, app = [], []
        for _ in range(ROUNDS):
            bare.append(_time_to_first_window("bare"))
            app.append(_time_to_first_window("app", str(profile_root)))
        report("startup_bare_ms", statistics.median(bare) * 1000, "ms")
        report("startup_ms", statistics.median(app) * 1000, "ms")
        report("startup_ratio", statistics.median(app) / statistics.median(bare), "x")
    Path(__file__).with_name("results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
