"""The CDP reader on generated streams: replies, events and garbage, cut anywhere.

Whatever a crashed or hostile renderer makes the browser write (truncated JSON,
non-objects, ids of the wrong type, deep nesting, huge strings), every genuine
reply must reach its command exactly once with its own result, every event its
handler in order, and nothing else may resolve a command.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk.browser.cdp import CdpError, CdpPipe, NulFramer, decode_message

GARBAGE = [
    b"not json",
    b"{\"id\": 1, \"result\": {",  # truncated
    b"[1, 2, 3]",
    b"\"a string\"",
    b"null",
    b"{\"id\": true, \"result\": {\"stolen\": 1}}",
    b"{\"id\": \"1\", \"result\": {\"stolen\": 1}}",
    b"{\"id\": 1.0, \"result\": {\"stolen\": 1}}",
    b"{\"id\": [1], \"result\": {}}",
    b"{\"id\": 999999, \"result\": {}}",
    b"{\"method\": 5}",
    b"{\"method\": \"Page.frameNavigated\", \"params\": [1]}",
    b"[" * 50_000 + b"]" * 50_000,  # deeper than the JSON parser's recursion limit
    b"{\"id\": " + b"9" * 5000 + b"}",  # an integer too long to parse
    b"\xff\xfe\x00garbage"[:3],
    b"{\"x\": \"" + b"A" * 200_000 + b"\"}",
]


@contextmanager
def fed_pipe() -> Iterator[CdpPipe]:
    """A pipe whose commands go to a drained OS pipe and whose input the test feeds."""
    to_browser_r, to_browser_w = os.pipe()
    from_browser_r, from_browser_w = os.pipe()
    cdp = CdpPipe(to_browser_w, from_browser_r)
    cdp.start()
    try:
        yield cdp
    finally:
        cdp.close()
        os.close(from_browser_w)  # the reader sees the end of the pipe and closes its end
        cdp.wait_closed(5)
        os.close(to_browser_r)


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges) if b > a]


@st.composite
def streams(draw: st.DrawFn, commands: int) -> tuple[list[bytes], set[int], int]:
    """Messages in some order: replies to some commands, events, garbage."""
    answered = draw(st.sets(st.integers(1, commands)))
    items: list[bytes] = [
        json.dumps({"id": i, "result": {"echo": i}}).encode() for i in sorted(answered)]
    events = draw(st.integers(0, 4))
    items += [json.dumps({"method": "Test.event", "params": {"n": n}}).encode()
              for n in range(events)]
    items += draw(st.lists(st.sampled_from(GARBAGE), max_size=6))
    order = draw(st.permutations(items))
    # Events must stay in their own order among themselves for the check below.
    event_items = iter(sorted((m for m in order if b"Test.event" in m),
                              key=lambda m: json.loads(m)["params"]["n"]))
    ordered = [next(event_items) if b"Test.event" in m else m for m in order]
    return ordered, answered, events


def answer_to(replies: queue.SimpleQueue[tuple[int, dict[str, Any] | None, CdpError | None]],
              number: int, result: dict[str, Any] | None, error: CdpError | None) -> None:
    replies.put((number, result, error))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), commands=st.integers(1, 5))
def test_replies_and_events_survive_any_garbage_and_any_cut(
    data: st.DataObject, commands: int
) -> None:
    replies: queue.SimpleQueue[tuple[int, dict[str, Any] | None, CdpError | None]] = (
        queue.SimpleQueue())
    events: queue.SimpleQueue[int] = queue.SimpleQueue()
    with fed_pipe() as pipe:
        pipe.on("Test.event", lambda params, _s: events.put(params["n"]))
        for i in range(1, commands + 1):
            pipe.post("Test.command", {}, callback=partial(answer_to, replies, i))
        messages, answered, event_count = data.draw(streams(commands))
        stream = b"".join(m + b"\0" for m in messages)
        cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=8))
        for chunk in chunked(stream, cuts):
            pipe.feed(chunk)

        got = [replies.get(timeout=5) for _ in answered]
        assert sorted(g[0] for g in got) == sorted(answered)
        for number, result, error in got:
            assert error is None and result == {"echo": number}, (number, result, error)
        assert [events.get(timeout=5) for _ in range(event_count)] == list(range(event_count))
        # A last command answered after the stream: once its callback has run, every
        # callback the stream caused has run too (one dispatcher, in order).
        last: queue.SimpleQueue[object] = queue.SimpleQueue()
        pipe.post("Test.last", {}, callback=lambda r, e: last.put(r))
        pipe.feed(b'{"id": %d, "result": {"echo": "last"}}\0' % (commands + 1))
        assert last.get(timeout=5) == {"echo": "last"}
        assert replies.empty(), "a garbage message resolved a command"


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=300) | st.sampled_from(GARBAGE))
def test_decoding_anything_gives_an_object_or_none(raw: bytes) -> None:
    message = decode_message(raw)
    assert message is None or isinstance(message, dict)


@settings(max_examples=200, deadline=None)
@given(messages=st.lists(st.binary(max_size=50).map(lambda b: b.replace(b"\0", b"")),
                         max_size=10),
       cuts=st.lists(st.integers(0, 1000), max_size=10))
def test_the_framer_gives_back_exactly_the_messages_however_they_are_cut(
    messages: list[bytes], cuts: list[int]
) -> None:
    framer = NulFramer()
    stream = b"".join(m + b"\0" for m in messages)
    out: list[bytes] = []
    for chunk in chunked(stream, cuts):
        out += framer.feed(chunk)
    assert out == messages
