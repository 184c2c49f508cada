"""The volunteer's main window: case register, the case's records, the record editor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...domain.actions import ActionToDo, action_line, week_end
from ...domain.records import ContactRecord, lots_of_papers
from ...domain.referral import deadline, deadline_words
from ...domain.words import counted
from ...store.casebook import CaseBook, RecordView
from ...store.errors import VaultError
from ...store.session import VaultSession
from ...store.today import Target
from ..common.widgets import chosen_row, fit_to_screen, message_label
from .actions import ActionsDueDialog
from .event_summary import EventSummaryDialog
from .level1 import Level1Dialog
from .models import CaseTableModel, uk
from .papers import PapersDialog, papers_out
from .record_editor import RecordEditor
from .referral import ReferralDialog
from .today import TodayView

EMPTY_CASES = ("No cases yet.\n\nYour PPO gives you a case reference for each family. "
               "Press “New case” (Ctrl+N) and type it: records are kept under the reference, never a name.")
EMPTY_RECORDS = "No notes for this case yet. Press “New note” (Ctrl+Shift+N) after each call or meeting."


def _record_line(view: RecordView) -> str:
    record = view.record
    assert isinstance(record, ContactRecord)  # the list shows contact records only
    flag = " ⚠ safeguarding" if record.has_safeguarding_concern else ""
    state = " · draft" if view.state == "draft" else ""
    return f"{uk(record.occurred_at, True)} · {record.kind.value}{state}{flag}"


class MainWindow(QMainWindow):
    lock_requested = Signal()
    settings_requested = Signal()
    send_requested = Signal()
    enrol_requested = Signal()
    retention_requested = Signal()
    go = Signal(object)  # a Today item's target the window cannot open itself (visits, expenses)

    def __init__(self, session: VaultSession, demo_banner: str = "", today: Callable[[], date] = clock.today,
                 now: Callable[[], datetime] = clock.now) -> None:
        super().__init__()
        self.session = session
        self.today = today
        self.now = now
        self.setWindowTitle("IPS Desktop")
        fit_to_screen(self, 1366, 760)
        self.cases = CaseTableModel()
        self.last_case_id: str | None = None
        self._build(demo_banner)
        self._actions()
        self.refresh()
        if self.cases.rowCount():
            first = self.cases.case_at(0)
            assert first is not None
            self.select_case(first.id)

    # -- layout ---------------------------------------------------------------------------

    @property
    def book(self) -> CaseBook:
        """The case book of the vault open now (docs/architecture.md, "Sessions")."""
        return self.session.book

    def _build(self, demo_banner: str) -> None:
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search your notes (Ctrl+F)")
        self.search.setAccessibleName("Search notes")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search)
        self.case_table = QTableView()
        self.case_table.setModel(self.cases)
        self.case_table.setAccessibleName("Cases")
        self.case_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.case_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.case_table.verticalHeader().hide()
        header = self.case_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.case_table.selectionModel().selectionChanged.connect(lambda *_: self._case_selected())
        self.empty_cases = QLabel(EMPTY_CASES)
        self.empty_cases.setWordWrap(True)
        self.empty_cases.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.case_stack = QStackedWidget()
        self.case_stack.addWidget(self.empty_cases)
        self.case_stack.addWidget(self.case_table)
        new_case = QPushButton("New case")
        new_case.setToolTip("Ctrl+N")
        new_case.clicked.connect(self.new_case)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.case_stack)
        left_layout.addWidget(new_case)

        self.case_title = QLabel("Choose a case")
        self.case_title.setStyleSheet("font-weight: bold; font-size: 14pt;")
        self.case_brief = message_label("From your PPO")
        self.case_brief.hide()
        self.record_list = QListWidget()
        self.record_list.setAccessibleName("Notes")
        self.record_list.itemSelectionChanged.connect(self._record_selected)
        self.empty_records = QLabel(EMPTY_RECORDS)
        self.empty_records.setWordWrap(True)
        self.new_record_button = QPushButton("New note")
        self.new_record_button.setToolTip("Ctrl+Shift+N")
        self.new_record_button.clicked.connect(self.new_record)
        self.close_case_button = QPushButton("Close case")
        self.close_case_button.setToolTip(
            "Handbook: “Delete your computer record as soon as you have finished your work with that family.”")
        self.close_case_button.clicked.connect(self.toggle_case_open)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.addWidget(self.case_title)
        middle_layout.addWidget(self.case_brief)
        middle_layout.addWidget(self.record_list)
        middle_layout.addWidget(self.empty_records)
        self.todo_title = QLabel("Agreed actions to do")
        self.todo_list = QListWidget()
        self.todo_list.setAccessibleName("Agreed actions to do")
        self.todo_list.setMaximumHeight(96)
        self.todo_list.setWordWrap(True)
        self.todo_list.itemActivated.connect(lambda _item: self._open_chosen_todo())
        self.todo_done_button = QPushButton("Mark action done")
        self.todo_done_button.setToolTip("Ctrl+D: the chosen action in this list is done")
        self.todo_done_button.clicked.connect(self.mark_chosen_todo_done)
        middle_layout.addWidget(self.todo_title)
        middle_layout.addWidget(self.todo_list)
        middle_layout.addWidget(self.todo_done_button)
        self.papers_button = QPushButton("Papers held")
        self.papers_button.setToolTip("Ctrl+Shift+P: papers a parent lent you, until posted back")
        self.papers_button.clicked.connect(self.show_papers)
        middle_layout.addWidget(self.papers_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_record_button)
        buttons.addWidget(self.close_case_button)
        middle_layout.addLayout(buttons)

        self.editor = RecordEditor(self.session)
        self.editor.saved.connect(self._saved)
        self.editor.changed.connect(self._draft_written)
        self.editor.discarded.connect(lambda _id: self._refresh_records())

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(middle)
        splitter.addWidget(self.editor)
        # The note being written takes what the case list and the case's notes do not need.
        splitter.setSizes([340, 280, 746])
        for pane, stretch in ((0, 0), (1, 0), (2, 1)):
            splitter.setStretchFactor(pane, stretch)
        self.today_view = TodayView(self.session, self.now)
        self.today_view.go.connect(self.open_target)
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.addTab(self.today_view, "&Today")
        self.pages.addTab(splitter, "&Cases")
        self.pages.setTabToolTip(0, "Ctrl+1: what needs doing today")
        self.pages.setTabToolTip(1, "Ctrl+2: your cases and their notes")
        self.pages.currentChanged.connect(self._page_changed)
        central = QWidget()
        layout = QVBoxLayout(central)
        if demo_banner:
            banner = QLabel(demo_banner)
            banner.setAccessibleDescription("Demo banner")
            banner.setStyleSheet("background: #b00020; color: white; padding: 6px; font-weight: bold;")
            banner.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            layout.addWidget(banner)
        layout.addWidget(self.pages)
        self.central_layout = layout
        self.setCentralWidget(central)
        self.lock_state = QLabel("Unlocked")
        self.unsent = QLabel()
        self.referrals = message_label("Referrals")
        self.referrals.setStyleSheet("color: #b00020; font-weight: bold;")
        self.referrals.setWordWrap(False)
        self.referrals.hide()
        self.due_button = QPushButton()
        self.due_button.setFlat(True)
        self.due_button.setToolTip("Ctrl+Shift+D: agreed actions due in the next seven days")
        self.due_button.clicked.connect(self.show_actions_due)
        self.due_button.hide()
        self.statusBar().addWidget(self.lock_state)
        self.statusBar().addPermanentWidget(self.referrals)
        self.statusBar().addPermanentWidget(self.due_button)
        self.statusBar().addPermanentWidget(self.unsent)

    def _actions(self) -> None:
        def add(text: str, shortcut: QKeySequence | QKeySequence.StandardKey | str, slot: object) -> QAction:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
            self.addAction(action)
            return action

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(add("New case…", "Ctrl+N", self.new_case))
        file_menu.addAction(add("New note", "Ctrl+Shift+N", self.new_record))
        file_menu.addAction(add("Papers held…", "Ctrl+Shift+P", self.show_papers))
        file_menu.addAction(add("Level 1 contact…", "Ctrl+Shift+L", self.show_level1))
        file_menu.addAction(add("Referral from a family…", "Ctrl+Shift+F", self.show_referral))
        file_menu.addAction(add("Event or community summary…", "Ctrl+Shift+M", self.show_event_summary))
        file_menu.addAction(add("Agreed actions due this week…", "Ctrl+Shift+D", self.show_actions_due))
        add("Mark action done", "Ctrl+D", self.mark_chosen_todo_done)
        file_menu.addSeparator()
        file_menu.addAction(add("Settings…", QKeySequence.StandardKey.Preferences, self.settings_requested.emit))
        file_menu.addAction(add("Lock now", "Ctrl+L", self.lock_requested.emit))
        file_menu.addAction(add("Quit", QKeySequence.StandardKey.Quit, self.close))
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(add("Today", "Ctrl+1", self.show_today))
        view_menu.addAction(add("Cases", "Ctrl+2", self.show_cases))
        sync_menu = self.menuBar().addMenu("&Sync")
        sync_menu.addAction(add("Send now", "Ctrl+Shift+S", self.send_requested.emit))
        sync_menu.addAction(add("Enrol with the office…", "Ctrl+Shift+E", self.enrol_requested.emit))
        sync_menu.addAction(add("What leaves this laptop, and when…", "Ctrl+Shift+R", self.retention_requested.emit))
        add("Search", QKeySequence.StandardKey.Find, self._focus_search)
        add("Settings", "Ctrl+,", self.settings_requested.emit)

    # -- refresh ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """The register again; the case chosen before (or before the lock), else the first one,
        stays chosen, so the volunteer carries on where they were."""
        selected = self.current_case_id() or self.last_case_id
        self.cases.set_cases(self.book.case_list())
        self.case_stack.setCurrentIndex(1 if self.cases.rowCount() else 0)
        if selected and self.cases.row_of(selected) >= 0:
            self.select_case(selected)
        elif self.cases.rowCount():
            first = self.cases.case_at(0)
            if first is not None:
                self.select_case(first.id)
        self._case_selected()
        self._refresh_status()
        self._refresh_due()
        self.today_view.refresh()

    def _refresh_status(self) -> None:
        count = self.book.unsent_count()
        self.unsent.setText(f"{counted(count, 'note')} waiting to go to the office" if count else "")
        held = self.book.referrals_held()
        if held:
            due = min(deadline(r.approached_at) for _id, r in held)
            many = f"{len(held)} referrals" if len(held) > 1 else "A referral"
            self.referrals.setText(f"{many} not yet with the office: {deadline_words(due, clock.now())}")
            self.referrals.setToolTip("It leaves this laptop as soon as the office confirms it has it. Send now: "
                                      "Ctrl+Shift+S.")
        self.referrals.setVisible(bool(held))

    def _refresh_due(self) -> None:
        """The status bar's count of actions due this week (from the action dates: no record is
        opened)."""
        due = self.book.actions_due_count(week_end(self.today()))
        self.due_button.setText(f"{counted(due, 'agreed action')} due this week")
        self.due_button.setVisible(due > 0)

    def current_case_id(self) -> str | None:
        row = chosen_row(self.case_table)
        case = self.cases.case_at(row) if row is not None else None
        return case.id if case else None

    def select_case(self, case_id: str) -> None:
        row = self.cases.row_of(case_id)
        if row >= 0:
            self.case_table.selectionModel().setCurrentIndex(
                self.cases.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def _case_selected(self) -> None:
        case_id = self.current_case_id()
        if case_id and self.editor.case_id and self.editor.case_id != case_id:
            self.editor.flush()
            self.editor.clear()
        has_case = case_id is not None
        self.new_record_button.setEnabled(has_case)
        self.close_case_button.setEnabled(has_case)
        if not has_case:
            self._refresh_todos(None)
        self.papers_button.setEnabled(has_case)
        if not has_case:
            self.case_brief.hide()
            self.case_title.setText("Choose a case" if self.cases.rowCount() else "")
            self.record_list.clear()
            self.empty_records.setVisible(False)
            return
        case = self.cases.case_at(self.cases.row_of(case_id)) if case_id else None
        assert case is not None
        self.case_title.setText(f"Case {case.reference}" + ("" if case.open else " (closed)"))
        given, decided = self.book.allocation(case.id), self.book.decision(case.id)
        lines = []
        if given is not None:
            brief = f": {given.brief}" if given.brief else "."
            lines.append(f"From {given.by} on {given.at:%d/%m/%Y}, parent {given.initial}{brief}")
        if decided is not None:
            lines.append(decided.words())
        self.case_brief.setText("\n".join(lines))
        self.case_brief.setStyleSheet("color: #b00020; font-weight: bold;" if decided and decided.decision == "stop"
                                      else "")
        self.case_brief.setVisible(bool(lines))
        self.close_case_button.setText("Close case" if case.open else "Reopen case")
        self._refresh_records()

    def _refresh_records(self, select: str | None = None, views: list[RecordView] | None = None) -> None:
        case_id = self.current_case_id()
        if views is None:
            views = self.book.records_for_case(case_id) if case_id else []
            out = len(papers_out(views))
            self.papers_button.setText(f"Papers held ({out} to post back)" if out else "Papers held")
            self._refresh_todos(case_id)
        views = [v for v in views if isinstance(v.record, ContactRecord)]
        self.record_list.blockSignals(True)
        self.record_list.clear()
        for view in sorted(views, key=lambda v: getattr(v.record, "occurred_at", v.updated_at), reverse=True):
            item = QListWidgetItem(_record_line(view))
            item.setData(Qt.ItemDataRole.UserRole, view)
            self.record_list.addItem(item)
            if view.id == select:
                self.record_list.setCurrentItem(item)
        self.record_list.blockSignals(False)
        self.empty_records.setVisible(not views and bool(case_id) and not self.search.text())
        self._refresh_status()

    def _draft_written(self) -> None:
        """A new draft appears in the case's list as soon as it is first saved by itself."""
        listed = {self.record_list.item(i).data(Qt.ItemDataRole.UserRole).id for i in range(self.record_list.count())}
        if self.editor.record_id and self.editor.record_id not in listed and not self.search.text():
            self._refresh_records(select=self.editor.record_id)
        else:
            self._refresh_status()

    def _saved(self, record_id: str) -> None:
        """The register's counts and the case's list both show the record just saved."""
        case_id = self.current_case_id()
        self.cases.set_cases(self.book.case_list())
        if case_id:
            self.select_case(case_id)
        self._refresh_records(select=record_id)
        self._refresh_due()
        self.today_view.refresh()

    def _record_selected(self) -> None:
        chosen = self.record_list.selectedItems()
        if not chosen:
            return
        item = chosen[0]
        view: RecordView = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(view.record, ContactRecord) and view.case_id:
            if view.case_id != self.current_case_id():
                self.select_case(view.case_id)
            self.editor.load(view.case_id, view.id, view.record)

    def _refresh_todos(self, case_id: str | None) -> None:
        """The chosen case's agreed actions not yet done, soonest first."""
        todos = self.book.actions_to_do(case_id) if case_id else []
        today = self.today()
        self.todo_list.clear()
        for todo in todos:
            item = QListWidgetItem(action_line(todo, today))
            item.setData(Qt.ItemDataRole.UserRole, todo)
            if todo.late(today):
                item.setForeground(Qt.GlobalColor.darkRed)
            self.todo_list.addItem(item)
        shown = bool(todos)
        self.todo_title.setText(f"Agreed actions to do ({len(todos)})" if shown else "Agreed actions to do")
        for widget in (self.todo_title, self.todo_list, self.todo_done_button):
            widget.setVisible(shown)

    def _chosen_todo(self) -> ActionToDo | None:
        item = self.todo_list.currentItem()
        if item is None or self.todo_list.isHidden():
            return None
        todo: ActionToDo = item.data(Qt.ItemDataRole.UserRole)
        return todo

    def mark_chosen_todo_done(self) -> None:
        todo = self._chosen_todo()
        if todo is None:
            if not self.todo_list.isHidden():
                self.show_cases()
                self.todo_list.setFocus()
            return
        row = self.todo_list.currentRow()
        self.mark_action_done(todo)
        self.todo_list.setCurrentRow(min(row, self.todo_list.count() - 1))
        self.todo_list.setFocus()

    def _open_chosen_todo(self) -> None:
        todo = self._chosen_todo()
        if todo is not None:
            self.open_record(todo.case_id, todo.record_id)

    def mark_action_done(self, todo: ActionToDo) -> None:
        """The action's record keeps the tick (and goes to the office again). If the record is
        open in the editor, what is typed there is written first and the tick shows at once."""
        showing = self.editor.record_id == todo.record_id
        if showing:
            self.editor.flush()
        try:
            record = self.book.set_action_done(todo.record_id, todo.index)
        except VaultError as exc:
            QMessageBox.warning(self, "Mark action done", str(exc))
            return
        if showing and self.editor.case_id:
            self.editor.load(self.editor.case_id, todo.record_id, record)
        self._refresh_records(select=self.editor.record_id if showing else None)
        self._refresh_due()

    def open_record(self, case_id: str, record_id: str) -> None:
        """Choose the case and open the record in the editor (from a list of actions)."""
        self.show_cases()
        if self.search.text():
            self.search.clear()
        self.select_case(case_id)
        for i in range(self.record_list.count()):
            item = self.record_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole).id == record_id:
                self.record_list.setCurrentItem(item)
                break

    def show_actions_due(self) -> None:
        dialog = ActionsDueDialog(self.session, self.today, self)
        dialog.mark_done.connect(self.mark_action_done)
        dialog.open_record.connect(self.open_record)
        dialog.finished.connect(lambda _result: self._refresh_due() if self.session.is_open else None)
        dialog.open()

    # -- Today ------------------------------------------------------------------------------
    def show_today(self) -> None:
        """Ctrl+1: Today, with the focus on its first thing to do (Space does it)."""
        self.pages.setCurrentIndex(0)
        self.today_view.focus_first()

    def help_topic(self) -> str:
        """F1 on the main window: the guide's part for the page shown."""
        if self.pages.currentIndex() == 0:
            return "Today"
        return "Writing a note" if self.editor.case_id else "Cases and notes"

    def show_cases(self) -> None:
        self.pages.setCurrentIndex(1)

    def _page_changed(self, index: int) -> None:
        if index == 0:
            self.editor.flush()
            self.today_view.refresh()

    def _focus_search(self) -> None:
        self.show_cases()
        self.search.setFocus()

    def open_target(self, target: Target) -> None:
        """A Today item opens where its work is done; visits and expenses belong to their
        controllers, which listen to :attr:`go`."""
        if target.kind in ("record", "papers", "case"):
            self.show_cases()
            if target.record_id:
                self.open_record(target.case_id, target.record_id)
                self.editor.summary.setFocus()
            else:
                self.select_case(target.case_id)
                self.case_table.setFocus()
            if target.kind == "papers":
                self.show_papers()
        elif target.kind == "send":
            self.send_requested.emit()
        elif target.kind == "sent_list":
            self.retention_requested.emit()
        else:
            self.go.emit(target)

    # -- actions ------------------------------------------------------------------------------
    def new_case(self) -> None:
        fmt = self.book.settings.reference_format
        prompt = f"Case reference from your PPO (for example {fmt.example}):"
        while True:
            text, ok = QInputDialog.getText(self, "New case", prompt)
            if not ok:
                return
            try:
                case_id = self.book.open_case(text)
            except VaultError as exc:
                prompt = f"{exc}\n\nCase reference (for example {fmt.example}):"
                continue
            break
        self.show_cases()
        self.refresh()
        self.select_case(case_id)

    def new_record(self) -> None:
        case_id = self.current_case_id()
        if case_id is None:
            return
        self.show_cases()
        self.record_list.clearSelection()
        self.editor.load(case_id, None, None)

    def toggle_case_open(self) -> None:
        case_id = self.current_case_id()
        case = self.cases.case_at(self.cases.row_of(case_id)) if case_id else None
        if case is None:
            return
        if case.open:
            words = (f"Close case {case.reference}? The office is told the case is closed, and its notes are "
                     "removed from this computer once the office has confirmed it holds them.")
            held = self.book.papers_out(case.id)
            if held:
                words = (f"You still hold {lots_of_papers(held)} the parent lent for this case. Post them back "
                         "with proof of posting and mark them returned in Papers held. The office is told they are "
                         "still out.\n\n" + words)
            answer = QMessageBox.question(
                self, "Close case", words, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No if held else QMessageBox.StandardButton.Yes)
            if answer != QMessageBox.StandardButton.Yes:
                return
            self.editor.flush()
            self.editor.clear()
            self.book.close_case(case.id)
        else:
            self.book.reopen_case(case.id)
        self.refresh()

    def show_papers(self) -> None:
        case_id = self.current_case_id()
        if case_id is None:
            QMessageBox.information(self, "Papers held", "Choose the case the papers belong to first.")
            return
        # Window-modal, not a nested event loop: a lock hides it, and the unlock brings it back.
        dialog = PapersDialog(self.session, case_id, self.today(), self)
        dialog.finished.connect(lambda _result: self._refresh_records() if self.session.is_open else None)
        dialog.open()

    def show_referral(self) -> None:
        dialog = ReferralDialog(self.session, self.book.settings.office_phone, self)
        dialog.sent.connect(self._referral_sent)
        dialog.open()

    def _referral_sent(self, _record_id: str) -> None:
        """It goes now: "on the same working day"."""
        self._refresh_status()
        self.send_requested.emit()

    def show_event_summary(self) -> None:
        dialog = EventSummaryDialog(self.session, self.today(), self)
        dialog.sent.connect(lambda _id: self._refresh_status() if self.session.is_open else None)
        dialog.open()

    def show_level1(self) -> None:
        dialog = Level1Dialog(self.session, self.today(), self)
        dialog.finished.connect(lambda _result: self._refresh_status() if self.session.is_open else None)
        dialog.open()

    def _search(self, text: str) -> None:
        if not text.strip():
            self._case_selected()
            return
        hits = self.book.search(text)
        self.case_title.setText(f"{counted(len(hits), 'result')} for “{text[:40]}”")
        self._refresh_records(views=[h.view for h in hits])
        if not hits:
            self.empty_records.setText("Nothing matches. Search looks in summaries, actions and references.")
            self.empty_records.setVisible(True)
        else:
            self.empty_records.setText(EMPTY_RECORDS)

    def insert_banner(self, widget: QWidget) -> None:
        """A banner above the register (today's visit), below the demo banner if any."""
        self.central_layout.insertWidget(self.central_layout.count() - 1, widget)

    def add_status_widget(self, widget: QWidget, stretch: int = 0) -> None:
        self.statusBar().addPermanentWidget(widget, stretch)

    def hide_dialogs(self) -> list[QWidget]:
        """On lock: hide every window of ours still open (what they show stays off screen);
        they come back, on the vault then open, after the unlock."""
        shown = [w for w in self.findChildren(QWidget) if w.isWindow() and w.isVisible() and w is not self]
        for window in shown:
            window.hide()
        return shown

    def wipe_content(self) -> None:
        """On lock: flush typing, then clear every widget showing record content and the clipboard."""
        self.editor.flush()
        self.last_case_id = self.current_case_id()  # an id only: the case is chosen again after the unlock
        clipboard = QGuiApplication.clipboard()
        held = clipboard.text()
        shown = [self.editor.summary.toPlainText(), self.editor.safeguarding_actions.toPlainText()]
        if held and any(held in text for text in shown if text):
            clipboard.clear()
        self.editor.clear()
        self.record_list.clear()
        self.search.clear()
        self.cases.clear()
        self.case_title.clear()
        self.case_brief.clear()
        self.todo_list.clear()
        self.today_view.clear()

    def closeEvent(self, event: object) -> None:
        self.editor.flush()
        super().closeEvent(event)  # type: ignore[arg-type]
