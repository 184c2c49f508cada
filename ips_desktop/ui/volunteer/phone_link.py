"""The phone check-in link shown at check-out: its address and a QR code to scan with the
phone. The page asks for the check-in PIN; the duress PIN looks the same and raises a silent
alarm. Closing this window does not stop the watch."""

from __future__ import annotations

import io

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget


def qr_pixmap(text: str, scale: int = 6) -> QPixmap:
    import segno  # loaded with the first link, not with the window

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=scale, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(out.getvalue(), "PNG")
    return pixmap


class PhoneLinkDialog(QDialog):
    def __init__(self, url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.url = url
        self.setWindowTitle("Check in from your phone")
        intro = QLabel("Scan this with your phone's camera before you go in, or open the link on it. When you "
                       "leave, press “I'm safe” and type your check-in PIN. If you are made to check in, type "
                       "the duress PIN instead: the page looks the same and the office is alerted at once.")
        intro.setWordWrap(True)
        self.code = QLabel()
        self.code.setPixmap(qr_pixmap(url))
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setAccessibleName("QR code of the check-in link")
        self.link = QLabel(url)
        self.link.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.link.setAccessibleDescription("Check-in link")
        self.link.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.code, self.link, buttons):
            layout.addWidget(widget)
