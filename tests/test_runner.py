"""`kiosk run`'s handling of SIGTERM and SIGINT."""

from __future__ import annotations

import logging
import signal
import tkinter as tk
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest

from kiosk.runner import stop_on_signals


class RecordingRoot:
    """Stands for the Tk root: records what the handler schedules and the quit."""

    def __init__(self) -> None:
        self.scheduled: list[tuple[Callable[..., object], tuple[Any, ...]]] = []
        self.quitted = False

    def after(self, _ms: int, func: Callable[..., object], *args: Any) -> str:
        self.scheduled.append((func, args))
        return "after#0"

    def quit(self) -> None:
        self.quitted = True


@pytest.fixture
def saved_handlers() -> Iterator[None]:
    saved = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


@pytest.mark.usefixtures("saved_handlers")
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_the_signal_handler_writes_nothing_and_only_schedules_the_stop(
    number: signal.Signals, caplog: pytest.LogCaptureFixture
) -> None:
    # The handler may interrupt the main thread while it writes a log line to
    # stderr; writing one from the handler would then fail and lose the signal.
    root = RecordingRoot()
    stop_on_signals(cast(tk.Tk, root))
    handler = signal.getsignal(number)
    assert callable(handler)
    with caplog.at_level(logging.DEBUG):
        handler(number, None)
        assert caplog.records == [], "the handler itself must not log"
        assert not root.quitted
        assert len(root.scheduled) == 1
        func, args = root.scheduled[0]
        func(*args)  # what the main loop runs next
    assert root.quitted
    assert [r.getMessage() for r in caplog.records] == [f"signal {int(number)}: stopping"]
