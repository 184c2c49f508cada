"""Entry point of ``ips-office``: with a command, the command line (``ips-office pull`` …);
without one, the PPO's console window."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from .hardening import no_core_dumps


def main(argv: Sequence[str] | None = None) -> int:
    no_core_dumps()  # the console and the command line both open the office's records
    given = list(sys.argv[1:] if argv is None else argv)
    args = given[1:] if given[:1] == ["console"] else given
    data: Path | None = None
    if len(args) == 2 and args[0] == "--data":
        data, args = Path(args[1]), []
    if args:
        from .office.cli import main as cli

        return cli(given)
    from .cli_support import folder_problem
    from .ui.office.launch import run

    if data is not None and (problem := folder_problem(data)):
        print(f"ips-office: {problem}", file=sys.stderr)
        return 2

    return run(data)


if __name__ == "__main__":
    raise SystemExit(main())
