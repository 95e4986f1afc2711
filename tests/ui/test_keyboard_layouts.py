"""The on-screen keyboard's layouts: each language's own letters, keys big enough for a
finger, every key inside the panel and none over another."""

from __future__ import annotations

import pytest

from kiosk.ui.keyboard_layouts import (
    LAYOUTS,
    MIN_KEY_PX,
    NAMED_KEYS,
    Key,
    first_page_for,
    key_boxes,
    layout_for,
    panel_height_for,
)


def letters_of(language: str) -> str:
    return "".join(k.send for row in layout_for(language).letters for k in row
                   if k.kind == "char")


def first_row(language: str) -> str:
    return "".join(k.send for k in layout_for(language).letters[0] if k.kind == "char")


def test_each_language_has_its_own_keyboard() -> None:
    assert first_row("fr").startswith("azerty")
    assert first_row("en").startswith("qwerty")
    assert first_row("es").startswith("qwerty") and "ñ" in letters_of("es")
    assert first_row("ar").startswith("ضصثق")
    assert {"é", "è", "à", "ç"} <= set(letters_of("fr"))
    assert {"á", "é", "í", "ó", "ú", "¿", "¡"} <= set(letters_of("es"))
    # A language without a layout of its own gets the terminal's default, French.
    assert layout_for("de").language == "fr" and layout_for("fr-BE").language == "fr"


def test_shift_types_capitals_even_accented_ones() -> None:
    assert Key("é", "é").typed(shifted=True) == "É"
    assert Key("ñ", "ñ").typed(shifted=True) == "Ñ"
    assert Key("a", "a").typed(shifted=False) == "a"
    assert not layout_for("ar").has_shift
    assert not [k for row in layout_for("ar").letters for k in row if k.kind == "shift"]


@pytest.mark.parametrize("language", sorted(LAYOUTS))
@pytest.mark.parametrize("screen", [(1280, 1024), (1024, 768), (1920, 1080)])
def test_keys_are_big_inside_the_panel_and_never_overlap(language: str,
                                                        screen: tuple[int, int]) -> None:
    layout = LAYOUTS[language]
    width, screen_height = screen
    rows = max(len(layout.letters), len(layout.symbols))
    height = panel_height_for(rows, screen_height)
    assert height <= screen_height * 45 // 100
    for page in ("letters", "symbols"):
        boxes = key_boxes(layout.page(page), width, height)
        for box in boxes:
            assert box.width >= MIN_KEY_PX and box.height >= MIN_KEY_PX, (page, box)
            assert box.x >= 0 and box.x + box.width <= width
            assert box.y >= 0 and box.y + box.height <= height
        for a in boxes:
            for b in boxes:
                if a is not b:
                    apart = (a.x + a.width <= b.x or b.x + b.width <= a.x
                             or a.y + a.height <= b.y or b.y + b.height <= a.y)
                    assert apart, (a, b)


@pytest.mark.parametrize("language", sorted(LAYOUTS))
def test_every_page_has_the_keys_to_get_around(language: str) -> None:
    layout = LAYOUTS[language]
    for page in (layout.letters, layout.symbols):
        keys = [k for row in page for k in row]
        kinds = {k.kind for k in keys}
        assert {"page", "hide"} <= kinds
        assert {k.send for k in keys if k.kind == "key"} <= set(NAMED_KEYS)
        assert {"Backspace", "Enter"} <= {k.send for k in keys if k.kind == "key"}
        assert " " in {k.send for k in keys}
    assert set("0123456789") <= {k.send for row in layout.symbols for k in row}


def test_a_number_field_opens_on_the_digits() -> None:
    assert first_page_for("number") == first_page_for("tel") == "symbols"
    assert first_page_for("text") == first_page_for("password") == "letters"
