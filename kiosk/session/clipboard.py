"""Forget what the resident copied: the X selections of the kiosk's display."""

from __future__ import annotations

import os
import shutil
import subprocess

SELECTIONS = ("--primary", "--secondary", "--clipboard")
XSEL_TIMEOUT = 5.0


def clear_selections(display: str) -> None:
    """Clear the PRIMARY, SECONDARY and CLIPBOARD selections of X display `display`.

    Raises RuntimeError when xsel is missing or fails, so that the wipe reports
    the step as failed rather than pretending the clipboard is empty.
    """
    xsel, env = _xsel_for(display, "clear the clipboard of")
    failed = [flag.lstrip("-") for flag in SELECTIONS
              if _xsel(xsel, flag, "--clear", env) is None]
    if failed:
        raise RuntimeError(f"could not clear the X selection(s): {', '.join(failed)}")


def selections_empty(display: str) -> bool:
    """Whether every selection of `display` is empty now (the wipe's own check).

    Raises RuntimeError when a selection cannot be read: unknown is not empty.
    """
    xsel, env = _xsel_for(display, "read the clipboard of")
    contents = [_xsel(xsel, flag, "--output", env) for flag in SELECTIONS]
    if any(content is None for content in contents):
        raise RuntimeError("could not read an X selection")
    return all(content == b"" for content in contents)


def _xsel_for(display: str, doing: str) -> tuple[str, dict[str, str]]:
    if not display:
        raise RuntimeError(f"no X display to {doing}")
    xsel = shutil.which("xsel")
    if xsel is None:
        raise RuntimeError("xsel is not installed (Debian package xsel)")
    return xsel, {**os.environ, "DISPLAY": display}


def _xsel(xsel: str, flag: str, action: str, env: dict[str, str]) -> bytes | None:
    """What xsel printed, or None when it failed or did not answer in time."""
    try:
        result = subprocess.run(
            [xsel, flag, action], env=env, stdin=subprocess.DEVNULL,
            capture_output=True, timeout=XSEL_TIMEOUT, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None
