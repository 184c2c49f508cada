"""Issue 14, item 11, against a real ``ips-relay`` process: the office's pull opens the waiting
envelopes one at a time, so a backlog of large envelopes (scanned letters) never has to fit in
the office's memory at once. Peak memory is measured with tracemalloc around the pull the
console's worker calls."""

from __future__ import annotations

import os
import tracemalloc
from datetime import datetime
from pathlib import Path

from conftest import Clock
from relay_world import relay_world

from ips_desktop.domain.records import ContactKind, ContactRecord
from ips_desktop.office.inbox import pull

SCAN = 3 * 1024 * 1024  # one scanned letter each: incompressible, as a JPEG is
ENVELOPES = 20


def test_a_backlog_of_large_envelopes_is_opened_one_at_a_time(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 11, 23, 10, 0))
    with relay_world(tmp_path, clock) as s:
        case = s.book.open_case("PP-2026-0311")
        for i in range(ENVELOPES):
            record = s.book.save(None, case, ContactRecord(ContactKind.LETTER, datetime(2026, 11, 20, 9, i), 5,
                                                           summary=f"Letter {i + 1} from the school."))
            scan = tmp_path / f"scan-{i}.jpg"
            scan.write_bytes(os.urandom(SCAN))
            s.book.attach_file(record, scan)
        assert s.sync.run().sent == ENVELOPES
        waiting = ENVELOPES * SCAN

        tracemalloc.start()
        try:
            result = pull(s.office, s.office_transport)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert result.verified == ENVELOPES
        assert len(s.office.repo.records("PP-2026-0311")) == ENVELOPES
        # All at once would be at least the whole backlog; one at a time is a few copies of one.
        assert peak < waiting / 2, f"peak {peak / 2**20:.1f} MiB for a backlog of {waiting / 2**20:.1f} MiB"
        assert peak < 8 * SCAN, f"peak {peak / 2**20:.1f} MiB"
