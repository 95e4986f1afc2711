"""The help desk details of the last profile that loaded, kept for bad days.

When a later profile is broken, the kiosk shows "out of service, please ask at
the desk"; with these details it can still say which desk and which phone.
Only the desk's own public details are kept, nothing of any resident.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

from kiosk.config.schema import DeskDetails, Profile
from kiosk.files import write_atomically

log = logging.getLogger(__name__)

FILE_NAME = "last-good-help.json"


def remember(profile: Profile, state_dir: Path) -> None:
    """Store the profile's desk details; a failure is logged, never fatal."""
    terminal = profile.terminal
    details = profile.help.details(terminal.default_language, terminal.languages)
    target = state_dir / FILE_NAME
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        if recall(state_dir) == details:
            return  # nothing new: spare the disk a write at every start
        write_atomically(target, json.dumps(asdict(details), ensure_ascii=False), mode=0o644)
    except OSError as error:
        log.warning("cannot remember the desk details in %s: %s", target, error)


def recall(state_dir: Path) -> DeskDetails | None:
    """The details stored by `remember`, or None when there are none (or they are damaged)."""
    try:
        data = json.loads((state_dir / FILE_NAME).read_text(encoding="utf-8"))
        return DeskDetails(str(data["desk"]), str(data["phone"]), str(data["hours"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("the remembered desk details are unreadable: %s", error)
        return None
