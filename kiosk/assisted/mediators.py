"""The mediators file: who may open assisted mode, with the scrypt hash of their PIN.

The file (TOML, /etc/kiosk/mediators.toml unless `kiosk run --mediators` says
otherwise) is written only by `kiosk mediator add|remove`: atomically, mode 0640,
owner root and group kiosk (the kiosk's user reads it through its group). It holds
no PIN, only a scrypt hash with its own random salt and the parameters it was made
with, so they can be raised later without breaking older entries::

    [mediators."Amina B."]
    added = 2024-05-02
    salt = "9f0c..."
    pin_scrypt = "51d2..."
    n = 16384
    r = 8
    p = 1
    totp_secret = "JBSW..."   # only for a mediator with a second factor

Any problem reading it is a `MediatorsFileError` with one plain sentence (for
`kiosk doctor` and the log): the kiosk then serves residents as usual, with
assisted mode unavailable.
"""

from __future__ import annotations

import contextlib
import grp
import hashlib
import hmac
import json
import os
import secrets
import stat
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from kiosk.assisted import totp
from kiosk.errors import UserError
from kiosk.files import write_atomically

DEFAULT_PATH = Path("/etc/kiosk/mediators.toml")
KIOSK_GROUP = "kiosk"
PIN_MIN, PIN_MAX = 6, 12
NAME_MAX = 60
SALT_BYTES = 16
DIGEST_BYTES = 32
# About 50 ms and 16 MiB per check on a small terminal: slow enough that a copy of
# the file does not give PINs away quickly, fast enough for a few mediators.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
HEADER = (
    "# Borne's mediators, written by 'kiosk mediator add' and 'kiosk mediator remove'.\n"
    "# No PIN is kept here, only a salted scrypt hash. Keep this file 0640 root:kiosk.\n"
)
MEDIATOR_KEYS = frozenset({"added", "salt", "pin_scrypt", "n", "r", "p", "totp_secret"})


class Problem(Enum):
    """Why the mediators file cannot be used."""

    MISSING = "missing"
    UNREADABLE = "unreadable"
    CORRUPTED = "corrupted"
    PERMISSIONS = "permissions"


class MediatorsFileError(UserError):
    """The mediators file cannot be used; `message` says why in one sentence."""

    def __init__(self, problem: Problem, path: Path, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.path = path


@dataclass(frozen=True)
class PinHash:
    """A PIN's scrypt hash, with the salt and parameters it was made with."""

    salt: bytes
    digest: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    @classmethod
    def of(cls, pin: str) -> PinHash:
        """The hash of `pin` with a fresh random salt and today's parameters."""
        salt = secrets.token_bytes(SALT_BYTES)
        return cls(salt, _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, DIGEST_BYTES))

    def matches(self, pin: str) -> bool:
        """Whether `pin` is the one hashed (compared in constant time)."""
        computed = _scrypt(pin, self.salt, self.n, self.r, self.p, len(self.digest))
        return hmac.compare_digest(computed, self.digest)


@dataclass(frozen=True)
class Mediator:
    """One person who may open assisted mode on this terminal."""

    name: str
    added: date
    pin: PinHash
    totp_secret: str | None = None

    @property
    def has_totp(self) -> bool:
        return self.totp_secret is not None


@dataclass(frozen=True)
class Written:
    """How the file was left: its mode, and its group when the kiosk group exists."""

    path: Path
    mode: int
    group: str | None

    def describe(self) -> str:
        """One sentence on who can read the file, for the administrator."""
        if self.group is not None:
            return f"{self.path} is mode {self.mode:04o}, group {self.group}."
        return (f"{self.path} is mode {self.mode:04o}: there is no '{KIOSK_GROUP}' group "
                "(or it could not be given), so only its owner can read it; install the "
                "kiosk package, then run this command again.")


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    # scrypt needs about 128 * r * n bytes; the default ceiling (32 MiB) is too
    # tight for stronger parameters a later version may write.
    memory = 128 * r * (n + p + 2) + 2**20
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=memory,
                          dklen=length)


def check_pin(pin: str) -> None:
    """Raise UserError unless `pin` is 6 to 12 digits."""
    if not (pin.isascii() and pin.isdigit()):
        raise UserError(f"A PIN is made of digits only ({PIN_MIN} to {PIN_MAX} of them).")
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        raise UserError(f"A PIN has {PIN_MIN} to {PIN_MAX} digits; this one has {len(pin)}.")


