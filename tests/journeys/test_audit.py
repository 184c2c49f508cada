"""Journey: the accessibility audit of every window of the volunteer's app, as a screen reader
and a keyboard user meet them (see ``audit.py`` for what is counted).

Each window is opened as a person opens it (its shortcut, a button, the Help menu), walked
through the accessibility tree and Tabbed through from its first control. The counts are printed
for the record; every control must have a name, every label must read out its own words, and
Tab must reach every control and never get stuck.
"""

from __future__ import annotations

import pytest
from audit import Audit, audit
from desktop import children, find_in, name, press, showing, wait_for
from people import MAIN, PASSPHRASE, WIZARD

LOCKED = "IPS Desktop — locked"


def opened(app, starting: str, keys: tuple[str, ...] = (), within: str = MAIN, button: str = "",  # type: ignore[no-untyped-def]
           menu: str = "") -> str:
    """Open a window as a person does and return its full title (some titles end in a month or a
    case reference)."""
    if keys:
        app.key(within, *keys)
    if button:
        window = app.window(within)
        app.activate(within, app.find(window, role="push button", name=button))
    if menu:
        press(app.find(app.window(within), role="menu item", name=menu, hidden=True))
    return wait_for(f"a window “{starting}…”", lambda: next(
        (name(w) for w in children(app.app()) if showing(w) and name(w).startswith(starting)), None), timeout=20)


def closed(app, title: str) -> None:  # type: ignore[no-untyped-def]
    app.key(title, "Escape")
    app.gone(title)


def report(results: list[Audit], capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\nAccessibility audit (controls named; labels reading their words; Tab reach):")
        for result in results:
            print("  " + result.line())
        total = sum(r.controls for r in results), sum(r.named for r in results)
        tab = sum(r.tab_stops for r in results), sum(r.reached for r in results)
        print(f"  {len(results)} windows: {total[1]} of {total[0]} controls named, "
              f"{sum(r.labels_with_text for r in results)} of {sum(r.labels for r in results)} labels read their "
              f"words, Tab reached {tab[1]} of {tab[0]}")
    faults = [f"{r.window}: {fault}" for r in results for fault in r.faults()]
    assert not faults, "\n".join(faults)


def test_every_window_of_the_volunteer_app_is_named_and_reachable_by_tab(journey, capsys) -> None:  # type: ignore[no-untyped-def]
    results: list[Audit] = []

    # A new volunteer's first run: each page of the wizard.
    fresh = journey.volunteer(label="first-run")
    wizard = fresh.window(WIZARD, timeout=60)
    results.append(audit(fresh, WIZARD))
    press(fresh.find(wizard, role="push button", name="Next >"))
    fresh.type_into(WIZARD, fresh.find(wizard, role="password text", name="New passphrase"), PASSPHRASE)
    fresh.type_into(WIZARD, fresh.find(wizard, role="password text", name="Confirm passphrase"), PASSPHRASE)
    results.append(audit(fresh, WIZARD))
    results[-1].window = f"{WIZARD} (passphrase)"
    press(fresh.find(wizard, role="push button", name="Next >"))
    fresh.find(wizard, role="text", name="Your IPS code")
    results.append(audit(fresh, WIZARD))
    results[-1].window = f"{WIZARD} (your details)"
    fresh.stop()

    # The demo: every screen has something in it.
    app = journey.volunteer(extra=["--demo"])
    main = app.window(MAIN, timeout=60)
    app.key(MAIN, "ctrl+1")
    results.append(audit(app, MAIN))
    results[-1].window = "Today"
    app.key(MAIN, "ctrl+2")
    wait_for("the case list", lambda: find_in(main, role="table", name="Cases"))
    results.append(audit(app, MAIN))
    results[-1].window = "Cases"
    app.key(MAIN, "ctrl+shift+n")
    app.find(main, role="text", name="Summary")
    results.append(audit(app, MAIN))
    results[-1].window = "Cases, writing a note"

    for keys, starting in ((("ctrl+n",), "New case"), (("ctrl+shift+p",), "Papers held"),
                           (("ctrl+shift+l",), "Level 1 contact"), (("ctrl+shift+f",), "Referral from a family"),
                           (("ctrl+shift+m",), "Event or community summary"),
                           (("ctrl+shift+d",), "Agreed actions due this week"), (("ctrl+comma",), "Settings"),
                           (("ctrl+shift+r",), "What leaves this laptop"), (("ctrl+shift+e",), "Enrol this laptop"),
                           (("ctrl+alt+v",), "Plan a meeting"), (("F1",), "IPS Desktop help")):
        title = opened(app, starting, keys)
        results.append(audit(app, title))
        closed(app, title)
    for item, starting in (("Keyboard shortcuts…", "Keyboard shortcuts"), ("Phone numbers…", "Phone numbers"),
                           ("About IPS Desktop…", "About IPS Desktop")):
        title = opened(app, starting, menu=item)
        results.append(audit(app, title))
        closed(app, title)

    visits = opened(app, "Visits", ("ctrl+shift+v",))
    results.append(audit(app, visits))
    closed(app, visits)

    expenses = opened(app, "Expenses", ("ctrl+shift+x",))
    results.append(audit(app, expenses))
    for keys, button, starting in ((("ctrl+e",), "", "Add an expense"), (("ctrl+j",), "", "Add a journey"),
                                   (("ctrl+k",), "", "Log a call"), ((), "Your details…", "Your details"),
                                   ((), "Miles for other organisations…", "Miles"),
                                   (("ctrl+shift+p",), "", "Preview")):
        title = opened(app, starting, keys, within=expenses, button=button)
        results.append(audit(app, title))
        closed(app, title)
    closed(app, expenses)

    app.key(MAIN, "ctrl+l")
    app.window(LOCKED, timeout=20)
    results.append(audit(app, LOCKED))
    report(results, capsys)


def test_every_page_of_the_office_console_is_named_and_reachable_by_tab(journey, capsys) -> None:  # type: ignore[no-untyped-def]
    from desktop import find_all
    from people import CONSOLE, start_office_with_relay

    results: list[Audit] = []
    _relay, office = start_office_with_relay(journey)
    console = office.window(CONSOLE)
    for tab in [name(t) for t in find_all(console, role="page tab")]:
        press(office.find(console, role="page tab", name=tab))
        wait_for(f"the {tab} page", lambda tab=tab: find_in(console, role="page tab", name=tab) is not None)
        results.append(audit(office, CONSOLE))
        results[-1].window = f"Console: {tab}"
    for keys, starting in ((("ctrl+shift+a",), "Allocate a case"), (("ctrl+shift+l",), "Ladder contacts"),
                           (("ctrl+shift+p",), "Office policy")):
        title = opened(office, starting, keys, within=CONSOLE)
        results.append(audit(office, title))
        closed(office, title)
    report(results, capsys)
