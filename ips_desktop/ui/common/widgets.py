"""Small widget builders shared by the windows."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit


def password_field(accessible_name: str) -> QLineEdit:
    """A line edit that hides what is typed, named for screen readers."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(accessible_name)
    return field
