"""Every string a resident sees is translated into French, the kiosk's first language."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from kiosk.i18n import gettext_for, is_rtl, ngettext_for

REPO = Path(__file__).resolve().parent.parent
LOCALE = REPO / "kiosk" / "locale"


def extracted_messages(tmp_path: Path) -> set[str]:
    """The msgids xgettext finds in the code today (not the committed template)."""
    pot = tmp_path / "kiosk.pot"
    sources = sorted(str(p) for p in (REPO / "kiosk").rglob("*.py"))
    subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--keyword=_", "--keyword=N_",
         "--keyword=ngettext:1,2", "--keyword=gettext_for:2", "--keyword=ngettext_for:2,3",
         "-o", str(pot), *sources],
        check=True,
    )
    return set(parse_po(pot)) - {""}


def parse_po(path: Path) -> dict[str, list[str]]:
    """msgid -> its msgstr(s), from a .po or .pot file (enough of the format for a check)."""
    entries: dict[str, list[str]] = {}
    msgid: str | None = None
    current: list[str] = []
    field = ""
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if line.startswith("#"):
            continue
        if not line:
            if msgid is not None:
                entries[msgid] = current
            msgid, current, field = None, [], ""
            continue
        match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(.*)"$', line)
        if match:
            field, text = match.group(1), match.group(2)
            if field == "msgid":
                msgid = text
            elif field.startswith("msgstr"):
                current.append(text)
        elif line.startswith('"') and msgid is not None:
            text = line[1:-1]
            if field == "msgid":
                msgid += text
            elif field.startswith("msgstr"):
                current[-1] += text
    return entries


def test_every_resident_string_has_a_french_translation(tmp_path: Path) -> None:
    french = parse_po(LOCALE / "fr.po")
    missing = sorted(m for m in extracted_messages(tmp_path)
                     if not all(french.get(m, [""])) or not french.get(m))
    assert not missing, "untranslated into French (run scripts/update-po.sh):\n" + "\n".join(
        missing)


def test_the_compiled_french_catalogue_is_used() -> None:
    assert gettext_for("fr", "Back") == "Retour"
    assert gettext_for("fr", "End session") == "Terminer la session"
    assert ngettext_for("fr", "second left", "seconds left", 2) == "secondes restantes"


def test_an_unknown_language_falls_back_to_the_source_text() -> None:
    assert gettext_for("xx", "Back") == "Back"


@pytest.mark.parametrize(("lang", "rtl"), [("ar", True), ("fr", False), ("ar-MA", True)])
def test_right_to_left_languages(lang: str, rtl: bool) -> None:
    assert is_rtl(lang) is rtl


def test_every_french_entry_is_still_found_in_the_code(tmp_path: Path) -> None:
    # A translated string the extraction no longer finds is either dead, or hidden
    # behind a wrapper xgettext does not know, and then the next update-po.sh run
    # would drop its translation without a word.
    stale = sorted(set(parse_po(LOCALE / "fr.po")) - {""} - extracted_messages(tmp_path))
    assert not stale, "in fr.po but not found in the code:\n" + "\n".join(stale)
