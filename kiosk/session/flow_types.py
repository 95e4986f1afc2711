"""The session flow's building blocks, shared by `flow` and its parts (`scan_flow`,
`assisted_flow`).

Inputs are the resident's actions and the workers' events; outputs are effects,
among them the view to show. The bases are frozen dataclasses; a subclass without
fields inherits their value semantics (equality by class, hashing, no
assignment) without a decorator of its own: each dataclass costs about 0.3 ms to
make, and the flow is imported before the first home screen is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from kiosk.events import Event, refuse_assignment


class Phase(Enum):
    HOME = "home"
    SHELL = "shell"
    PROCEDURE = "procedure"
    PICKER = "picker"
    PRINT = "print"
    SCAN = "scan"
    COUNTDOWN = "countdown"
    FAILED = "failed"
    ENDING = "ending"
    OUT_OF_SERVICE = "out_of_service"
    PIN_PAD = "pin_pad"  # the mediator's PIN pad, over whatever the resident was on
    CONSENT = "consent"  # the resident is asked whether the mediator may help


@dataclass(frozen=True)
class Action:
    """Something the resident did on the shell's screens."""


Input = Action | Event


@dataclass(frozen=True)
class View:
    """A screen to render."""


@dataclass(frozen=True)
class Effect:
    """One thing for the app to do, in order."""


Action.__setattr__ = refuse_assignment  # type: ignore[method-assign]
View.__setattr__ = refuse_assignment  # type: ignore[method-assign]
Effect.__setattr__ = refuse_assignment  # type: ignore[method-assign]


@dataclass(frozen=True)
class Show(Effect):
    view: View


@dataclass(frozen=True)
class GiveFiles(Effect):
    """Answer the page's file input (an empty tuple gives it nothing)."""

    paths: tuple[Path, ...]


class RefreshToolbar(Effect):
    """An item's availability may have changed (the printer came or went)."""


@dataclass(frozen=True)
class Publish(Effect):
    """Tell a participant through the bus (printing's previews and jobs)."""

    event: Event
