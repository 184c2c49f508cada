"""The Today view: the main window's first page, what needs doing now, each item a button that
opens where the work is done (docs/architecture.md, "The Today view").

The content comes from :func:`ips_desktop.store.today.gather`; this widget lays it out and
emits :attr:`TodayView.go` with the item's target. Every button's accessible name is the
button's words followed by the item's text, so a screen reader user hears what it is about.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...store.errors import VaultError
from ...store.session import VaultSession
from ...store.today import Item, Section, Target, gather
from ..common.widgets import make_big

NOTHING = ("Nothing needs doing today.\n\nTo start, open the Cases page (Ctrl+2) and press “New case” with the "
           "reference your PPO gave you. After each call or meeting, add a note to the case. Plan a home visit "
           "with Visits ▸ Plan a meeting. Press F1 for help at any time.")


def _row(section: str, item: Item, go: Callable[[Target], None]) -> QFrame:
    frame = QFrame()
    frame.setObjectName("todayItem")
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    if item.urgent:
        frame.setStyleSheet("QFrame#todayItem { border: 2px solid #b00020; border-radius: 4px; }")
    layout = QHBoxLayout(frame)
    layout.setContentsMargins(8, 4, 8, 4)
    text = QLabel(item.text)
    text.setWordWrap(True)
    text.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    if item.urgent:
        text.setStyleSheet("color: #b00020; font-weight: bold;")
    button = QPushButton(item.action)
    button.setAccessibleName(f"{item.action} — {item.text}")  # the content, not just "Open the note"
    button.setAccessibleDescription(section)
    button.setToolTip(item.text)
    button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    if item.big:
        button.setMinimumHeight(44)
        make_big(button, 13)
    button.clicked.connect(lambda: go(item.target))
    layout.addWidget(text, 1)
    layout.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
    return frame


class TodayView(QScrollArea):
    go = Signal(object)  # Target

    def __init__(self, session: VaultSession, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.now = session, now
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName("Today")
        self.sections: list[Section] = []
        self._page = QWidget()
        self._layout = QVBoxLayout(self._page)
        self.setWidget(self._page)
        self.timer = QTimer(self)  # times move on: "due back by", "due today", the posting day
        self.timer.setInterval(60_000)
        self.timer.timeout.connect(lambda: self.refresh() if self.isVisible() else None)
        self.timer.start()

    def refresh(self) -> None:
        """Read the books again and lay the page out afresh (a few milliseconds)."""
        if not self.session.is_open:
            return
        try:
            self.sections = gather(self.session, self.now)
        except VaultError:
            return
        self._fill()

    def focus_first(self, section: str = "") -> None:
        """The focus on the first button of ``section`` (a button's description), else of the
        page (the most pressing step), else on the page."""
        buttons = self._page.findChildren(QPushButton)
        same = [b for b in buttons if section and b.accessibleDescription() == section]
        target: QWidget = (same or buttons)[0] if buttons else self
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def clear(self) -> None:
        """On lock: nothing from the notes stays on screen."""
        self.sections = []
        self._fill()

    def _fill(self) -> None:
        focused = QApplication.focusWidget()
        section_of_focus = focused.accessibleDescription() if focused and self._page.isAncestorOf(focused) else None
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setSpacing(6)
        at = self.now()
        heading = QLabel(f"Today, {at:%A} {at.day} {at:%B %Y}")
        heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(heading)
        shown = [s for s in self.sections if s.items]
        for section in shown:
            title = QLabel(section.title)
            title.setStyleSheet("font-size: 13pt; font-weight: bold; margin-top: 8px;")
            title.setAccessibleName(f"{section.title}: {len(section.items)}")
            layout.addWidget(title)
            for item in section.items:
                layout.addWidget(_row(section.title, item, self.go.emit))
        if self.session.is_open and not any(s.items for s in shown if s.title != "Expenses"):
            empty = QLabel(NOTHING)
            empty.setWordWrap(True)
            layout.insertWidget(1, empty)
        layout.addStretch(1)
        old = self.takeWidget()
        self.setWidget(page)
        self._page = page
        if section_of_focus is not None:  # the button pressed is rebuilt: the focus goes to its section's new one
            self.focus_first(section_of_focus)
        if old is not None:
            old.deleteLater()

