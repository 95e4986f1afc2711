"""The two kinds of failure the kiosk knows.

A `UserError` carries a sentence meant for a person (already translated where a
resident sees it) and is shown as written. Anything else is an internal error:
it is logged with its traceback for IT staff and the resident only sees a calm
"we are starting again" screen.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path


class UserError(Exception):
    """A failure whose message is fit to be shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ProfileProblem:
    """One thing wrong with a profile: where, and what, in one sentence."""

    file: Path
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else str(self.file)
        return f"{where}: {self.message}"


class ProfileError(Exception):
    """A profile that cannot be used; holds every problem found in it."""

    def __init__(self, problems: list[ProfileProblem]) -> None:
        if not problems:
            raise ValueError("a ProfileError needs at least one problem")
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = tuple(problems)


def describe_without_data(error: BaseException) -> str:
    """The error's type, errno and code locations, but not its message."""
    kind = type(error).__name__
    code = getattr(error, "errno", None)
    if isinstance(code, int):
        kind += f" [errno {code}]"
    frames = traceback.extract_tb(error.__traceback__)
    where = " <- ".join(f"{frame.name}:{frame.lineno}" for frame in reversed(frames[-4:]))
    return f"{kind} at {where}" if where else kind
