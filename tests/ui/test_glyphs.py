"""Every symbol the shell draws is in a font the set-up installs.

A symbol no font has is drawn as an empty box: a resident sees a broken button.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

KIOSK = Path(__file__).resolve().parents[2] / "kiosk"
# Letters, digits and punctuation of the languages the shell speaks come with any
# text font; the symbols (arrows, pictograms) are what may be missing.
SYMBOL_CATEGORIES = {"So", "Sm"}


def symbols_in_the_shell() -> dict[str, list[str]]:
    """Each symbol character in the shell's code, with where it appears."""
    found: dict[str, list[str]] = {}
    for path in sorted([KIOSK / "app.py", *(KIOSK / "ui").glob("*.py")]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for char in line:
                if ord(char) > 0x7F and unicodedata.category(char) in SYMBOL_CATEGORIES:
                    found.setdefault(char, []).append(f"{path.name}:{number}")
    return found


def fonts_with(char: str) -> list[str]:
    result = subprocess.run(["fc-list", f":charset={ord(char):x}", "family"],
                            capture_output=True, text=True, check=True, timeout=30)
    return [line for line in result.stdout.splitlines() if line.strip()]


def test_the_shell_draws_symbols() -> None:
    assert "⌂" in symbols_in_the_shell()  # the search itself works


def test_every_symbol_has_a_font() -> None:
    assert shutil.which("fc-list"), "fontconfig is in scripts/debian-packages.txt"
    missing = {f"U+{ord(char):04X} {char}": places
               for char, places in symbols_in_the_shell().items() if not fonts_with(char)}
    assert missing == {}
