"""Keyboard navigation between controls, without Tk.

Tab follows a fixed order; the arrow keys move to the nearest control in that
direction on screen, so that the grid of tiles can be walked like a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Direction(Enum):
    UP = "Up"
    DOWN = "Down"
    LEFT = "Left"
    RIGHT = "Right"


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    width: int
    height: int

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)


def next_in_order(count: int, current: int, backwards: bool = False) -> int:
    """The index Tab (or Shift-Tab) goes to, wrapping around."""
    if count <= 0:
        raise ValueError("no control to move to")
    step = -1 if backwards else 1
    return (current + step) % count


def _is_in_direction(dx: float, dy: float, direction: Direction) -> bool:
    if direction is Direction.RIGHT:
        return dx > 1 and abs(dy) <= dx * 2
    if direction is Direction.LEFT:
        return dx < -1 and abs(dy) <= -dx * 2
    if direction is Direction.DOWN:
        return dy > 1 and abs(dx) <= dy * 2
    return dy < -1 and abs(dx) <= -dy * 2


def _overlaps(a: Rect, b: Rect, direction: Direction) -> bool:
    """True when b shares a's row (moving sideways) or column (moving up or down)."""
    if direction in (Direction.LEFT, Direction.RIGHT):
        return a.y < b.y + b.height and b.y < a.y + a.height
    return a.x < b.x + b.width and b.x < a.x + a.width


def neighbor(rects: list[Rect], current: int, direction: Direction) -> int:
    """The control an arrow key moves to; `current` when there is none that way.

    A control in the same row (or column) wins over a closer one off it, so the
    grid of tiles is walked like rows of a page.
    """
    here = rects[current]
    cx, cy = here.center
    best, best_score = current, (True, float("inf"))
    for index, rect in enumerate(rects):
        if index == current:
            continue
        x, y = rect.center
        dx, dy = x - cx, y - cy
        if not _is_in_direction(dx, dy, direction):
            continue
        sideways = direction in (Direction.LEFT, Direction.RIGHT)
        along, across = (abs(dx), abs(dy)) if sideways else (abs(dy), abs(dx))
        score = (not _overlaps(here, rect, direction), along + across * 3)
        if score < best_score:
            best, best_score = index, score
    return best
