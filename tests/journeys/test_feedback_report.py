"""Journey: a case closed → the office's feedback call → the Appendix 4 questionnaire → the report
to the Steering Group, its figures and chart pages read back from the PDF (issue 17, items 13, 14).
"""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

from desktop import find_in, press, text, wait_for
from people import (
    CONSOLE,
    MAIN,
    a_morning_with_an_enrolled_laptop,
    cells,
    choose_row,
    new_case,
    sync_status,
    write_record,
)

REFERENCE = "PP-2026-0900"
QUESTIONNAIRE = "Feedback from the service user"
REPORT = "Report to the Steering Group"
HELPFUL = "She explained the draft plan so I could reply in time."


def pdf_pages(path: Path) -> list[str]:
    """Each page's words as poppler's pdftotext reads them, lines joined."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return [" ".join(page.split()) for page in out.split("\f") if page.strip()]


def test_a_closed_case_is_called_and_counted_in_the_steering_group_report(journey) -> None:
    morning, _relay, office, app = a_morning_with_an_enrolled_laptop(journey)

    # The volunteer's work with the family, then the case closed.
    new_case(app, REFERENCE)
    write_record(app, "Talked through the draft plan and the 15 days to respond.")
    main = app.window(MAIN)
    app.activate(MAIN, app.find(main, role="push button", name="Close case"))
    question = app.window("Close case")
    press(app.find(question, role="push button", name="Yes"))
    app.gone("Close case")
    app.key(MAIN, "ctrl+shift+s")
    wait_for("the notes to go", lambda: "waiting for the office" in sync_status(app), timeout=40)

    # The office: a feedback call to make.
    office.key(CONSOLE, "ctrl+r")
    console = office.window(CONSOLE)
    tab = wait_for("the feedback tab to count the call", lambda: find_in(console, role="page tab",
                                                                         name="Feedback (1 to call)"), timeout=40)
    press(tab)
    choose_row(office, CONSOLE, "Feedback calls", REFERENCE)
    assert "call the parent" in cells(office.find(console, name="Feedback calls"))
    office.activate(CONSOLE, office.find(console, role="push button", name="Record feedback…"))
    form = office.window(QUESTIONNAIRE)
    assert text(office.find(form, role="text", name="Case reference")) == REFERENCE
    press(office.find(form, role="check box", name="Support by telephone"))
    office.choose(QUESTIONNAIRE, office.find(form, role="combo box", name="not given"), "Excellent")
    office.type_into(QUESTIONNAIRE, office.find(form, role="text", name="What was helpful"), HELPFUL)
    press(office.find(form, role="push button", name="Record"))
    office.gone(QUESTIONNAIRE)
    wait_for("the call marked done", lambda: any(c.startswith("done ") and c.endswith("excellent")
                                                 for c in cells(office.find(console, name="Feedback calls"))))

    # The report for this month, saved where the PPO says.
    office.activate(CONSOLE, office.find(console, role="push button", name="Report to the Steering Group…"))
    dialog = office.window(REPORT)
    day = morning.date()
    office.type_into(REPORT, office.find(dialog, role="text", name="From"), f"1/{day.month}/{day.year}")
    office.type_into(REPORT, office.find(dialog, role="text", name="To"), f"{day.day}/{day.month}/{day.year}")
    target = journey.root / "steering.pdf"
    office.type_into(REPORT, office.find(dialog, role="text", name="Save the report as"), str(target))
    press(office.find(dialog, role="push button", name="Save the report"))
    saved = office.window("Report saved", timeout=30)
    said = office.find(saved, role="label", contains="Saved ")
    assert "steering.csv" in text(said), text(said)
    press(office.find(saved, role="push button", name="OK"))
    office.gone("Report saved")

    pages = pdf_pages(target)
    first = pages[0]
    assert first.startswith(f"Report to the Steering Group: 1 {day:%B %Y} to {day.day} {day:%B %Y}"), first
    for figure in ("Contacts recorded 1", "Contacts: telephone 1", "Cases closed 1", "Questionnaires 1",
                   "Rated excellent 1"):
        assert figure in first, (figure, first)
    everything = " ".join(pages)
    assert "Contacts by kind" in everything
    assert "How service users rated the IPS support" in everything
    assert f"Helpful: {HELPFUL}" in everything
    assert REFERENCE not in everything
    figures = {(r["section"], r["item"]): r["value"]
               for r in csv.DictReader(io.StringIO(target.with_suffix(".csv").read_text(encoding="utf-8")))}
    assert figures[("Feedback from service users", "Rated excellent")] == "1"
