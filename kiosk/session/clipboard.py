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
    if not display:
        raise RuntimeError("no X display to clear the clipboard of")
    xsel = shutil.which("xsel")
    if xsel is None:
        raise RuntimeError("xsel is not installed (Debian package xsel)")
    env = {**os.environ, "DISPLAY": display}
    failed = [flag.lstrip("-") for flag in SELECTIONS if not _clear(xsel, flag, env)]
    if failed:
        raise RuntimeError(f"could not clear the X selection(s): {', '.join(failed)}")


def _clear(xsel: str, flag: str, env: dict[str, str]) -> bool:
    try:
        result = subprocess.run(
            [xsel, flag, "--clear"], env=env, stdin=subprocess.DEVNULL,
            capture_output=True, timeout=XSEL_TIMEOUT, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def selections_empty(display: str) -> bool:
    """Whether every selection of `display` is empty now (the wipe's own check).

    Raises RuntimeError when a selection cannot be read: unknown is not empty.
    """
    if not display:
        raise RuntimeError("no X display to read the clipboard of")
    xsel = shutil.which("xsel")
    if xsel is None:
        raise RuntimeError("xsel is not installed (Debian package xsel)")
    env = {**os.environ, "DISPLAY": display}
    return all(_read(xsel, flag, env) == b"" for flag in SELECTIONS)


def _read(xsel: str, flag: str, env: dict[str, str]) -> bytes:
    try:
        result = subprocess.run(
            [xsel, flag, "--output"], env=env, stdin=subprocess.DEVNULL,
            capture_output=True, timeout=XSEL_TIMEOUT, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RuntimeError("could not read an X selection") from error
    if result.returncode != 0:
        raise RuntimeError("could not read an X selection")
    return result.stdout
