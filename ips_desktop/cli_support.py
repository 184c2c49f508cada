"""What the three commands share on the command line: ``--version`` and one-line usage errors.

A person who mistypes an option gets one line saying what is wrong and exit status 2, never a
usage block or a traceback.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from . import __version__


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog.split()[0]} --help)\n")


def add_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="print the version and exit")
