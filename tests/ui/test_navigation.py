"""Arrow keys and Tab order, without Tk."""

from __future__ import annotations

import pytest

from kiosk.ui.navigation import Direction, Rect, neighbor, next_in_order

# A 3x2 grid of tiles: 0 1 2 / 3 4 5
GRID = [Rect(x * 200, y * 100, 180, 80) for y in range(2) for x in range(3)]


@pytest.mark.parametrize(
    ("start", "direction", "expected"),
    [
        (0, Direction.RIGHT, 1),
        (1, Direction.RIGHT, 2),
        (2, Direction.RIGHT, 2),  # nothing further: stay
        (0, Direction.DOWN, 3),
        (4, Direction.UP, 1),
        (5, Direction.LEFT, 4),
        (3, Direction.LEFT, 3),
        (2, Direction.DOWN, 5),
    ],
)
def test_arrows_move_to_the_nearest_tile_in_that_direction(
    start: int, direction: Direction, expected: int
) -> None:
    assert neighbor(GRID, start, direction) == expected


def test_arrows_prefer_the_same_row_to_a_closer_diagonal() -> None:
    rects = [Rect(0, 0, 100, 50), Rect(120, 60, 100, 50), Rect(400, 0, 100, 50)]
    assert neighbor(rects, 0, Direction.RIGHT) == 2


def test_tab_wraps_around_both_ways() -> None:
    assert next_in_order(3, 2) == 0
    assert next_in_order(3, 0, backwards=True) == 2
    with pytest.raises(ValueError):
        next_in_order(0, 0)
