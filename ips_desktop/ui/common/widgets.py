"""Small widget builders shared by the windows."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget


def password_field(accessible_name: str) -> QLineEdit:
    """A line edit that hides what is typed, named for screen readers."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(accessible_name)
    return field


def error_label(accessible_name: str = "Problem") -> QLabel:
    """Where a form says, in red, what to put right (empty until then)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(accessible_name)
    label.setStyleSheet("color: #b00020;")
    return label


def button_row(*widgets: QWidget) -> QHBoxLayout:
    """Buttons side by side, pushed to the left."""
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return row
