"""Provider logging to a file (the dynamic host's output never reaches the engine)."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

__all__ = ["log_dir", "setup_file_logging"]

_lock = threading.Lock()
_configured: set[str] = set()


def log_dir() -> Path:
    """`$PROVISIONING_LOG_DIR`, else `provisioning/logs` in the user's state folder
    (`$XDG_STATE_HOME`, default `~/.local/state`): never inside the user's project."""
    explicit = os.environ.get("PROVISIONING_LOG_DIR")
    if explicit:
        return Path(explicit)
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "provisioning" / "logs"


def setup_file_logging(*, filename: str = "providers.log", level: int = logging.INFO) -> Path:
    """Send the `provisioning` loggers to `log_dir()/filename` (once per process); return the path."""
    path = log_dir() / filename
    with _lock:
        if str(path) in _configured:
            return path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
        except OSError:
            handler = logging.NullHandler()
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(process)d %(threadName)s %(name)s %(levelname)s %(message)s")
        )
        root = logging.getLogger("provisioning")
        root.addHandler(handler)
        root.setLevel(min(level, root.level or level))
        _configured.add(str(path))
    return path
