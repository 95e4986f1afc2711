"""Assisted mode in the session flow: the PIN pad, the resident's consent, the rights.

`AssistedFlow` is the part of `kiosk.session.flow.SessionFlow` (which inherits
it) that unlocks assisted mode; like the rest of the flow it has no Tk and no
clock. The digits typed on the pad go to assisted mode's participant through the
bus (`PinSubmitted`), which checks them on a worker thread and answers
`PinChecked`; the flow only decides what shows next.

- Ctrl+Alt+M or an Assisted mode button (`AssistedModeAsked`) opens the pad
  (phase PIN_PAD) over the home screen, a shell screen or the page.
- A right PIN leads to the consent question (phase CONSENT); "Yes" gives the
  mediator's rights (`SetAssistedRights(True)`) and brings back the screen the
  resident was on; "No" changes nothing.
- While a mediator assists, every screen carries a banner (the app reads
  `assisting`); "End assistance" takes the rights back, the session goes on.
- `MediatorIdle` suspends the rights; the pad asks that mediator's PIN again.
- The session's end ends the assistance too (`assistance_over`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kiosk.events import (
    AssistanceEnded,
    AssistanceStarted,
    AssistedModeAsked,
    MediatorIdle,
    PinChecked,
    PinPadOpened,
    PinSubmitted,
)
from kiosk.session.flow_types import Action, Effect, Phase, Publish, Show, View

if TYPE_CHECKING:
    from kiosk.assisted.unlock import Answer

# Where the pad may open: the resident is on a screen of their own, not in the
# middle of printing, a file choice, a countdown or the wipe.
PAD_PHASES = (Phase.HOME, Phase.SHELL, Phase.PROCEDURE)


def typed_address(text: str) -> str:
    """What a mediator typed, as an address: "caf.fr/mon-compte" -> "https://caf.fr/mon-compte"
    ("" for nothing; no scheme means https, the only one most sites allow)."""
    text = text.strip()
    if not text or any(c.isspace() for c in text):
        return ""
    return text if "://" in text else "https://" + text


# -- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitPin(Action):
    """Return on the pad: the digits typed (a PIN, or the code when the pad asks for it)."""

    digits: str = field(repr=False)


class ClosePinPad(Action):
    """Escape or Close on the pad."""


class AcceptAssistance(Action):
    """"Yes, I agree" on the consent question."""


class DeclineAssistance(Action):
    """"No" on the consent question."""


class EndAssistance(Action):
    """"End assistance" in the banner: the session goes back to the resident."""


class ShowMandate(Action):
    """"?" in the banner: when acting for the resident needs an Aidants Connect mandate."""


class ShowAddressBar(Action):
    """"Address" in the banner over a page: the mediator types where to go."""


@dataclass(frozen=True)
class OpenAddress(Action):
    """The address the mediator typed (checked against the allowlist by the app)."""

    text: str


# -- views -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PinPadView(View):
    """The pad. `stage` "pin" or "code"; `answer` the last one to say (None: nothing);
    `again` names the mediator whose PIN is asked again after their idle time."""

    stage: str = "pin"
    answer: Answer | None = None
    again: str = ""


@dataclass(frozen=True)
class ConsentView(View):
    mediator: str


class MandateView(View):
    pass


class AddressBarView(View):
    """An address field for the mediator, over the page they were on."""


# -- effects ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenAddressInBrowser(Effect):
    """Show `url` in the session's browser, if the allowlist (with the mediator's sites)
    takes it; else the mediator is told."""

    url: str


@dataclass(frozen=True)
class SetAssistedRights(Effect):
    """The `[assisted]` allowlist and idle time on (True) or back to the resident's."""

    on: bool


@dataclass
class _Assistance:
    """What the flow knows of assisted mode in this session (forgotten at the wipe)."""

    mediator: str = ""  # who assists ("" nobody)
    rights: bool = False  # False while suspended after the mediator's idle time
    pending: str = ""  # the mediator the consent question is about
    stage: str = "pin"
    pin: str = field(default="", repr=False)  # kept only while the pad asks for the code


