"""Journey 1: a volunteer's first day, through the shipped ``ips-desktop``.

First run → the main window → quit with Ctrl+Q (exit 0, no abort) → start again → unlock →
a new case → a contact record naming a parent, a class teacher, a phone number and a
postcode → the PII panel → Replace all → what is saved holds no part of any name → search
finds it → lock → unlock.
"""

from __future__ import annotations

from desktop import JourneyError, enabled, find_all, find_in, press, text, wait_for

PASSPHRASE = "correct horse battery staple 42"
MAIN = "IPS Desktop"
LOCKED = "IPS Desktop — locked"
WIZARD = "Welcome to IPS Desktop"
REFERENCE = "PP-2026-0142"
SUMMARY = ("Rang Mrs Sarah Jones about the annual review. She met the class teacher, Mr David Hughes, "
           "who will call her back on 07700 900123 next week. The family have moved to EX4 6PX.")
IDENTIFYING = ("Sarah", "Jones", "David", "Hughes", "07700", "900123", "EX4", "6PX")


def clean_exit(program) -> None:
    code = program.wait_exit(20)
    output = program.output()
    assert "Fatal Python error" not in output, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert code == 0, f"exit code {code}: {output[-2000:]}"


def first_run(app) -> None:
    wizard = app.window(WIZARD, timeout=40)
    assert find_in(wizard, contains="What IPS Desktop keeps"), "the welcome page says what is kept"
    press(app.find(wizard, role="push button", name="Next >"))
    app.type_into(WIZARD, app.find(wizard, role="password text", name="New passphrase"), PASSPHRASE)
    app.type_into(WIZARD, app.find(wizard, role="password text", name="Confirm passphrase"), PASSPHRASE)
    next_button = app.find(wizard, role="push button", name="Next >")
    wait_for("Next to be enabled once the passphrases match", lambda: enabled(next_button))
    press(next_button)
    app.type_into(WIZARD, app.find(wizard, role="text", name="Your IPS code"), "IPS-07")
    app.type_into(WIZARD, app.find(wizard, role="text", name="Your PPO's name"), "Jane")
    app.type_into(WIZARD, app.find(wizard, role="text", name="Your PPO's phone number"), "01392 383081")
    press(app.find(wizard, role="push button", name="Finish"))
    app.window(MAIN, timeout=40)
    app.gone(WIZARD)


def unlock(app) -> None:
    dialog = app.window(LOCKED, timeout=40)
    app.type_into(LOCKED, app.find(dialog, role="password text", name="Passphrase"), PASSPHRASE)
    app.key(LOCKED, "Return")
    app.window(MAIN, timeout=40)
    app.gone(LOCKED)


def test_volunteer_first_day(journey) -> None:
    data = journey.root / "volunteer-data"
    app = journey.volunteer(data)
    first_run(app)
    assert (data / "default" / "vault.db").exists(), "the notes were written to disk"
    app.key(MAIN, "ctrl+q")
    clean_exit(app)

    app = journey.volunteer(data, label="ips-desktop-2")
    unlock(app)
    main = app.window(MAIN)
    assert find_in(main, contains="Nothing needs doing today"), "Today, the first page, says what to do first"
    app.key(MAIN, "ctrl+2")
    wait_for("the Cases page", lambda: find_in(main, contains="No cases yet"), timeout=10)

    # A new case, by its reference.
    app.key(MAIN, "ctrl+n")
    dialog = app.window("New case")
    app.type_into("New case", app.find(dialog, role="text"), REFERENCE)
    app.key("New case", "Return")
    app.gone("New case")
    app.find(main, role="label", name=f"Case {REFERENCE}")

    # A contact record, typed key by key into the summary.
    app.key(MAIN, "ctrl+shift+n")
    summary = app.find(main, role="text", name="Summary")
    app.type_into(MAIN, summary, SUMMARY)
    app.key(MAIN, "ctrl+s")

    panel = app.find(main, name="Identifying details found", timeout=10)
    shown = " ".join(text(n) for n in find_all(panel, role="label"))
    for kind in ("Name", "Phone number", "Postcode"):
        assert kind in shown, f"the panel names the {kind.lower()}: {shown}"
    replace_all = app.find(panel, role="push button", contains="Replace")
    press(replace_all)
    message = app.find(main, role="label", description="Editor message")
    wait_for("the record to be saved", lambda: "Saved" in text(message), timeout=10)

    saved = text(app.find(main, role="text", name="Summary"))
    left = [part for part in IDENTIFYING if part in saved]
    assert not left, f"identifying details survived Replace all: {left} in {saved!r}"
    assert "annual review" in saved
    assert "waits here until the laptop is enrolled" in text(message), "never 'queued for the office' unenrolled"

    # The rest of the form by keyboard: Tab leaves the summary; a new action row opens for
    # typing; a blank row is not saved; Delete removes a row.
    summary = app.find(main, role="text", name="Summary")
    app.focus_on(MAIN, summary)
    app.key(MAIN, "Tab")
    assert text(summary) == saved, "Tab moved on instead of typing a tab character"
    app.activate(MAIN, app.find(main, role="push button", name="Add action"))
    app.type(MAIN, "Send the draft plan to the SENCO")
    app.key(MAIN, "Return")
    app.activate(MAIN, app.find(main, role="push button", name="Add consent"))
    app.key(MAIN, "Escape")  # a consent row left blank
    app.key(MAIN, "ctrl+s")
    actions = app.find(main, role="table", name="Agreed actions")
    wait_for("the action typed into its new row",
             lambda: any("draft plan" in text(c) for c in find_all(actions, role="table cell")), timeout=10)
    consents = app.find(main, role="table", name="Consents")
    first_cell = wait_for("the blank consent row", lambda: find_all(consents, role="table cell"), timeout=10)
    app.click(MAIN, first_cell[0])
    app.key(MAIN, "Delete")
    wait_for("the blank row removed", lambda: not find_all(consents, role="table cell"), timeout=10)

    # A draft discarded goes from the list too, after a question.
    records = app.find(main, role="list", name="Notes")
    before = len(find_all(records, role="list item"))
    app.key(MAIN, "ctrl+shift+n")
    app.type_into(MAIN, app.find(main, role="text", name="Summary"), "A note I do not want after all")
    wait_for("the draft to save itself", lambda: len(find_all(records, role="list item")) == before + 1, timeout=15)
    app.activate(MAIN, app.find(main, role="push button", name="Discard draft"))
    question = app.window("Discard draft")
    press(app.find(question, role="push button", name="Yes"))
    wait_for("the draft gone from the list", lambda: len(find_all(records, role="list item")) == before, timeout=10)

    # Search finds it by a word of the summary.
    app.key(MAIN, "ctrl+f")
    search = app.find(main, role="text", name="Search notes")
    app.type_into(MAIN, search, "annual")
    wait_for("the search to find the record",
             lambda: find_in(main, role="label", contains="1 result for"), timeout=10)
    records = app.find(main, role="list", name="Notes")
    assert find_all(records, role="list item"), "the record is listed"

    # Lock hides everything; unlock brings the case back.
    app.key(MAIN, "ctrl+l")
    app.window(LOCKED)
    if any(text(w) == MAIN for w in app.windows()):
        raise JourneyError("the main window is still showing while locked")
    unlock(app)
    main = app.window(MAIN)
    app.find(main, contains=REFERENCE)
    app.key(MAIN, "ctrl+q")
    clean_exit(app)
