"""The contact record editor: every field of DESIGN §4, autosave, PII screening on save.

Autosave writes a draft into the vault every few seconds while there are unsaved changes,
so a crash or power cut loses at most that much typing. Saving screens the text first.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...domain.actions import consent_gaps
from ...domain.pii import FieldFinding, KeepReason, apply_all, apply_replacement
from ...domain.records import (
    CALLING_HOURS,
    CONSENT_HOW,
    DIAL_141,
    ROLES,
    AgreedAction,
    Consent,
    ContactKind,
    ContactRecord,
    SafeguardingNote,
    outside_calling_hours,
)
from ...domain.safeguarding import SafeguardingNumbers
from ...domain.typed_when import read_date
from ...store.casebook import CaseBook, InputError, Kept, UnresolvedFindings
from ...store.errors import VaultError
from ...store.session import VaultSession
from ..common.when_fields import DateTimeField
from ..common.widgets import button_row, documents_folder, message_label
from .forward import ForwardDialog
from .pii_panel import PiiPanel

log = logging.getLogger(__name__)

AUTOSAVE_MS = 3000
DONE_COLUMN = 3
CONSENT_RULE = ("Handbook: the parent's permission is needed “to discuss their child with a specified "
                "professional or agency”; on the telephone, “type the agreed actions, responsibilities, "
                "timescales and permission”.")
NOT_ENROLLED_SAVED = ("Saved on this laptop. It waits here until the laptop is enrolled with the office "
                      "(Sync ▸ Enrol with the office…); nothing has been sent yet.")
SCAN_FILTER = "Scans and documents (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;All files (*)"
EMPTY_EDITOR = ("No note open.\n\nChoose a note from the case's list, or press “New note” (Ctrl+Shift+N) "
                "after a call or meeting. Drafts save themselves every few seconds.")
def _parse_uk_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    day = read_date(text, clock.today())
    if day is None:
        raise InputError(f"“{text}” is not a date: type it as day/month/year, e.g. 05/12/2026.")
    return day


class RowTable(QTableWidget):
    """Rows of agreed actions or consents. A new row opens for typing in its first cell; Delete
    removes the chosen row (when not typing in it); a row whose first cell is empty is blank
    and is not saved, whatever defaults it shows."""

    removed = Signal()
    done_column: int | None = None  # a tick box column (agreed actions' "Done"), not typed in

    def __init__(self, headers: tuple[str, ...], name: str) -> None:
        super().__init__(0, len(headers))
        self.setHorizontalHeaderLabels(list(headers))
        for col, header in enumerate(headers):
            item = self.horizontalHeaderItem(col)
            if item is not None and ("when" in header.lower() or "date" in header.lower()):
                item.setToolTip("Day/month/year, e.g. 05/12/2026 or 5/12")
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().hide()
        self.setAccessibleName(name)
        self.setMinimumHeight(90)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setTabKeyNavigation(False)  # Tab leaves the table, as everywhere else in the form

    def add_row(self, values: tuple[str, ...], edit: bool = False) -> int:
        row = self.rowCount()
        self.insertRow(row)
        for col, value in enumerate(values):
            self.setItem(row, col, QTableWidgetItem(value))
        if self.done_column is not None:
            self.set_done(row, False)
        first = self.item(row, 0)
        if edit and first is not None:
            self.setFocus()
            self.setCurrentCell(row, 0)
            self.editItem(first)
        return row

    def remove_chosen(self) -> None:
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()} or
                      ({self.currentRow()} if self.currentRow() >= 0 else set()), reverse=True)
        for row in rows:
            self.removeRow(row)
        if rows:
            self.removed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.state() != self.State.EditingState:
            self.remove_chosen()
            return
        super().keyPressEvent(event)

    def filled_rows(self) -> list[tuple[int, tuple[str, ...]]]:
        """(table row, values) of every row whose first cell has something in it."""
        out = []
        for row in range(self.rowCount()):
            values = tuple(self.text_at(row, c) for c in range(self.columnCount()))
            if values[0]:
                out.append((row, values))
        return out

    def set_done(self, row: int, done: bool) -> None:
        """The tick in the Done column; a screen reader hears "done" or "not done"."""
        assert self.done_column is not None
        item = QTableWidgetItem()
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if done else Qt.CheckState.Unchecked)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, "done" if done else "not done")
        self.setItem(row, self.done_column, item)

    def done_at(self, row: int) -> bool:
        item = self.item(row, self.done_column) if self.done_column is not None else None
        return item is not None and item.checkState() == Qt.CheckState.Checked

    def rows(self) -> list[tuple[str, ...]]:
        return [values for _, values in self.filled_rows()]

    def text_at(self, row: int, col: int) -> str:
        item = self.item(row, col)
        return item.text().strip() if item is not None else ""

    def set_text_at(self, row: int, col: int, value: str) -> None:
        item = self.item(row, col)
        if item is None:
            self.setItem(row, col, QTableWidgetItem(value))
        else:
            item.setText(value)


class RecordEditor(QWidget):
    saved = Signal(str)  # record id
    changed = Signal()  # draft written (lists may refresh)
    discarded = Signal(str)  # record id: gone from the vault

    def __init__(self, session: VaultSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case_id: str | None = None
        self.record_id: str | None = None
        self.kept: list[Kept] = []
        self._dirty = False
        self._loading = False
        self._build()
        self._autosave = QTimer(self)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.autosave)
        self._autosave.start()
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)

    # -- layout -----------------------------------------------------------------------------

    @property
    def book(self) -> CaseBook:
        """The case book of the vault open now (docs/architecture.md, "Sessions")."""
        return self.session.book
    def _build(self) -> None:
        self.kind = QComboBox()
        for kind in ContactKind:
            self.kind.addItem(kind.value.capitalize(), kind)
        self.kind.setAccessibleName("Kind of contact")
        self.when = DateTimeField("Date and time")
        self.duration = QSpinBox()
        self.duration.setRange(0, 600)
        self.duration.setSuffix(" min")
        self.duration.setAccessibleName("Duration in minutes")
        self.initials = QLineEdit()
        self.initials.setMaxLength(8)
        self.initials.setPlaceholderText("e.g. H.T.")
        self.initials.setAccessibleName("Parent initials")
        self.roles = QListWidget()
        self.roles.setAccessibleName("Roles present")
        self.roles.setMaximumHeight(110)
        for role in ROLES:
            item = QListWidgetItem(role)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.roles.addItem(item)
        self.explained = QCheckBox("Confidentiality, impartiality and record keeping explained")
        self.explained.setToolTip("Handbook: “Use your ‘introductory phrase’ as an IPS; explain confidentiality, "
                                  "impartiality and record keeping.”")
        self.records_consent = QCheckBox("The parent agreed to records being kept (Level 2 casework)")
        self.records_consent.setToolTip("Service description: Level 2 casework “is recorded, only with the "
                                        "permission of the parent”.")
        # Always there, so nothing below moves as the kind or the time changes.
        self.phone_note = message_label("Telephone practice")
        self.phone_note.setMinimumHeight(2 * self.phone_note.fontMetrics().lineSpacing())
        self.summary = QPlainTextEdit()
        self.summary.setAccessibleName("Summary")
        self.summary.setPlaceholderText(
            "Objective, succinct and careful: what was discussed and decided. "
            "Roles and initials, never names.")
        self.summary.setMinimumHeight(140)
        self.summary.setTabChangesFocus(True)  # Tab moves on; a summary needs no tab characters
        self.action_rows = RowTable(("Action", "Who (role)", "By when", "Done"), "Agreed actions")
        self.action_rows.done_column = DONE_COLUMN
        self.consent_rows = RowTable(("With (role or agency)", "How given", "Date given"), "Consents")
        add_action = QPushButton("Add action")
        add_action.clicked.connect(lambda: self.action_rows.add_row(("", "IPS", "", ""), edit=True))
        remove_action = QPushButton("Remove action")
        remove_action.setToolTip("Or choose the row and press Delete")
        remove_action.clicked.connect(self.action_rows.remove_chosen)
        self.forward_button = QPushButton("Note via your PPO…")
        self.forward_button.setToolTip("A note or letter your PPO forwards to the parent or a professional, with "
                                       "these agreed actions as the parent's copy")
        self.forward_button.clicked.connect(self.note_to_forward)
        add_consent = QPushButton("Add consent")
        add_consent.clicked.connect(
            lambda: self.consent_rows.add_row(("", CONSENT_HOW[0], clock.today().strftime("%d/%m/%Y")), edit=True))
        remove_consent = QPushButton("Remove consent")
        remove_consent.setToolTip("Or choose the row and press Delete")
        remove_consent.clicked.connect(self.consent_rows.remove_chosen)
        # Always there, so the questions below never move under the pointer as it changes.
        self.consent_check = message_label("Consent check")
        self.consent_check.setMinimumHeight(2 * self.consent_check.fontMetrics().lineSpacing())
        self.consent_check.setToolTip(CONSENT_RULE)
        self.case_consents: list[Consent] = []
        self.safeguarding = QCheckBox("Safeguarding concern")
        self.safeguarding.setAccessibleName("Safeguarding concern")
        self.safeguarding_box = QGroupBox("Safeguarding: what to do")
        self.safeguarding_steps = QLabel()
        self.safeguarding_steps.setWordWrap(True)
        self.ppo_told = QCheckBox("PPO told by phone at")
        self.ppo_told_at = DateTimeField("PPO told")
        self.edt_called = QCheckBox("Emergency Duty Team called at")
        self.edt_called_at = DateTimeField("Emergency Duty Team called")
        self.safeguarding_actions = QPlainTextEdit()
        self.safeguarding_actions.setAccessibleName("Safeguarding actions taken")
        self.safeguarding_actions.setPlaceholderText("What you did and who you spoke to (roles).")
        self.safeguarding_actions.setMaximumHeight(70)
        self.safeguarding_actions.setTabChangesFocus(True)
        sg = QFormLayout(self.safeguarding_box)
        sg.addRow(self.safeguarding_steps)
        sg.addRow(self.ppo_told, self.ppo_told_at)
        sg.addRow(self.edt_called, self.edt_called_at)
        sg.addRow("Actions", self.safeguarding_actions)
        self.safeguarding_box.hide()
        self.safeguarding.toggled.connect(self.safeguarding_box.setVisible)
        self.notes_destroyed = QCheckBox("Handwritten notes destroyed")
        self.notes_destroyed.setToolTip("Handbook: “Destroy your handwritten notes as soon as the record is typed.”")

        self.attachment_list = QListWidget()
        self.attachment_list.setAccessibleName("Scanned letters attached")
        self.attachment_list.setMaximumHeight(80)
        attach = QPushButton("Attach scanned letter…")
        attach.setToolTip("Or drop the file here. Kept inside your encrypted notes, 25 MB at most.")
        attach.clicked.connect(self.choose_attachment)
        self.setAcceptDrops(True)

        self.pii = PiiPanel()
        self.pii.replace_requested.connect(self._replace)
        self.pii.replace_all_requested.connect(self._replace_all)
        self.pii.keep_requested.connect(self._keep)
        self.message = message_label("Editor message")
        self.draft_state = QLabel()
        self.save_button = QPushButton("Save and send to the office")
        self.save_button.setToolTip("Ctrl+S")
        self.save_button.clicked.connect(self.save)
        self.discard_button = QPushButton("Discard draft")
        self.discard_button.clicked.connect(self.discard)

        form = QFormLayout()
        top = QHBoxLayout()
        top.addWidget(self.kind)
        top.addWidget(self.when)
        top.addWidget(self.duration)
        form.addRow("Contact", top)
        form.addRow("", self.phone_note)
        form.addRow("Parent initials", self.initials)
        form.addRow("Roles present", self.roles)
        form.addRow("", self.explained)
        form.addRow("", self.records_consent)
        form.addRow("Summary", self.summary)
        form.addRow("Agreed actions", self.action_rows)
        form.addRow("", button_row(add_action, remove_action, self.forward_button))
        form.addRow("Consents", self.consent_rows)
        form.addRow("", button_row(add_consent, remove_consent))
        form.addRow("", self.consent_check)
        form.addRow(self.notes_destroyed)
        form.addRow("Scanned letters", self.attachment_list)
        form.addRow("", attach)
        # Last, so that what to do, shown when it is ticked, opens below and moves nothing.
        form.addRow(self.safeguarding)
        form.addRow(self.safeguarding_box)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.addLayout(form)
        inner_layout.addWidget(self.pii)
        inner_layout.addStretch()
        scroll = self.scroll_area = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.safeguarding.toggled.connect(
            lambda on: on and QTimer.singleShot(0, lambda: scroll.ensureWidgetVisible(self.safeguarding_box)))
        buttons = QHBoxLayout()
        buttons.addWidget(self.draft_state)
        buttons.addStretch()
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.save_button)
        editing = QWidget()
        layout = QVBoxLayout(editing)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.empty = QLabel(EMPTY_EDITOR)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleDescription("No note open")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(editing)
        QVBoxLayout(self).addWidget(self.pages)

        for signal in (self.kind.currentIndexChanged, self.when.changed, self.ppo_told_at.changed,
                       self.edt_called_at.changed, self.duration.valueChanged,
                       self.initials.textChanged, self.roles.itemChanged, self.summary.textChanged,
                       self.action_rows.itemChanged, self.consent_rows.itemChanged, self.action_rows.removed,
                       self.consent_rows.removed, self.safeguarding.toggled,
                       self.ppo_told.toggled, self.edt_called.toggled, self.safeguarding_actions.textChanged,
                       self.notes_destroyed.toggled):
            signal.connect(self._mark_dirty)
        for signal in (self.action_rows.itemChanged, self.consent_rows.itemChanged, self.action_rows.removed,
                       self.consent_rows.removed):
            signal.connect(self._check_consents)
        for signal in (self.explained.toggled, self.records_consent.toggled):
            signal.connect(self._mark_dirty)
        self.kind.currentIndexChanged.connect(self._check_phone)
        self.when.changed.connect(self._check_phone)
        self._show_editing(False)

    def _show_editing(self, editing: bool) -> None:
        self.pages.setCurrentIndex(1 if editing else 0)

    # -- state --------------------------------------------------------------------------------
    def _mark_dirty(self, *_: object) -> None:
        if not self._loading:
            self._dirty = True
            self.draft_state.setText("Unsaved changes")

    @property
    def dirty(self) -> bool:
        return self._dirty

    def load(self, case_id: str, record_id: str | None, record: ContactRecord | None) -> None:
        self.flush()
        self._loading = True
        self.case_id, self.record_id, self.kept = case_id, record_id, []
        settings = self.book.settings
        from ...sync.engine import pinned_policy  # here, not at start-up: the first window comes first

        numbers = SafeguardingNumbers.from_policy(pinned_policy(self.book.vault, clock.now))
        self.safeguarding_steps.setText(numbers.steps(settings.ppo_phone, settings.office_phone, settings.edt_phone))
        record = record or ContactRecord(ContactKind.TELEPHONE, clock.now().replace(second=0, microsecond=0))
        self.kind.setCurrentIndex(list(ContactKind).index(record.kind))
        self.when.set_value(record.occurred_at)
        self.duration.setValue(record.duration_minutes)
        self.initials.setText(record.parent_initials)
        for i in range(self.roles.count()):
            item = self.roles.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text() in record.roles_present
                               else Qt.CheckState.Unchecked)
        self.summary.setPlainText(record.summary)
        self.action_rows.setRowCount(0)
        for a in record.agreed_actions:
            row = self.action_rows.add_row((a.what, a.who, a.by_when.strftime("%d/%m/%Y") if a.by_when else "", ""))
            self.action_rows.set_done(row, a.done)
        self.consent_rows.setRowCount(0)
        for c in record.consents:
            self.consent_rows.add_row((c.with_whom, c.how_given, c.given_on.strftime("%d/%m/%Y")))
        sg = record.safeguarding
        self.safeguarding.setChecked(sg is not None)
        self.ppo_told.setChecked(bool(sg and sg.ppo_told_at))
        self.ppo_told_at.set_value(sg.ppo_told_at if sg and sg.ppo_told_at else clock.now())
        self.edt_called.setChecked(bool(sg and sg.edt_called_at))
        self.edt_called_at.set_value(sg.edt_called_at if sg and sg.edt_called_at else clock.now())
        self.safeguarding_actions.setPlainText(sg.actions if sg else "")
        self.notes_destroyed.setChecked(record.handwritten_notes_destroyed)
        self.explained.setChecked(record.explained)
        self.records_consent.setChecked(record.records_consent)
        self.case_consents = self.book.case_consents(case_id, besides=record_id)
        self.pii.show_findings([])
        self.message.clear()
        self._loading = False
        self._check_consents()
        self._check_phone()
        self._dirty = False
        self.draft_state.setText("")
        self._refresh_attachments()
        self._show_editing(True)
        self.summary.setFocus()

    def current_record(self) -> ContactRecord:
        actions = tuple(AgreedAction(what, who, _parse_uk_date(by), self.action_rows.done_at(row))
                        for row, (what, who, by, _done) in self.action_rows.filled_rows())
        consents = []
        for with_whom, how, given in self.consent_rows.rows():
            given_on = _parse_uk_date(given)
            if given_on is None:
                raise InputError("Each consent needs the date it was given (day/month/year).")
            consents.append(Consent(with_whom, how, given_on))
        safeguarding = None
        if self.safeguarding.isChecked():
            safeguarding = SafeguardingNote(
                self.ppo_told_at.required("When you told your PPO") if self.ppo_told.isChecked() else None,
                (self.edt_called_at.required("When you called the Emergency Duty Team")
                 if self.edt_called.isChecked() else None),
                self.safeguarding_actions.toPlainText())
        roles = tuple(self.roles.item(i).text() for i in range(self.roles.count())
                      if self.roles.item(i).checkState() == Qt.CheckState.Checked)
        return ContactRecord(
            kind=self.kind.currentData(), occurred_at=self.when.required("Date and time of the contact"),
            duration_minutes=self.duration.value(), parent_initials=self.initials.text().strip(),
            roles_present=roles, summary=self.summary.toPlainText(), agreed_actions=actions,
            consents=tuple(consents), safeguarding=safeguarding,
            handwritten_notes_destroyed=self.notes_destroyed.isChecked(),
            explained=self.explained.isChecked(), records_consent=self.records_consent.isChecked(),
        )

    def _check_phone(self, *_: object) -> None:
        """For a telephone contact: the 141 reminder, and a warning when the call was outside
        9am–5pm on a weekday. A pointer only."""
        if self.kind.currentData() != ContactKind.TELEPHONE:
            self.phone_note.setText("")
            self.phone_note.setStyleSheet("")
            return
        when = self.when.value()
        if when is not None and outside_calling_hours(when):
            self.phone_note.setText(f"This call was at {when:%H:%M} on {when:%A}. {CALLING_HOURS}")
            self.phone_note.setStyleSheet("color: #8a4b00;")
        else:
            self.phone_note.setText(DIAL_141)
            self.phone_note.setStyleSheet("")

    def _check_consents(self, *_: object) -> None:
        """Point out an action that involves a professional with no consent for them recorded in
        this record or an earlier one of the case. A pointer only: saving is never stopped."""
        if self._loading:
            return
        actions = [AgreedAction(what, who, None, self.action_rows.done_at(row))
                   for row, (what, who, _by, _done) in self.action_rows.filled_rows()]
        here = [Consent(with_whom, how, clock.today()) for with_whom, how, _given in self.consent_rows.rows()]
        gaps = consent_gaps(actions, here + self.case_consents)
        if not gaps:
            self.consent_check.setText("")
            self.consent_check.setStyleSheet("")
            return
        more = f" And {len(gaps) - 1} more." if len(gaps) > 1 else ""
        self.consent_check.setText(f"Consent not recorded: {gaps[0].sentence()}{more} Add the consent if "
                                   "the parent gave it.")
        self.consent_check.setStyleSheet("color: #8a4b00;")

    # -- actions -------------------------------------------------------------------------------
    def autosave(self) -> None:
        if not self._dirty or self.case_id is None:
            return
        try:
            record = self.current_record()
            self.record_id = self.book.save_draft(self.record_id, self.case_id, record)
        except InputError:
            return  # a half-typed date: the next autosave after it is fixed catches up
        except VaultError as exc:
            self.message.setText(str(exc))
            return
        self._dirty = False
        self.draft_state.setText(f"Draft saved {clock.now():%H:%M:%S}")
        self.changed.emit()

    def flush(self) -> None:
        """Write pending typing now (before switching records, locking or quitting)."""
        self.autosave()

    def save(self) -> None:
        if self.case_id is None:
            return
        try:
            record = self.current_record()
            record_id = self.book.save(self.record_id, self.case_id, record, self.kept)
        except UnresolvedFindings as exc:
            self.pii.show_findings(exc.findings)
            QTimer.singleShot(0, lambda: self.scroll_area.ensureWidgetVisible(self.pii, 0, 0))  # where to look next
            self.message.setText(str(exc))
            return
        except VaultError as exc:
            self.message.setText(str(exc))
            return
        self.record_id = record_id
        self._dirty = False
        self.pii.show_findings([])
        urgent = record.has_safeguarding_concern
        if self.book.enrolled():
            self.message.setText("Saved. Waiting to go to the office" + (" first (safeguarding)." if urgent else "."))
        else:
            self.message.setText(NOT_ENROLLED_SAVED + (" Phone your PPO now about the safeguarding concern."
                                                       if urgent else ""))
        self.draft_state.setText("")
        self.saved.emit(record_id)

    def discard(self) -> None:
        """Asks first; then the draft goes from the vault and from the case's list."""
        answer = QMessageBox.question(self, "Discard draft", "Discard this draft? What you typed in it is deleted "
                                      "from this computer and cannot be got back.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        record_id = self.record_id
        if record_id is not None:
            try:
                self.book.discard_draft(record_id)
            except VaultError as exc:
                self.message.setText(str(exc))
                return
        self.clear()
        self.discarded.emit(record_id or "")
        self.changed.emit()

    def _replace(self, finding: FieldFinding, replacement: str) -> None:
        record = self.current_record()
        current = record.text_fields()[finding.field]
        self._apply_field(finding.field, apply_replacement(current, finding.finding, replacement), record)
        self.save()
        self._focus_after_fix(finding.field)

    def _replace_all(self, findings: list[FieldFinding]) -> None:
        """Every finding by its suggestion (roles for professionals, initials for others), then save."""
        record = self.current_record()
        by_field: dict[str, list[FieldFinding]] = {}
        for finding in findings:
            by_field.setdefault(finding.field, []).append(finding)
        for field, found in by_field.items():
            current = record.text_fields().get(field)
            if current is not None:
                self._apply_field(field, apply_all(current, [f.finding for f in found]), record)
        self.save()
        self._focus_after_fix(findings[0].field if findings else "summary")

    def _keep(self, finding: FieldFinding, reason: KeepReason) -> None:
        self.kept.append(Kept(finding.field, finding.finding.text, reason))
        self.save()
        self._focus_after_fix(finding.field)

    def _focus_after_fix(self, field: str) -> None:
        """The button pressed has gone with its row: the keyboard goes to the next detail to
        decide on, or back to the text that was fixed (Qt would move it to the search box)."""
        if self.pii.isVisible() and self.pii.rows:
            self.pii.rows[0].fix.setFocus()
        elif field == "safeguarding.actions":
            self.safeguarding_actions.setFocus()
        else:
            self.summary.setFocus()

    def _apply_field(self, field: str, value: str, record: ContactRecord) -> None:
        updated = record.with_text_field(field, value)
        if field == "summary":
            cursor = self.summary.textCursor()
            cursor.select(cursor.SelectionType.Document)
            cursor.insertText(value)  # keeps Ctrl+Z able to undo the replacement
        elif field == "parent_initials":
            self.initials.setText(value)
        elif field == "safeguarding.actions":
            self.safeguarding_actions.setPlainText(value)
        else:
            head, index, attr = field.split(".")
            table = self.action_rows if head == "action" else self.consent_rows
            col = {"what": 0, "who": 1, "with_whom": 0}[attr]
            row = table.filled_rows()[int(index)][0]  # blank rows are not in the record
            table.set_text_at(row, col, value)
        assert updated.text_fields()[field] == value

    def stop(self) -> None:
        """No more autosaves: the vault is about to close for good."""
        self._autosave.stop()
        self.clear()

    def clear(self) -> None:
        """Forget everything shown (lock, case closed). Pending typing must be flushed first."""
        self._loading = True
        self.case_id = self.record_id = None
        self.kept = []
        self.summary.clear()
        self.initials.clear()
        self.action_rows.setRowCount(0)
        self.consent_rows.setRowCount(0)
        self.safeguarding.setChecked(False)
        self.safeguarding_actions.clear()
        self.pii.show_findings([])
        self.message.clear()
        self.draft_state.clear()
        self.attachment_list.clear()
        self._loading = False
        self._dirty = False
        self._show_editing(False)

    # -- attachments -----------------------------------------------------------------------------
    def _refresh_attachments(self) -> None:
        self.attachment_list.clear()
        if self.record_id is None:
            return
        for info in self.book.attachments(self.record_id):
            self.attachment_list.addItem(f"{info.name} · {info.size / 1024:.0f} KB · added {info.added_at:%d/%m/%Y}")

    def note_to_forward(self) -> ForwardDialog | None:
        """The parent's copy of this record's agreed actions, or any note, for the PPO to forward."""
        if self.case_id is None:
            return None
        try:
            record = self.current_record()
        except InputError as exc:
            self.message.setText(str(exc))
            return None
        reference = self.book.cases.reference_of(self.case_id) or ""
        dialog = ForwardDialog(self.session, self.case_id, reference, record.agreed_actions,
                               record.occurred_at.date(), self)
        dialog.sent.connect(lambda _id: self.message.setText(
            "The note is waiting to go to your PPO, who forwards it. It leaves this laptop once the office has it."))
        dialog.sent.connect(lambda _id: self.changed.emit())
        dialog.open()
        return dialog

    def choose_attachment(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Attach a scanned letter", str(documents_folder()), SCAN_FILTER)
        if name:
            self.attach(Path(name))

    def attach(self, path: Path) -> None:
        """Attach a file to this record, saving it as a draft first if it is new."""
        if self.case_id is None:
            return
        try:
            if self.record_id is None or self._dirty:
                self.record_id = self.book.save_draft(self.record_id, self.case_id, self.current_record())
                self._dirty = False
            self.book.attach_file(self.record_id, path)
        except VaultError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"“{path.name}” is now kept inside your encrypted notes. You can delete your copy.")
        self._refresh_attachments()
        self.changed.emit()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.case_id is not None and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.attach(Path(url.toLocalFile()))
        event.acceptProposedAction()
