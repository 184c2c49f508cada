"""Small widget builders shared by the windows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect, QSize, QStandardPaths
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QWidget,
)

# Room a window manager takes around a window (title bar, borders), so that a window sized to
# the screen's free area still shows its bottom edge and its status bar.
FRAME_ALLOWANCE = QSize(16, 48)


def password_field(accessible_name: str) -> QLineEdit:
    """A line edit that hides what is typed, named for screen readers."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(accessible_name)
    return field


class MessageLabel(QLabel):
    """A label that tells the person something new when its words change, and has a screen
    reader say so: each new, non-empty message is announced (Qt's accessibility announcement,
    which reaches Orca, NVDA and VoiceOver), politely, or at once for a problem to put right."""

    def __init__(self, text: str = "", urgent: bool = False) -> None:
        super().__init__(text)
        self.urgent = urgent

    def setText(self, text: str) -> None:
        changed = text != self.text()
        super().setText(text)
        if changed and text and self.isVisible() and QAccessible.isActive():
            words = QTextDocumentFragment.fromHtml(text).toPlainText() if "<" in text else text
            event = QAccessibleAnnouncementEvent(self, words)
            if self.urgent:
                event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
            QAccessible.updateAccessibility(event)


def message_label(role: str, text: str = "", urgent: bool = False) -> MessageLabel:
    """A label whose text changes to tell the person something (why a save or unlock failed,
    the sync state). Its *text* is its accessible name, so a screen reader reads the message
    itself, and each change is announced (:class:`MessageLabel`); ``role`` ("Unlock message")
    is its accessible description, which says what it is. Never give such a label an
    accessible name: that would hide the text."""
    label = MessageLabel(text, urgent)
    label.setWordWrap(True)
    label.setAccessibleDescription(role)
    return label


def error_label(role: str = "Problem") -> MessageLabel:
    """Where a form says, in red, what to put right (empty until then); read out like
    :func:`message_label`, at once."""
    label = message_label(role, urgent=True)
    label.setStyleSheet("color: #b00020;")
    return label


def accept_or_cancel(accept: str, on_accept: Callable[[], object],
                     on_cancel: Callable[[], object]) -> tuple[QDialogButtonBox, QPushButton]:
    """A form's Cancel and its one action ("&Allocate", "&Send to the office now"), which Return
    presses; returns the box and the action's button (to disable it when it cannot be done)."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    action = buttons.addButton(accept, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.accepted.connect(on_accept)
    buttons.rejected.connect(on_cancel)
    return buttons, action


def documents_folder() -> Path:
    """Where a file dialog opens: the person's Documents folder as the platform names it (a
    redirected or translated one too), or home without one."""
    documents = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or
                     Path.home() / "Documents")
    return documents if documents.is_dir() else Path.home()


def make_big(button: QPushButton, points: int) -> None:
    """A button for the one next step (Check out, I'm back safely): large bold words, set as
    a font and not a style sheet, so the style still draws it with its focus ring."""
    font = button.font()
    font.setPointSize(points)
    font.setBold(True)
    button.setFont(font)


def button_row(*widgets: QWidget) -> QHBoxLayout:
    """Buttons side by side, pushed to the left."""
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return row


def list_table(name: str, headers: tuple[str, ...] | list[str], stretch: int) -> QTableWidget:
    """A table to choose one row from, not to type in: whole rows selected, one at a time, columns
    as wide as their contents except ``stretch``, which takes the room left."""
    table = QTableWidget(0, len(headers))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def chosen_row(view: QAbstractItemView) -> int | None:
    """The row the person chose in a table: the selected one (a click, the keyboard or a
    screen reader each select), else the current row if it is selected; None when none is."""
    model = view.selectionModel()
    rows = sorted({index.row() for index in model.selectedRows()} or
                  {index.row() for index in model.selectedIndexes()})
    return rows[0] if rows else None


def fitted_size(wanted: QSize, available: QRect) -> QSize:
    """``wanted``, made smaller where the screen's free area (without the taskbar) and the window
    frame leave less: a 1366×768 laptop with a taskbar shows every window whole."""
    return QSize(min(wanted.width(), available.width() - FRAME_ALLOWANCE.width()),
                 min(wanted.height(), available.height() - FRAME_ALLOWANCE.height()))


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Size a window as ``width`` × ``height`` where the screen allows, and place it inside the
    screen's free area."""
    available = window.screen().availableGeometry()
    size = fitted_size(QSize(width, height), available)
    window.resize(size)
    window.move(available.x() + max(0, (available.width() - size.width() - FRAME_ALLOWANCE.width()) // 2),
                available.y())


def status_label(role: str) -> QLabel:
    """A message for a status bar or a row of buttons: however long it gets it never widens the
    window past the screen (it is cut short, and the whole text is its tooltip)."""
    label = message_label(role)
    label.setWordWrap(False)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(120)
    return label
