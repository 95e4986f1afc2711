"""What the home screen shows, computed without Tk (the presenter of the home view)."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.config.schema import Profile


@dataclass(frozen=True)
class TileModel:
    procedure_id: str
    title: str
    description: str
    other_ways: str


@dataclass(frozen=True)
class GroupModel:
    group_id: str
    title: str
    tiles: tuple[TileModel, ...]


@dataclass(frozen=True)
class HomeModel:
    terminal_name: str
    language: str
    languages: tuple[str, ...]
    groups: tuple[GroupModel, ...]

    @property
    def tiles(self) -> tuple[TileModel, ...]:
        """Every tile in reading order (group by group), the order Tab follows."""
        return tuple(tile for group in self.groups for tile in group.tiles)


def build_home(profile: Profile, language: str) -> HomeModel:
    """The groups and tiles of `profile` in `language`, groups with no procedure left out."""
    fallbacks = profile.terminal.languages
    groups = []
    for group in profile.groups:
        tiles = tuple(
            TileModel(
                procedure_id=p.id,
                title=p.title.get(language, fallbacks),
                description=p.description.get(language, fallbacks),
                other_ways=p.other_ways.get(language, fallbacks),
            )
            for p in profile.procedures_in(group.id)
        )
        if tiles:
            groups.append(GroupModel(group.id, group.title.get(language, fallbacks), tiles))
    return HomeModel(
        terminal_name=profile.terminal.name,
        language=language,
        languages=profile.terminal.languages,
        groups=tuple(groups),
    )


def tiles_per_row(available_width: int, min_tile_width: int, largest_group: int) -> int:
    """How many tiles stand side by side in a group's row.

    As many as fit, but never more than the largest group needs, so that tiles
    stay wide (and their text large) when groups are small.
    """
    fitting = max(1, available_width // max(1, min_tile_width))
    return max(1, min(fitting, largest_group))
