"""The translation catalogues: extract the template, update each language, check them.

    python scripts/catalogues.py update   # kiosk/ -> kiosk/locale/kiosk.pot -> every .po
    python scripts/catalogues.py check    # what a translator still has to do, if anything

`make i18n` runs both. A language is one file, kiosk/locale/<code>.po: `make setup`
compiles every .po it finds, and the packages ship every compiled catalogue.
The tests (tests/test_i18n.py) use the same functions on the source as it is.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "kiosk"
LOCALE = SOURCE / "locale"
TEMPLATE = LOCALE / "kiosk.pot"

# The kiosk's translation functions (kiosk/i18n.py) and where their messages sit.
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "gettext_for": (2,),
    "ngettext_for": (2, 3),
}
# A comment starting so, just above a message, reaches translators (#. in the .po).
COMMENT_TAGS = ("Translators:",)
# %d, %s, %(name)s and {name}: what a translation must keep as it is.
PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_]\w*\))?[-#0 +]*\d*(?:\.\d+)?[sdif]|\{[A-Za-z_]\w*\}")


def extract() -> Catalog:
    """The messages the code holds today, with their translator comments."""
    template = Catalog(project="borne", version="0.1", charset="UTF-8")
    found = extract_from_dir(
        str(SOURCE), method_map=[("**.py", "python")], keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS, strip_comment_tags=True)
    for _filename, _lineno, message, comments, context in found:
        msgid = message if isinstance(message, str) else tuple(message)
        template.add(msgid, None, auto_comments=comments, context=context)
    return template


def language_files() -> list[Path]:
    """Every language's catalogue: kiosk/locale/<code>.po."""
    return sorted(LOCALE.glob("*.po"))


def read(path: Path) -> Catalog:
    with path.open("rb") as stream:
        catalogue: Catalog = read_po(stream, locale=path.stem, domain="kiosk")
    return catalogue


def write(catalogue: Catalog, path: Path) -> None:
    with path.open("wb") as stream:
        write_po(stream, catalogue, width=80, no_location=True, sort_output=True,
                 ignore_obsolete=True)


def update_all() -> None:
    """Write the template, then bring every language up to it (new entries untranslated,
    obsolete ones dropped: a translation is never guessed from a similar message)."""
    template = extract()
    write(template, TEMPLATE)
    for path in language_files():
        catalogue = read(path)
        catalogue.update(template, no_fuzzy_matching=True, update_header_comment=False)
        write(catalogue, path)
        print(f"updated {path.relative_to(REPO)}: {count(catalogue)} messages")


def count(catalogue: Catalog) -> int:
    """The messages of a catalogue (not its header)."""
    return sum(1 for message in catalogue if message.id)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a language's catalogue."""

    language: str
    kind: str  # missing, untranslated, obsolete, fuzzy, placeholders, plural forms
    message: str

    def __str__(self) -> str:
        return f"{self.language}: {self.kind}: {self.message!r}"


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


def _first(msgid: str | tuple[str, ...] | list[str]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _translations(message: Message) -> list[str]:
    if isinstance(message.string, str):
        return [message.string]
    return list(message.string or ())


def _placeholder_problems(message: Message) -> Iterator[str]:
    """Each translation keeps the placeholders of its source (the plural's for plural forms,
    which all take the same arguments)."""
    ids = [message.id] if isinstance(message.id, str) else list(message.id)
    expected = placeholders(ids[-1])
    for translation in _translations(message):
        if translation and placeholders(translation) != expected:
            yield translation


def problems(catalogue: Catalog, template: Catalog) -> Iterator[Problem]:
    """What is wrong with a language's catalogue against the code's messages."""
    language = str(catalogue.locale or "?")
    wanted = {message.id for message in template if message.id}
    have = {message.id: message for message in catalogue if message.id}
    for msgid in sorted(wanted - set(have), key=_first):
        yield Problem(language, "missing", _first(msgid))
    for msgid in sorted(set(have) - wanted, key=_first):
        yield Problem(language, "obsolete (no longer in the code)", _first(msgid))
    for message in catalogue.obsolete.values():
        yield Problem(language, "obsolete entry (#~)", _first(message.id))
    forms = catalogue.num_plurals
    for msgid, message in have.items():
        if msgid not in wanted:
            continue
        if message.fuzzy:
            yield Problem(language, "fuzzy", _first(msgid))
        strings = _translations(message)
        if not all(strings):
            yield Problem(language, "untranslated", _first(msgid))
        if message.pluralizable and len(strings) != forms:
            yield Problem(language, f"plural forms ({len(strings)} instead of {forms})",
                          _first(msgid))
        for wrong in _placeholder_problems(message):
            yield Problem(language, "placeholders differ", f"{_first(msgid)} -> {wrong}")


def check_all(paths: Iterable[Path] | None = None) -> list[Problem]:
    template = extract()
    found: list[Problem] = []
    for path in language_files() if paths is None else paths:
        found.extend(problems(read(path), template))
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "update":
        update_all()
        return 0
    if command == "check":
        found = check_all()
        for problem in found:
            print(problem)
        for path in language_files():
            print(f"{path.stem}: {count(read(path))} messages")
        return 1 if found else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
