"""What ``make bench`` runs in a fresh interpreter, so start-up and memory are a user's.

``python -m bench.child bare`` shows a bare PySide6 window; ``python -m bench.child app DIR``
starts ``ips-desktop --data-dir DIR`` through its real entry point. Both print ``shown`` the
moment the first top-level window is shown, then exit. ``python -m bench.child memory DIR``
unlocks the vault in DIR, opens the main window over its cases, searches, and prints the
resident set size in MB.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget


def _watch_for_first_window() -> QTimer:
    """Print ``shown`` on the first pass of the event loop with a visible top-level window.

    A timer, not an application-wide event filter: a filter would make Qt hand every internal
    object to Python and slow the app down by more than it measures.
    """
    timer = QTimer()
    timer.setInterval(0)

    def check() -> None:
        if any(w.isVisible() for w in QApplication.topLevelWidgets()):
            print("shown", flush=True)
            os._exit(0)

    timer.timeout.connect(check)
    timer.start()
    return timer


def _rss_mb() -> tuple[float, float]:
    status = Path("/proc/self/status").read_text().splitlines()
    fields = dict(line.split(":", 1) for line in status if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _memory(data_dir: str, passphrase: str) -> None:
    from datetime import datetime

    from ips_desktop.store.profile import Profile
    from ips_desktop.ui.volunteer.launch import VolunteerApp

    app = QApplication(sys.argv)
    controller = VolunteerApp(Profile(Path(data_dir)), None)
    controller.open_with(controller.profile.unlock(passphrase, datetime.now))
    assert controller.window is not None
    assert controller.book is not None
    controller.window.show()
    app.processEvents()
    for word in ("review", "tribunal", "transport", "item4321"):
        controller.book.search(word)
    app.processEvents()
    rss, peak = _rss_mb()
    print(f"{rss:.1f} {peak:.1f}", flush=True)
    controller.shutdown()


def main() -> None:
    mode = sys.argv[1]
    if mode == "memory":
        _memory(sys.argv[2], sys.argv[3])
        return
    app = QApplication.instance() or QApplication(sys.argv[:1])
    watcher = _watch_for_first_window()  # noqa: F841 (kept alive until exit)
    if mode == "bare":
        window = QWidget()
        window.setWindowTitle("bare")
        window.show()
        app.exec()
    else:
        from ips_desktop.app import main as app_main

        app_main(["--data-dir", sys.argv[2]])


if __name__ == "__main__":
    main()
