"""An accessibility audit of one window, through the accessibility tree as a screen reader sees
it and the Tab key as a keyboard user moves: which controls there are, which have a name, which
labels read out their own words, and which controls Tab never reaches.

A control is anything a person acts on (buttons, boxes, fields, lists, tables, tab bars). A label
"exposes its text" when the name a screen reader announces is the words on screen (a fixed name
such as "Status" in front of changing words is the fault the audit looks for). Tab is pressed
until the focus comes back to where it started; a control that never held the focus on the way is
unreachable, and a control that keeps the focus when Tab is pressed is a trap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from desktop import Program, _focused, _safe, enabled, name, role, showing, walk

CONTROLS = {"push button", "toggle button", "check box", "radio button", "text", "password text", "entry",
            "combo box", "spin button", "table", "tree table", "tree", "list", "list box", "page tab list",
            "slider", "date editor", "time editor", "editbar", "link"}
#: Controls a person reaches with other keys than Tab: the tab bar's own tabs (arrow keys) and
#: the rows of a list (arrow keys, once the list has the focus).
NOT_TAB_STOPS = {"page tab", "list item", "table cell", "menu item", "menu", "menu bar", "scroll bar"}


@dataclass
class Audit:
    window: str
    controls: int = 0
    named: int = 0
    labels: int = 0
    labels_with_text: int = 0
    tab_stops: int = 0
    reached: int = 0
    unnamed: list[str] = field(default_factory=list)
    fixed_labels: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    trap: str = ""
    size: str = ""
    off_screen: str = ""

    def line(self) -> str:
        return (f"{self.window} ({self.size}): {self.controls} controls, {self.named} named; {self.labels} labels, "
                f"{self.labels_with_text} read their own words; Tab reached {self.reached} of {self.tab_stops}"
                + (f"; Tab is stuck on {self.trap}" if self.trap else ""))

    def faults(self) -> list[str]:
        out = [f"no name: {what}" for what in self.unnamed]
        out += [f"label announced by a fixed name: {what}" for what in self.fixed_labels]
        out += [f"Tab never reaches: {what}" for what in self.unreachable]
        if self.trap:
            out.append(f"Tab cannot leave: {self.trap}")
        if self.off_screen:
            out.append(f"does not fit the 1366×768 screen: {self.off_screen}")
        return out


def _label_words(node: Any) -> str:
    return str(_safe(lambda: node.queryText().getText(0, -1), "") or "")


def describe(node: Any) -> str:
    words = name(node) or _label_words(node) or str(_safe(lambda: node.description, "") or "")
    parent = _safe(lambda: node.parent)
    near = name(parent) if parent is not None else ""
    return f"{role(node)} “{words[:50]}”" + (f" in “{near[:40]}”" if near else "")


def _label(result: Audit, node: Any, title: str) -> None:
    """A label reads out its words when its name is those words: the words themselves (a plain
    label), or, for a block of text with its own text interface, a name that begins it. A label
    whose name is what it is for (its description, such as "Sync status", or the window's
    title) instead of what it says is the fault. An empty label says nothing and is not counted."""
    words = _label_words(node).strip()
    called = name(node).strip()
    if not (words or called):
        return
    result.labels += 1
    what_for = str(_safe(lambda: node.description, "") or "").strip()
    if words and called and not words.startswith(called):
        result.fixed_labels.append(f"“{called}” over “{words[:50]}”")
    elif not words and called in (what_for, title):
        result.fixed_labels.append(f"“{called}”")
    else:
        result.labels_with_text += 1


def _measure(result: Audit, window: Any, width: int, height: int) -> None:
    """The window's size, and whether all of it is on the screen (each program sizes its windows
    to the screen's free area, so on a laptop with a taskbar they shrink to fit above it)."""
    import pyatspi

    box = window.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    result.size = f"{box.width}×{box.height}"
    if box.x < 0 or box.y < 0 or box.x + box.width > width or box.y + box.height > height:
        result.off_screen = f"{box.width}×{box.height} at ({box.x}, {box.y})"


def _focusable(node: Any) -> bool:
    import pyatspi

    return bool(_safe(lambda: node.getState().contains(pyatspi.STATE_FOCUSABLE), False))


def audit(app: Program, title: str, tabs: int | None = None) -> Audit:
    """Walk the window ``title`` and Tab through it from its first control."""
    window = app.window(title)
    result = Audit(title)
    _measure(result, window, app.screen.WIDTH, app.screen.HEIGHT)
    stops: list[Any] = []
    for node in walk(window):
        kind = role(node)
        if kind == "label":
            _label(result, node, title)
            continue
        if kind not in CONTROLS:
            continue
        result.controls += 1
        if name(node).strip():
            result.named += 1
        else:
            result.unnamed.append(describe(node))
        inside_a_list = role(_safe(lambda node=node: node.parent)) == "combo box"  # its typing line
        if enabled(node) and _focusable(node) and showing(node) and not inside_a_list:
            stops.append(node)
    result.tab_stops = len(stops)
    reached: list[int] = []
    app.screen.focus(title, app.pid)

    def now_focused() -> int | None:
        for i, node in enumerate(stops):
            if _focused(node):
                return i
        return None

    start = now_focused()
    previous = start
    for _ in range(tabs or len(stops) + 8):
        app.screen.xdotool("key", "Tab")
        deadline = time.monotonic() + 1.0
        current = now_focused()
        while current == previous and current is not None and time.monotonic() < deadline:
            time.sleep(0.03)
            current = now_focused()
        if current is not None and current == previous:
            if len(stops) > 1:
                result.trap = describe(stops[current])
            elif current not in reached:
                reached.append(current)  # the one control there is keeps the focus, as it should
            break
        if current is not None:
            if current in reached and current == (reached[0] if reached else None):
                break
            if current not in reached:
                reached.append(current)
        previous = current
    result.reached = len(reached)
    # A group of radio buttons is one stop: Tab reaches the chosen one, the arrow keys the others.
    groups: dict[str, list[int]] = {}
    for i, node in enumerate(stops):
        parent = _safe(lambda node=node: node.parent)
        if role(node) == "radio button" and parent is not None:
            groups.setdefault(f"{role(parent)}|{name(parent)}|{_safe(lambda p=parent: p.childCount)}", []).append(i)
    together = {i: members for members in groups.values() for i in members}
    result.unreachable = [describe(stops[i]) for i in range(len(stops))
                          if i not in reached and not any(j in reached for j in together.get(i, []))]
    result.reached = result.tab_stops - len(result.unreachable)
    return result
