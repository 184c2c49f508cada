"""Building the claim PDF off the GUI thread: a progress dialog that appears after half a
second and can stop the build, and an atomic write (never a half-written file beside the
chosen name)."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from ..common.tasks import TaskRunner

if TYPE_CHECKING:
    from ...reports.claim_pdf import ClaimInput

log = logging.getLogger(__name__)


class _Progress(QObject):
    """Carries the worker's progress to the dialog's thread (a queued connection)."""

    step = Signal(int)


class ClaimBuild(QObject):
    finished = Signal(object, str)  # the saved Path or None, and what to tell the volunteer

    def __init__(self, parent: QWidget, runner: TaskRunner, data: ClaimInput, target: Path) -> None:
        super().__init__(parent)
        self.parent_widget, self.runner, self.data, self.target = parent, runner, data, target

    def start(self) -> None:
        from ...reports.claim_pdf import Cancelled, ReceiptUnreadable, build_claim_pdf

        total = len(self.data.receipts) + 1
        progress = QProgressDialog("Building the claim and its receipts…", "Stop", 0, total, self.parent_widget)
        progress.setWindowTitle("Build claim PDF")
        progress.setMinimumDuration(500)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        stop = threading.Event()
        progress.canceled.connect(stop.set)
        signals = _Progress(self)
        signals.step.connect(progress.setValue)
        data, target = self.data, self.target

        def work() -> bytes:
            return build_claim_pdf(data, lambda done, _of: signals.step.emit(done), stop.is_set)

        def close() -> None:
            progress.reset()
            progress.close()

        def done(pdf: bytes) -> None:
            close()
            try:
                partial = target.with_name(target.name + ".part")
                partial.write_bytes(pdf)
                os.replace(partial, target)
            except OSError as exc:
                QMessageBox.warning(self.parent_widget, "Claim not saved",
                                    f"The claim could not be saved to {target}: "
                                    f"{exc.strerror or 'the folder cannot be written'}. Choose another folder.")
                self.finished.emit(None, "The claim PDF was not saved.")
                return
            self.finished.emit(target, f"Claim saved as {target.name}: print it, sign Section 1 and post it with "
                                       "the receipts, or send it to the office.")

        def failed(exc: Exception) -> None:
            close()
            if isinstance(exc, Cancelled):
                self.finished.emit(None, "Stopped: no claim PDF was saved.")
                return
            log.warning("claim PDF failed: %s", type(exc).__name__)
            if isinstance(exc, ReceiptUnreadable):
                which = (f"Receipt {exc.label} (the line of {exc.what}) could not be read. Remove that receipt "
                         "from its line, add it again (a fresh scan or photo if you have one), then try once more.")
            else:
                which = ("The claim could not be built. A receipt may be damaged: remove it and add it again, then "
                         "try once more.")
            QMessageBox.warning(self.parent_widget, "Claim not built", which)
            self.finished.emit(None, "The claim PDF was not built.")

        self.runner.run(work, done, failed)
