"""The Qt user interface: the only importer of PySide6."""
