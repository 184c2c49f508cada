"""The office policy editor: the ladder's timings, how long laptops keep records after the
office confirms them, and the mileage rates — each with the DESIGN default — signed into a new
key bundle that every laptop and the relay pick up at their next sync."""

from __future__ import annotations

from dataclasses import fields
from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...domain.escalation import DURESS_WORDS, LadderPolicy
from ...domain.expenses import ExpenseRates
from ...domain.references import DEFAULT_FORMAT, POLICY_KEY, normalise_reference, office_format
from ...domain.retention import RetentionPolicy
from ...domain.safeguarding import NUMBER_NAMES, SafeguardingNumbers, is_number
from ...domain.safeguarding import POLICY_KEY as SAFEGUARDING_KEY
from ...office.console import OfficeConsole
from ...office.service import OfficeError
from ...sync.transport import TransportError
from ..common.widgets import error_label

LADDER = ("grace", "grace_poor_reception", "ack_timeout", "manager_after", "family_after", "police_after")
RETENTION = ("open_case_max_days", "closed_case_days", "expense_days", "visit_days_after_close", "level1_days")
HINTS = {"open_case_max_days": "A volunteer's notes stay on the laptop while the case is open, for the whole case; "
                                "this is the most, counted from when the office has them, for a case left open.",
         "closed_case_days": "Days after the volunteer closes a case before its notes go from the laptop (the "
                              "handbook: as soon as the work with the family is finished, so 0)."}
# Royal Mail's letter deliveries: Monday to Saturday until 2025; second class since on weekdays only.
DELIVERY_DAYS = (("Monday to Saturday", "012345"), ("Monday to Friday", "01234"),
                 ("Monday, Wednesday and Friday", "024"), ("Tuesday and Thursday", "13"))
RATES = ("car_first", "car_after", "motorcycle", "bicycle", "passenger")
WORDS = {"grace": "PPO alerted (minutes after due)",
         "grace_poor_reception": "PPO alerted with poor reception (minutes after due)",
         "ack_timeout": "Unanswered: every office user and the service manager after (minutes)",
         "manager_after": "Service manager told (minutes after due)",
         "family_after": "Family contact told (minutes after due)",
         "police_after": "Police decision (minutes after due)",
         "cover_from": "Office cover from (HH:MM, working days)",
         "cover_until": "Office cover until (HH:MM)",
         "office_phone": "Office phone, for the ladder's messages",
         "duress_words": "What a duress alarm tells everyone",
         "open_case_max_days": "Open case's notes kept at most (days)",
         "closed_case_days": "Closed case's notes kept (days)",
         "expense_days": "Claims kept after the office has them (days)",
         "visit_days_after_close": "Visit records kept after the visit closes (days)",
         "level1_days": "Level 1 tallies kept (days)",
         "car_first": "Car, first 10,000 miles (£ a mile)", "car_after": "Car, after 10,000 miles (£ a mile)",
         "motorcycle": "Motorcycle (£ a mile)", "bicycle": "Bicycle (£ a mile)",
         "passenger": "Each passenger (£ a mile)",
         POLICY_KEY: "Case references look like"}


