"""What one PC remembers for the office console, apart from the office's own files: the name of
the PPO who uses the console here (each PPO's PC has its own when several share one office:
docs/architecture.md, "Several PPOs, one office").

Kept in the PC user's settings folder, never in the office folder (which the other PPOs' PCs
read too). It holds a name: nothing about any family. A file that cannot be read is
treated as empty and never overwritten by a read.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from ..store.profile import write_private_file

log = logging.getLogger(__name__)

APP_NAME = "IPS Office"
FILE_NAME = "this-pc.json"
LONGEST_NAME = 60


def default_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False, roaming=False)) / FILE_NAME


class ThisPC:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            log.warning("this PC's console settings could not be read; using none")
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} \
            if isinstance(data, dict) else {}

    def _write(self, key: str, value: str) -> None:
        data = self._read()
        data[key] = value
        write_private_file(self.path, json.dumps(data, indent=1).encode())

    @property
    def name(self) -> str:
        """The PPO's name as volunteers and the ladder see it ("PPO Jane"), or ""."""
        return self._read().get("name", "").strip()[:LONGEST_NAME]

    def set_name(self, name: str) -> None:
        self._write("name", name.strip()[:LONGEST_NAME])
