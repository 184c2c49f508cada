"""Who the overdue ladder tells (DESIGN §6): the PPO, the service manager, the police decision
desk, every office user, and each volunteer's nominated family contact. Kept in the office
vault and sent to the relay, which runs the ladder."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain.addresses import display_mobile, uk_mobile
from ...office.console import OfficeConsole
from ...office.service import OfficeError
from ...sync.transport import TransportError
from ..common.widgets import error_label


def _split(text: str) -> list[str]:
    return [a.strip() for a in text.replace(";", ",").split(",") if a.strip()]


class ContactsDialog(QDialog):
    def __init__(self, console: OfficeConsole, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.setWindowTitle("Ladder contacts")
        now = console.contacts()
        tiers, sms = now.get("tiers", {}), now.get("sms", {})

        def both(tier: str) -> QLineEdit:  # e-mail addresses, then mobiles for SMS
            edit = QLineEdit(", ".join([*tiers.get(tier, []), *(display_mobile(n) for n in sms.get(tier, []))]))
            edit.setPlaceholderText("e-mail and/or UK mobile (SMS), separated by commas")
            return edit

        self.ppo, self.manager, self.police = both("1"), both("2"), both("4")
        self.office = QLineEdit(", ".join(now.get("office", [])))
        family = now.get("family", {})
        self.family = QPlainTextEdit("\n".join(f"{label}: {', '.join(v)}" for label, v in family.items()))
        self.family.setPlaceholderText("One volunteer a line, e-mail and/or UK mobile, e.g.\n"
                                       "IPS-07: partner@example.org, 07700 900123")
        for widget, name in ((self.ppo, "PPO e-mail"), (self.manager, "Service manager e-mail"),
                             (self.police, "Police decision e-mail"), (self.office, "Every office user"),
                             (self.family, "Family contacts")):
            widget.setAccessibleName(name)
        self.error = error_label()
        ladder = console.ladder()
        form = QFormLayout()
        form.addRow(f"PPO (due + {ladder.grace} min)", self.ppo)
        form.addRow(f"Every office user (unanswered {ladder.ack_timeout} min)", self.office)
        form.addRow(f"Service manager (+{ladder.manager_after} min)", self.manager)
        form.addRow(f"Family contacts (+{ladder.family_after} min, or at once out of hours)", self.family)
        form.addRow(f"Police decision (+{ladder.police_after} min)", self.police)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def save(self) -> bool:
        family: dict[str, list[str]] = {}
        for line in self.family.toPlainText().splitlines():
            if not line.strip():
                continue
            label, _, addresses = line.partition(":")
            if not addresses.strip():
                self.error.setText(f"“{line.strip()}”: write the IPS code, a colon, then the e-mail address "
                                   "and/or the mobile number.")
                return False
            family[label.strip()] = _split(addresses)
        tiers: dict[int, list[str]] = {}
        sms: dict[int, list[str]] = {}
        for tier, edit in ((1, self.ppo), (2, self.manager), (4, self.police)):
            entries = _split(edit.text())
            sms[tier] = [e for e in entries if uk_mobile(e)]
            tiers[tier] = [e for e in entries if not uk_mobile(e)]
        try:
            self.console.set_contacts(tiers, _split(self.office.text()), family, sms)
        except (OfficeError, TransportError) as exc:
            self.error.setText(str(exc))
            return False
        self.accept()
        return True
