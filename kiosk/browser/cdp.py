"""A Chrome DevTools Protocol client over ``--remote-debugging-pipe``.

Chromium reads commands on its fd 3 and writes replies and events on its fd 4;
each message is one JSON object followed by a NUL byte. One reader thread parses
the incoming stream: replies wake the caller waiting for their id, events go to
a queue drained by a second thread, so an event handler may itself send a
command and wait for its reply without stopping the reader.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import queue
import select
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
READ_CHUNK = 1 << 16
# A message larger than this is certainly not one we asked for (screenshots of a
# huge page are the largest legitimate ones): drop it rather than eat memory.
MAX_MESSAGE_BYTES = 256 << 20

EventHandler = Callable[[dict[str, Any], str | None], None]
ReplyCallback = Callable[[dict[str, Any] | None, "CdpError | None"], None]


class CdpError(Exception):
    """A command failed: error reply, timeout, or the pipe is closed."""


class CdpTimeout(CdpError):
    """A command got no answer in time (a busy page, a hung browser)."""


@dataclass
class _Waiter:
    """One command in flight."""

    method: str
    done: threading.Event = field(default_factory=threading.Event)
    result: dict[str, Any] | None = None
    error: CdpError | None = None
    callback: ReplyCallback | None = None


class NulFramer:
    """Cuts a byte stream into NUL-terminated messages."""

    def __init__(self, limit: int = MAX_MESSAGE_BYTES) -> None:
        self._buffer = bytearray()
        self._limit = limit
        self._skipping = False

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes read from the pipe; return the complete messages they finish."""
        messages: list[bytes] = []
        start = 0
        while True:
            end = data.find(b"\0", start)
            if end < 0:
                break
            if self._skipping:
                self._skipping = False
            else:
                self._buffer += data[start:end]
                messages.append(bytes(self._buffer))
            self._buffer.clear()
            start = end + 1
        if not self._skipping:
            self._buffer += data[start:]
            if len(self._buffer) > self._limit:
                log.error("dropping an oversized message from the browser (%d bytes so far)",
                          len(self._buffer))
                self._buffer.clear()
                self._skipping = True
        return messages


def decode_message(raw: bytes) -> dict[str, Any] | None:
    """The JSON object in `raw`, or None (logged) for anything else."""
    try:
        message = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: nesting deeper than the parser goes, which no reply has.
        log.warning("skipping a message from the browser that is not JSON (%d bytes)", len(raw))
        return None
    if not isinstance(message, dict):
        log.warning("skipping a message from the browser that is not an object")
        return None
    return message


