"""The profile, as frozen dataclasses (the TOML contract of DESIGN.md, schema 1).

Only `kiosk.config.load` builds these, after full validation; everything else
in the kiosk can trust them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config.allowlist import Allowlist

SCHEMA_VERSION = 1
USB_POLICIES = ("deny", "read-only", "read-write")  # from the narrowest to the widest
MEDIATOR_USB_POLICIES = ("", "read-only", "read-write")  # "": the residents' policy


@dataclass(frozen=True)
class Localized:
    """A text in several languages: ``(("fr", "Famille"), ("en", "Family"))``.

    A plain string in the profile becomes a text with no language (``""``), shown
    whatever the language.
    """

    values: tuple[tuple[str, str], ...]

    @classmethod
    def plain(cls, text: str) -> Localized:
        return cls((("", text),))

    def get(self, lang: str, fallbacks: tuple[str, ...] = ()) -> str:
        """The text in `lang`, else in the first fallback that has one, else any."""
        table = dict(self.values)
        for candidate in (lang, *fallbacks, ""):
            if candidate in table:
                return table[candidate]
        return self.values[0][1] if self.values else ""

    def __bool__(self) -> bool:
        return any(text for _, text in self.values)


EMPTY_TEXT = Localized(())


@dataclass(frozen=True)
class Terminal:
    name: str
    languages: tuple[str, ...] = ("fr",)

    @property
    def default_language(self) -> str:
        return self.languages[0]


@dataclass(frozen=True)
class SessionSettings:
    idle_timeout: int = 300
    idle_warning: int = 30
    max_duration: int = 7200


@dataclass(frozen=True)
class Printing:
    enabled: bool = True
    queue: str = ""
    pages_per_session: int = 20


@dataclass(frozen=True)
class Scanning:
    enabled: bool = True
    max_size_mb: float = 5.0  # the largest document a scan makes (sites' usual limit)


@dataclass(frozen=True)
class UsbStorage:
    policy: str = "deny"
    mediator_policy: str = ""  # while a mediator assists; "" the same as `policy`

    def policy_while(self, assisted: bool) -> str:
        """The policy in force: `policy`, or while a mediator assists the wider of
        `policy` and `mediator_policy` (a mediator never has less than the resident)."""
        if not assisted or self.mediator_policy not in USB_POLICIES:
            return self.policy
        return max(self.policy, self.mediator_policy, key=USB_POLICIES.index)


ONSCREEN_KEYBOARD_MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class Accessibility:
    # "auto": the kiosk's on-screen keyboard shows for a page's text field only when no
    # physical keyboard is plugged in (a touch-only terminal).
    onscreen_keyboard: str = "auto"


@dataclass(frozen=True)
class DeskDetails:
    """The human alternative in one language: where, which phone, when."""

    desk: str = ""
    phone: str = ""
    hours: str = ""

    def lines(self) -> tuple[str, ...]:
        """The details that are set, in order, each a line of its own."""
        return tuple(part for part in (self.desk, self.phone, self.hours) if part)


@dataclass(frozen=True)
class Help:
    desk: Localized = EMPTY_TEXT
    phone: str = ""
    hours: Localized = EMPTY_TEXT

    def details(self, lang: str, fallbacks: tuple[str, ...] = ()) -> DeskDetails:
        """The desk's details in `lang` (the one place they are put together)."""
        return DeskDetails(self.desk.get(lang, fallbacks), self.phone,
                           self.hours.get(lang, fallbacks))


@dataclass(frozen=True)
class Group:
    id: str
    title: Localized


@dataclass(frozen=True)
class Procedure:
    id: str
    group: str
    title: Localized
    start_url: str
    allow: Allowlist
    other_ways: Localized = EMPTY_TEXT
    description: Localized = EMPTY_TEXT
    partner: str = "other"  # one of PARTNERS: how France Services desks report their work


# The partner organisations France Services desks report on, and "other".
PARTNERS = ("caf", "cnam", "cnav", "msa", "france_travail", "dgfip", "ants", "justice",
            "laposte", "other")


@dataclass(frozen=True)
class Assisted:
    allow: Allowlist = field(default_factory=lambda: Allowlist(()))
    idle_timeout: int = 1200
    journal: bool = False
    journal_days: int = 90
    # The session's page quota while a mediator assists (never below printing's own).
    pages_per_session: int = 100


@dataclass(frozen=True)
class Profile:
    source: Path
    schema: int
    terminal: Terminal
    groups: tuple[Group, ...]
    procedures: tuple[Procedure, ...]
    session: SessionSettings = SessionSettings()
    printing: Printing = Printing()
    scanning: Scanning = Scanning()
    usb_storage: UsbStorage = UsbStorage()
    help: Help = Help()
    assisted: Assisted = Assisted()
    accessibility: Accessibility = Accessibility()

    def allowlist(self, assisted: bool = False) -> Allowlist:
        """The session's allowlist: every procedure's, plus assisted mode's when on."""
        combined = Allowlist(())
        for procedure in self.procedures:
            combined = combined | procedure.allow
        return combined | self.assisted.allow if assisted else combined

    def procedures_in(self, group_id: str) -> tuple[Procedure, ...]:
        return tuple(p for p in self.procedures if p.group == group_id)

    def procedure(self, procedure_id: str) -> Procedure:
        for p in self.procedures:
            if p.id == procedure_id:
                return p
        raise KeyError(procedure_id)
