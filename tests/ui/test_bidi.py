"""Right-to-left text put in the order Tk must draw it (no Tk needed)."""

from __future__ import annotations

import pytest

from kiosk.ui.bidi import has_rtl, shape, visual_lines, wrap_words

CAF = "المنح العائلية (CAF)"
FRANCE_TRAVAIL = "France Travail (وكالة التشغيل)"
LONG = "الضرائب التصريح والدفع والإشعارات على الموقع الرسمي"


def arabic_only(text: str) -> str:
    """The Arabic letters of `text`, in the order they stand."""
    return "".join(ch for ch in text if has_rtl(ch))


def one_line(text: str, rtl: bool = True) -> str:
    lines = visual_lines(text, 0, len, rtl)
    assert len(lines) == 1
    return lines[0]


@pytest.mark.parametrize("text", ["Allocations familiales (CAF)", "Impôts : déclarer, payer",
                                  "By phone: 32 30 (free service)", ""])
def test_text_without_arabic_is_left_as_it_is(text: str) -> None:
    assert one_line(text) == text
    assert one_line(text, rtl=False) == text


def test_arabic_is_drawn_from_the_right_with_the_latin_acronym_at_the_left_end() -> None:
    shown = one_line(CAF)
    # Read from the right: the Arabic words first, then "(CAF)" at the left end,
    # its brackets still opening towards the acronym.
    assert shown.startswith("(CAF) ")
    assert arabic_only(shown) == arabic_only(shape(CAF))[::-1]


def test_arabic_letters_are_joined() -> None:
    shown = one_line("الصحة")
    # Contextual forms from the Arabic presentation forms, not the isolated letters.
    assert all("\ufb50" <= ch <= "\ufeff" for ch in shown)
    assert shown != "الصحة"[::-1]


def test_a_latin_name_starting_an_arabic_title_stands_at_the_right() -> None:
    shown = one_line(FRANCE_TRAVAIL)
    assert shown.endswith("France Travail")
    # The bracketed Arabic stands to its left, brackets mirrored around it.
    assert shown.startswith("(") and ")" in shown


def test_numbers_keep_their_own_order_inside_arabic() -> None:
    assert "17:00" in one_line("من 9:00 إلى 17:00")
    # A phone number written in groups stays one number, not "30 32".
    shown = one_line("بالهاتف: 32 30")
    assert "32\u00a030" in shown
    assert shown.index("32") < shown.index("30")


def test_in_a_left_to_right_session_an_arabic_word_is_still_reordered() -> None:
    """The language button "العربية" on the French home screen."""
    assert arabic_only(one_line("العربية", rtl=False)) == arabic_only(shape("العربية"))[::-1]


def test_wrapping_cuts_at_spaces_and_the_first_line_holds_the_beginning() -> None:
    lines = visual_lines(LONG, 20, len, True)
    assert len(lines) > 1
    words = shape(LONG).split(" ")
    # Each line, read from the right, is a run of whole words; together they are the text.
    read = [line[::-1] for line in lines]
    assert " ".join(read) == " ".join(words)
    for line in read:
        assert all(word in words for word in line.split(" "))
        assert len(line) <= 20 or " " not in line


def test_a_word_longer_than_the_width_keeps_a_line_of_its_own() -> None:
    assert wrap_words("a verylongword b", 5, len) == ["a", "verylongword", "b"]


def test_a_phone_number_is_never_cut_by_the_wrapping() -> None:
    lines = visual_lines("اتصل بالرقم 01 23 45 67 89 من فضلك", 16, len, True)
    assert any("01\u00a023\u00a045\u00a067\u00a089" in line for line in lines)


def test_line_breaks_of_the_text_are_kept() -> None:
    lines = visual_lines("المكتب\nPhone: 3939", 0, len, True)
    assert lines[1] == "Phone: 3939"
    assert arabic_only(lines[0]) == arabic_only(shape("المكتب"))[::-1]
