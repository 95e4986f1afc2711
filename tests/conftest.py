"""Shared fixtures: a private X screen, artifacts folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import SAMPLE_PROFILE, XScreen, x_screen

from kiosk.config.load import load_profile
from kiosk.config.schema import Profile

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def screen() -> Iterator[XScreen]:
    """One Xvfb 1280x1024 with openbox for the whole test session."""
    with x_screen(1280, 1024) as s:
        yield s


@pytest.fixture
def sample_profile() -> Profile:
    """The sample profile (tests/data/sample.toml), loaded and validated."""
    return load_profile(SAMPLE_PROFILE)


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """A folder for this test's screenshots and logs (kept after the run)."""
    name = str(request.node.name).replace("/", "_").replace("[", "-").replace("]", "")
    path: Path = ARTIFACTS / name
    path.mkdir(parents=True, exist_ok=True)
    return path
