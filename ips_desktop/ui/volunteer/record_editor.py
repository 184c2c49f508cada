"""The contact record editor: every field of DESIGN §4, autosave, PII screening on save.

Autosave writes a draft into the vault every few seconds while there are unsaved changes,
so a crash or power cut loses at most that much typing. Saving screens the text first.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
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

from ...domain.pii import FieldFinding, KeepReason, apply_replacement
from ...domain.records import (
    CONSENT_HOW,
    ROLES,
    AgreedAction,
    Consent,
    ContactKind,
    ContactRecord,
    SafeguardingNote,
)
from ...store.casebook import CaseBook, InputError, Kept, UnresolvedFindings
from ...store.errors import VaultError
from .pii_panel import PiiPanel

log = logging.getLogger(__name__)

AUTOSAVE_MS = 3000
SCAN_FILTER = "Scans and documents (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;All files (*)"
EMPTY_EDITOR = ("No record open.\n\nChoose a record from the case's list, or press “New record” (Ctrl+Shift+N) "
                "after a call or meeting. Drafts save themselves every few seconds.")
SAFEGUARDING_STEPS = (
    "Handbook, “IPS and safeguarding”: make notes (mentally if not initially written) but do not "
    "ask leading questions; contact your PPO by telephone as soon as possible ({ppo}); if your PPO "
    "is not available contact another officer or the central office ({office}); out of hours, if "
    "you do not want to leave it to the next day, call the Emergency Duty Team ({edt}). Note your "
    "actions and pass them to your PPO as soon as possible. This record is sent first."
)


def _parse_uk_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise InputError(f"“{text}” is not a date: type it as day/month/year, e.g. 05/12/2026.") from None


def _qdt(value: datetime) -> QDateTime:
    return QDateTime.fromString(value.strftime("%Y-%m-%dT%H:%M:%S"), Qt.DateFormat.ISODate)


def _py(value: QDateTime) -> datetime:
    return datetime.fromisoformat(value.toString(Qt.DateFormat.ISODate)).replace(tzinfo=None)


class _RowTable(QTableWidget):
    def __init__(self, headers: tuple[str, ...], name: str) -> None:
        super().__init__(0, len(headers))
        self.setHorizontalHeaderLabels(list(headers))
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().hide()
        self.setAccessibleName(name)
        self.setMinimumHeight(90)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)

    def add_row(self, values: tuple[str, ...]) -> None:
        row = self.rowCount()
        self.insertRow(row)
        for col, value in enumerate(values):
            self.setItem(row, col, QTableWidgetItem(value))

    def rows(self) -> list[tuple[str, ...]]:
        out = []
        for row in range(self.rowCount()):
            values = tuple((self.item(row, c).text() if self.item(row, c) else "").strip()
                           for c in range(self.columnCount()))
            if any(values):
                out.append(values)
        return out


class RecordEditor(QWidget):
    saved = Signal(str)  # record id
    changed = Signal()  # draft written (lists may refresh)

    def __init__(self, book: CaseBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
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
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.kind = QComboBox()
        for kind in ContactKind:
            self.kind.addItem(kind.value.capitalize(), kind)
        self.kind.setAccessibleName("Kind of contact")
        self.when = QDateTimeEdit()
        self.when.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.when.setCalendarPopup(True)
        self.when.setAccessibleName("Date and time")
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
        self.summary = QPlainTextEdit()
        self.summary.setAccessibleName("Summary")
        self.summary.setPlaceholderText(
            "Objective, succinct and careful: what was discussed and decided. "
            "Roles and initials, never names.")
        self.summary.setMinimumHeight(140)
        self.actions = _RowTable(("Action", "Who (role)", "By when (dd/mm/yyyy)"), "Agreed actions")
        self.consents = _RowTable(("With (role or agency)", "How given", "Date (dd/mm/yyyy)"), "Consents")
        add_action = QPushButton("Add action")
        add_action.clicked.connect(lambda: self.actions.add_row(("", "IPS", "")))
        add_consent = QPushButton("Add consent")
        add_consent.clicked.connect(
            lambda: self.consents.add_row(("", CONSENT_HOW[0], date.today().strftime("%d/%m/%Y"))))
        self.safeguarding = QCheckBox("Safeguarding concern")
        self.safeguarding.setAccessibleName("Safeguarding concern")
        self.safeguarding_box = QGroupBox("Safeguarding: what to do")
        self.safeguarding_steps = QLabel()
        self.safeguarding_steps.setWordWrap(True)
        self.ppo_told = QCheckBox("PPO told by phone at")
        self.ppo_told_at = QDateTimeEdit()
        self.ppo_told_at.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.edt_called = QCheckBox("Emergency Duty Team called at")
        self.edt_called_at = QDateTimeEdit()
        self.edt_called_at.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.safeguarding_actions = QPlainTextEdit()
        self.safeguarding_actions.setAccessibleName("Safeguarding actions taken")
        self.safeguarding_actions.setPlaceholderText("What you did and who you spoke to (roles).")
        self.safeguarding_actions.setMaximumHeight(70)
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
        attach.setToolTip("Or drop the file here. Kept inside the encrypted vault, 25 MB at most.")
        attach.clicked.connect(self.choose_attachment)
        self.setAcceptDrops(True)

        self.pii = PiiPanel()
        self.pii.replace_requested.connect(self._replace)
        self.pii.keep_requested.connect(self._keep)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Editor message")
        self.draft_state = QLabel()
        self.save_button = QPushButton("Save and queue for the office")
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
        form.addRow("Parent initials", self.initials)
        form.addRow("Roles present", self.roles)
        form.addRow("Summary", self.summary)
        form.addRow("Agreed actions", self.actions)
        form.addRow("", add_action)
        form.addRow("Consents", self.consents)
        form.addRow("", add_consent)
        form.addRow(self.safeguarding)
        form.addRow(self.safeguarding_box)
        form.addRow(self.notes_destroyed)
        form.addRow("Scanned letters", self.attachment_list)
        form.addRow("", attach)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.addLayout(form)
        inner_layout.addWidget(self.pii)
        inner_layout.addStretch()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
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
        self.empty.setAccessibleName("No record open")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(editing)
        QVBoxLayout(self).addWidget(self.pages)

        for signal in (self.kind.currentIndexChanged, self.when.dateTimeChanged, self.duration.valueChanged,
                       self.initials.textChanged, self.roles.itemChanged, self.summary.textChanged,
                       self.actions.itemChanged, self.consents.itemChanged, self.safeguarding.toggled,
                       self.ppo_told.toggled, self.edt_called.toggled, self.safeguarding_actions.textChanged,
                       self.notes_destroyed.toggled):
            signal.connect(self._mark_dirty)
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
        self.safeguarding_steps.setText(SAFEGUARDING_STEPS.format(
            ppo=settings.ppo_phone or "your PPO's number", office=settings.office_phone, edt=settings.edt_phone))
        record = record or ContactRecord(ContactKind.TELEPHONE, datetime.now().replace(second=0, microsecond=0))
        self.kind.setCurrentIndex(list(ContactKind).index(record.kind))
        self.when.setDateTime(_qdt(record.occurred_at))
        self.duration.setValue(record.duration_minutes)
        self.initials.setText(record.parent_initials)
        for i in range(self.roles.count()):
            item = self.roles.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text() in record.roles_present
                               else Qt.CheckState.Unchecked)
        self.summary.setPlainText(record.summary)
        self.actions.setRowCount(0)
        for a in record.agreed_actions:
            self.actions.add_row((a.what, a.who, a.by_when.strftime("%d/%m/%Y") if a.by_when else ""))
        self.consents.setRowCount(0)
        for c in record.consents:
            self.consents.add_row((c.with_whom, c.how_given, c.given_on.strftime("%d/%m/%Y")))
        sg = record.safeguarding
        self.safeguarding.setChecked(sg is not None)
        self.ppo_told.setChecked(bool(sg and sg.ppo_told_at))
        self.ppo_told_at.setDateTime(_qdt(sg.ppo_told_at if sg and sg.ppo_told_at else datetime.now()))
        self.edt_called.setChecked(bool(sg and sg.edt_called_at))
        self.edt_called_at.setDateTime(_qdt(sg.edt_called_at if sg and sg.edt_called_at else datetime.now()))
        self.safeguarding_actions.setPlainText(sg.actions if sg else "")
        self.notes_destroyed.setChecked(record.handwritten_notes_destroyed)
        self.pii.show_findings([])
        self.message.clear()
        self._loading = False
        self._dirty = False
        self.draft_state.setText("")
        self._refresh_attachments()
        self._show_editing(True)
        self.summary.setFocus()

    def current_record(self) -> ContactRecord:
        actions = tuple(AgreedAction(what, who, _parse_uk_date(by))
                        for what, who, by in self.actions.rows())
        consents = []
        for with_whom, how, given in self.consents.rows():
            given_on = _parse_uk_date(given)
            if given_on is None:
                raise InputError("Each consent needs the date it was given (day/month/year).")
            consents.append(Consent(with_whom, how, given_on))
        safeguarding = None
        if self.safeguarding.isChecked():
            safeguarding = SafeguardingNote(
                _py(self.ppo_told_at.dateTime()) if self.ppo_told.isChecked() else None,
                _py(self.edt_called_at.dateTime()) if self.edt_called.isChecked() else None,
                self.safeguarding_actions.toPlainText())
        roles = tuple(self.roles.item(i).text() for i in range(self.roles.count())
                      if self.roles.item(i).checkState() == Qt.CheckState.Checked)
        return ContactRecord(
            kind=self.kind.currentData(), occurred_at=_py(self.when.dateTime()),
            duration_minutes=self.duration.value(), parent_initials=self.initials.text().strip(),
            roles_present=roles, summary=self.summary.toPlainText(), agreed_actions=actions,
            consents=tuple(consents), safeguarding=safeguarding,
            handwritten_notes_destroyed=self.notes_destroyed.isChecked(),
        )

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
        self.draft_state.setText(f"Draft saved {datetime.now():%H:%M:%S}")
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
            self.message.setText(str(exc))
            return
        except VaultError as exc:
            self.message.setText(str(exc))
            return
        self.record_id = record_id
        self._dirty = False
        self.pii.show_findings([])
        urgent = record.has_safeguarding_concern
        self.message.setText("Saved and queued for the office" + (" first (safeguarding)." if urgent else "."))
        self.draft_state.setText("")
        self.saved.emit(record_id)

    def discard(self) -> None:
        if self.record_id is not None:
            try:
                self.book.discard_draft(self.record_id)
            except VaultError as exc:
                self.message.setText(str(exc))
                return
        self.clear()
        self.changed.emit()

    def _replace(self, finding: FieldFinding, replacement: str) -> None:
        record = self.current_record()
        current = record.text_fields()[finding.field]
        self._apply_field(finding.field, apply_replacement(current, finding.finding, replacement), record)
        self.save()

    def _keep(self, finding: FieldFinding, reason: KeepReason) -> None:
        self.kept.append(Kept(finding.field, finding.finding.text, reason))
        self.save()

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
            table = self.actions if head == "action" else self.consents
            col = {"what": 0, "who": 1, "with_whom": 0}[attr]
            table.item(int(index), col).setText(value)
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
        self.actions.setRowCount(0)
        self.consents.setRowCount(0)
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

    def choose_attachment(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Attach a scanned letter", "", SCAN_FILTER)
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
        self.message.setText(f"“{path.name}” is now kept inside the vault. You can delete your copy.")
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
