"""``python -m ips_desktop`` and the frozen app's entry script (build.spec)."""

from ips_desktop.app import main

if __name__ == "__main__":
    raise SystemExit(main())
