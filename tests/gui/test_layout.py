"""Windows fit a 1366×768 laptop screen with its taskbar, and a long message never widens one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize

from ips_desktop.ui.common.widgets import FRAME_ALLOWANCE, fitted_size, status_label

pytestmark = pytest.mark.gui


def test_a_window_sized_for_a_big_screen_fits_a_small_one_with_its_frame() -> None:
    laptop = QRect(0, 0, 1366, 728)  # 768 less a 40-pixel taskbar
    size = fitted_size(QSize(1200, 760), laptop)
    assert size.height() + FRAME_ALLOWANCE.height() <= laptop.height(), "the status bar stays on screen"
    assert size.width() == 1200
    assert fitted_size(QSize(640, 420), laptop) == QSize(640, 420), "small windows keep their size"


def test_a_long_message_in_the_status_bar_does_not_widen_the_window(qtbot) -> None:
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    label = status_label("Last pull")
    window.statusBar().addPermanentWidget(label, 1)
    label.setText("Not pulled: " + "the office relay did not answer in time, " * 20)
    assert window.minimumSizeHint().width() < 1366
