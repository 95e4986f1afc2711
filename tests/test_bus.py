"""The event bus: typed events, published from any thread, delivered on the draining one."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

from kiosk.bus import EventBus, UndeclaredEvent
from kiosk.events import BrowserUnavailable, Event, PageOpened, SessionFailed


def test_events_from_worker_threads_are_delivered_on_the_draining_thread() -> None:
    bus = EventBus()
    seen: list[tuple[float, str]] = []
    bus.subscribe(BrowserUnavailable,
                  lambda e: seen.append((e.retry_in, threading.current_thread().name)))
    workers = [threading.Thread(target=lambda n=n: bus.publish(BrowserUnavailable(n)))
               for n in range(50)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert seen == []  # nothing runs until the Tk thread drains
    assert bus.drain() == 50
    assert sorted(n for n, _ in seen) == list(range(50))
    assert {name for _, name in seen} == {threading.current_thread().name}


def test_the_class_is_the_topic() -> None:
    bus = EventBus()
    opened: list[Event] = []
    bus.subscribe(PageOpened, opened.append)
    bus.publish(SessionFailed("x"))
    bus.publish(PageOpened())
    bus.drain()
    assert opened == [PageOpened()]


def test_immediate_subscribers_run_on_the_publishing_thread() -> None:
    bus = EventBus()
    threads: list[str] = []
    bus.subscribe_now(PageOpened, lambda e: threads.append(threading.current_thread().name))
    worker = threading.Thread(target=lambda: bus.publish(PageOpened()), name="worker")
    worker.start()
    worker.join()
    assert threads == ["worker"]  # before any drain


def test_a_failing_immediate_subscriber_does_not_fail_the_publisher() -> None:
    bus = EventBus()
    delivered: list[Event] = []

    def broken(event: PageOpened) -> None:
        raise ValueError("boom")

    bus.subscribe_now(PageOpened, broken)
    bus.subscribe(PageOpened, delivered.append)
    bus.publish(PageOpened())
    bus.drain()
    assert delivered == [PageOpened()]


def test_an_undeclared_event_is_refused() -> None:
    @dataclass(frozen=True)
    class Homemade(Event):
        text: str

    bus = EventBus()
    with pytest.raises(UndeclaredEvent):
        bus.publish(Homemade("not in kiosk.events"))
    with pytest.raises(UndeclaredEvent):
        bus.subscribe(Homemade, lambda e: None)
    with pytest.raises(UndeclaredEvent):
        bus.publish(Event())  # the base class is no event of its own


def test_a_failing_handler_does_not_stop_the_others_and_is_reported() -> None:
    bus = EventBus()
    errors: list[tuple[BaseException, Event]] = []
    bus.on_handler_error(lambda exc, event: errors.append((exc, event)))
    delivered: list[str] = []

    def broken(event: PageOpened) -> None:
        raise ValueError("boom")

    bus.subscribe(PageOpened, broken)
    bus.subscribe(PageOpened, lambda e: delivered.append("second"))
    bus.publish(PageOpened())
    bus.publish(PageOpened())
    bus.drain()
    assert delivered == ["second", "second"]
    assert [type(e).__name__ for e, _ in errors] == ["ValueError", "ValueError"]


def test_unsubscribe_and_drain_limit() -> None:
    bus = EventBus()
    got: list[float] = []
    stop = bus.subscribe(BrowserUnavailable, lambda e: got.append(e.retry_in))
    for i in range(5):
        bus.publish(BrowserUnavailable(i))
    assert bus.drain(limit=2) == 2
    stop()
    assert bus.drain() == 3
    assert got == [0, 1]
    assert BrowserUnavailable not in bus.subscribed_kinds()
