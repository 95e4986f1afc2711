"""Search the machine for a canary token: in file names, link targets and contents.

The session-wipe proof plants a unique token everywhere a resident could leave
data, ends the session, and then asks `find_token` where the token still is.
Contents are searched as bytes, in UTF-8 and in UTF-16 (little and big endian,
as Chromium's storage writes some strings), chunk by chunk with an overlap so
a token split across two reads is still found.

Not found: a token stored compressed or encoded (base64, percent-encoding) or
encrypted. The browser stores cookies, localStorage and IndexedDB values
uncompressed on Linux when no keyring is in use; a test that relies on this
should plant the token in plain form too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from harness import wait_for

if TYPE_CHECKING:
    from harness import XScreen
    from kiosk_process import KioskProcess
    from procedure_site import Site

MAX_FILE_BYTES = 50 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024
NEVER_SEARCHED = (Path("/proc"), Path("/sys"))
CUPS_SPOOL = Path("/var/spool/cups")


def standard_roots(session_root: Path, home: Path | None = None) -> list[Path]:
    """The places the wipe contract covers, plus the kiosk's session root.

    `home` is the kiosk user's home (default: ours); pass the one the kiosk ran with.
    """
    return [
        Path("/tmp"),
        Path("/var/tmp"),
        Path("/dev/shm"),
        Path("/run"),
        Path("/var/log"),
        home if home is not None else Path.home(),
        CUPS_SPOOL,
        session_root,
    ]


def find_token(token: str, roots: list[Path]) -> list[Path]:
    """Every path under `roots` whose name, link target or content contains `token`.

    Symbolic links are not followed; /proc, /sys, device files, sockets, pipes and
    files over 50 MB are skipped. Overlapping roots are searched once.
    """
    if not token:
        raise ValueError("an empty token would match everything")
    needles = _encodings(token)
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for root in roots:
        for path, info in _walk(root):
            key = (info.st_dev, info.st_ino)
            if key in seen:
                continue
            seen.add(key)
            if _matches(path, info, token, needles):
                found.append(path)
    return sorted(set(found))


def _encodings(token: str) -> list[bytes]:
    forms = {token.encode("utf-8"), token.encode("utf-16-le"), token.encode("utf-16-be")}
    return sorted(forms, key=len)


def _walk(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """Every entry under `root` (and `root` itself), without following links."""
    try:
        info = os.lstat(root)
    except OSError:
        return
    yield root, info
    if not stat.S_ISDIR(info.st_mode) or _never_searched(root):
        return
    pending = [root]
    while pending:
        folder = pending.pop()
        for entry in _entries(folder):
            path = Path(entry.path)
            try:
                entry_info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            yield path, entry_info
            if stat.S_ISDIR(entry_info.st_mode) and not _never_searched(path):
                pending.append(path)


def _entries(folder: Path) -> Iterable[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:
        return []


def _never_searched(path: Path) -> bool:
    resolved = Path(os.path.realpath(path))
    return any(resolved == skip or skip in resolved.parents for skip in NEVER_SEARCHED)


def _matches(path: Path, info: os.stat_result, token: str, needles: list[bytes]) -> bool:
    if token in path.name:
        return True
    if stat.S_ISLNK(info.st_mode):
        try:
            return token in os.readlink(path)
        except OSError:
            return False
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
        return False
    return _content_contains(path, needles)


def _content_contains(path: Path, needles: list[bytes]) -> bool:
    overlap = max(len(n) for n in needles) - 1
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    with os.fdopen(fd, "rb") as handle:
        tail = b""
        while True:
            try:
                chunk = handle.read(CHUNK_BYTES)
            except OSError:
                return False
            if not chunk:
                return False
            window = tail + chunk
            if any(needle in window for needle in needles):
                return True
            tail = window[-overlap:] if overlap else b""


# -- the canary procedure (tests/procedure_site.py) as a kiosk serves it ------------------

PROFILE = """\
schema = 1

[terminal]
name = "Borne de test"
languages = ["fr", "en"]

[session]
idle_timeout = 6
idle_warning = 4
max_duration = 0

[help]
desk = "Accueil"
phone = "01 23 45 67 89"

[[group]]
id = "family"
title = "Famille"

[[procedure]]
id = "canary"
group = "family"
title = "Démarche de test"
start_url = "http://localhost:{port}/canary"
allow = ["localhost"]
other_ways = "Au guichet"
"""


def reports(site: Site, what: str, token: str | None = None) -> list[dict[str, list[str]]]:
    with site.log.lock:
        return [r for r in site.log.reports if r["what"] == [what]
                and (token is None or r.get("token") == [token])]


def open_canary_tile(screen: XScreen, kiosk: KioskProcess, site: Site, after: int) -> str:
    """Open the tile with the keyboard, as a resident; returns the visit's token."""
    kiosk.wait_until_ready(after=after)
    visits = len(site.log.tokens)
    screen.key("Return")  # the first (and only) tile has the focus
    assert wait_for(lambda: len(site.log.tokens) > visits, 30), "the procedure did not open"
    token = site.log.tokens[-1]
    assert wait_for(lambda: reports(site, "planted", token), 30), site.log.reports
    # The page may plant before the browser window has taken the keyboard: keys typed
    # in between would go to the shell.
    kiosk.wait_for_log("the browser window has the keyboard$", after=after)
    return token
