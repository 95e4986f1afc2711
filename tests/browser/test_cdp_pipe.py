"""The DevTools pipe client against a fake browser on real pipes (no Chromium needed)."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from harness import wait_for

from kiosk.browser.cdp import CdpError, CdpPipe, NulFramer


@dataclass
class FakeBrowser:
    """The other ends of the two pipes: reads our commands, writes what a test wants."""

    commands_r: int
    replies_w: int
    commands: list[dict[str, Any]] = field(default_factory=list)
    answer: bool = True

    def run(self) -> None:
        framer = NulFramer()
        while True:
            try:
                data = os.read(self.commands_r, 65536)
            except OSError:
                return
            if not data:
                return
            for raw in framer.feed(data):
                command = json.loads(raw)
                self.commands.append(command)
                if self.answer:
                    self.write({"id": command["id"], "result": {"echo": command["method"]}})

    def write(self, message: object) -> None:
        self.write_raw(json.dumps(message).encode() + b"\0")

    def write_raw(self, data: bytes) -> None:
        os.write(self.replies_w, data)


@pytest.fixture
def pipe_and_browser() -> Iterator[tuple[CdpPipe, FakeBrowser, list[str]]]:
    commands_r, commands_w = os.pipe()
    replies_r, replies_w = os.pipe()
    closed: list[str] = []
    pipe = CdpPipe(commands_w, replies_r, on_close=lambda: closed.append("closed"))
    fake = FakeBrowser(commands_r, replies_w)
    thread = threading.Thread(target=fake.run, daemon=True)
    thread.start()
    pipe.start()
    yield pipe, fake, closed
    pipe.close()
    for fd in (commands_r, replies_w):
        with contextlib.suppress(OSError):
            os.close(fd)
    thread.join(2)


def test_framer_cuts_messages_across_reads() -> None:
    framer = NulFramer()
    assert framer.feed(b'{"a":') == []
    assert framer.feed(b'1}\0{"b":2}\0{"c"') == [b'{"a":1}', b'{"b":2}']
    assert framer.feed(b":3}\0") == [b'{"c":3}']


def test_framer_drops_an_oversized_message_and_recovers() -> None:
    framer = NulFramer(limit=10)
    assert framer.feed(b"x" * 30) == []
    assert framer.feed(b"yyy\0{}\0") == [b"{}"]


def test_send_returns_the_result(pipe_and_browser: tuple[CdpPipe, FakeBrowser, list[str]]) -> None:
    pipe, fake, _ = pipe_and_browser
    assert pipe.send("Browser.getVersion") == {"echo": "Browser.getVersion"}
    pipe.send("Page.navigate", {"url": "x"}, session_id="S1")
    assert fake.commands[-1]["sessionId"] == "S1"
    assert fake.commands[-1]["params"] == {"url": "x"}


def test_error_reply_raises(pipe_and_browser: tuple[CdpPipe, FakeBrowser, list[str]]) -> None:
    pipe, fake, _ = pipe_and_browser
    fake.answer = False
    result: list[BaseException] = []

    def call() -> None:
        try:
            pipe.send("Target.attachToTarget", timeout=5)
        except CdpError as error:
            result.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    assert wait_for(lambda: bool(fake.commands), 5)
    fake.write({"id": fake.commands[-1]["id"], "error": {"code": -32000, "message": "Not allowed"}})
    caller.join(5)
    assert "Not allowed" in str(result[0])


def test_timeout_raises(pipe_and_browser: tuple[CdpPipe, FakeBrowser, list[str]]) -> None:
    pipe, fake, _ = pipe_and_browser
    fake.answer = False
    with pytest.raises(CdpError, match="no answer"):
        pipe.send("Browser.getVersion", timeout=0.2)


def test_garbage_is_skipped_and_the_reader_goes_on(
    pipe_and_browser: tuple[CdpPipe, FakeBrowser, list[str]]
) -> None:
    pipe, fake, closed = pipe_and_browser
    seen: list[tuple[dict[str, Any], str | None]] = []
    pipe.on("Page.loadEventFired", lambda params, session: seen.append((params, session)))
    fake.write_raw(b"not json at all\0\xff\xfe\xfd\0[1, 2, 3]\0null\0\"text\"\0")
    fake.write({"id": 424242, "result": {}})       # a reply nobody waits for
    fake.write({"id": "abc", "result": {}})        # an id of the wrong type
    fake.write({"method": 12})                     # an event without a name
    fake.write({"method": "Page.loadEventFired", "params": [1]})  # params not an object
    fake.write({"method": "Page.loadEventFired", "params": {"timestamp": 1}, "sessionId": "S"})
    assert wait_for(lambda: len(seen) == 2, 5)
    assert seen == [({}, None), ({"timestamp": 1}, "S")]
    assert pipe.send("Browser.getVersion") == {"echo": "Browser.getVersion"}
    assert closed == []


def test_a_failing_handler_does_not_stop_the_others(
    pipe_and_browser: tuple[CdpPipe, FakeBrowser, list[str]]
) -> None:
    pipe, fake, _ = pipe_and_browser
    seen: list[str] = []

    def broken(params: dict[str, Any], session: str | None) -> None:
        raise RuntimeError("boom")

    pipe.on("Target.targetCreated", broken)
    pipe.on("Target.targetCreated", lambda params, session: seen.append("second"))
    fake.write({"method": "Target.targetCreated", "params": {}})
    fake.write({"method": "Target.targetCreated", "params": {}})
    assert wait_for(lambda: seen == ["second", "second"], 5)


def test_a_handler_may_send_and_wait(
    pipe_and_browser: tuple[CdpPipe, FakeBrowser, list[str]]
) -> None:
    pipe, fake, _ = pipe_and_browser
    results: list[dict[str, Any]] = []
    pipe.on("Target.attachedToTarget",
            lambda params, session: results.append(pipe.send("Fetch.enable", timeout=5)))
    fake.write({"method": "Target.attachedToTarget", "params": {}})
    assert wait_for(lambda: results == [{"echo": "Fetch.enable"}], 5)


def test_end_of_pipe_wakes_waiters_and_calls_on_close_once(
    pipe_and_browser: tuple[CdpPipe, FakeBrowser, list[str]]
) -> None:
    pipe, fake, closed = pipe_and_browser
    fake.answer = False
    errors: list[BaseException] = []

    def call() -> None:
        try:
            pipe.send("Browser.getVersion", timeout=30)
        except CdpError as error:
            errors.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    assert wait_for(lambda: bool(fake.commands), 5)
    os.close(fake.replies_w)
    caller.join(5)
    assert not caller.is_alive()
    assert "closed" in str(errors[0])
    assert wait_for(lambda: closed == ["closed"], 5)
    assert pipe.closed
    with pytest.raises(CdpError, match="closed"):
        pipe.send("Browser.getVersion", timeout=1)
    assert closed == ["closed"]


def test_post_reports_its_outcome(
    pipe_and_browser: tuple[CdpPipe, FakeBrowser, list[str]]
) -> None:
    pipe, _, _ = pipe_and_browser
    outcomes: list[tuple[dict[str, Any] | None, CdpError | None]] = []
    pipe.post("Page.navigate", {"url": "x"}, callback=lambda r, e: outcomes.append((r, e)))
    assert wait_for(lambda: outcomes == [({"echo": "Page.navigate"}, None)], 5)
