"""The idle rule (table), the watcher (fake clock and time), the X clock (real Xvfb)."""

from __future__ import annotations

import threading
import time

import pytest
from harness import XScreen, wait_for

from kiosk.events import (
    CountdownCancelled,
    CountdownTick,
    Event,
    MediatorIdle,
    SessionExpired,
    TimeLimitNotice,
)
from kiosk.session.idle import (
    IdleActive,
    IdleClockError,
    IdleExpired,
    IdleNotice,
    IdleState,
    IdleTracker,
    IdleWarning,
    IdleWatcher,
    XIdleClock,
)

TRACKER = IdleTracker(idle_timeout=300, idle_warning=30, max_duration=7200)


@pytest.mark.parametrize(
    ("idle", "elapsed", "expected"),
    [
        (0, 0, IdleActive()),
        (299.9, 1000, IdleActive()),
        (300, 1000, IdleWarning(30, "idle")),
        (300.2, 1000, IdleWarning(30, "idle")),
        (301, 1000, IdleWarning(29, "idle")),
        (329.5, 1000, IdleWarning(1, "idle")),
        (330, 1000, IdleExpired("idle")),
        (5000, 1000, IdleExpired("idle")),
        (0, 6899.9, IdleActive()),
        (0, 6900, IdleNotice(300)),  # five minutes' notice, in the toolbar
        (0, 7169.5, IdleNotice(31)),
        (0, 7170, IdleWarning(30, "max_duration")),  # the last idle_warning seconds: countdown
        (0, 7199.5, IdleWarning(1, "max_duration")),
        (0, 7200, IdleExpired("max_duration")),
        (400, 7200, IdleExpired("max_duration")),
        # Both countdowns run: the one that ends first is shown.
        (310, 7180, IdleWarning(20, "idle")),
        (305, 7180, IdleWarning(20, "max_duration")),
    ],
)
def test_tracker_states(idle: float, elapsed: float, expected: IdleState) -> None:
    assert TRACKER.state(idle, elapsed) == expected


def test_no_max_duration_means_no_limit() -> None:
    tracker = IdleTracker(idle_timeout=60, idle_warning=10, max_duration=0)
    assert tracker.state(0, 10**7) == IdleActive()
    assert tracker.state(65, 10**7) == IdleWarning(5, "idle")


class FakeClock:
    def __init__(self) -> None:
        self.idle = 0.0
        self.closed = False

    def idle_seconds(self) -> float:
        return self.idle

    def close(self) -> None:
        self.closed = True


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self.lock:
            self.events.append(event)

    def kinds(self) -> list[type[Event]]:
        with self.lock:
            return [type(event) for event in self.events]


def make_watcher(max_duration: float = 0) -> tuple[IdleWatcher, FakeClock, FakeTime, Recorder]:
    clock, now, published = FakeClock(), FakeTime(), Recorder()
    tracker = IdleTracker(idle_timeout=10, idle_warning=5, max_duration=max_duration)
    watcher = IdleWatcher(clock, tracker, published, interval=0.01, monotonic=now)
    return watcher, clock, now, published


def test_watcher_counts_down_once_per_second_and_cancels_on_input() -> None:
    watcher, clock, _, published = make_watcher()
    for idle in (1, 9.9, 10, 10.3, 10.6, 11.2, 12.1, 3.0, 0.5, 10.1):
        clock.idle = idle
        watcher.poll()

    assert published.events == [
        CountdownTick(5, "idle"),
        CountdownTick(4, "idle"),
        CountdownTick(3, "idle"),
        CountdownCancelled(),
        CountdownTick(5, "idle"),
    ]


def test_watcher_expires_once_then_stays_silent() -> None:
    watcher, clock, _, published = make_watcher()
    clock.idle = 16
    watcher.poll()
    clock.idle = 17
    watcher.poll()
    clock.idle = 0
    watcher.poll()

    assert published.events == [SessionExpired("idle")]
    assert watcher.expired


def test_watcher_max_duration_counts_from_start_and_ignores_input() -> None:
    watcher, clock, now, published = make_watcher(max_duration=60)  # started at 1000
    for seconds, idle in ((30, 0), (30.4, 0), (55.5, 0), (56.5, 0), (57.2, 0.1), (60, 0)):
        now.now = 1000.0 + seconds
        clock.idle = idle
        watcher.poll()

    assert published.events == [
        TimeLimitNotice(30),  # half of a short limit, in the toolbar
        CountdownTick(5, "max_duration"),  # the last idle_warning seconds
        CountdownTick(4, "max_duration"),
        CountdownTick(3, "max_duration"),
        SessionExpired("max_duration"),
    ]


