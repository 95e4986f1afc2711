"""Session participants: long-lived services that hold per-session state.

The browser, and the devices to come (printing, scanning, USB keys, assisted
mode), each live as long as the kiosk but keep something of the resident
between `begin` and the wipe. A participant declares its toolbar items and its
own ordered wipe steps; the controller calls `begin` and runs the steps, the
toolbar shows the items. Adding a device is adding a participant in the
composition root (`kiosk.runner`), with no edit to the controller, the app or
the toolbar.

Nothing here imports Tk: a toolbar item is a description (an id, a label, a
symbol, an action and its availability) that the shell draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from kiosk.session.wipe import WipeStep


@dataclass(frozen=True)
class Availability:
    """Whether an item shows, and if it is greyed out, why (in the resident's words)."""

    visible: bool = True
    why_unavailable: str = ""  # "" = it can be used

    @property
    def enabled(self) -> bool:
        return self.visible and not self.why_unavailable


ALWAYS = Availability()


@dataclass(frozen=True)
class ToolbarItem:
    """One button of the toolbar strip above a procedure.

    `label` is called when the toolbar is drawn, so that it is in the resident's
    language then; `action` runs on the Tk thread and must only queue work;
    `availability` is asked at each drawing. `side` "end" packs it with Help and
    End session, on the far side. `pressed` makes it a switch: drawn sunken, and
    ticked when only its symbol fits.
    """

    id: str
    label: Callable[[], str]
    symbol: str
    action: Callable[[], None]
    availability: Callable[[], Availability] = field(default=lambda: ALWAYS)
    side: Literal["start", "end"] = "start"
    # A switch (Read aloud): whether it is on, shown even when only the symbol fits.
    pressed: Callable[[], bool] | None = None


@dataclass(frozen=True)
class SessionInfo:
    """What a participant learns when a resident's session begins."""

    directory: Path  # private to this session, erased by the wipe
    language: str


class Participant(Protocol):
    """A service with per-session state (see the module's docstring)."""

    @property
    def name(self) -> str: ...

    def begin(self, session: SessionInfo) -> None:
        """A resident's session starts (on the controller's worker thread)."""

    def toolbar_items(self) -> Sequence[ToolbarItem]:
        """Items this participant adds to the toolbar, in order."""

    def wipe_steps(self) -> Sequence[WipeStep]:
        """Its own steps of the wipe, in order, run after the browser is killed and
        before the session folder is deleted; each is timed and checked."""

    def close(self) -> None:
        """The kiosk stops (after its last wipe): let go of devices and threads."""