class PolicyDialog(QDialog):
    def __init__(self, console: OfficeConsole, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.setWindowTitle("Office policy")
        state = console.service.repo.state()
        self.policy: dict[str, Any] = dict(state.policy) if state else {}
        ladder = LadderPolicy.from_policy(self.policy)
        retention = RetentionPolicy.from_policy(self.policy)
        rates = ExpenseRates.from_policy(self.policy)
        self.numbers: dict[tuple[str, str], QSpinBox] = {}
        self.money: dict[str, QLineEdit] = {}
        layout = QVBoxLayout(self)
        columns = QHBoxLayout()  # the ladder on the left, the rest on the right: fits a 1366×768 screen
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout.addLayout(columns)
        for section, names, values, most in (("ladder", LADDER, ladder, 240), ("retention", RETENTION, retention,
                                                                                 3650)):
            box = QGroupBox("Overdue ladder" if section == "ladder" else "Removal from laptops")
            form = QFormLayout(box)
            for name in names:
                spin = QSpinBox()
                spin.setRange(0, most)
                spin.setValue(int(getattr(values, name)))
                spin.setAccessibleName(WORDS[name])
                spin.setToolTip(HINTS.get(name, ""))
                form.addRow(WORDS[name], spin)
                self.numbers[(section, name)] = spin
            if section == "ladder":
                self.cover_from = QLineEdit(ladder.cover_from.strftime("%H:%M"))
                self.cover_until = QLineEdit(ladder.cover_until.strftime("%H:%M"))
                self.office_phone = QLineEdit(ladder.office_phone)
                self.office_phone.setPlaceholderText("e.g. 01392 383080")
                self.duress_words = QLineEdit(ladder.duress_words)
                self.duress_words.setMinimumWidth(420)
                self.duress_words.setCursorPosition(0)
                for name, edit in (("cover_from", self.cover_from), ("cover_until", self.cover_until),
                                   ("office_phone", self.office_phone), ("duress_words", self.duress_words)):
                    edit.setAccessibleName(WORDS[name])
                    form.addRow(WORDS[name], edit)
                note = QLabel("Outside the office's cover, or with no office user to reach, the family contact and "
                              "the police decision are told at once with the PPO. An acknowledgement stops the "
                              "ladder.")
                note.setWordWrap(True)
            (left if section == "ladder" else right).addWidget(box)
            if section == "ladder":
                left.addWidget(note)  # outside the form: a wrapped label in a form row is cut short
        box = QGroupBox("Mileage rates (HMRC's approved amounts by default)")
        form = QFormLayout(box)
        for name in RATES:
            edit = QLineEdit(f"{getattr(rates, name):.2f}")
            edit.setAccessibleName(WORDS[name])
            form.addRow(WORDS[name], edit)
            self.money[name] = edit
        right.addWidget(box)
        box = QGroupBox("Posting the claim (for the last posting day laptops show)")
        form = QFormLayout(box)
        self.post_class = QComboBox()
        self.post_class.addItems(("second", "first"))
        self.post_class.setCurrentText(rates.post_class)
        self.post_class.setAccessibleName("Class of post")
        self.post_days = QSpinBox()
        self.post_days.setRange(0, 10)
        self.post_days.setValue(rates.post_days)
        self.post_days.setAccessibleName("Delivery days the post may take")
        self.delivered = QComboBox()
        for words, days in DELIVERY_DAYS:
            self.delivered.addItem(words, days)
        found = self.delivered.findData(rates.delivery_days)
        if found < 0:
            self.delivered.addItem(rates.delivered_words, rates.delivery_days)
            found = self.delivered.count() - 1
        self.delivered.setCurrentIndex(found)
        self.delivered.setAccessibleName("Letters are delivered on")
        form.addRow("Class of post", self.post_class)
        form.addRow("Delivery days it may take", self.post_days)
        form.addRow("Letters are delivered on", self.delivered)
        right.addWidget(box)
        box = QGroupBox("Case references")
        form = QFormLayout(box)
        self.reference = QLineEdit(str(self.policy.get(POLICY_KEY, "")))
        self.reference.setPlaceholderText(f"e.g. {DEFAULT_FORMAT.example}")
        self.reference.setAccessibleName(WORDS[POLICY_KEY])
        self.reference.setToolTip("Type one of the service's case references. Laptops then accept only references "
                                  "of the same shape (letters, digits and punctuation in the same places), so a "
                                  "name can never be typed as a reference.")
        form.addRow(WORDS[POLICY_KEY], self.reference)
        left.addWidget(box)  # the left column has room under the ladder: the dialog fits a 1366×768 screen
        box = QGroupBox("Safeguarding numbers (shown in each laptop's safeguarding steps)")
        form = QFormLayout(box)
        numbers = SafeguardingNumbers.from_policy(self.policy)
        self.safeguarding: dict[str, QLineEdit] = {}
        for name, words in NUMBER_NAMES.items():
            edit = QLineEdit(getattr(numbers, name))
            edit.setAccessibleName(words)
            edit.setMaxLength(24)
            form.addRow(words, edit)
            self.safeguarding[name] = edit
        left.addWidget(box)
        left.addStretch(1)
        right.addStretch(1)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        assert {f.name for f in fields(LadderPolicy)} >= set(LADDER)

    def save(self) -> bool:
        policy = {k: (dict(v) if isinstance(v, dict) else v) for k, v in self.policy.items()}
        for (section, name), spin in self.numbers.items():
            policy.setdefault(section, {})[name] = spin.value()
        ladder = policy.setdefault("ladder", {})
        for name, edit in (("cover_from", self.cover_from), ("cover_until", self.cover_until)):
            try:
                ladder[name] = time.fromisoformat(edit.text().strip()).strftime("%H:%M")
            except ValueError:
                self.error.setText(f"{WORDS[name]}: type a time like 09:00.")
                return False
        phone, words = self.office_phone.text().strip(), self.duress_words.text().strip()
        if phone and (len(phone) > 40 or not all(c.isdigit() or c in " +()-" for c in phone)):
            self.error.setText("Office phone: type the number, like 01392 383080.")
            return False
        ladder["office_phone"], ladder["duress_words"] = phone, words or DURESS_WORDS
        problems = LadderPolicy.parse(policy).problems()
        if problems:
            self.error.setText("The ladder cannot be saved: " + " ".join(problems))
            return False
        for name, edit in self.money.items():
            try:
                value = Decimal(edit.text().strip().replace("£", ""))
            except InvalidOperation:
                value = Decimal(-1)
            if not value.is_finite() or not 0 <= value <= 5:
                self.error.setText(f"{WORDS[name]}: type an amount like 0.45.")
                return False
            policy.setdefault("expenses", {})[name] = str(value)
        expenses = policy.setdefault("expenses", {})
        expenses["post_class"] = self.post_class.currentText()
        expenses["post_days"] = self.post_days.value()
        expenses["delivery_days"] = self.delivered.currentData()
        for name, edit in self.safeguarding.items():
            if edit.text().strip() and not is_number(edit.text()):
                self.error.setText(f"{NUMBER_NAMES[name]}: type the telephone number, like 0845 6000 388.")
                return False
        policy[SAFEGUARDING_KEY] = SafeguardingNumbers(
            **{name: edit.text().strip() for name, edit in self.safeguarding.items()}).to_policy()
        example = self.reference.text().strip()
        if example and office_format({POLICY_KEY: example}) is None:
            self.error.setText(f"{WORDS[POLICY_KEY]}: type one of the service's references, like "
                               f"{DEFAULT_FORMAT.example}.")
            return False
        if example:
            policy[POLICY_KEY] = normalise_reference(example)
        else:
            policy.pop(POLICY_KEY, None)
        try:
            bundle = self.console.service.set_policy(policy)
            self.console.transport().publish_bundle(bundle)
        except (OfficeError, TransportError) as exc:
            self.error.setText(f"Saved here, but not yet published: {exc}")
            return False
        self.accept()
        return True
