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


def neighbor(rects: list[Rect], current: int, direction: Direction) -> int:
    """The control an arrow key moves to; `current` when there is none that way."""
    cx, cy = rects[current].center
    best, best_score = current, float("inf")
    for index, rect in enumerate(rects):
        if index == current:
            continue
        x, y = rect.center
        dx, dy = x - cx, y - cy
        if not _is_in_direction(dx, dy, direction):
            continue
        along, across = (abs(dx), abs(dy)) if direction in (
            Direction.LEFT, Direction.RIGHT) else (abs(dy), abs(dx))
        # Stay in the same row/column rather than jump diagonally to a closer one.
        score = along + across * 3
        if score < best_score:
            best, best_score = index, score
    return best
