"""Writing a small file so that a reader, or a power cut, sees the old one or the new one.

The kiosk keeps a few files that must never be half-written: the last good desk
details, the PIN lockout, the assistance journal, the mediators' PIN hashes.
Each is written to a temporary file in the same folder, synced, then renamed
over the old one (a rename within a folder is atomic).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, text: str, *, mode: int = 0o600,
                     prepare: Callable[[int], None] | None = None) -> None:
    """Replace `path` with `text` (UTF-8) in one step.

    The temporary file is made with mode 0600 and given `mode` before the rename;
    `prepare`, when given, is called with its file descriptor just before the sync
    (to give it a group, or another mode), so the new file is never seen more open
    than meant.
    """
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fchmod(out.fileno(), mode)
            if prepare is not None:
                prepare(out.fileno())
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