def check_name(name: str) -> None:
    """Raise UserError unless `name` can be shown in the banner and kept in the file."""
    if not name.strip() or name != name.strip():
        raise UserError("A mediator's name cannot be empty or start or end with a space.")
    if len(name) > NAME_MAX:
        raise UserError(f"A mediator's name has at most {NAME_MAX} characters.")
    if any(not ch.isprintable() for ch in name):
        raise UserError("A mediator's name cannot hold control characters.")


def same_name(a: str, b: str) -> bool:
    """Names are compared without case: "amina" is "Amina" already there."""
    return a.casefold() == b.casefold()


def find_by_pin(mediators: Iterable[Mediator], pin: str) -> Mediator | None:
    """The mediator whose PIN this is, or None.

    Every hash is checked, even after a match, so the time taken does not say
    which mediator (or whether one) matched.
    """
    found: Mediator | None = None
    for mediator in mediators:
        if mediator.pin.matches(pin) and found is None:
            found = mediator
    return found


# ---- reading ------------------------------------------------------------------------


def read_mediators(path: Path, *, check_permissions: bool = True) -> tuple[Mediator, ...]:
    """The mediators in `path`; MediatorsFileError (one sentence) when it cannot be used.

    With `check_permissions`, a file others may read or write is refused: its
    hashes (and second-factor secrets) would be out in the open.
    """
    try:
        with path.open("rb") as stream:
            mode = os.fstat(stream.fileno()).st_mode
            data = stream.read()
    except FileNotFoundError:
        raise MediatorsFileError(
            Problem.MISSING, path,
            f"{path} does not exist: add a mediator with 'kiosk mediator add NAME'.") from None
    except IsADirectoryError:
        raise MediatorsFileError(Problem.UNREADABLE, path,
                                 f"{path} is a folder, not a mediators file.") from None
    except OSError as error:
        raise MediatorsFileError(
            Problem.UNREADABLE, path,
            f"{path} cannot be read ({error.strerror or error}): it should be "
            f"mode 0640, owner root, group {KIOSK_GROUP}.") from None
    if check_permissions and stat.S_IMODE(mode) & 0o007:
        raise MediatorsFileError(
            Problem.PERMISSIONS, path,
            f"{path} is open to every user (mode {stat.S_IMODE(mode):04o}): "
            f"run 'chmod 0640 {path}'.")
    return parse_mediators(path, data)


