"""Help for the volunteer: F1 in any window opens the guide at the part about that window, and
the Help menu holds the guide, the keyboard shortcuts, the phone numbers and About
(docs/architecture.md, "Help").

The guide's words live in one place, ``ips_desktop/resources/guide.md``, one ``## `` section
per screen; ``docs/guide.md`` is the same text with screenshots (``make screenshots``).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

INTRO = "A guide to IPS Desktop"
# Which part of the guide each window is about (by class name: the windows are not imported).
TOPICS = {
    "VisitPlannerDialog": "Home visits", "VisitsDialog": "Home visits", "SignsDialog": "Home visits",
    "OutcomeDialog": "Home visits", "IncidentDialog": "Home visits", "PhoneLinkDialog": "Home visits",
    "ExpensesDialog": "Expenses", "ClaimPreviewDialog": "Expenses",
    "PapersDialog": "Papers held",
    "ReferralDialog": "Referrals and Level 1 contacts", "Level1Dialog": "Referrals and Level 1 contacts",
    "EventSummaryDialog": "Referrals and Level 1 contacts",
    "RetentionDialog": "What leaves this laptop, and when",
    "EnrolDialog": "Enrolling with the office",
    "SettingsDialog": "Settings",
    "UnlockDialog": "Unlocking",
    "ForwardDialog": "Writing a note", "ActionsDueDialog": "Today",
    "FirstRunWizard": INTRO,
}


@cache
def guide() -> dict[str, str]:
    """The guide's sections, title → markdown, in order (the first is the introduction)."""
    text = resources.files("ips_desktop.resources").joinpath("guide.md").read_text(encoding="utf-8")
    parts = re.split(r"^##? (.+)$", text, flags=re.MULTILINE)
    return {title.strip(): body.strip() for title, body in zip(parts[1::2], parts[2::2], strict=True)}


# docs/guide.md: the screenshot (in docs/screenshots/) shown under each of these sections.
PICTURES: dict[str, tuple[tuple[str, str], ...]] = {
    INTRO: (("help.png", "The help window, opened with F1"),),
    "Today": (("today.png", "The Today page of the practice notes"),),
    "Writing a note": (("record.png", "A new note, with a name and a phone number pointed out"),),
    "Home visits": (("visit-planner.png", "Planning a meeting"),
                    ("checkin-banner.png", "On a visit: the banner with the check-in button")),
    "Expenses": (("expenses.png", "A month's expenses"), ("claim-pdf.png", "The first page of the claim PDF")),
}


def guide_with_pictures() -> str:
    """docs/guide.md: the shipped guide with a screenshot under each section that has one."""
    lines = []
    for n, (title, body) in enumerate(guide().items()):
        lines.append(f"{'#' if n == 0 else '##'} {title}\n")
        for file, words in PICTURES.get(title, ()):
            lines.append(f"![{words}](screenshots/{file})\n")
        lines.append(body + "\n")
    return "\n".join(lines)


def topic_for(window: QWidget | None) -> str:
    """The guide's section for the window in front (the main window says which page is shown)."""
    if window is None:
        return INTRO
    own = getattr(window, "help_topic", None)
    if callable(own):
        return str(own())
    return TOPICS.get(type(window).__name__, INTRO)


class HelpDialog(QDialog):
    """The guide: its topics on the left, the chosen one's text on the right."""

    def __init__(self, topic: str = INTRO, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("IPS Desktop help")
        self.resize(820, 560)
        self.topics = QListWidget()
        self.topics.setAccessibleName("Help topics")
        self.topics.setMaximumWidth(260)
        self.text = QTextBrowser()
        self.text.setAccessibleDescription("Help")
        self.text.setOpenExternalLinks(False)
        self.text.setStyleSheet("font-size: 11pt;")
        for title in guide():
            self.topics.addItem(title)
        self.topics.currentTextChanged.connect(self._show)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        panes = QHBoxLayout()
        panes.addWidget(self.topics)
        panes.addWidget(self.text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(panes, 1)
        layout.addWidget(buttons)
        self.show_topic(topic)

    def show_topic(self, topic: str) -> None:
        found = self.topics.findItems(topic, Qt.MatchFlag.MatchExactly)
        self.topics.setCurrentItem(found[0] if found else self.topics.item(0))
        self.text.setFocus()

    def _show(self, title: str) -> None:
        body = guide().get(title, "")
        self.text.setMarkdown(f"# {title}\n\n{body}")
        self.text.setAccessibleDescription(f"Help on {title}")


def shortcuts_text(window: QMainWindow) -> str:
    """Every keyboard shortcut of the main window's menus, from the actions themselves."""
    lines = []
    for menu in window.menuBar().findChildren(QMenu):
        title = menu.title().replace("&", "")
        for action in menu.actions():
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys and not action.isSeparator():
                lines.append(f"{keys}\t{title} ▸ {action.text().replace('&', '').rstrip('…')}")
    return "\n".join(lines)


def text_dialog(title: str, text: str, parent: QWidget | None) -> QDialog:
    """A small window of plain text that a screen reader reads in full."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.setAccessibleDescription(title)  # its name is its text, which a screen reader reads
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(label)
    layout.addWidget(buttons)
    return dialog


def help_action(parent: QWidget, words: str, keys: str, slot: object) -> QAction:
    action = QAction(words, parent)
    if keys:
        action.setShortcut(QKeySequence(keys))
    action.triggered.connect(slot)
    return action
