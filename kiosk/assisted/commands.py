"""`kiosk mediator add|remove|list|journal`: the administrator's side of assisted mode.

Each command prints what it did, or refuses with exit status 2 and one plain
sentence on standard error. A PIN is only ever read from the terminal (not
echoed) or from standard input, never from the command line, and never printed.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from kiosk.assisted import totp
from kiosk.assisted.journal import Journal, check_chain, journal_path
from kiosk.assisted.mediators import (
    MediatorsFileError,
    Problem,
    Written,
    add_mediator,
    check_name,
    check_pin,
    read_for_change,
    read_mediators,
    remove_mediator,
    same_name,
)
from kiosk.errors import UserError

EXIT_OK = 0
EXIT_REFUSED = 2


@dataclass(frozen=True)
class Streams:
    """Where a command reads the PIN and writes its output (the process's own by default)."""

    stdin: TextIO
    stdout: TextIO
    stderr: TextIO


def refuse(streams: Streams, sentence: str) -> int:
    """Say why in one sentence on standard error; exit status 2."""
    print(f"kiosk mediator: {sentence}", file=streams.stderr)
    return EXIT_REFUSED


def read_pin_twice(stdin: TextIO) -> tuple[str, str | None]:
    """The PIN and its confirmation: asked on a terminal, else the first two input lines.

    The confirmation is None when standard input ends before its second line.
    """
    if stdin.isatty():
        pin = getpass.getpass("PIN for this mediator (6 to 12 digits): ")
        return pin, getpass.getpass("The same PIN again: ")
    first = stdin.readline()
    second = stdin.readline()
    return first.rstrip("\r\n"), second.rstrip("\r\n") if second else None


def add(path: Path, name: str, with_totp: bool, streams: Streams) -> int:
    """`kiosk mediator add NAME [--file PATH] [--totp]`."""
    try:
        check_name(name)
        # Refused before asking for the PIN: nothing is typed for nothing.
        if any(same_name(m.name, name) for m in read_for_change(path)):
            return refuse(streams, f"a mediator named {name!r} is already in {path}.")
        pin, again = read_pin_twice(streams.stdin)
        check_pin(pin)
        if again is None:
            return refuse(streams, "the PIN must be given twice (the second line of the "
                                   "input confirms the first).")
        if again != pin:
            return refuse(streams, "the two PINs differ; nothing was changed.")
        mediator, written = add_mediator(path, name, pin, with_totp=with_totp,
                                         today=date.today())
    except UserError as error:
        return refuse(streams, _lowercase_first(error.message))
    except OSError as error:
        return refuse(streams, f"{path} cannot be written ({error.strerror or error}).")
    print(f"Mediator {name!r} added. {written.describe()}", file=streams.stdout)
    _warn_if_unreadable_by_kiosk(written, streams)
    if mediator.totp_secret is not None:
        print_enrolment(mediator.name, mediator.totp_secret, streams.stdout)
    return EXIT_OK


def print_enrolment(name: str, secret: str, out: TextIO) -> None:
    """The second factor's secret, as text, URI and a QR code, for an authenticator app."""
    uri = totp.provisioning_uri(secret, name)
    print("Second factor: in an authenticator app (FreeOTP, Aegis, Google Authenticator...),",
          file=out)
    print("add an account by scanning this QR code, or by typing the secret.", file=out)
    print(f"  secret: {secret}", file=out)
    print(f"  URI:    {uri}", file=out)
    print_qr(uri, out)
    print("The app then shows a new 6-digit code every 30 seconds; the PIN pad asks for it "
          "after the PIN. Clear this screen once it is done.", file=out)


def print_qr(text: str, out: TextIO) -> None:
    """`text` as a QR code drawn with characters on the terminal."""
    import qrcode

    code = qrcode.QRCode(border=2)
    code.add_data(text)
    code.make(fit=True)
    code.print_ascii(out=out, tty=out.isatty())


def _warn_if_unreadable_by_kiosk(written: Written, streams: Streams) -> None:
    if written.group is None:
        print("warning: the kiosk itself may not be able to read this file; "
              "assisted mode stays unavailable until it can.", file=streams.stderr)


def remove(path: Path, name: str, streams: Streams) -> int:
    """`kiosk mediator remove NAME [--file PATH]`."""
    try:
        written = remove_mediator(path, name)
    except UserError as error:
        return refuse(streams, _lowercase_first(error.message))
    except OSError as error:
        return refuse(streams, f"{path} cannot be written ({error.strerror or error}).")
    print(f"Mediator {name!r} removed. {written.describe()}", file=streams.stdout)
    return EXIT_OK


def list_mediators(path: Path, streams: Streams) -> int:
    """`kiosk mediator list [--file PATH]`: names and dates, nothing else."""
    try:
        mediators = read_mediators(path, check_permissions=False)
    except MediatorsFileError as error:
        return refuse(streams, _lowercase_first(error.message))
    try:
        read_mediators(path)
    except MediatorsFileError as error:
        if error.problem is Problem.PERMISSIONS:
            print(f"warning: {error.message}", file=streams.stderr)
    if not mediators:
        print(f"No mediator in {path}.", file=streams.stdout)
    width = max((len(m.name) for m in mediators), default=0)
    for mediator in mediators:
        print(f"{mediator.name:<{width}}  added {mediator.added.isoformat()}",
              file=streams.stdout)
    return EXIT_OK


def journal(path: Path | None, streams: Streams) -> int:
    """`kiosk mediator journal [--file PATH]`: print the journal and check its chain."""
    path = path or journal_path()
    try:
        lines = Journal(path).read_lines()
    except (OSError, UnicodeDecodeError) as error:
        return refuse(streams, f"the journal {path} cannot be read "
                               f"({getattr(error, 'strerror', None) or error}).")
    if not lines:
        print(f"No assistance journal in {path} (it is kept only when the profile sets "
              "journal = true in [assisted]).", file=streams.stdout)
        return EXIT_OK
    check = check_chain(lines)
    print(f"Assistance journal {path}", file=streams.stdout)
    if check.anchor is not None:
        print(_describe_anchor(check.anchor, lines[0]), file=streams.stdout)
    for entry in check.entries:
        print(_describe_entry(entry), file=streams.stdout)
    print(f"Chain head: {check.head} (the system log names each entry's head: "
          "journalctl -u borne | grep 'assistance journal').", file=streams.stdout)
    if not check.ok:
        return refuse(streams, f"the journal's chain is broken: {check.problem}")
    print(f"The chain holds: {len(check.entries)} entries.", file=streams.stdout)
    return EXIT_OK


def _describe_anchor(anchor: dict[str, Any], line: str) -> str:
    from kiosk.assisted.journal import line_hash

    return (f"Started {anchor.get('at')}; {anchor.get('purged')} older entries purged; "
            f"anchor {line_hash(line)[:16]}.")


def _describe_entry(entry: dict[str, Any]) -> str:
    procedures = ", ".join(str(p) for p in entry.get("procedures", [])) or "none"
    return (f"  #{entry.get('n')}  {_short(entry.get('start'))} to {_short(entry.get('end'))}"
            f"  {entry.get('mediator')}  procedures: {procedures}"
            f"  printed {entry.get('printed')}  scanned {entry.get('scanned')}")


def _short(moment: object) -> str:
    try:
        return datetime.fromisoformat(str(moment)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(moment)


def _lowercase_first(sentence: str) -> str:
    # After "kiosk mediator: " the sentence goes on in lower case, unless it
    # starts with a path or a name.
    first = sentence.split(" ", 1)[0]
    if first.isalpha() and first[0].isupper() and (len(first) == 1 or first[1:].islower()):
        return sentence[0].lower() + sentence[1:]
    return sentence
