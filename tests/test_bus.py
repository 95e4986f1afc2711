"""The event bus: publish from any thread, deliver on the draining thread."""

from __future__ import annotations

import threading

from kiosk.bus import Event, EventBus


def test_events_from_worker_threads_are_delivered_on_the_draining_thread() -> None:
    bus = EventBus()
    seen: list[tuple[int, str]] = []
    bus.subscribe(
        "work.done", lambda e: seen.append((e.data["n"], threading.current_thread().name))
    )
    workers = [
        threading.Thread(target=lambda n=n: bus.publish("work.done", n=n)) for n in range(50)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert seen == []  # nothing runs until the Tk thread drains
    assert bus.drain() == 50
    assert sorted(n for n, _ in seen) == list(range(50))
    assert {name for _, name in seen} == {threading.current_thread().name}


def test_a_failing_handler_does_not_stop_the_others_and_is_reported() -> None:
    bus = EventBus()
    errors: list[tuple[BaseException, Event]] = []
    bus.on_handler_error(lambda exc, event: errors.append((exc, event)))
    delivered: list[str] = []

    def broken(event: Event) -> None:
        raise ValueError("boom")

    bus.subscribe("x", broken)
    bus.subscribe("x", lambda e: delivered.append("second"))
    bus.publish("x")
    bus.publish("x")
    bus.drain()
    assert delivered == ["second", "second"]
    assert [type(e).__name__ for e, _ in errors] == ["ValueError", "ValueError"]


def test_unsubscribe_and_drain_limit() -> None:
    bus = EventBus()
    got: list[int] = []
    stop = bus.subscribe("n", lambda e: got.append(e.data["i"]))
    for i in range(5):
        bus.publish("n", i=i)
    assert bus.drain(limit=2) == 2
    stop()
    assert bus.drain() == 3
    assert got == [0, 1]