class CdpPipe:
    """Commands and events over a pair of pipe ends connected to Chromium.

    `write_fd` is our end of the pipe Chromium reads as fd 3; `read_fd` our end of
    the one it writes as fd 4. The object owns both and closes them.
    """

    def __init__(
        self,
        write_fd: int,
        read_fd: int,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self._write_fd = write_fd
        self._read_fd = read_fd
        self._on_close = on_close
        os.set_blocking(write_fd, False)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._waiters: dict[int, _Waiter] = {}
        self._handlers: dict[str, list[EventHandler]] = defaultdict(list)
        self._events: queue.SimpleQueue[tuple[str, dict[str, Any], str | None] | None] = (
            queue.SimpleQueue()
        )
        self._closed = threading.Event()
        self._close_reason = ""
        self._framer = NulFramer()
        self._feed_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read_loop, name="cdp-reader", daemon=True)
        self._dispatcher = threading.Thread(
            target=self._dispatch_loop, name="cdp-events", daemon=True
        )

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Start the reader and event threads."""
        self._dispatcher.start()
        self._reader.start()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        """Stop talking to the browser; waiters get a CdpError. Does not call on_close."""
        self._on_close = None
        self._mark_closed("closed by the kiosk")
        with contextlib.suppress(OSError):
            os.close(self._write_fd)
        # The reader owns the read end; it closes it when its loop ends. Waking it
        # here would race with a read in progress, so it is left to see EOF (the
        # browser is killed right after) or the closed flag at its next wake-up.

    def abandon(self, reason: str) -> None:
        """Fail every command in flight and refuse new ones, at once, from any thread.

        The file descriptors stay open (the reader still owns its end): `close()`
        follows. Ending a session uses this so that nothing waits for a page.
        """
        self._mark_closed(reason)

    def wait_closed(self, timeout: float) -> bool:
        """Wait until the reader thread has finished; True when it has."""
        self._reader.join(timeout)
        return not self._reader.is_alive()

    # -- events --------------------------------------------------------------------------

    def on(self, event: str, handler: EventHandler) -> None:
        """Call handler(params, session_id) for each `event` (on the event thread)."""
        with self._lock:
            self._handlers[event].append(handler)

    # -- commands ------------------------------------------------------------------------

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> dict[str, Any]:
        """Send a command and wait for its result; raises CdpError."""
        waiter = self._submit(method, params, session_id, None, timeout)
        if not waiter.done.wait(timeout):
            self._forget(waiter)
            raise CdpTimeout(f"{method}: no answer within {timeout:.1f} s")
        if waiter.error is not None:
            raise waiter.error
        return waiter.result or {}

    def post(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session_id: str | None = None,
        callback: ReplyCallback | None = None,
    ) -> None:
        """Send a command without waiting; its outcome goes to `callback` (errors are logged).

        For event handlers: a command such as ``Page.navigate`` only answers once
        the guard has let the navigation through, so waiting for it on the event
        thread would wait for ourselves.
        """
        try:
            self._submit(method, params, session_id, callback or _log_failure, DEFAULT_TIMEOUT)
        except CdpError as error:
            (callback or _log_failure)(None, error)

    def _submit(
        self,
        method: str,
        params: dict[str, Any] | None,
        session_id: str | None,
        callback: ReplyCallback | None,
        timeout: float,
    ) -> _Waiter:
        if self.closed:
            raise CdpError(f"{method}: the browser pipe is closed ({self._close_reason})")
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session_id is not None:
            message["sessionId"] = session_id
        waiter = _Waiter(method, callback=callback)
        with self._lock:
            self._waiters[message_id] = waiter
        data = json.dumps(message, separators=(",", ":")).encode() + b"\0"
        try:
            self._write_all(data, timeout)
        except CdpError:
            self._forget_id(message_id)
            raise
        return waiter

    def _write_all(self, data: bytes, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._write_lock:
            view = memoryview(data)
            while view:
                if self.closed:
                    raise CdpError("the browser pipe is closed")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise CdpError("the browser does not read its commands")
                try:
                    _, writable, _ = select.select([], [self._write_fd], [], min(remaining, 0.5))
                    if not writable:
                        continue
                    written = os.write(self._write_fd, view)
                except BlockingIOError:
                    continue
                except (OSError, ValueError) as error:
                    raise CdpError(f"cannot write to the browser pipe: {error}") from error
                view = view[written:]

    def _forget(self, waiter: _Waiter) -> None:
        with self._lock:
            for key, value in list(self._waiters.items()):
                if value is waiter:
                    del self._waiters[key]

    def _forget_id(self, message_id: int) -> None:
        with self._lock:
            self._waiters.pop(message_id, None)

    # -- the reader ----------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Handle bytes as if read from the pipe (the reader's path; tests use it too)."""
        with self._feed_lock:
            messages = self._framer.feed(data)
        for raw in messages:
            message = decode_message(raw)
            if message is not None:
                self._route(message)

    def _read_loop(self) -> None:
        reason = "end of pipe"
        try:
            while not self.closed:
                try:
                    ready, _, _ = select.select([self._read_fd], [], [], 0.5)
                    if not ready:
                        continue
                    data = os.read(self._read_fd, READ_CHUNK)
                except InterruptedError:
                    continue
                except (OSError, ValueError) as error:
                    reason = f"read error: {error}"
                    break
                if not data:
                    break
                try:
                    self.feed(data)
                except Exception:  # the reader must survive anything the browser sends
                    log.exception("could not handle a message from the browser")
        finally:
            with contextlib.suppress(OSError):
                os.close(self._read_fd)
            callback = self._on_close
            self._mark_closed(reason)
            if callback is not None:
                try:
                    callback()
                except Exception:
                    log.exception("the pipe's close handler failed")

    def _route(self, message: dict[str, Any]) -> None:
        message_id = message.get("id")
        if message_id is not None:
            self._resolve(message_id, message)
            return
        method = message.get("method")
        if not isinstance(method, str):
            log.warning("skipping a message from the browser with neither id nor method")
            return
        params = message.get("params")
        session_id = message.get("sessionId")
        self._events.put((
            method,
            params if isinstance(params, dict) else {},
            session_id if isinstance(session_id, str) else None,
        ))

    def _resolve(self, message_id: Any, message: dict[str, Any]) -> None:
        with self._lock:
            # `true` and `1.0` compare equal to 1: only a real integer names a command.
            waiter = self._waiters.pop(message_id, None) if type(message_id) is int else None
        if waiter is None:
            log.warning("skipping a reply to an unknown command id")
            return
        error = message.get("error")
        if error is not None:
            text = error.get("message", error) if isinstance(error, dict) else error
            waiter.error = CdpError(f"{waiter.method}: {text}")
        else:
            result = message.get("result")
            waiter.result = result if isinstance(result, dict) else {}
        waiter.done.set()
        if waiter.callback is not None:
            self._events.put(("", {"waiter": waiter}, None))

    def _mark_closed(self, reason: str) -> None:
        with self._lock:
            if self._closed.is_set():
                return
            self._close_reason = reason
            self._closed.set()
            waiters = list(self._waiters.values())
            self._waiters.clear()
        for waiter in waiters:
            waiter.error = CdpError(f"{waiter.method}: the browser pipe closed ({reason})")
            waiter.done.set()
            if waiter.callback is not None:
                self._events.put(("", {"waiter": waiter}, None))
        self._events.put(None)

    # -- the event thread ----------------------------------------------------------------

    def _dispatch_loop(self) -> None:
        while True:
            item = self._events.get()
            if item is None:
                # Deliver what is left (callbacks of failed commands), then stop.
                while True:
                    try:
                        rest = self._events.get_nowait()
                    except queue.Empty:
                        return
                    if rest is not None:
                        self._dispatch(*rest)
            self._dispatch(*item)

    def _dispatch(self, method: str, params: dict[str, Any], session_id: str | None) -> None:
        if not method:
            waiter: _Waiter = params["waiter"]
            assert waiter.callback is not None
            try:
                waiter.callback(waiter.result, waiter.error)
            except Exception:
                log.exception("a reply callback for %s failed", waiter.method)
            return
        with self._lock:
            handlers = list(self._handlers.get(method, ()))
        for handler in handlers:
            try:
                handler(params, session_id)
            except Exception:  # one failing handler must not stop the others
                log.exception("handler for %s failed", method)


def _log_failure(result: dict[str, Any] | None, error: CdpError | None) -> None:
    if error is not None:
        log.debug("a command sent without waiting failed: %s", error)
