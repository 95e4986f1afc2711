"""The end-to-end tests look at whole screens: they get an X screen of their own,
with no window left on it by other tests (the UI tests keep a Tk root open on the
shared one), and a fresh procedure site each."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import XScreen, x_screen
from procedure_site import Site


@pytest.fixture(scope="module")
def screen() -> Iterator[XScreen]:
    with x_screen(1280, 1024) as own:
        yield own


@pytest.fixture
def site() -> Iterator[Site]:
    """The local procedure site, with an empty log."""
    server = Site().start()
    yield server
    server.stop()


@pytest.fixture
def short_session_root() -> Iterator[Path]:
    """A session root under /dev/shm: Chromium's socket paths inside it must stay
    short, which pytest's temporary folders are not."""
    folder = Path(tempfile.mkdtemp(prefix="sessions-", dir="/dev/shm"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
