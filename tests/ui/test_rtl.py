"""The shell mirrored in Arabic, on a real Tk root (Xvfb): geometry, keys, screenshots."""

from __future__ import annotations

import tkinter as tk
from pathlib import Path

import pytest
from harness import XScreen
from PIL import Image
from screenshots import check_against_reference
from tk_helpers import AppMaker, QuietControl, settle

from kiosk.app import KioskApp
from kiosk.session.flow import OpenProcedure, ShowHelp, ShowOtherWays
from kiosk.ui.bidi import has_rtl
from kiosk.ui.widgets import shown_text

DEFAULT_PROFILE = Path(__file__).resolve().parents[2] / "profiles" / "default.toml"
SIZES = [(1024, 768), (1280, 1024)]


def widget(app: KioskApp, name: str) -> tk.Widget:
    assert app.shell.current is not None
    found = [w for w in _all(app.shell.current.frame)
             if isinstance(w, tk.Widget) and str(w).split(".")[-1] == name]
    assert len(found) == 1, f"{name}: {len(found)} found"
    return found[0]


def _all(root: tk.Misc) -> list[tk.Misc]:
    found: list[tk.Misc] = [root]
    for child in root.winfo_children():
        found.extend(_all(child))
    return found


def left(w: tk.Misc) -> int:
    return w.winfo_rootx()


def right(w: tk.Misc) -> int:
    return w.winfo_rootx() + w.winfo_width()


def arabic_app(make_app: AppMaker, size: tuple[int, int] = (1280, 1024)) -> KioskApp:
    app = make_app(size, DEFAULT_PROFILE, controller_factory=lambda bounds: QuietControl())
    app.set_language("ar")
    settle(app.root)
    return app


def heading_of(app: KioskApp, title: str) -> tk.Widget:
    assert app.shell.current is not None
    found = [w for w in _all(app.shell.current.frame)
             if isinstance(w, tk.Label) and shown_text(w) == title]
    assert len(found) == 1
    return found[0]


def test_the_home_screen_is_mirrored_in_arabic(make_app: AppMaker) -> None:
    app = arabic_app(make_app)
    # The header: the terminal's name on the right, the help button on the left.
    assert right(widget(app, "help")) < left(heading_of(app, app.profile.terminal.name)
                                               if app.profile else widget(app, "help"))
    # The languages from the right, in the profile's order.
    languages = [widget(app, f"lang_{lang}") for lang in ("fr", "en", "es", "ar")]
    assert [left(b) for b in languages] == sorted((left(b) for b in languages), reverse=True)
    # A group's name on the right of its tiles, the first tile the rightmost of its row.
    caf, msa = widget(app, "tile_caf"), widget(app, "tile_msa")
    family = heading_of(app, "الأسرة والمنح الاجتماعية")
    assert left(family) >= right(caf) > right(msa)
    assert caf.winfo_rooty() == msa.winfo_rooty()
    # "Other ways" on the left of its tile.
    assert right(widget(app, "ways_caf")) <= left(caf)
    # The text is right-aligned, and the Arabic title reads from the right: "(CAF)" at
    # the left end of what Tk draws, while the words kept are the profile's.
    assert str(caf.cget("anchor")) == "e"
    assert shown_text(caf) == "المنح العائلية (CAF)"
    assert str(caf.cget("text")).startswith("(CAF)")


def test_the_french_home_screen_stays_left_to_right(make_app: AppMaker) -> None:
    app = make_app((1280, 1024), DEFAULT_PROFILE)
    caf, msa = widget(app, "tile_caf"), widget(app, "tile_msa")
    assert left(caf) < left(msa)
    assert left(widget(app, "ways_caf")) >= right(caf)
    assert str(caf.cget("anchor")) == "w"
    assert right(widget(app, "lang_fr")) <= left(widget(app, "lang_en"))


