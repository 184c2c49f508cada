"""Date and time fields that take what a volunteer types (docs/architecture.md, "Dates and
times").

Each is a plain line edit read by :mod:`ips_desktop.domain.typed_when`: "14", "2.30pm" and
"1430" are all half past two's neighbours, and once the person moves on the field shows the one
form it understood ("14:00", "Wed 02/12/2026"). Text it cannot read stays as typed, turns red and
says how to write it; ``problem()`` gives that sentence to the form's save, which refuses with it.
Up and Down step the value (a quarter of an hour, a day), and a date has a calendar button.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from ... import clock
from ...domain.typed_when import DATE_HINT, TIME_HINT, format_date, format_time, read_date, read_time
from ...store.casebook import InputError

BAD_STYLE = "QLineEdit { border: 2px solid #b00020; }"
TIME_STEP = timedelta(minutes=15)


class _Typed(QLineEdit):
    """What the two fields share: read as typed, show back once understood, flag what is not."""

    changed = Signal()

    def __init__(self, name: str, hint: str, widest: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = hint
        self.setAccessibleName(name)
        self.setAccessibleDescription(hint)
        self.setToolTip(hint)
        # As wide as the longest form it shows ("Wed 30/12/2026", "23:59") and a little room.
        room = self.fontMetrics().horizontalAdvance(widest) + 18
        self.setMinimumWidth(room)
        self.setMaximumWidth(room + self.fontMetrics().horizontalAdvance("0000"))
        self._last: object = None
        self.textChanged.connect(self._typed)
        self.editingFinished.connect(self.tidy)

    # subclasses: read(text) -> value or None; show(value) -> text; step(value, n) -> value
    def read(self, text: str) -> object:
        raise NotImplementedError

    def show_value(self, value: object) -> str:
        raise NotImplementedError

    def step(self, value: object, times: int) -> object:
        raise NotImplementedError

    def range_problem(self, value: object) -> str | None:
        return None

    def problem(self) -> str | None:
        """Why the text is not a usable value (the sentence to show), or None when it is."""
        value = self.read(self.text())
        if value is None:
            return self.hint
        return self.range_problem(value)

    def tidy(self) -> None:
        """Show what was understood in the one unambiguous form (when the person moves on)."""
        value = self.read(self.text())
        if value is not None:
            shown = self.show_value(value)
            if shown != self.text():
                self.setText(shown)
        self._mark()

    def _typed(self) -> None:
        value = self.read(self.text())
        if self.problem() is None:
            self._mark()
        if value != self._last:
            self._last = value
            self.changed.emit()

    def _mark(self) -> None:
        problem = self.problem()
        self.setStyleSheet(BAD_STYLE if problem else "")
        self.setAccessibleDescription(problem or self.hint)
        self.setToolTip(problem or self.hint)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        steps = {Qt.Key.Key_Up: 1, Qt.Key.Key_Down: -1, Qt.Key.Key_PageUp: 4, Qt.Key.Key_PageDown: -4}
        times = steps.get(Qt.Key(event.key()))
        value = self.read(self.text())
        if times is not None and value is not None:
            self.setText(self.show_value(self.step(value, times)))
            self._mark()
            return
        super().keyPressEvent(event)


class TimeField(_Typed):
    """A time of day, typed on the 24-hour clock or with am/pm."""

    def __init__(self, name: str, value: time | None = None, parent: QWidget | None = None) -> None:
        super().__init__(name, TIME_HINT, "23:59", parent)
        self.setPlaceholderText("e.g. 14:30")
        if value is not None:
            self.set_value(value)

    def read(self, text: str) -> time | None:
        return read_time(text)

    def show_value(self, value: object) -> str:
        assert isinstance(value, time)
        return format_time(value)

    def step(self, value: object, times: int) -> time:
        assert isinstance(value, time)
        moved = datetime.combine(date(2000, 1, 1), value) + TIME_STEP * times
        return moved.time() if moved.date() == date(2000, 1, 1) else value

    def value(self) -> time | None:
        return read_time(self.text())

    def set_value(self, value: time) -> None:
        self.setText(format_time(value))
        self._mark()


class _DateLine(_Typed):
    def __init__(self, name: str, today: Callable[[], date]) -> None:
        super().__init__(name, DATE_HINT, "Wed 30/12/2026")
        self.today = today
        self.setPlaceholderText("e.g. 05/12/2026")
        self.earliest: date | None = None
        self.latest: date | None = None
        self.range_hint = ""

    def read(self, text: str) -> date | None:
        return read_date(text, self.today())

    def show_value(self, value: object) -> str:
        assert isinstance(value, date)
        return format_date(value)

    def step(self, value: object, times: int) -> date:
        assert isinstance(value, date)
        moved = value + timedelta(days=times)
        if (self.earliest and moved < self.earliest) or (self.latest and moved > self.latest):
            return value
        return moved

    def range_problem(self, value: object) -> str | None:
        assert isinstance(value, date)
        if (self.earliest and value < self.earliest) or (self.latest and value > self.latest):
            return self.range_hint
        return None


def calendar_icon(size: int = 16) -> QIcon:
    """A small calendar page drawn here: no font on a volunteer's laptop is needed for it (a
    calendar emoji shows as an empty box where no emoji font is installed)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    paint = QPainter(pixmap)
    ink = QColor("#333333")
    paint.setPen(ink)
    paint.drawRect(1, 2, size - 3, size - 4)
    paint.fillRect(1, 2, size - 2, 4, QColor("#b00020"))
    cell = max(2, (size - 6) // 4)
    for row in range(2):
        for column in range(3):
            paint.fillRect(3 + column * (cell + 1), 8 + row * (cell + 1), cell, cell - 1, ink)
    paint.end()
    return QIcon(pixmap)


class DateField(QWidget):
    """A date: typed (05/12/2026, 5/12, 5 Dec, today) or chosen from a calendar."""

    changed = Signal()

    def __init__(self, name: str, value: date | None = None, today: Callable[[], date] = clock.today,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.line = _DateLine(name, today)
        self.line.changed.connect(self.changed)
        self.pick = QToolButton()
        self.pick.setIcon(calendar_icon())
        self.pick.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.pick.setAccessibleName(f"Choose the {name[0].lower()}{name[1:]} from a calendar")
        self.pick.setToolTip("Choose from a calendar")
        self.pick.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.calendar = QCalendarWidget()
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setGridVisible(True)
        self.calendar.setAccessibleName("Calendar")
        self.calendar.clicked.connect(self._chosen)
        self.calendar.activated.connect(self._chosen)
        menu = QMenu(self.pick)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(self.calendar)
        menu.addAction(holder)
        menu.aboutToShow.connect(self._open_calendar)
        self.pick.setMenu(menu)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.line)
        row.addWidget(self.pick)
        # The button stays beside the date: a form's spare width never opens a gap between them.
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFocusProxy(self.line)
        if value is not None:
            self.set_value(value)

    def value(self) -> date | None:
        """The date typed, or None while the text is not one (see :meth:`problem`)."""
        return self.line.read(self.line.text())

    def set_value(self, value: date) -> None:
        self.line.setText(format_date(value))
        self.line._mark()

    def problem(self) -> str | None:
        return self.line.problem()

    def required(self, what: str) -> date:
        """The date, or an :class:`InputError` naming ``what`` and saying how to type it (what
        a form's save shows)."""
        problem, value = self.problem(), self.value()
        if problem is not None or value is None:
            raise InputError(f"{what}: {problem or DATE_HINT}")
        return value

    def set_range(self, earliest: date, latest: date, why: str) -> None:
        """Only dates from ``earliest`` to ``latest`` are accepted; ``why`` says so to the person."""
        self.line.earliest, self.line.latest, self.line.range_hint = earliest, latest, why
        self.calendar.setDateRange(QDate(earliest.year, earliest.month, earliest.day),
                                   QDate(latest.year, latest.month, latest.day))
        self.line._mark()

    def text(self) -> str:
        return self.line.text()

    def _open_calendar(self) -> None:
        shown = self.value() or self.line.today()
        self.calendar.setSelectedDate(QDate(shown.year, shown.month, shown.day))
        self.calendar.setFocus()

    def _chosen(self, chosen: QDate) -> None:
        self.set_value(chosen.toPython())  # type: ignore[arg-type]
        menu = self.pick.menu()
        if menu is not None:
            menu.hide()
        self.line.setFocus()


class DateTimeField(QWidget):
    """A date and a time side by side (names "… date" and "… time")."""

    changed = Signal()

    def __init__(self, name: str, value: datetime | None = None, today: Callable[[], date] = clock.today,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.day = DateField(f"{name}: date", today=today)
        self.at = TimeField(f"{name}: time")
        self.day.changed.connect(self.changed)
        self.at.changed.connect(self.changed)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.day)
        row.addWidget(self.at)
        row.addStretch(1)
        self.setFocusProxy(self.day)
        if value is not None:
            self.set_value(value)

    def value(self) -> datetime | None:
        day, at = self.day.value(), self.at.value()
        return None if day is None or at is None else datetime.combine(day, at)

    def set_value(self, value: datetime) -> None:
        self.day.set_value(value.date())
        self.at.set_value(value.time().replace(second=0, microsecond=0))

    def problem(self) -> str | None:
        return self.day.problem() or self.at.problem()

    def required(self, what: str) -> datetime:
        """The moment, or an :class:`InputError` naming ``what`` and saying how to type it."""
        problem, value = self.problem(), self.value()
        if problem is not None or value is None:
            raise InputError(f"{what}: {problem or DATE_HINT}")
        return value

    def clear(self) -> None:
        self.day.line.clear()
        self.at.clear()
