"""Where the kiosk keeps its few persistent files on the machine."""

from __future__ import annotations

import os
from pathlib import Path

STATE_DIR_ENV = "KIOSK_STATE_DIR"
DEFAULT_STATE_DIR = Path("/var/lib/kiosk")


def state_dir() -> Path:
    """Counters, the last good profile's desk details, the disk fallback for sessions."""
    return Path(os.environ.get(STATE_DIR_ENV, str(DEFAULT_STATE_DIR)))
