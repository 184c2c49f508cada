"""Composition root and entry point of ``ips-desktop``.

Parses the command line, builds the services (profile, keyring adapter, case book) and hands
them to the windows. ``--self-test`` runs without Qt.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from .cli_support import Parser, add_version, folder_problem
from .hardening import no_core_dumps


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = Parser(prog="ips-desktop", description="IPS Desktop for volunteers")
    add_version(parser)
    parser.add_argument("--self-test", action="store_true",
                        help="check this install with throwaway practice notes, print one line, exit")
    parser.add_argument("--demo", action="store_true",
                        help="open practice notes filled with sample cases (not for real cases)")
    parser.add_argument("--training", action="store_true",
                        help="the practice notes with a training banner, for the induction course")
    parser.add_argument("--data-dir", help="where the vault lives (default: the user data folder)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    no_core_dumps()
    if args.self_test:
        from . import selftest

        return selftest.main()
    if args.data_dir and (problem := folder_problem(Path(args.data_dir))):
        print(f"ips-desktop: {problem}", file=sys.stderr)
        return 2
    from .ui.volunteer.launch import run

    return run(args.data_dir, demo=args.demo or args.training, training=args.training)


if __name__ == "__main__":
    raise SystemExit(main())
