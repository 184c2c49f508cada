"""The end of a program's life: Qt objects go before the interpreter does.

PySide6 frees its wrappers when Python finalizes; a window, a queued signal or a worker's
result still alive then can be released twice and abort the process ("Fatal Python error:
bool_dealloc" seen on quit). So each entry point, after its event loop returns and its
controller has closed the vault, calls :func:`tear_down`: every top-level window is deleted,
posted events are delivered, and the application object is destroyed while Python is whole.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication


def tear_down(app: QCoreApplication) -> None:
    if isinstance(app, QApplication):
        for widget in app.topLevelWidgets():
            widget.hide()
            widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    app.shutdown()
