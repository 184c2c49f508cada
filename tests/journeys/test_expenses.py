"""Journey 4: a month's expenses through the shipped programs.

A bus fare with a receipt photo, a journey, a call, a parking fine (refused in the handbook's
words) → the claim PDF built and read back → sent → the office sees it under Claims and
returns it with a reason → the laptop shows the reason.
"""

from __future__ import annotations

import subprocess

from desktop import find_in, press, text, wait_for
from people import (
    CONSOLE,
    MAIN,
    cells,
    choose_row,
    enrol,
    new_case,
    open_tab,
    start_office_with_relay,
    volunteer_first_run,
)
from test_today import today_button

REFERENCE = "PP-2026-0142"
EXPENSES = "Expenses"
REASON = "The bus receipt is hard to read: please add a clearer photo."


def receipt_photo(path, line: str = "Single  4.60") -> None:  # type: ignore[no-untyped-def]
    """A phone photo of a ticket, as ImageMagick draws one (DejaVu, the font the system has)."""
    font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    subprocess.run(["convert", "-size", "900x1200", "xc:white", "-font", font, "-fill", "black", "-pointsize", "48",
                    "-draw", "text 80,200 'Stagecoach South West'", "-draw", f"text 80,320 '{line}'",
                    str(path)], check=True, capture_output=True)


def form_title(app) -> str:  # type: ignore[no-untyped-def]
    return wait_for("a form to open", lambda: next((t for t in (text(w) for w in app.windows())
                                                   if t.startswith(("Add an", "Add a ", "Log a call"))), ""))