def test_a_wrapped_arabic_title_breaks_between_words(make_app: AppMaker) -> None:
    app = arabic_app(make_app, (1024, 768))
    tile = widget(app, "tile_france-travail")
    drawn = str(tile.cget("text")).split("\n")
    assert len(drawn) >= 2, "the title should need two lines on this screen"
    words = shown_text(tile).split(" ")
    for line in drawn:
        for piece in line.split(" "):
            # Every piece drawn is a whole word (shaped, reversed or mirrored), never a cut.
            if has_rtl(piece):
                assert any(len(piece) == len(word) for word in words), piece
    assert drawn[0].endswith("France Travail")  # the beginning, on the right of line one
    # The group names stand whole inside the window, on its right.
    window_right = app.root.winfo_rootx() + 1024
    family = heading_of(app, "الأسرة والمنح الاجتماعية")
    assert window_right - 40 < right(family) <= window_right


def test_arrow_keys_follow_the_screen_in_arabic(make_app: AppMaker) -> None:
    app = arabic_app(make_app)
    caf, msa = widget(app, "tile_caf"), widget(app, "tile_msa")
    ways = widget(app, "ways_caf")
    assert app.root.focus_get() is caf  # the first tile, on the right
    # Left goes on in the reading direction: the tile's "other ways", then the next tile.
    for expected in (ways, msa):
        app.root.focus_get().event_generate("<Left>")  # type: ignore[union-attr]
        settle(app.root)
        assert app.root.focus_get() is expected
    for expected in (ways, caf):
        app.root.focus_get().event_generate("<Right>")  # type: ignore[union-attr]
        settle(app.root)
        assert app.root.focus_get() is expected


def test_the_toolbar_is_mirrored_in_arabic(make_app: AppMaker) -> None:
    app = arabic_app(make_app)
    app.feed(OpenProcedure("caf"))
    settle(app.root)
    assert app.toolbar is not None
    buttons = app.toolbar.buttons
    # Home where reading starts (the right), End session at the far end (the left).
    assert left(buttons["end"]) < left(buttons["help"]) < left(buttons["documents"]) \
        < left(buttons["reload"]) < left(buttons["back"]) < left(buttons["home"])
    # Read in logical order: the arrow comes first, at the right, pointing right.
    assert shown_text(buttons["back"]).startswith("→")


def test_panels_start_on_the_right_with_back_pointing_right(make_app: AppMaker) -> None:
    app = arabic_app(make_app)
    middle = app.root.winfo_rootx() + 640
    app.feed(ShowHelp())
    settle(app.root)
    back = widget(app, "back")
    assert left(back) > middle
    assert shown_text(back).startswith("→")
    app.feed(ShowOtherWays("caf"))
    settle(app.root)
    # The website first, on the right; Back after it, to its left.
    assert right(widget(app, "back")) < left(widget(app, "open"))
    assert left(widget(app, "back")) > middle - 400


def _window_shot(screen: XScreen, app: KioskApp, height: int, path: Path) -> Path:
    """The kiosk's window alone (the test screen is larger than the kiosk's)."""
    screen.run("xdotool", "mousemove", "1279", "1023")
    settle(app.root)
    whole = screen.screenshot(path.with_name("whole-" + path.name))
    x, y = app.root.winfo_rootx(), app.root.winfo_rooty()
    with Image.open(whole) as image:
        image.crop((x, y, x + app.root.winfo_width(), y + height)).save(path)
    return path


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["1024x768", "1280x1024"])
def test_arabic_screens_look_as_they_should(make_app: AppMaker, screen: XScreen,
                                            artifacts: Path, width: int, height: int) -> None:
    app = arabic_app(make_app, (width, height))
    home = _window_shot(screen, app, height, artifacts / f"home-ar-{width}x{height}.png")
    check_against_reference(home, f"home-ar-{width}x{height}")
    app.feed(OpenProcedure("caf"))
    settle(app.root)
    strip = _window_shot(screen, app, app.shell.strip_height,
                         artifacts / f"toolbar-ar-{width}x{height}.png")
    check_against_reference(strip, f"toolbar-ar-{width}x{height}")
