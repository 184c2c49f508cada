"""``make bench``: one line per figure, ``bench <name> <value> <unit>``, and bench/results.json.

Ratios are measured against a baseline run in the same process (plain SQLite for the store).
"""

from __future__ import annotations

import json
import resource
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import sqlcipher3  # without a key: plain SQLite, the same engine build

from ips_desktop.crypto import keyslot
from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.store.casebook import CaseBook
from ips_desktop.store.profile import Profile

WORDS = ("annual review transport speech therapy exclusion governors respite tribunal "
         "placement statutory assessment reading support sensory timetable").split()


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


def main() -> None:
    results: dict[str, float] = {}

    def report(name: str, value: float, unit: str) -> None:
        results[name] = value
        print(f"bench {name} {value:.3f} {unit}", flush=True)

    params = keyslot.calibrate()
    kdf = kdf_seconds(params)
    report("kdf_seconds", kdf, "s")
    with tempfile.TemporaryDirectory() as tmp:
        profile = Profile(Path(tmp))
        _, vault = profile.create("bench passphrase", params)
        book = CaseBook(vault, datetime.now)
        case_id = book.open_case("PP-2026-0001")
        start = time.perf_counter()
        for i in range(10_000):
            with vault.transaction():
                book.records.put(None, case_id, "contact", _note(i).to_dict(), "saved", _note(i).summary)
        vault_write = time.perf_counter() - start
        latencies = []
        for i in range(200):
            t = time.perf_counter()
            book.records.search(WORDS[i % len(WORDS)][:5] + f" item{i * 37 % 10000}")
            latencies.append((time.perf_counter() - t) * 1000)
        report("search_p95_ms_10k", statistics.quantiles(latencies, n=20)[18], "ms")
        report("rss_mb_10k", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB")
        vault.close()
        start = time.perf_counter()
        secrets = profile.unlock("bench passphrase", datetime.now)
        profile.open_vault(secrets).close()
        report("unlock_overhead_ms", max(0.0, (time.perf_counter() - start - kdf) * 1000), "ms")

        plain = sqlcipher3.connect(Path(tmp) / "plain.db", isolation_level=None)
        plain.execute("PRAGMA journal_mode = WAL")
        plain.executescript("CREATE TABLE records (n INTEGER PRIMARY KEY, id TEXT, body BLOB);"
                            "CREATE VIRTUAL TABLE search_index USING fts5(text, content='', contentless_delete=1);")
        start = time.perf_counter()
        for i in range(10_000):
            payload = json.dumps(_note(i).to_dict()).encode()
            plain.execute("BEGIN IMMEDIATE")
            cur = plain.execute("INSERT INTO records (id, body) VALUES (?, ?)", (str(i), payload))
            plain.execute("INSERT INTO search_index (rowid, text) VALUES (?, ?)", (cur.lastrowid, _note(i).summary))
            plain.execute("COMMIT")
        plain_write = time.perf_counter() - start
        plain.close()
        report("store_overhead_ratio", vault_write / plain_write, "x")
    Path(__file__).with_name("results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
