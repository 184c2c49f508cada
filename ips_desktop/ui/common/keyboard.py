"""Keyboard habits every window of both programs shares (docs/architecture.md, "Keyboard and
screen readers").

Tab always moves to the next control, as a keyboard user expects: a list or table never keeps
Tab to walk its cells (the arrow keys do that), and a box of typed text never takes Tab as a
character (notes have no use for tab stops). Qt's defaults do both, which leaves a person
without a mouse stuck in the first table or note box they reach.

A box you can type into or choose from (an editable drop-down list) carries its name on the
typing line inside it too, so a screen reader names the line the cursor is in.

The control with the keyboard focus wears a ring a person can see from a chair's length away:
a 2-pixel dark blue line round a button, a field, a drop-down or a box ticked by the space bar,
and round the chosen row of a list. The platform's own focus hint is a faint line or a dotted
box, which many of the volunteers would not see (:class:`FocusRing`, drawn over whatever style
the platform gives).

:func:`install` (each program calls it once its first window is up) settles every widget made
so far and puts in :class:`Habits`, an application-wide event filter that settles each widget
after that as Qt polishes it (before it first shows) and each time it shows.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QPlainTextEdit,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionComplex,
    QTextEdit,
    QWidget,
)

SETTLE_ON = (QEvent.Type.Polish, QEvent.Type.Show)  # a drop-down is often polished before it is named


def settle(widget: QObject) -> None:
    """Give one widget the shared habits (cheap; safe to call again)."""
    if isinstance(widget, QAbstractItemView):
        widget.setTabKeyNavigation(False)
    elif isinstance(widget, QPlainTextEdit | QTextEdit):
        widget.setTabChangesFocus(True)
    elif isinstance(widget, QComboBox):
        line = widget.lineEdit()
        if line is not None and not line.accessibleName():
            line.setAccessibleName(widget.accessibleName())


class Habits(QObject):
    """Sees every event of the application and settles each widget as it is polished or shown."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in SETTLE_ON and isinstance(watched, QWidget):
            settle(watched)
        return False


def install(app: QApplication) -> Habits:
    """Settle every widget made so far, then settle each one made after it (:class:`Habits`)."""
    for widget in app.allWidgets():
        settle(widget)
    habits = Habits(app)  # kept alive by the application
    app.installEventFilter(habits)
    return habits


RING = QColor("#0b57d0")
_PE = QStyle.PrimitiveElement
_RINGED = {_PE.PE_PanelButtonCommand, _PE.PE_FrameLineEdit, _PE.PE_FrameFocusRect, _PE.PE_Frame}
_RINGED_COMPLEX = {QStyle.ComplexControl.CC_ComboBox, QStyle.ComplexControl.CC_SpinBox}


class FocusRing(QProxyStyle):
    """The platform's style, with a clear ring round the control that has the keyboard focus."""

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter,
                      widget: QWidget | None = None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element in _RINGED and option.state & QStyle.StateFlag.State_HasFocus:
            if element == _PE.PE_Frame and not (widget is not None and widget.hasFocus()):
                return  # a frame round a group, not round the control being typed in
            _ring(painter, option)

    def drawComplexControl(self, control: QStyle.ComplexControl, option: QStyleOptionComplex, painter: QPainter,
                           widget: QWidget | None = None) -> None:
        super().drawComplexControl(control, option, painter, widget)
        if control in _RINGED_COMPLEX and option.state & QStyle.StateFlag.State_HasFocus:
            _ring(painter, option)


def _ring(painter: QPainter, option: QStyleOption) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(RING, 2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(option.rect.adjusted(1, 1, -1, -1), 3, 3)
    painter.restore()


def use_focus_ring(app: QApplication) -> None:
    """Wrap the application's style in :class:`FocusRing` (before the first window is made)."""
    style = FocusRing(app.style().name())
    style.setParent(app)  # kept alive by the application
    app.setStyle(style)
