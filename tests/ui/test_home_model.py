"""The home screen's presenter, without Tk."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config.allowlist import Allowlist
from kiosk.config.schema import Group, Localized, Procedure, Profile, Terminal
from kiosk.ui.home_model import build_home, tiles_per_row


def text(fr: str, en: str) -> Localized:
    return Localized((("fr", fr), ("en", en)))


def profile() -> Profile:
    allow = Allowlist.of(["caf.fr"])
    return Profile(
        source=Path("test.toml"),
        schema=1,
        terminal=Terminal("Borne", ("fr", "en")),
        groups=(
            Group("family", text("Famille", "Family")),
            Group("empty", text("Vide", "Empty")),
            Group("health", text("Santé", "Health")),
        ),
        procedures=(
            Procedure("ameli", "health", text("Ameli FR", "Ameli EN"), "https://caf.fr/", allow),
            Procedure("caf", "family", text("CAF FR", "CAF EN"), "https://caf.fr/", allow,
                      other_ways=text("32 30", "32 30 (en)")),
            Procedure("msa", "family", Localized.plain("MSA"), "https://caf.fr/", allow),
        ),
    )


def test_groups_follow_the_profile_order_and_empty_groups_are_left_out() -> None:
    model = build_home(profile(), "fr")
    assert [g.group_id for g in model.groups] == ["family", "health"]
    assert [t.procedure_id for t in model.tiles] == ["caf", "msa", "ameli"]


def test_texts_are_in_the_chosen_language_with_fallback_to_the_default() -> None:
    model = build_home(profile(), "en")
    assert model.groups[0].title == "Family"
    assert model.tiles[0].title == "CAF EN"
    assert model.tiles[0].other_ways == "32 30 (en)"
    assert model.tiles[1].title == "MSA"  # a plain string stands for every language
    spanish = build_home(profile(), "es")
    assert spanish.tiles[0].title == "CAF FR"  # no Spanish: the terminal's first language


@pytest.mark.parametrize(
    ("width", "min_width", "largest", "expected"),
    [(1000, 300, 5, 3), (1000, 300, 2, 2), (200, 300, 4, 1), (2000, 300, 9, 6)],
)
def test_tiles_per_row(width: int, min_width: int, largest: int, expected: int) -> None:
    assert tiles_per_row(width, min_width, largest) == expected