def parse_mediators(path: Path, data: bytes) -> tuple[Mediator, ...]:
    """The mediators in the file's bytes; MediatorsFileError(CORRUPTED) when malformed."""
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise _corrupted(path, "it is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise _corrupted(path, f"not valid TOML: {error}") from None
    unknown = set(document) - {"mediators"}
    if unknown:
        raise _corrupted(path, f"unknown table {sorted(unknown)[0]!r}")
    table = document.get("mediators", {})
    if not isinstance(table, dict):
        raise _corrupted(path, "'mediators' is not a table")
    mediators: list[Mediator] = []
    for name, entry in table.items():
        try:
            check_name(name)
            mediator = _mediator_from(name, entry)
        except (UserError, ValueError, TypeError, KeyError) as error:
            raise _corrupted(path, f"the entry for {name!r} is malformed ({_why(error)})") from None
        if any(same_name(m.name, name) for m in mediators):
            raise _corrupted(path, f"{name!r} is there twice")
        mediators.append(mediator)
    return tuple(mediators)


def _why(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"{error.args[0]} is missing"
    return str(error.message if isinstance(error, UserError) else error)


def _corrupted(path: Path, detail: str) -> MediatorsFileError:
    return MediatorsFileError(
        Problem.CORRUPTED, path,
        f"{path} is not a valid mediators file ({detail}): correct it, or remove it and add "
        "the mediators again with 'kiosk mediator add'.")


def _mediator_from(name: str, entry: Any) -> Mediator:
    if not isinstance(entry, dict):
        raise ValueError("not a table")
    extra = set(entry) - MEDIATOR_KEYS
    if extra:
        raise ValueError(f"unknown key {sorted(extra)[0]}")
    added = entry["added"]
    if not isinstance(added, date):
        raise ValueError("added is not a date")
    pin = PinHash(salt=bytes.fromhex(_text(entry["salt"])),
                  digest=bytes.fromhex(_text(entry["pin_scrypt"])),
                  n=_whole(entry["n"]), r=_whole(entry["r"]), p=_whole(entry["p"]))
    _check_parameters(pin)
    secret = entry.get("totp_secret")
    if secret is not None:
        totp.decode_secret(_text(secret))
    return Mediator(name=name, added=added, pin=pin, totp_secret=secret)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("a value is not text")
    return value


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("a scrypt parameter is not a whole number")
    return value


def _check_parameters(pin: PinHash) -> None:
    # Bounds keep a damaged file from asking for gigabytes or hours.
    if not (2**10 <= pin.n <= 2**20 and pin.n & (pin.n - 1) == 0):
        raise ValueError("n is not a power of two between 1024 and 1048576")
    if not (1 <= pin.r <= 32 and 1 <= pin.p <= 16):
        raise ValueError("r or p is out of range")
    if len(pin.salt) < 8 or not 16 <= len(pin.digest) <= 64:
        raise ValueError("the salt or the hash has the wrong length")


# ---- writing ------------------------------------------------------------------------


def render_mediators(mediators: Iterable[Mediator]) -> str:
    """The file's text for `mediators` (TOML; names quoted as basic strings)."""
    parts = [HEADER]
    for mediator in mediators:
        pin = mediator.pin
        # JSON's string escapes are TOML basic strings' (names hold no control character).
        lines = [f"[mediators.{json.dumps(mediator.name, ensure_ascii=False)}]",
                 f"added = {mediator.added.isoformat()}",
                 f'salt = "{pin.salt.hex()}"',
                 f'pin_scrypt = "{pin.digest.hex()}"',
                 f"n = {pin.n}", f"r = {pin.r}", f"p = {pin.p}"]
        if mediator.totp_secret is not None:
            lines.append(f'totp_secret = "{mediator.totp_secret}"')
        parts.append("\n" + "\n".join(lines) + "\n")
    return "".join(parts)


def kiosk_group_id() -> int | None:
    """The kiosk group's id, or None when the machine has no such group."""
    try:
        return grp.getgrnam(KIOSK_GROUP).gr_gid
    except KeyError:
        return None


def write_mediators(path: Path, mediators: Iterable[Mediator]) -> Written:
    """Replace `path` atomically with `mediators`: mode 0640 group kiosk, else 0600.

    The temporary file is made in the same folder (mode 0600 from the start),
    synced, given its group and mode, then renamed over the old one, so a reader
    sees the old file or the new one, never a half-written or too open one.
    """
    text = render_mediators(mediators)
    path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    given: list[str | None] = []

    def give_to_kiosk_group(fd: int) -> None:
        given.append(_give_to_kiosk_group(fd))
        os.fchmod(fd, 0o640 if given[0] else 0o600)

    write_atomically(path, text, prepare=give_to_kiosk_group)
    _sync_folder(path.parent)
    group = given[0]
    return Written(path, 0o640 if group else 0o600, group)


def _give_to_kiosk_group(fd: int) -> str | None:
    gid = kiosk_group_id()
    if gid is None:
        return None
    try:
        os.fchown(fd, -1, gid)
    except PermissionError:  # not root and not in the group: keep it to the owner
        return None
    return KIOSK_GROUP


def _sync_folder(folder: Path) -> None:
    # The rename itself is only durable once the folder is synced.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---- the administrator's changes ----------------------------------------------------


def read_for_change(path: Path) -> tuple[Mediator, ...]:
    """The mediators before `add` or `remove`: none when the file does not exist yet.

    Permissions are not checked: the file is written again with the right ones.
    """
    try:
        return read_mediators(path, check_permissions=False)
    except MediatorsFileError as error:
        if error.problem is Problem.MISSING:
            return ()
        raise


def add_mediator(path: Path, name: str, pin: str, *, with_totp: bool,
                 today: date) -> tuple[Mediator, Written]:
    """Add `name` with a hash of `pin` (and a new TOTP secret when asked) to the file.

    UserError (one sentence) for a bad name or PIN, a name already there, a PIN
    another mediator has, or a file that cannot be read.
    """
    check_name(name)
    check_pin(pin)
    mediators = read_for_change(path)
    if any(same_name(m.name, name) for m in mediators):
        raise UserError(f"A mediator named {name!r} is already in {path}.")
    if find_by_pin(mediators, pin) is not None:
        # The PIN alone says who is unlocking, so two mediators cannot share one.
        raise UserError("Another mediator already has this PIN: choose another one.")
    mediator = Mediator(name=name, added=today, pin=PinHash.of(pin),
                        totp_secret=totp.new_secret() if with_totp else None)
    return mediator, write_mediators(path, (*mediators, mediator))


def remove_mediator(path: Path, name: str) -> Written:
    """Take `name` out of the file; UserError when it is not there or the file is unusable."""
    mediators = read_mediators(path, check_permissions=False)
    kept = tuple(m for m in mediators if not same_name(m.name, name))
    if len(kept) == len(mediators):
        raise UserError(f"There is no mediator named {name!r} in {path}.")
    return write_mediators(path, kept)
