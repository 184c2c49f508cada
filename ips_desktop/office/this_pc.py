"""What one PC remembers for the office console, apart from the office's own files: the name of
the PPO who uses the console here (each PPO's PC has its own when several share one office:
docs/architecture.md, "Several PPOs, one office"), and the office folder when it is not this
PC's own data folder (a shared folder another PPO set up, say).

Kept in the PC user's settings folder, never in the office folder (which the other PPOs' PCs
read too). It holds a name and a path: nothing about any family. A file that cannot be read is
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

    @property
    def office_folder(self) -> Path | None:
        """The folder holding the office (its ``office`` folder inside), when one was chosen."""
        folder = self._read().get("office_folder", "")
        return Path(folder) if folder else None

    def set_office_folder(self, folder: Path) -> None:
        self._write("office_folder", str(folder))


def office_root(given: Path | None, this_pc: ThisPC | None = None) -> Path:
    """The office folder the console and the command line use: ``--data`` when given, else the
    folder this PC was told to use (``ips-office use``, or Open an office on the first screen),
    else this PC user's own data folder."""
    if given is not None:
        return given
    from ..store.profile import default_root

    return (this_pc or ThisPC()).office_folder or default_root(APP_NAME)


WHOLE_PATH = "Type the office folder's whole path, from the drive or / at its start."
CLOUD_SYNCED = ("That folder is kept in step by a cloud service (OneDrive, Dropbox …), which copies the office "
                "about instead of sharing it.")


def new_office_problem(folder: Path, own_folder: Path | None) -> str:
    """Why a new office cannot be made in ``folder``, or "". This PC's ``own_folder`` is made
    when needed; any other must already be there. Neither may hold an office already, nor be
    cloud-synced (the office would split in two)."""
    from ..store.profile import Profile, cloud_synced

    if not folder.is_absolute():
        return WHOLE_PATH
    if folder != own_folder and not folder.is_dir():
        return f"There is no folder {folder}. Create it first, or check the path."
    if Profile(folder, "office", schema="office").exists():
        return f"There is already an office in {folder}. To use it, press “Open an office another PPO set up…”."
    if cloud_synced(folder):
        return f"{CLOUD_SYNCED} Choose this PC's own folder or a real file share."
    return ""


def shared_office_problem(folder: Path) -> tuple[Path | None, str]:
    """The office folder to use for ``folder`` (the one holding ``office``; the ``office`` folder
    itself is taken as meaning its parent), or why it cannot be used."""
    from ..store.profile import Profile, cloud_synced

    if not folder.is_absolute():
        return None, WHOLE_PATH
    if not folder.is_dir():
        return None, f"There is no folder {folder} (or this PC cannot reach it). Check the path and the network."
    root = folder.parent if folder.name == "office" and not (folder / "office").is_dir() else folder
    if not Profile(root, "office", schema="office").exists():
        return None, (f"There is no office in {folder}: choose the folder that holds the folder named "
                      "“office”, the one the first PPO's console uses.")
    if cloud_synced(root):
        return None, f"{CLOUD_SYNCED} Use a real file share."
    return root, ""