def test_the_mediators_idle_time_suspends_assistance_then_the_residents_rules_apply() -> None:
    watcher, clock, _, published = make_watcher()  # the resident: 10 s, then 5 to go
    watcher.assist(IdleTracker(idle_timeout=30, idle_warning=5))
    for idle in (12, 20, 29.9):  # past the resident's idle time: no countdown
        clock.idle = idle
        watcher.poll()
    assert published.events == []

    clock.idle = 30
    watcher.poll()
    assert published.events == [MediatorIdle()]  # instead of a countdown

    # The resident's rules from that moment: nobody is met by a session already over.
    for idle in (31, 39.9, 40, 41.5):
        clock.idle = idle
        watcher.poll()
    assert published.events == [MediatorIdle(), CountdownTick(5, "idle"), CountdownTick(4, "idle")]
    clock.idle = 45
    watcher.poll()
    assert published.events[-1] == SessionExpired("idle")
    assert published.kinds().count(MediatorIdle) == 1


def test_input_after_the_mediators_idle_time_counts_from_zero_again() -> None:
    watcher, clock, _, published = make_watcher()
    watcher.assist(IdleTracker(idle_timeout=30, idle_warning=5))
    clock.idle = 30
    watcher.poll()
    for idle in (0.2, 9.9, 10):  # somebody touched the terminal: the resident's 10 s
        clock.idle = idle
        watcher.poll()
    assert published.events == [MediatorIdle(), CountdownTick(5, "idle")]


def test_the_residents_rules_come_back_when_assistance_ends() -> None:
    watcher, clock, _, published = make_watcher()
    watcher.assist(IdleTracker(idle_timeout=30, idle_warning=5))
    clock.idle = 12
    watcher.poll()
    watcher.assist(None)
    watcher.poll()
    assert published.events == [CountdownTick(3, "idle")]


def test_input_during_an_idle_countdown_near_the_time_limit_goes_back_to_the_notice() -> None:
    watcher, clock, now, published = make_watcher(max_duration=600)
    now.now = 1000.0 + 320
    clock.idle = 11
    watcher.poll()
    clock.idle = 0
    watcher.poll()
    assert published.events == [CountdownTick(4, "idle"), CountdownCancelled(),
                                TimeLimitNotice(280)]


def test_watcher_thread_publishes_stops_and_closes_the_clock() -> None:
    watcher, clock, _, published = make_watcher()
    watcher.start()
    clock.idle = 12.5
    assert wait_for(lambda: CountdownTick in published.kinds(), 5)
    clock.idle = 20
    assert wait_for(lambda: SessionExpired in published.kinds(), 5)
    assert wait_for(lambda: clock.closed, 5)
    assert published.kinds() == [CountdownTick, SessionExpired]


def test_nothing_is_published_after_stop() -> None:
    watcher, clock, _, published = make_watcher()
    watcher.start()
    watcher.stop()
    clock.idle = 100
    assert watcher.poll() is None
    time.sleep(0.05)
    assert published.events == []
    assert clock.closed


def test_a_failing_clock_is_survived() -> None:
    watcher, clock, _, published = make_watcher()

    def broken() -> float:
        raise IdleClockError("X is gone")

    clock.idle_seconds = broken  # type: ignore[method-assign]
    assert watcher.poll() is None
    assert published.events == []


@pytest.mark.display
def test_x_idle_clock_follows_real_input(screen: XScreen) -> None:
    clock = XIdleClock(screen.display)
    try:
        screen.run("xdotool", "mousemove", "100", "100")
        screen.run("xdotool", "mousemove", "200", "150")
        assert clock.idle_seconds() < 0.5
        assert wait_for(lambda: clock.idle_seconds() >= 1.0, 10)
        screen.run("xdotool", "mousemove", "300", "300")
        assert clock.idle_seconds() < 0.5
    finally:
        clock.close()
    with pytest.raises(IdleClockError):
        clock.idle_seconds()
    clock.close()  # twice is fine


def test_x_idle_clock_reports_a_missing_display() -> None:
    with pytest.raises(IdleClockError, match="cannot open the X display"):
        XIdleClock(":4242")
