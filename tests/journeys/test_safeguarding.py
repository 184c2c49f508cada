"""Journey: a safeguarding concern is unmissable at the office (issue 17, item 9).

The office sets its safeguarding numbers → the laptop's steps show them → the volunteer saves a
record with the concern flag → the PPO's e-mail arrives at once from the relay, with not a word
of the record → the console's inbox turns red, the case at the top → the PPO records what was
done (referred to MASH) → the red goes, and the case says what was done, by whom and when.
"""

from __future__ import annotations

from desktop import find_in, press, showing, text, wait_for
from people import (
    CONSOLE,
    MAIN,
    PPO,
    a_morning_with_an_enrolled_laptop,
    new_case,
    set_ladder_contacts,
    sync_status,
)

REFERENCE = "PP-2026-0710"
SECRET = "Canary-Wombat-7731 said the child is often left alone overnight."
FOLLOW_UP = "Safeguarding: what was done"
LIAISON = "01392 383957"


def test_a_safeguarding_record_turns_the_inbox_red_and_emails_the_ppo(journey) -> None:
    mail = journey.mail()
    _morning, _relay, office, app = a_morning_with_an_enrolled_laptop(journey, mail)
    set_ladder_contacts(office)

    # The office's numbers reach the laptop in its policy.
    office.key(CONSOLE, "ctrl+shift+p")
    policy = office.window("Office policy")
    office.type_into("Office policy", office.find(policy, role="text", name="Liaison Officer (service manager)"),
                     LIAISON)
    office.type_into("Office policy", office.find(policy, role="text", name="Emergency Duty Team"), "0845 6000 388")
    press(office.find(policy, role="push button", name="Save"))
    office.gone("Office policy")
    app.key(MAIN, "ctrl+shift+s")
    wait_for("the laptop's sync", lambda: "All sent" in sync_status(app), timeout=40)

    new_case(app, REFERENCE)
    main = app.window(MAIN)
    app.key(MAIN, "ctrl+shift+n")
    app.type_into(MAIN, app.find(main, role="text", name="Summary"), SECRET)
    press(app.find(main, role="check box", name="Safeguarding concern"))
    steps = wait_for("the handbook's steps", lambda: next(
        (n for n in [find_in(main, role="label", contains="IPS and safeguarding")] if n is not None and showing(n)),
        None))
    assert f"the Liaison Officer ({LIAISON})" in text(steps), text(steps)
    assert "Emergency Duty Team (0845 6000 388)" in text(steps), text(steps)
    app.key(MAIN, "ctrl+s")
    wait_for("the record to be saved", lambda: "Saved" in text(app.find(main, role="label",
                                                                          description="Editor message")))

    # The PPO's e-mail, at once and content-free, whether or not a console is open.
    (told,) = mail.wait_for("the PPO's e-mail", lambda m: PPO in m["to"] and "Safeguarding" in m["subject"],
                            timeout=40)
    assert told["subject"] == "Safeguarding concern recorded: open the office console", told
    assert "recorded a safeguarding concern at" in told["body"], told["body"]
    assert "Canary-Wombat" not in told["body"] + told["subject"]
    assert REFERENCE not in told["body"]  # not even the case: the relay never knows it

    # The console: red at the top of the inbox.
    office.key(CONSOLE, "ctrl+r")
    console = office.window(CONSOLE)
    tab = wait_for("the inbox to count the concern", lambda: find_in(console, role="page tab",
                                                                     name="Inbox (1 safeguarding)"), timeout=40)
    press(tab)
    banner = office.find(console, role="label", description="Safeguarding")
    assert text(banner).startswith(f"⚠ Safeguarding concern on case {REFERENCE} from IPS-07, received "), text(banner)
    cases = office.find(console, name="Cases")
    first = wait_for("the case first in the list", lambda: find_in(cases, role="list item"))
    assert text(first) == REFERENCE, text(first)

    # The PPO records what was done.
    office.activate(CONSOLE, office.find(console, role="push button", name="Record what was done…"))
    dialog = office.window(FOLLOW_UP)
    office.choose(FOLLOW_UP, office.find(dialog, role="combo box"), "referred to MASH")  # named by its choice
    office.type_into(FOLLOW_UP, office.find(dialog, role="text", name="Note"), "MASH reference 4471")
    press(office.find(dialog, role="push button", name="Record"))
    office.gone(FOLLOW_UP)
    wait_for("the inbox to calm down", lambda: find_in(console, role="page tab", name="Inbox") is not None)
    assert not showing(banner)
    office.click(CONSOLE, office.find(cases, role="list item", name=REFERENCE))
    note = office.find(console, role="label", description="Allocation")
    wait_for("what was done, on the case", lambda: ": referred to MASH by PPO Jane on " in text(note))
