"""Notes forwarded through the PPO and the parent's copy of agreed actions (issue 17, items 7 and
8): the note reaches the office's queue and leaves the laptop; its PDF and the parent's copy carry
the actions and the service's number and nothing else, never a safeguarding note."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import Clock
from pypdf import PdfReader
from sync_world import enrolled_world

from ips_desktop.domain.forward import NoteToForward
from ips_desktop.domain.records import AgreedAction, ContactKind, ContactRecord, SafeguardingNote
from ips_desktop.office.console import OfficeConsole
from ips_desktop.office.service import OfficeError
from ips_desktop.store.casebook import InputError, UnresolvedFindings

ACTIONS = (AgreedAction("Send written comments on the draft plan", "parent", date(2026, 12, 14)),
           AgreedAction("Ask the SENCO for the provision map", "IPS", date(2026, 12, 10)))
SECRET = "Canary-Wombat-4410 worried about the home."


def text_of(pdf: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", " ")


def test_a_note_goes_through_the_ppo_and_the_parents_copy_holds_only_the_actions(tmp_path: Path,
                                                                                clock: Clock) -> None:
    clock.now = datetime(2026, 12, 7, 15, 0)
    laptop, office = enrolled_world(tmp_path, clock)
    office.service.set_policy({"safeguarding": {"office": "01392 383080"}})
    console = OfficeConsole(office.service)
    case = laptop.book.open_case("PP-2026-0950")
    meeting = ContactRecord(ContactKind.MEETING, datetime(2026, 12, 7, 10, 0), 60, "H.T.", ("parent", "SENCO"),
                            f"Meeting at school. {SECRET}", ACTIONS,
                            safeguarding=SafeguardingNote(datetime(2026, 12, 7, 11, 0), None, SECRET))
    laptop.book.save(None, case, meeting)
    with pytest.raises(InputError, match="Say who it is for"):
        laptop.book.send_forward(case, NoteToForward("", "x", "y"))
    with pytest.raises(UnresolvedFindings):
        laptop.book.send_forward(case, NoteToForward("parent", "Your plan", "Dear Mrs Okafor, here it is."))
    note_id = laptop.book.send_forward(case, NoteToForward("parent", "What we agreed on 7 December",
                                                           "Thank you for meeting us.", ACTIONS, date(2026, 12, 7)))
    laptop.sync.run()
    console.pull()

    (item,) = console.to_forward()
    assert (item.state, item.label, item.reference, item.note.to_role) == ("to forward", "IPS-07", "PP-2026-0950",
                                                                            "parent")
    words = text_of(console.forward_pdf(item))
    assert "For the parent · your reference PP-2026-0950" in words
    assert "Send written comments on the draft plan parent 14 December 2026" in words
    assert "ring Test Parent Partnership on 01392 383080" in words
    console.mark_forwarded(item.record_id, date(2026, 12, 7), "PPO Jane")
    (item,) = console.to_forward()
    assert item.state == "forwarded 07/12/2026"
    laptop.sync.run()
    assert note_id not in {r.id for r in laptop.book.records.all()}  # the office has it

    # The office makes the parent's copy from the contact record itself.
    contact = next(r for r in console.cases()["PP-2026-0950"] if r.record_type == "contact")
    copy = text_of(console.parents_copy_pdf(contact))
    assert "What we agreed on 7 December 2026" in copy
    assert "Ask the SENCO for the provision map IPS 10 December 2026" in copy
    assert "Canary-Wombat" not in copy  # never the summary, never the safeguarding note
    note = next(r for r in console.cases()["PP-2026-0950"] if r.record_type == "forward")
    with pytest.raises(OfficeError, match="Only a contact record has agreed actions"):
        console.parents_copy_pdf(note)
