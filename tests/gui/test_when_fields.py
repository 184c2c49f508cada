"""The date and time fields take what is typed, key by key (ips_desktop.ui.common.when_fields)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLineEdit

from ips_desktop.ui.common.when_fields import BAD_STYLE, DateField, DateTimeField, TimeField

pytestmark = pytest.mark.gui
TODAY = date(2026, 12, 2)


def retype(qtbot, line: QLineEdit, keys: str) -> None:  # type: ignore[no-untyped-def]
    """What a person does: click in, select what is there, type, move on with Tab."""
    line.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, keys)
    line.editingFinished.emit()  # what Tab does to a line edit


@pytest.mark.parametrize(("typed", "shown"), [("14", "14:00"), ("2.30pm", "14:30"), ("930", "09:30")])
def test_a_time_typed_over_the_old_one_takes_and_is_shown_as_understood(qtbot, typed, shown) -> None:
    field = TimeField("Start time", time(10, 0))
    qtbot.addWidget(field)
    changes: list[time | None] = []
    field.changed.connect(lambda: changes.append(field.value()))
    retype(qtbot, field, typed)
    assert field.text() == shown
    assert field.value() == time.fromisoformat(shown)
    assert changes[-1] == time.fromisoformat(shown)
    assert field.problem() is None
    assert field.styleSheet() == ""


def test_a_time_that_does_not_exist_stays_as_typed_in_red_with_how_to_type_it(qtbot) -> None:
    field = TimeField("Start time", time(10, 0))
    qtbot.addWidget(field)
    retype(qtbot, field, "25:00")
    assert field.text() == "25:00"  # nothing is guessed or thrown away
    assert field.value() is None
    assert "24-hour clock" in (field.problem() or "")
    assert field.styleSheet() == BAD_STYLE
    assert "24-hour clock" in field.accessibleDescription()


def test_up_and_down_step_a_quarter_hour_and_stop_at_the_ends_of_the_day(qtbot) -> None:
    field = TimeField("Start time", time(10, 0))
    qtbot.addWidget(field)
    qtbot.keyClick(field, Qt.Key.Key_Up)
    assert field.text() == "10:15"
    qtbot.keyClick(field, Qt.Key.Key_Down)
    qtbot.keyClick(field, Qt.Key.Key_Down)
    assert field.text() == "09:45"
    field.set_value(time(23, 50))
    qtbot.keyClick(field, Qt.Key.Key_Up)
    assert field.text() == "23:50"


def test_a_day_typed_into_a_date_replaces_it_whole(qtbot) -> None:
    field = DateField("Date", TODAY, today=lambda: TODAY)
    qtbot.addWidget(field)
    retype(qtbot, field.line, "15/12")  # Qt's own date box made this 12/12/2026
    assert field.value() == date(2026, 12, 15)
    assert field.text() == "Tue 15/12/2026"
    qtbot.keyClick(field.line, Qt.Key.Key_Down)
    assert field.value() == date(2026, 12, 14)


def test_a_date_outside_the_claim_month_says_which_month(qtbot) -> None:
    field = DateField("Date of the journey", TODAY, today=lambda: TODAY)
    qtbot.addWidget(field)
    field.set_range(date(2026, 12, 1), date(2026, 12, 31), "This claim is for December 2026.")
    retype(qtbot, field.line, "03/01/2027")
    assert field.value() == date(2027, 1, 3)
    assert field.problem() == "This claim is for December 2026."
    assert field.line.styleSheet() == BAD_STYLE
    field.set_value(date(2026, 12, 31))
    qtbot.keyClick(field.line, Qt.Key.Key_Up)  # stepping never leaves the month
    assert field.value() == date(2026, 12, 31)


def test_the_calendar_chooses_the_date(qtbot) -> None:
    field = DateField("Date received", TODAY, today=lambda: TODAY)
    qtbot.addWidget(field)
    assert field.pick.accessibleName() == "Choose the date received from a calendar"
    field.calendar.clicked.emit(QDate(2026, 12, 5))
    assert field.value() == date(2026, 12, 5)


def test_a_date_and_time_reads_both_and_names_the_problem(qtbot) -> None:
    field = DateTimeField("When it happened", datetime(2026, 12, 2, 14, 5, 33), today=lambda: TODAY)
    qtbot.addWidget(field)
    assert field.value() == datetime(2026, 12, 2, 14, 5)
    assert field.day.line.accessibleName() == "When it happened: date"
    assert field.at.accessibleName() == "When it happened: time"
    retype(qtbot, field.at, "14:75")
    assert field.value() is None
    assert "24-hour clock" in (field.problem() or "")