def fill(app, title: str, fields: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    form = app.window(title)
    for name, value in fields.items():
        node = app.find(form, name=name, role="text")
        app.type_into(title, node, value)


def test_a_months_expenses_sent_and_returned(journey, tmp_path) -> None:
    _relay, office = start_office_with_relay(journey)
    app = journey.volunteer()
    volunteer_first_run(app)
    enrol(office, app)
    new_case(app, REFERENCE)
    photo = tmp_path / "bus-ticket.jpg"
    receipt_photo(photo)

    app.key(MAIN, "ctrl+shift+x")
    window = app.window(EXPENSES)

    # A bus fare with its receipt photo, and the calls' cost with a photo of the bill.
    def add_item(kind: str, amount: str, what: str, receipt) -> None:  # type: ignore[no-untyped-def]
        app.key(EXPENSES, "ctrl+e")
        title = form_title(app)
        form = app.window(title)
        app.choose(title, app.find(form, role="combo box"), kind)
        fill(app, title, {"Amount in pounds": amount, "What it was for": what})
        app.activate(title, app.find(form, role="push button", name="Choose receipt…"))
        app.window("Receipt photo or PDF")
        app.type("Receipt photo or PDF", str(receipt))
        app.key("Receipt photo or PDF", "Return")
        app.gone("Receipt photo or PDF")
        app.find(form, role="label", name=receipt.name)
        press(app.find(form, role="push button", name="Save"))
        app.gone(title, timeout=30)

    bill = tmp_path / "phone-bill.jpg"
    receipt_photo(bill, "Calls this month  3.20")
    add_item("bus", "4.60", f"Bus to the {REFERENCE} school meeting", photo)
    table = app.find(window, name="This month's expenses")
    wait_for("the fare with its receipt", lambda: "1 attached" in cells(table))
    add_item("telephone", "3.20", "Calls on the November phone bill", bill)

    # A journey and a call.
    app.key(EXPENSES, "ctrl+j")
    title = form_title(app)
    fill(app, title, {"From": "Crediton", "To": "Exeter", "Miles": "18.4"})
    form = app.window(title)
    assert app.find(form, role="combo box", contains=REFERENCE), "the purpose offers the open case"
    press(app.find(form, role="push button", name="Save"))
    app.gone(title)
    app.key(EXPENSES, "ctrl+k")
    title = form_title(app)
    fill(app, title, {"Number called": "01632 960811"})
    form = app.window(title)
    assert app.find(form, role="combo box", contains=REFERENCE)
    press(app.find(form, role="push button", name="Save"))
    app.gone(title)
    wait_for("three rows", lambda: "Mileage" in cells(table) and "Call (phone log)" in cells(table))

    # A parking fine is refused in the handbook's words, and nothing typed is lost.
    app.key(EXPENSES, "ctrl+e")
    title = form_title(app)
    form = app.window(title)
    app.choose(title, app.find(form, role="combo box"), "parking")
    fill(app, title, {"Amount in pounds": "35.00", "What it was for": "Parking fine outside the school"})
    press(app.find(form, role="push button", name="Save"))
    problem = app.find(form, role="label", description="Problem")
    wait_for("the refusal", lambda: "fine" in text(problem).lower(), timeout=10)
    assert "will NOT be paid by DPPS" in text(problem), f"the handbook's words: {text(problem)}"
    assert text(app.find(form, role="text", name="What it was for")) == "Parking fine outside the school"
    press(app.find(form, role="push button", name="Cancel"))
    app.gone(title)

    # The first claim's details, then the PDF, read back.
    app.activate(EXPENSES, app.find(window, role="push button", name="Your details…"))
    details = "Your details for the claim"
    app.window(details)
    fill(app, details, {"Your name as the claimant": "A. Volunteer", "National Insurance number": "JK 12 34 56 C",
                        "Car registration": "WX12 ABC"})
    form = app.window(details)
    app.type_into(details, app.find(form, role="spin button", name="Exact engine size in cc"), "1398")
    press(app.find(form, role="push button", name="Save"))
    app.gone(details)
    pdf = tmp_path / "claim.pdf"
    app.key(EXPENSES, "ctrl+p")
    app.window("Save the claim PDF")
    app.key("Save the claim PDF", "ctrl+a")
    app.type("Save the claim PDF", str(pdf))
    app.key("Save the claim PDF", "Return")
    wait_for("the claim PDF", lambda: pdf.exists() and pdf.stat().st_size > 1000, timeout=60)
    state = app.find(window, role="label", description="Claim status")
    wait_for("the window to say the PDF is saved", lambda: "saved as claim.pdf" in text(state), timeout=60)
    read = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("A. Volunteer", "Crediton", "18.4", "4.60", "R1"):
        assert expected in read, f"{expected!r} not in the claim PDF"
    assert "fine" not in read.lower(), "the refused fine is not on the claim"

    # Send it; the office returns it with a reason; the laptop shows the reason.
    app.key(EXPENSES, "ctrl+Return")
    question = app.window("Send to the office")
    press(app.find(question, role="push button", name="Yes"))
    wait_for("the claim to be marked sent (the laptop is enrolled)", lambda: "Sent to the office" in text(state),
             timeout=20)
    app.key(EXPENSES, "Escape")
    app.key(MAIN, "ctrl+shift+s")
    console = office.window(CONSOLE)
    open_tab(office, CONSOLE, "Claims")

    def claim_arrived() -> bool:
        office.key(CONSOLE, "ctrl+r")
        return "IPS-07" in cells(office.find(console, name="Expense claims"))

    wait_for("the claim at the office", claim_arrived, timeout=60, every=3)
    choose_row(office, CONSOLE, "Expense claims", "IPS-07")
    lines = office.find(console, name="Claim lines")
    wait_for("the claim's lines", lambda: "Crediton" in text(lines), timeout=10)
    office.activate(CONSOLE, office.find(console, role="push button", name="Return…"))
    office.window("Return the claim")
    office.type("Return the claim", REASON)
    office.key("Return the claim", "Return")
    claims = office.find(console, name="Expense claims")
    wait_for("the console to show it returned", lambda: "returned" in cells(claims), timeout=20)
    app.key(MAIN, "ctrl+shift+s")
    # Today says it came back, with the reason, and opens the expenses.
    app.key(MAIN, "ctrl+1")
    back = today_button(app, "Open expenses", f"claim came back: {REASON} Put it right", timeout=40)
    app.activate(MAIN, back)
    window = app.window(EXPENSES)
    state = app.find(window, role="label", description="Claim status")
    wait_for("the laptop to show the reason", lambda: REASON in text(state), timeout=40)
    assert find_in(window, role="push button", name="Add expense…") is not None
