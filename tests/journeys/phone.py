"""The volunteer's phone: Debian's Chromium, driven by Playwright, opening the check-in link.

Run by the journeys with the project's Python (Playwright is installed there):
    .venv/bin/python tests/journeys/phone.py URL PIN ACTION
ACTION is "safe", "help" or "extend30". Prints what the page says after the button is pressed.
"""

from __future__ import annotations

import shutil
import sys

from playwright.sync_api import sync_playwright


def main() -> int:
    url, pin, action = sys.argv[1:4]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("no chromium", file=sys.stderr)
        return 2
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        page = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True,
                                   has_touch=True).new_page()
        page.goto(url)
        page.fill("#pin", pin)
        page.click(f"button[value='{action}']")
        page.wait_for_load_state()
        print(page.inner_text("body"))
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
