"""What the three commands share on the command line: ``--version`` and one-line usage errors.

A person who mistypes an option gets one line saying what is wrong and exit status 2, never a
usage block or a traceback.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import NoReturn

from . import __version__


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog.split()[0]} --help)\n")


def add_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="print the version and exit")


def folder_problem(folder: Path) -> str:
    """Why a data folder given on the command line cannot be used, or "" (it is made if missing)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"The data folder {folder} cannot be used ({exc.strerror or exc})."
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"The data folder {folder} cannot be used (this user may not write there)."
    return ""
