"""Turn a parsed TOML document into a `Profile`, or say everything that is wrong with it.

Every check records a problem and goes on, so that IT staff see all the
mistakes of a file at once instead of one per attempt. Keys are named as paths
(``procedure[3].allow[0]``, counting from 0 in the order of the file), and
each message is one plain sentence.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from kiosk.config.allowlist import Allowlist, HostPattern, PatternError, url_host
from kiosk.config.schema import (
    EMPTY_TEXT,
    MEDIATOR_USB_POLICIES,
    ONSCREEN_KEYBOARD_MODES,
    PARTNERS,
    SCHEMA_VERSION,
    USB_POLICIES,
    Accessibility,
    Assisted,
    Group,
    Help,
    Localized,
    Printing,
    Procedure,
    Profile,
    Scanning,
    SessionSettings,
    Terminal,
    UsbStorage,
)
from kiosk.errors import ProfileError, ProfileProblem

T = TypeVar("T")

TOP_LEVEL_KEYS = ("schema", "terminal", "session", "printing", "scanning", "usb_storage",
                  "help", "group", "procedure", "assisted", "accessibility")
IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
PHONE = re.compile(r"^[0-9+() .\-/]{2,40}$")
# CUPS queue names: printable, no space, slash, '#' or quote (lpadmin's rule).
QUEUE = re.compile(r"^[^\s/#\"'\\]{1,127}$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_TEXT = 500
MAX_NAME = 120
TEXT_UNSAFE_SCHEMES = ("javascript", "file", "data", "about", "chrome", "view-source", "blob",
                       "ftp", "ws", "wss")

MISSING = object()


@dataclass(frozen=True)
class Range:
    low: int
    high: int
    zero_means: str = ""  # when set, 0 is allowed too and means this

    def admits(self, value: int) -> bool:
        return (self.zero_means != "" and value == 0) or self.low <= value <= self.high

    def describe(self) -> str:
        span = f"between {self.low} and {self.high}"
        return f"0 ({self.zero_means}) or {span}" if self.zero_means else span


IDLE_TIMEOUT = Range(5, 14400)
JOURNAL_DAYS = Range(1, 366)
IDLE_WARNING = Range(3, 600)
MAX_DURATION = Range(60, 86400, zero_means="no limit")
PAGES_PER_SESSION = Range(1, 500)


@dataclass
class Checker:
    """Collects the problems of one file while the profile is read."""

    file: Path
    problems: list[ProfileProblem] = field(default_factory=list)

    def problem(self, key: str, message: str) -> None:
        self.problems.append(ProfileProblem(self.file, key, message))

    # -- tables and their keys ---------------------------------------------------------

    def table(self, node: object, key: str, allowed: tuple[str, ...],
              required: tuple[str, ...] = ()) -> dict[str, Any] | None:
        """`node` as a table whose keys are all known; None (and a problem) when it is not one."""
        if not isinstance(node, dict):
            header = f"[{key}]" if "[" not in key else "a table { ... }"
            self.problem(key, f"must be a table (written {header}), not {describe(node)}.")
            return None
        for name in node:
            if name not in allowed:
                self.problem(join(key, name), unknown_key_message(name, allowed))
        for name in required:
            if name not in node:
                self.problem(join(key, name), "is required but missing.")
        return node

    def array_of_tables(self, node: object, key: str) -> list[object]:
        if node is MISSING:
            return []
        if not isinstance(node, list):
            self.problem(key, f"must be a list of tables, each written [[{key}]], "
                              f"not {describe(node)}.")
            return []
        return node

    # -- scalar values --------------------------------------------------------------------

    def integer(self, node: object, key: str, allowed: Range, default: int) -> int:
        if node is MISSING:
            return default
        if isinstance(node, bool) or not isinstance(node, int):
            self.problem(key, f"must be a whole number of seconds or pages, not {describe(node)}.")
            return default
        if not allowed.admits(node):
            self.problem(key, f"is {node}; it must be {allowed.describe()}.")
            return default
        return node

    def boolean(self, node: object, key: str, default: bool) -> bool:
        if node is MISSING:
            return default
        if not isinstance(node, bool):
            self.problem(key, f"must be true or false (without quotes), not {describe(node)}.")
            return default
        return node

    def string(self, node: object, key: str, default: str = "", *, required: bool = False,
               limit: int = MAX_TEXT) -> str:
        if node is MISSING:
            if required:
                self.problem(key, "is required but missing.")
            return default
        if not isinstance(node, str):
            self.problem(key, f"must be a text in quotes, not {describe(node)}.")
            return default
        if required and not node.strip():
            self.problem(key, "must not be empty.")
            return default
        return self._clean_text(node, key, limit, default)

    def _clean_text(self, text: str, key: str, limit: int, default: str) -> str:
        if CONTROL.search(text):
            self.problem(key, "contains a control character; remove it.")
            return default
        if len(text) > limit:
            self.problem(key, f"is {len(text)} characters long; keep it under {limit}.")
            return default
        return text

    def choice(self, node: object, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.string(node, key, default)
        if value not in choices:
            listed = ", ".join(f'"{c}"' for c in choices)
            self.problem(key, f'is "{value}"; it must be one of {listed}.')
            return default
        return value

    def localized(self, node: object, key: str, *, required: bool = False) -> Localized:
        """A text: a plain string, or a table of language codes to strings."""
        if node is MISSING:
            if required:
                self.problem(key, "is required but missing.")
            return EMPTY_TEXT
        if isinstance(node, str):
            text = self.string(node, key, required=required)
            return Localized.plain(text) if text else EMPTY_TEXT
        if not isinstance(node, dict):
            self.problem(key, "must be a text in quotes or a table of languages such as "
                              f'{{ fr = "…", en = "…" }}, not {describe(node)}.')
            return EMPTY_TEXT
        values: list[tuple[str, str]] = []
        for lang, text in node.items():
            if not LANGUAGE.match(lang):
                self.problem(join(key, lang), "is not a language code; use two or three "
                                              "lower-case letters such as fr, en, ar.")
                continue
            value = self.string(text, join(key, lang), required=required)
            if value:
                values.append((lang, value))
        if required and not values and not self._has_problem_under(key):
            self.problem(key, "must give the text in at least one language.")
        return Localized(tuple(values))

    def _has_problem_under(self, key: str) -> bool:
        return any(p.key == key or p.key.startswith(key + ".") for p in self.problems)

    def patterns(self, node: object, key: str, *, whole_tld: bool = False,
                 must_have: bool = True) -> Allowlist:
        if node is MISSING:
            if must_have:
                self.problem(key, "is required but missing: list the sites this procedure "
                                  'needs, such as ["caf.fr", "*.caf.fr"].')
            return Allowlist(())
        if not isinstance(node, list):
            self.problem(key, 'must be a list of host names in brackets, such as '
                              f'["caf.fr", "*.caf.fr"], not {describe(node)}.')
            return Allowlist(())
        if must_have and not node:
            self.problem(key, "is empty: list at least the procedure's own site.")
        parsed: list[HostPattern] = []
        for index, item in enumerate(node):
            pattern = self._pattern(item, f"{key}[{index}]", whole_tld)
            if pattern is not None and pattern not in parsed:
                parsed.append(pattern)
        return Allowlist(tuple(parsed))

    def _pattern(self, item: object, key: str, whole_tld: bool) -> HostPattern | None:
        if not isinstance(item, str):
            self.problem(key, f"must be a host name in quotes, not {describe(item)}.")
            return None
        if item.strip() in ("*", "*.*", "**", ".*", "*."):
            self.problem(key, f'"{item}" would allow every site on the internet; '
                              'name the sites, such as "*.caf.fr".')
            return None
        try:
            return HostPattern.parse(item, whole_tld=whole_tld)
        except PatternError as error:
            self.problem(key, sentence(str(error)))
            return None


# -- the sections of the profile -----------------------------------------------------------


def build_profile(document: dict[str, Any], file: Path) -> Profile:
    """The profile described by `document` (parsed TOML); raises ProfileError."""
    check = Checker(file)
    check.table(document, "", TOP_LEVEL_KEYS, required=())
    read_schema(check, document.get("schema", MISSING))
    terminal = read_terminal(check, document.get("terminal", MISSING))
    session = read_section(check, document, "session", read_session, SessionSettings())
    printing = read_section(check, document, "printing", read_printing, Printing())
    scanning = read_section(check, document, "scanning", read_scanning, Scanning())
    usb = read_section(check, document, "usb_storage", read_usb, UsbStorage())
    help_ = read_section(check, document, "help", read_help, Help())
    assisted = read_section(check, document, "assisted", read_assisted, Assisted())
    accessibility = read_section(check, document, "accessibility", read_accessibility,
                                 Accessibility())
    groups = read_groups(check, document.get("group", MISSING))
    procedures = read_procedures(check, document.get("procedure", MISSING), groups)
    if check.problems:
        raise ProfileError(check.problems)
    return Profile(source=file, schema=SCHEMA_VERSION, terminal=terminal, groups=groups,
                   procedures=procedures, session=session, printing=printing,
                   scanning=scanning, usb_storage=usb, help=help_, assisted=assisted,
                   accessibility=accessibility)


def read_section(check: Checker, document: dict[str, Any], name: str,
                 reader: Callable[[Checker, dict[str, Any]], T], default: T) -> T:
    node = document.get(name, MISSING)
    if node is MISSING:
        return default
    if not isinstance(node, dict):
        check.problem(name, f"must be a table (written [{name}]), not {describe(node)}.")
        return default
    return reader(check, node)


def read_schema(check: Checker, node: object) -> None:
    if node is MISSING:
        check.problem("schema", f"is required but missing: the first line should be "
                                f"schema = {SCHEMA_VERSION}.")
    elif isinstance(node, bool) or not isinstance(node, int):
        check.problem("schema", f"must be the number {SCHEMA_VERSION} (without quotes), "
                                f"not {describe(node)}.")
    elif node != SCHEMA_VERSION:
        check.problem("schema", f"is {node}, but this version of the kiosk reads schema "
                                f"{SCHEMA_VERSION} only.")


def read_terminal(check: Checker, node: object) -> Terminal:
    if node is MISSING:
        check.problem("terminal", "is required but missing: add a [terminal] table with a name.")
        return Terminal(name="")
    table = check.table(node, "terminal", ("name", "languages"), required=("name",))
    if table is None:
        return Terminal(name="")
    name = check.string(table.get("name", MISSING), "terminal.name", limit=MAX_NAME) \
        if "name" in table else ""
    if "name" in table and isinstance(table["name"], str) and not table["name"].strip():
        check.problem("terminal.name", "must not be empty: residents see it on the home screen.")
    languages = read_languages(check, table.get("languages", MISSING))
    return Terminal(name=name, languages=languages)


def read_languages(check: Checker, node: object) -> tuple[str, ...]:
    key = "terminal.languages"
    if node is MISSING:
        return ("fr",)
    if not isinstance(node, list) or not node:
        check.problem(key, 'must be a non-empty list of language codes, such as ["fr", "en"].')
        return ("fr",)
    languages: list[str] = []
    for index, item in enumerate(node):
        if not isinstance(item, str) or not LANGUAGE.match(item):
            check.problem(f"{key}[{index}]", f"{describe(item)} is not a language code; use "
                                             "two or three lower-case letters such as fr.")
        elif item in languages:
            check.problem(f"{key}[{index}]", f'"{item}" is listed twice.')
        else:
            languages.append(item)
    return tuple(languages) or ("fr",)


def read_session(check: Checker, table: dict[str, Any]) -> SessionSettings:
    check.table(table, "session", ("idle_timeout", "idle_warning", "max_duration"))
    defaults = SessionSettings()
    settings = SessionSettings(
        idle_timeout=check.integer(table.get("idle_timeout", MISSING), "session.idle_timeout",
                                   IDLE_TIMEOUT, defaults.idle_timeout),
        idle_warning=check.integer(table.get("idle_warning", MISSING), "session.idle_warning",
                                   IDLE_WARNING, defaults.idle_warning),
        max_duration=check.integer(table.get("max_duration", MISSING), "session.max_duration",
                                   MAX_DURATION, defaults.max_duration),
    )
    if settings.max_duration and settings.max_duration <= settings.idle_warning:
        check.problem("session.max_duration", f"is {settings.max_duration} s, no longer than "
                      f"the {settings.idle_warning} s countdown before it; make it longer.")
    return settings


def read_printing(check: Checker, table: dict[str, Any]) -> Printing:
    check.table(table, "printing", ("enabled", "queue", "pages_per_session"))
    defaults = Printing()
    queue = check.string(table.get("queue", MISSING), "printing.queue")
    if queue and not QUEUE.match(queue):
        check.problem("printing.queue", f'"{queue}" is not a CUPS queue name (no spaces, '
                                        "slashes or '#'); leave it empty for the default printer.")
    return Printing(
        enabled=check.boolean(table.get("enabled", MISSING), "printing.enabled", defaults.enabled),
        queue=queue,
        pages_per_session=check.integer(table.get("pages_per_session", MISSING),
                                        "printing.pages_per_session", PAGES_PER_SESSION,
                                        defaults.pages_per_session),
    )


def read_scanning(check: Checker, table: dict[str, Any]) -> Scanning:
    check.table(table, "scanning", ("enabled", "max_size_mb"))
    defaults = Scanning()
    return Scanning(
        enabled=check.boolean(table.get("enabled", MISSING), "scanning.enabled",
                              defaults.enabled),
        max_size_mb=read_size_mb(check, table.get("max_size_mb", MISSING),
                                 "scanning.max_size_mb", defaults.max_size_mb),
    )


def read_size_mb(check: Checker, node: Any, where: str, default: float) -> float:
    """A size in megabytes, between 0.5 and 50 (a whole number or not)."""
    if node is MISSING:
        return default
    if isinstance(node, bool) or not isinstance(node, int | float):
        check.problem(where, f"must be a number of megabytes, such as 5, not {describe(node)}.")
        return default
    if not 0.5 <= node <= 50:
        check.problem(where, f"is {node}; it must be between 0.5 and 50 (megabytes).")
        return default
    return float(node)


def read_usb(check: Checker, table: dict[str, Any]) -> UsbStorage:
    check.table(table, "usb_storage", ("policy", "mediator_policy"))
    return UsbStorage(
        policy=check.choice(table.get("policy", MISSING), "usb_storage.policy",
                            USB_POLICIES, UsbStorage().policy),
        mediator_policy=check.choice(table.get("mediator_policy", MISSING),
                                     "usb_storage.mediator_policy", MEDIATOR_USB_POLICIES,
                                     UsbStorage().mediator_policy))


def read_accessibility(check: Checker, table: dict[str, Any]) -> Accessibility:
    check.table(table, "accessibility", ("onscreen_keyboard",))
    return Accessibility(
        onscreen_keyboard=check.choice(table.get("onscreen_keyboard", MISSING),
                                       "accessibility.onscreen_keyboard",
                                       ONSCREEN_KEYBOARD_MODES,
                                       Accessibility().onscreen_keyboard))


def read_help(check: Checker, table: dict[str, Any]) -> Help:
    check.table(table, "help", ("desk", "phone", "hours"))
    phone = check.string(table.get("phone", MISSING), "help.phone", limit=40)
    if phone and not PHONE.match(phone):
        check.problem("help.phone", f'"{phone}" is not a phone number; use digits, spaces '
                                    "and + only, such as 01 23 45 67 89.")
        phone = ""
    return Help(desk=check.localized(table.get("desk", MISSING), "help.desk"),
                phone=phone,
                hours=check.localized(table.get("hours", MISSING), "help.hours"))


def read_assisted(check: Checker, table: dict[str, Any]) -> Assisted:
    check.table(table, "assisted", ("allow", "idle_timeout", "journal", "journal_days",
                                    "pages_per_session"))
    return Assisted(
        allow=check.patterns(table.get("allow", MISSING), "assisted.allow", whole_tld=True,
                             must_have=False),
        idle_timeout=check.integer(table.get("idle_timeout", MISSING), "assisted.idle_timeout",
                                   IDLE_TIMEOUT, Assisted().idle_timeout),
        journal=check.boolean(table.get("journal", MISSING), "assisted.journal",
                              Assisted().journal),
        journal_days=check.integer(table.get("journal_days", MISSING), "assisted.journal_days",
                                   JOURNAL_DAYS, Assisted().journal_days),
        pages_per_session=check.integer(table.get("pages_per_session", MISSING),
                                        "assisted.pages_per_session", PAGES_PER_SESSION,
                                        Assisted().pages_per_session),
    )


def read_groups(check: Checker, node: object) -> tuple[Group, ...]:
    if node is MISSING:
        check.problem("group", "is required but missing: add at least one [[group]] "
                               "with an id and a title.")
        return ()
    groups: list[Group] = []
    for index, item in enumerate(check.array_of_tables(node, "group")):
        key = f"group[{index}]"
        table = check.table(item, key, ("id", "title"), required=("id", "title"))
        if table is None:
            continue
        group_id = read_id(check, table.get("id", MISSING), f"{key}.id",
                           {g.id for g in groups}, "group")
        title = check.localized(table.get("title", MISSING), f"{key}.title", required=True) \
            if "title" in table else EMPTY_TEXT
        if group_id:
            groups.append(Group(group_id, title))
    if isinstance(node, list) and not node:
        check.problem("group", "is empty: add at least one [[group]].")
    return tuple(groups)


def read_id(check: Checker, node: object, key: str, taken: set[str], kind: str) -> str:
    if node is MISSING:
        return ""
    value = check.string(node, key)
    if not value:
        return ""
    if not IDENTIFIER.match(value):
        check.problem(key, f'"{value}" is not a valid id: use lower-case letters, digits, '
                           "'-' and '_', starting with a letter or digit (40 at most).")
        return ""
    if value in taken:
        check.problem(key, f'the {kind} id "{value}" is used twice; each must be unique.')
        return ""
    return value


PROCEDURE_KEYS = ("id", "group", "title", "start_url", "allow", "other_ways", "description",
                  "partner")
PROCEDURE_REQUIRED = ("id", "group", "title", "start_url", "allow")


def read_procedures(check: Checker, node: object,
                    groups: tuple[Group, ...]) -> tuple[Procedure, ...]:
    if node is MISSING:
        check.problem("procedure", "is required but missing: add at least one [[procedure]].")
        return ()
    items = check.array_of_tables(node, "procedure")
    if isinstance(node, list) and not node:
        check.problem("procedure", "is empty: add at least one [[procedure]].")
    procedures: list[Procedure] = []
    for index, item in enumerate(items):
        procedure = read_procedure(check, item, f"procedure[{index}]", groups,
                                   {p.id for p in procedures})
        if procedure is not None:
            procedures.append(procedure)
    return tuple(procedures)


def read_procedure(check: Checker, item: object, key: str, groups: tuple[Group, ...],
                   taken: set[str]) -> Procedure | None:
    table = check.table(item, key, PROCEDURE_KEYS, required=PROCEDURE_REQUIRED)
    if table is None:
        return None
    procedure_id = read_id(check, table.get("id", MISSING), f"{key}.id", taken, "procedure")
    group = read_group_reference(check, table.get("group", MISSING), f"{key}.group", groups)
    title = check.localized(table.get("title", MISSING), f"{key}.title", required=True) \
        if "title" in table else EMPTY_TEXT
    allow = check.patterns(table["allow"], f"{key}.allow") if "allow" in table \
        else Allowlist(())
    start_url = read_start_url(check, table.get("start_url", MISSING), f"{key}.start_url",
                               allow, f"{key}.allow")
    other_ways = check.localized(table.get("other_ways", MISSING), f"{key}.other_ways")
    description = check.localized(table.get("description", MISSING), f"{key}.description")
    partner = check.choice(table.get("partner", MISSING), f"{key}.partner", PARTNERS,
                           Procedure.partner)
    if not (procedure_id and group and title and start_url and allow.patterns):
        return None
    return Procedure(id=procedure_id, group=group, title=title, start_url=start_url,
                     allow=allow, other_ways=other_ways, description=description,
                     partner=partner)


def read_group_reference(check: Checker, node: object, key: str,
                         groups: tuple[Group, ...]) -> str:
    if node is MISSING:
        return ""
    value = check.string(node, key)
    known = [g.id for g in groups]
    if value and value not in known:
        check.problem(key, sentence(f'names the group "{value}", which no [[group]] defines'
                                    f"{did_you_mean(value, known)}"))
        return ""
    return value


def read_start_url(check: Checker, node: object, key: str, allow: Allowlist,
                   allow_key: str) -> str:
    if node is MISSING:
        return ""
    url = check.string(node, key, required=True, limit=2000)
    if not url:
        return ""
    problem = start_url_problem(url, allow, allow_key)
    if problem:
        check.problem(key, problem)
        return ""
    return url


def start_url_problem(url: str, allow: Allowlist, allow_key: str) -> str:
    """What is wrong with a procedure's first address, or "" when it may be used."""
    if url != url.strip() or any(c.isspace() for c in url):
        return "must not contain spaces."
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme in TEXT_UNSAFE_SCHEMES:
        return (f'uses "{scheme}:", which the kiosk never opens; '
                "give the https:// address of the procedure's page.")
    try:
        parts = urlsplit(url)
    except ValueError:
        return f'"{url}" is not a web address.'
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return f'"{url}" is not a web address; it must start with https://.'
    if parts.username is not None or parts.password is not None:
        return "must not contain a user name or password."
    host = url_host(parts)
    if host is None:
        return f'"{url}" has no valid host name.'
    if not allow.patterns:
        return ""  # the empty allowlist is reported on its own key
    if parts.scheme.lower() == "http":
        if allow.names_exactly(host):
            return ""
        return (f'uses http:// to "{host}", which is only allowed for a host named exactly '
                f"(not through a '*.') in {allow_key}; use https://.")
    if not allow.allows_host(host):
        return f'goes to "{host}", which is not in {allow_key}; add it there.'
    return ""


# -- messages ------------------------------------------------------------------------------


def join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def describe(node: object) -> str:
    """How a TOML value looks to the person who wrote it."""
    if node is MISSING:
        return "nothing"
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, str):
        shown = node if len(node) <= 40 else node[:37] + "…"
        return f'the text "{shown}"'
    if isinstance(node, int):
        return f"the number {node}"
    if isinstance(node, float):
        return f"the decimal number {node}"
    if isinstance(node, list):
        return "a list"
    if isinstance(node, dict):
        return "a table"
    return "a date or time"


def unknown_key_message(name: str, allowed: tuple[str, ...]) -> str:
    return sentence(f'"{name}" is not a known key{did_you_mean(name, list(allowed))}')


def did_you_mean(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


def sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."
