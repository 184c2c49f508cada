"""Entry point of ``ips-office``: with a command, the command line (``ips-office pull`` …);
without one, the PPO's console window."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] not in ("--data", "console"):
        from .office.cli import main as cli

        return cli(args)
    data: Path | None = None
    if args and args[0] == "console":
        args = args[1:]
    if len(args) >= 2 and args[0] == "--data":
        data = Path(args[1])
        if len(args) > 2:
            from .office.cli import main as cli

            return cli(list(argv or sys.argv[1:]))
    from .store.profile import default_root
    from .ui.office.launch import run

    return run(data or default_root("IPS Office"))


if __name__ == "__main__":
    raise SystemExit(main())