class AssistedFlow:
    """Assisted mode's part of the session flow (a base of `SessionFlow`)."""

    phase: Phase
    view: View
    _assistance: _Assistance

    # Given by SessionFlow: declared for the type checker only.
    _begin: Callable[[], list[Effect]]
    _return: Callable[[], list[Effect]]
    _to_procedure: Callable[[], list[Effect]]
    _busy: Callable[[], bool]

    # -- what the app may read -------------------------------------------------------------

    @property
    def assisting(self) -> str:
        """The mediator assisting now ("" nobody), rights on or suspended: the banner's name."""
        return self._assistance.mediator

    @property
    def assisted_rights(self) -> bool:
        return bool(self._assistance.mediator) and self._assistance.rights

    # -- helpers ---------------------------------------------------------------------------

    def assistance_over(self) -> list[Effect]:
        """The session ends: the assistance with it (its rights go with the browser)."""
        was = self._assistance.mediator
        self._assistance = _Assistance()
        return [Publish(AssistanceEnded())] if was else []

    def _pad(self, answer: Answer | None = None) -> list[Effect]:
        a = self._assistance
        again = a.mediator if a.mediator and not a.rights else ""
        self.phase = Phase.PIN_PAD
        return [Show(PinPadView(a.stage, answer, again))]

    def _redraw(self) -> list[Effect]:
        """The same screen again, with or without the banner."""
        if self.phase is Phase.PROCEDURE:
            return self._to_procedure()
        return [Show(self.view)]

    # -- inputs ----------------------------------------------------------------------------

    def _on_AssistedModeAsked(self, event: AssistedModeAsked) -> list[Effect]:
        if self.phase not in PAD_PHASES or self.assisted_rights:
            return []
        self._assistance.stage, self._assistance.pin = "pin", ""
        return [*self._pad(), Publish(PinPadOpened())]

    def _on_SubmitPin(self, action: SubmitPin) -> list[Effect]:
        a = self._assistance
        if self.phase is not Phase.PIN_PAD or not action.digits:
            return []
        if a.stage == "code":
            return [Publish(PinSubmitted(a.pin, action.digits))]
        a.pin = action.digits
        return [Publish(PinSubmitted(action.digits))]

    def _on_PinChecked(self, event: PinChecked) -> list[Effect]:
        from kiosk.assisted.unlock import Accepted, CodeNeeded, Locked, Unavailable, Wrong

        a, answer = self._assistance, event.answer
        if self.phase is not Phase.PIN_PAD or not isinstance(
                answer, Accepted | CodeNeeded | Wrong | Locked | Unavailable):
            return []
        if isinstance(answer, CodeNeeded):
            a.stage = "code"
            return self._pad(answer)
        if isinstance(answer, Accepted):
            a.stage, a.pin = "pin", ""
            if a.mediator == answer.mediator:
                # The same mediator after their idle time: the rights come back.
                a.rights = True
                return [SetAssistedRights(True), *self._return()]
            a.pending = answer.mediator
            self.phase = Phase.CONSENT
            return [Show(ConsentView(answer.mediator))]
        if not (isinstance(answer, Wrong) and answer.what == "code"):
            a.stage, a.pin = "pin", ""
        return self._pad(answer)

    def _on_ClosePinPad(self, action: ClosePinPad) -> list[Effect]:
        if self.phase is not Phase.PIN_PAD:
            return []
        self._assistance.stage, self._assistance.pin = "pin", ""
        return self._return()

    def _on_AcceptAssistance(self, action: AcceptAssistance) -> list[Effect]:
        a = self._assistance
        if self.phase is not Phase.CONSENT or not a.pending:
            return []
        effects: list[Effect] = []
        if a.mediator:
            effects.append(Publish(AssistanceEnded()))  # another mediator takes over
        self._assistance = _Assistance(mediator=a.pending, rights=True)
        return [*effects, *self._begin(), Publish(AssistanceStarted(a.pending)),
                SetAssistedRights(True), *self._return()]

    def _on_DeclineAssistance(self, action: DeclineAssistance) -> list[Effect]:
        if self.phase is not Phase.CONSENT:
            return []
        self._assistance.pending = ""
        return self._return()

    def _on_EndAssistance(self, action: EndAssistance) -> list[Effect]:
        if not self._assistance.mediator or self._busy():
            return []
        rights = self._assistance.rights
        self._assistance = _Assistance()
        effects: list[Effect] = [Publish(AssistanceEnded())]
        if rights:
            effects.append(SetAssistedRights(False))
        if self.phase in (Phase.PIN_PAD, Phase.CONSENT):
            return [*effects, *self._return()]
        return [*effects, *self._redraw()]

    def _on_ShowMandate(self, action: ShowMandate) -> list[Effect]:
        if not self._assistance.mediator or self.phase not in PAD_PHASES:
            return []
        self.phase = Phase.SHELL
        return [Show(MandateView())]

    def _on_ShowAddressBar(self, action: ShowAddressBar) -> list[Effect]:
        # Only over a page, where Back and the address's page have a procedure to belong to.
        if not self.assisted_rights or self.phase is not Phase.PROCEDURE:
            return []
        self.phase = Phase.SHELL
        return [Show(AddressBarView())]

    def _on_OpenAddress(self, action: OpenAddress) -> list[Effect]:
        if not self.assisted_rights or not isinstance(self.view, AddressBarView):
            return []
        url = typed_address(action.text)
        if not url:
            return []
        # Last: a refused address shows its message over the page just shown.
        return [*self._to_procedure(), OpenAddressInBrowser(url)]

    def _on_MediatorIdle(self, event: MediatorIdle) -> list[Effect]:
        a = self._assistance
        if not self.assisted_rights or self._busy():
            return []
        a.rights = False
        effects: list[Effect] = [SetAssistedRights(False)]
        if self.phase in (*PAD_PHASES, Phase.PIN_PAD):
            a.stage, a.pin = "pin", ""
            return [*effects, *self._pad(), Publish(PinPadOpened())]
        return [*effects, *self._redraw()]
