"""The console's other tabs: enrolment and devices, visit plans to approve, the inbox by case
reference, and claims to review. Each reads the office console's core and refreshes itself
after every action it takes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...crypto.wire import fingerprint
from ...domain.risk import ADVICE, QUESTIONS, Factor
from ...domain.typed_when import read_date
from ...domain.words import counted
from ...office.console import OfficeConsole, PlanToApprove
from ...office.difficulties import DECISIONS, INCIDENT, Difficulty, mark_words
from ...office.service import OfficeError
from ...store.errors import VaultError
from ...sync.transport import TransportError
from ..common.widgets import button_row, chosen_row, message_label
from ..volunteer.phone_link import qr_pixmap
from .decide import DecideDialog

PROBLEMS = (OfficeError, VaultError, TransportError, ValueError)
# Runs an action on the records' lane with that worker's console (docs/architecture.md, "Threads"):
# (action, on done, on failed), the callbacks on the GUI thread.
Background = Callable[[Callable[[OfficeConsole], object], Callable[[object], None], Callable[[Exception], None]],
                      None]


def make_table(headers: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _row(table: QTableWidget) -> int | None:
    return chosen_row(table)


def fill_table(table: QTableWidget, rows: Sequence[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.setItem(r, c, QTableWidgetItem(text))


class ConsoleTab(QWidget):
    changed = Signal()

    def __init__(self, console: OfficeConsole, who: Callable[[], str], parent: QWidget | None = None,
                 background: Background | None = None) -> None:
        super().__init__(parent)
        self.console, self.who, self.background = console, who, background
        self.sending = False

    def _try(self, act: Callable[[], object], done: str = "") -> bool:
        try:
            act()
        except PROBLEMS as exc:
            QMessageBox.warning(self, self.windowTitle() or "Office", str(exc))
            return False
        if done:
            QMessageBox.information(self, "Office", done)
        self.refresh()
        self.changed.emit()
        return True

    def _send(self, act: Callable[[OfficeConsole], object], done: str = "") -> None:
        """An action that reaches the relay or the drop folder: on the records' lane when the
        window gave one (a slow relay never freezes the console), refreshing when it is done."""
        if self.background is None:
            self._try(lambda: act(self.console), done)
            return
        self.sending = True

        def finished(_: object) -> None:
            self.sending = False
            if done:
                QMessageBox.information(self, "Office", done)
            self.refresh()
            self.changed.emit()

        def failed(exc: Exception) -> None:
            self.sending = False
            QMessageBox.warning(self, self.windowTitle() or "Office", str(exc) if isinstance(exc, PROBLEMS)
                                else "That did not work, and nothing was changed. Try again.")
            self.refresh()

        self.background(act, finished, failed)

    def refresh(self) -> None:
        raise NotImplementedError


def invite_words(label: str, code: str) -> str:
    """What the PPO sends the volunteer with an invite."""
    return (f"Invite for {label}: in IPS Desktop choose Sync ▸ Enrol with the office… and paste this code. "
            "It works once, for 24 hours. Then ring me: we read the six digits on our screens to each "
            "other.\n\n" + code)


class DevicesTab(ConsoleTab):
    def __init__(self, console: OfficeConsole, who: Callable[[], str], parent: QWidget | None = None,
                 background: Background | None = None) -> None:
        super().__init__(console, who, parent, background)
        self.setWindowTitle("Devices")
        invite = QPushButton("New invite…")
        invite.clicked.connect(self.new_invite)
        self.invite_text = QPlainTextEdit()
        self.invite_text.setReadOnly(True)
        self.invite_text.setAccessibleName("Invite to send")
        self.invite_text.setMaximumHeight(110)
        self.invite_code = QLabel()
        self.invite_code.setAccessibleName("QR code of the invite")
        self.pending = make_table(("Volunteer", "Six digits to compare"), "Enrolments waiting")
        accept = QPushButton("The digits match: accept")
        accept.clicked.connect(self.accept)
        refuse = QPushButton("Refuse")
        refuse.clicked.connect(self.refuse)
        self.devices = make_table(("Volunteer", "Device", "Enrolled", "State", "Certificates of deletion"),
                              "Enrolled laptops")
        revoke = QPushButton("Revoke…")
        revoke.clicked.connect(self.revoke)
        rotate = QPushButton("Rotate the office keys…")
        rotate.setToolTip("New encryption and receipt keys, signed by the root key; laptops pick them up at their "
                          "next sync. Back up the keys again afterwards.")
        rotate.clicked.connect(self.rotate)
        root = console.service.root_public()
        self.root_key = message_label("Office root key", root.hex())
        self.root_key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.root_key.setStyleSheet("font-family: monospace;")
        relay_note = QLabel(f"Relay set-up: the relay is started with this office root key "
                            f"(<code>ips-relay serve --office-root …</code>; fingerprint {fingerprint(root)}). "
                            "<code>ips-office root-key</code> prints it too.")
        relay_note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(relay_note)
        layout.addWidget(self.root_key)
        top = QHBoxLayout()
        top.addWidget(invite)
        top.addWidget(self.invite_text, 1)
        top.addWidget(self.invite_code)
        layout.addLayout(top)
        layout.addWidget(QLabel("Waiting for the phone check of the six digits:"))
        layout.addWidget(self.pending)
        layout.addLayout(button_row(accept, refuse))
        layout.addWidget(QLabel("Enrolled laptops:"))
        layout.addWidget(self.devices)
        layout.addLayout(button_row(revoke, rotate))
        self.refresh()

    def refresh(self) -> None:
        self.waiting = self.console.service.pending_enrolments()
        fill_table(self.pending, [(p.label, p.sas) for p in self.waiting])
        self.rows = self.console.service.repo.devices()
        fill_table(self.devices, [(d.label, d.device_kid.hex()[:12], f"{d.enrolled_at:%d/%m/%Y}",
                              f"revoked {d.revoked_at:%d/%m/%Y}" if d.revoked_at else "active",
                              self._certificates(d.device_kid)) for d in self.rows])

    def _certificates(self, device_kid: bytes) -> str:
        certificates = self.console.purge_certificates(device_kid)
        removed = sum(entries for _, _, entries in certificates)
        return f"{len(certificates)}, for {counted(removed, 'record')} removed" if certificates else "none yet"

    def new_invite(self, label: str | None = None) -> str | None:
        if not isinstance(label, str):
            label, ok = QInputDialog.getText(self, "New invite", "The volunteer's IPS code (never a name):")
            if not ok or not label.strip():
                return None
        code = self.console.service.make_invite(label.strip()).code()
        self.invite_text.setPlainText(invite_words(label.strip(), code))
        self.invite_code.setPixmap(qr_pixmap(code, scale=3))
        return code

    def accept(self) -> None:
        row = _row(self.pending)
        if row is not None and row < len(self.waiting):
            invite_id = self.waiting[row].invite_id
            self._send(lambda console: console.accept(invite_id))

    def refuse(self) -> None:
        row = _row(self.pending)
        if row is not None and row < len(self.waiting):
            invite_id = self.waiting[row].invite_id
            self._try(lambda: self.console.service.refuse_enrolment(invite_id))

    def rotate(self) -> None:
        answer = QMessageBox.question(self, "Rotate keys", "Make new office keys now? Laptops change over at their "
                                      "next sync. Back up the keys again straight afterwards.")
        if answer == QMessageBox.StandardButton.Yes:
            self._send(lambda console: console.transport().publish_bundle(console.service.rotate()),
                      "New keys published. Back up the office keys again (Office ▸ Back up keys…).")

    def revoke(self) -> None:
        row = _row(self.devices)
        if row is None or row >= len(self.rows):
            return
        device = self.rows[row]
        answer = QMessageBox.question(self, "Revoke", f"Revoke {device.label}'s laptop? It can send nothing more "
                                      "until it is enrolled again.")
        if answer == QMessageBox.StandardButton.Yes:
            self._send(lambda console: console.transport().publish_bundle(console.service.revoke(device.device_kid)))


def uk_time(iso: object) -> str:
    try:
        return datetime.fromisoformat(str(iso)).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return str(iso)


def describe_plan(plan: PlanToApprove) -> str:
    body = plan.plan
    slot = body.get("slot", {})
    lines = [f"Volunteer {plan.label}, case {plan.reference}",
             f"When: {uk_time(slot.get('start', ''))} for {slot.get('minutes')} minutes",
             f"Where: {body.get('place', '')}", f"Meeting: {', '.join(body.get('attendees', [])) or '—'}",
             f"Vehicle: {body.get('vehicle', '') or '—'}", "", "Risk answers:"]
    risk = set(body.get("risk", []))
    for factor in Factor:
        answer = "YES" if factor.value in risk else "no"
        lines.append(f"  {QUESTIONS[factor]} {answer}" + (f" — {ADVICE[factor]}" if factor.value in risk else ""))
    return "\n".join(lines)


class VisitsTab(ConsoleTab):
    def __init__(self, console: OfficeConsole, who: Callable[[], str], parent: QWidget | None = None,
                 background: Background | None = None) -> None:
        super().__init__(console, who, parent, background)
        self.setWindowTitle("Visits to approve")
        self.table = make_table(("Volunteer", "Case", "When", "Risk flags"), "Home visits to approve")
        self.table.itemSelectionChanged.connect(self._show)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName("Visit plan")
        self.checks = QPlainTextEdit()
        self.checks.setAccessibleName("The office's own pre-visit check")
        self.checks.setPlaceholderText("The office's own check, e.g. “Case file and previous visits checked: "
                                       "nothing of concern.” Handbook: if anything of concern, the case is not "
                                       "suitable for a home visit.")
        self.checks.setMaximumHeight(80)
        approve = QPushButton("Approve")
        approve.clicked.connect(self.approve)
        refuse = QPushButton("Refuse…")
        refuse.clicked.connect(self.refuse)
        self.empty = QLabel("No home visits waiting for approval.")
        self.incidents = make_table(("Volunteer", "Case", "Received", "What", "HSE report", "File", "What happened"),
                                    "Difficult visits and incidents")
        self.incidents.setMaximumHeight(150)
        self.difficulties: list[Difficulty] = []
        mark = QPushButton("Mark the file…")
        mark.setToolTip("Handbook: the PPO should mark the file so that others visiting are forewarned")
        mark.clicked.connect(lambda: self.mark_file())
        hse = QPushButton("Reported to the HSE…")
        hse.clicked.connect(lambda: self.hse_reported())
        decide = QPushButton("Continue or stop the case…")
        decide.clicked.connect(lambda: self.decide())
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(split, 1)
        layout.addWidget(self.checks)
        layout.addLayout(button_row(approve, refuse))
        layout.addWidget(QLabel("Difficult visits and incidents (Form PO3: the HSE report is due within 10 days; "
                                "the Senior Manager must be told):"))
        layout.addWidget(self.incidents)
        layout.addLayout(button_row(mark, hse, decide))
        self.refresh()

    def refresh(self) -> None:
        self.difficulties = self.console.difficulties()
        fill_table(self.incidents, [
            (d.label, d.reference, f"{d.received_at:%d/%m/%Y %H:%M}", d.kind, d.hse_words,
             "marked" if self.console.file_marks(d.reference) else "not marked", d.words[:120])
            for d in self.difficulties])
        self.plans = self.console.plans_to_approve()
        fill_table(self.table, [(p.label, p.reference, uk_time(p.plan.get("slot", {}).get("start", "")),
                            ", ".join(p.plan.get("risk", [])) or "none") for p in self.plans])
        self.empty.setVisible(not self.plans)
        self._show()

    def chosen(self) -> PlanToApprove | None:
        row = _row(self.table)
        return self.plans[row] if row is not None and row < len(self.plans) else None

    def _show(self) -> None:
        plan = self.chosen()
        if plan is None:
            self.detail.setPlainText("")
            return
        missing = self.console.readiness(plan.label, plan.plan)
        ready = ("Ladder: ready — every step reaches someone." if not missing else
                 "LADDER NOT READY:\n  " + "\n  ".join(missing) + "\n  Set them under Office ▸ Ladder contacts…")
        marked = mark_words(self.console.file_marks(plan.reference))
        self.detail.setPlainText((marked + "\n\n" if marked else "") + describe_plan(plan) + "\n\n" + ready)

    def chosen_difficulty(self) -> Difficulty | None:
        row = _row(self.incidents)
        return self.difficulties[row] if row is not None and row < len(self.difficulties) else None

    def mark_file(self, reason: str | None = None) -> None:
        found = self.chosen_difficulty()
        if found is None:
            QMessageBox.information(self, "Mark the file", "Choose the difficult visit or incident first.")
            return
        if not isinstance(reason, str):
            reason, ok = QInputDialog.getText(
                self, "Mark the file", f"Case {found.reference}: what should others visiting be forewarned about?",
                text=found.words[:200])
            if not ok:
                return
        who = self.who()
        self._try(lambda: self.console.mark_file(found.reference, reason, who))

    def hse_reported(self, on: date | None = None) -> None:
        found = self.chosen_difficulty()
        if found is None or found.kind != INCIDENT:
            QMessageBox.information(self, "Reported to the HSE", "Choose the incident (Form PO3) first.")
            return
        if on is None:
            text, ok = QInputDialog.getText(self, "Reported to the HSE", "The day it was reported (day/month/year):",
                                            text=f"{clock.today():%d/%m/%Y}")
            if not ok:
                return
            on = read_date(text, clock.today())
            if on is None:
                QMessageBox.warning(self, "Reported to the HSE", f"“{text}” is not a date: type it like 07/12/2026.")
                return
        day, who = on, self.who()
        self._try(lambda: self.console.hse_reported(found.record_id, day, who))

    def decide(self) -> DecideDialog | None:
        """After a difficult visit or an incident: the case continues, or stops (the volunteer is told)."""
        found = self.chosen_difficulty()
        if found is None or found.reference == "—":
            QMessageBox.information(self, "Continue or stop", "Choose the difficult visit or incident first.")
            return None
        who, kid, ref, label = self.who(), found.device_kid, found.reference, found.label

        def decided(decision: str, note: str) -> None:
            self._send(lambda console: console.decide_case(kid, ref, decision, note, who),
                       f"{label} is told to {DECISIONS[decision]} {ref} at their laptop's next sync.")

        dialog = DecideDialog(ref, label, decided, self)
        dialog.open()
        return dialog

    def approve(self) -> None:
        plan = self.chosen()
        if plan is not None:
            who, checks = self.who(), self.checks.toPlainText().strip()
            self._send(lambda console: console.approve(plan, who, checks))
            self.checks.clear()

    def refuse(self, reason: str | None = None) -> None:
        plan = self.chosen()
        if plan is None:
            return
        if not isinstance(reason, str):
            reason, ok = QInputDialog.getText(self, "Refuse the visit", "Why (the volunteer sees this)?")
            if not ok:
                return
        who = self.who()
        self._send(lambda console: console.refuse(plan, who, reason))
