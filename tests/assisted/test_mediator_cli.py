"""`kiosk mediator add|remove|list|journal` through the real command line, PINs on stdin."""

from __future__ import annotations

import os
import pty
import re
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.assisted import totp
from kiosk.assisted.journal import Assistance, Journal
from kiosk.assisted.lockout import Lockout
from kiosk.assisted.mediators import read_mediators
from kiosk.assisted.unlock import Accepted, CodeNeeded, Unlocker

REPO = Path(__file__).resolve().parents[2]
PIN = "482913"


def kiosk(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], input=stdin, capture_output=True, text=True,
        timeout=60, cwd=REPO, check=False,
        env={**os.environ, "KIOSK_STATE_DIR": str(tmp_path / "state"),
             "KIOSK_MEDIATORS": str(tmp_path / "default-mediators.toml")},
    )


def add(tmp_path: Path, name: str, stdin: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return kiosk(tmp_path, "mediator", "add", name, "--file", str(tmp_path / "m.toml"), *extra,
                 stdin=stdin)


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit status 2, one sentence on stderr, no traceback."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kiosk mediator: ") and lines[0].endswith(".")
    for word in words:
        assert word in lines[0], lines[0]


def test_add_keeps_only_a_salted_hash_in_a_private_file(tmp_path: Path) -> None:
    result = add(tmp_path, "Amina B.", f"{PIN}\n{PIN}\n")
    assert result.returncode == 0, result.stderr
    assert "Mediator 'Amina B.' added" in result.stdout
    path = tmp_path / "m.toml"
    text = path.read_text(encoding="utf-8")
    assert PIN not in text and PIN not in result.stdout + result.stderr
    # No kiosk group on a test machine: only its owner may read it, and it says so.
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "0600" in result.stdout and "no 'kiosk' group" in result.stdout
    assert add(tmp_path, "Bob", "7654321\n7654321\n").returncode == 0
    first, second = read_mediators(path)
    assert first.pin.salt != second.pin.salt
    assert (first.pin.n, first.pin.r, first.pin.p) == (2**14, 8, 1)
    assert first.pin.matches(PIN) and not first.pin.matches("482914")
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".m.toml")] == []


@pytest.mark.parametrize(("stdin", "words"), [
    ("12345\n12345\n", ("6 to 12 digits", "has 5")),
    ("1234567890123\n1234567890123\n", ("6 to 12 digits", "has 13")),
    ("12345a\n12345a\n", ("digits only",)),
    ("\n\n", ("digits only",)),
    (f"{PIN}\n{PIN[::-1]}\n", ("differ",)),
    (f"{PIN}\n", ("twice",)),
], ids=["short", "long", "not-digits", "empty", "mismatch", "no-confirmation"])
def test_a_bad_pin_is_refused_and_nothing_is_written(
    tmp_path: Path, stdin: str, words: tuple[str, ...]
) -> None:
    result = add(tmp_path, "Amina", stdin)
    assert_refused(result, *words)
    assert not (tmp_path / "m.toml").exists()
    assert stdin.split("\n")[0] not in result.stderr or not stdin.strip()


def test_a_name_already_there_is_refused_whatever_its_case(tmp_path: Path) -> None:
    assert add(tmp_path, "Amina", f"{PIN}\n{PIN}\n").returncode == 0
    before = (tmp_path / "m.toml").read_bytes()
    # Refused before any PIN is read: an empty input is enough.
    assert_refused(add(tmp_path, "amina", ""), "already in")
    assert (tmp_path / "m.toml").read_bytes() == before


def test_two_mediators_cannot_share_a_pin(tmp_path: Path) -> None:
    assert add(tmp_path, "Amina", f"{PIN}\n{PIN}\n").returncode == 0
    assert_refused(add(tmp_path, "Bob", f"{PIN}\n{PIN}\n"), "another mediator already has this PIN")


def test_a_bad_name_is_refused(tmp_path: Path) -> None:
    assert_refused(add(tmp_path, " Amina", f"{PIN}\n{PIN}\n"), "space")
    assert_refused(add(tmp_path, "A" * 61, f"{PIN}\n{PIN}\n"), "60")


def test_an_unreadable_or_corrupted_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder.toml"
    folder.mkdir()  # unreadable as a file, even for root
    result = kiosk(tmp_path, "mediator", "add", "Amina", "--file", str(folder),
                   stdin=f"{PIN}\n{PIN}\n")
    assert_refused(result, str(folder), "folder")
    corrupted = tmp_path / "m.toml"
    corrupted.write_text("[mediators.Amina\nadded = ", encoding="utf-8")
    assert_refused(add(tmp_path, "Bob", f"{PIN}\n{PIN}\n"), "not a valid mediators file")
    corrupted.write_text('[mediators.Amina]\nadded = 2024-01-02\nsalt = "zz"\n',
                         encoding="utf-8")
    for args in (("add", "Bob"), ("remove", "Amina"), ("list",)):
        result = kiosk(tmp_path, "mediator", *args, "--file", str(corrupted),
                       stdin=f"{PIN}\n{PIN}\n")
        assert_refused(result, "'Amina' is malformed")
    assert "Bob" not in corrupted.read_text(encoding="utf-8")


def test_remove_and_list(tmp_path: Path) -> None:
    for name, pin in (("Amina B.", PIN), ("Bob", "7654321")):
        assert add(tmp_path, name, f"{pin}\n{pin}\n").returncode == 0
    file_args = ("--file", str(tmp_path / "m.toml"))
    listed = kiosk(tmp_path, "mediator", "list", *file_args)
    assert listed.returncode == 0
    today = datetime.now().date().isoformat()
    assert listed.stdout.splitlines() == [f"Amina B.  added {today}", f"Bob       added {today}"]
    assert_refused(kiosk(tmp_path, "mediator", "remove", "Carole", *file_args), "no mediator")
    removed = kiosk(tmp_path, "mediator", "remove", "amina b.", *file_args)
    assert removed.returncode == 0 and "removed" in removed.stdout
    assert [m.name for m in read_mediators(tmp_path / "m.toml")] == ["Bob"]
    assert_refused(kiosk(tmp_path, "mediator", "list", "--file", str(tmp_path / "none.toml")),
                   "does not exist")


def test_without_file_the_commands_use_the_kiosks_mediators_file(tmp_path: Path) -> None:
    result = kiosk(tmp_path, "mediator", "add", "Amina", stdin=f"{PIN}\n{PIN}\n")
    assert result.returncode == 0, result.stderr
    assert [m.name for m in read_mediators(tmp_path / "default-mediators.toml")] == ["Amina"]


def test_a_world_readable_file_is_listed_with_a_warning(tmp_path: Path) -> None:
    assert add(tmp_path, "Amina", f"{PIN}\n{PIN}\n").returncode == 0
    (tmp_path / "m.toml").chmod(0o644)
    listed = kiosk(tmp_path, "mediator", "list", "--file", str(tmp_path / "m.toml"))
    assert listed.returncode == 0 and "Amina" in listed.stdout
    assert "open to every user" in listed.stderr and "chmod 0640" in listed.stderr
    # The next change writes it private again.
    assert add(tmp_path, "Bob", "7654321\n7654321\n").returncode == 0
    assert stat.S_IMODE((tmp_path / "m.toml").stat().st_mode) == 0o600


def test_totp_enrolment_prints_a_secret_that_unlocks(tmp_path: Path) -> None:
    result = add(tmp_path, "Amina", f"{PIN}\n{PIN}\n", "--totp")
    assert result.returncode == 0, result.stderr
    secret = re.search(r"secret: ([A-Z2-7]+)", result.stdout)
    assert secret is not None
    assert f"otpauth://totp/Borne%3AAmina?secret={secret.group(1)}" in result.stdout
    assert "█" in result.stdout  # the QR code drawn on the terminal
    now = time.time()
    unlocker = Unlocker(tmp_path / "m.toml", Lockout(tmp_path / "state"), clock=lambda: now)
    assert unlocker.attempt(PIN) == CodeNeeded("Amina")
    code = totp.code_at(totp.decode_secret(secret.group(1)), now)
    assert unlocker.attempt(PIN, code) == Accepted("Amina")


def test_journal_prints_and_checks_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "state" / "journal.jsonl"
    path.parent.mkdir()
    journal = Journal(path)
    start = datetime.now().astimezone() - timedelta(hours=1)
    journal.append(Assistance("Amina", start, start + timedelta(minutes=20), ("caf",), 3, 1))
    journal.append(Assistance("Bob", start, start + timedelta(minutes=40), ("ants", "caf")))
    good = kiosk(tmp_path, "mediator", "journal")  # KIOSK_STATE_DIR's journal by default
    assert good.returncode == 0, good.stderr
    assert "Amina  procedures: caf  printed 3  scanned 1" in good.stdout
    assert "The chain holds: 2 entries." in good.stdout
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"printed":3', '"printed":1')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    broken = kiosk(tmp_path, "mediator", "journal", "--file", str(path))
    assert_refused(broken, "chain is broken", "line 3")
    empty = kiosk(tmp_path, "mediator", "journal", "--file", str(tmp_path / "none.jsonl"))
    assert empty.returncode == 0 and "No assistance journal" in empty.stdout


def test_on_a_terminal_the_pin_is_asked_twice_without_echo(tmp_path: Path) -> None:
    pid, master = pty.fork()
    if pid == 0:  # the child: kiosk with the pseudo-terminal as its terminal
        try:
            env = {**os.environ, "KIOSK_STATE_DIR": str(tmp_path / "state")}
            os.chdir(REPO)
            os.execve(sys.executable, [sys.executable, "-m", "kiosk", "mediator", "add",
                                       "Amina", "--file", str(tmp_path / "m.toml")], env)
        finally:
            os._exit(127)  # never back into the test runner
    seen = b""
    try:
        for prompt, answer in ((b"PIN for this mediator", PIN), (b"same PIN again", PIN)):
            seen = read_until(master, prompt, seen)
            os.write(master, f"{answer}\n".encode())
        seen = read_until(master, b"added", seen)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(master)
    assert os.waitstatus_to_exitcode(status) == 0
    assert PIN.encode() not in seen  # not echoed
    assert [m.name for m in read_mediators(tmp_path / "m.toml")] == ["Amina"]


def read_until(fd: int, wanted: bytes, seen: bytes) -> bytes:
    """Read the pseudo-terminal until `wanted` shows (or it closes)."""
    start = len(seen)
    while wanted not in seen[start:]:
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            chunk = b""
        if not chunk:
            raise AssertionError(f"{wanted!r} never came; seen {seen!r}")
        seen += chunk
    return seen


def test_run_takes_the_mediators_file_into_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kiosk.runner
    from kiosk import cli, settings

    seen: list[Path] = []

    def fake_run(profile: Path | None, windowed: bool) -> int:
        seen.append(settings.current().mediators_file)
        return 0

    monkeypatch.setattr(kiosk.runner, "run_kiosk", fake_run)
    monkeypatch.setenv("KIOSK_MEDIATORS", "/etc/kiosk/mediators.toml")
    assert cli.main(["run", "--mediators", str(tmp_path / "m.toml")]) == 0
    assert seen == [tmp_path / "m.toml"]
    assert settings.Settings.from_environment({}).mediators_file == Path(
        "/etc/kiosk/mediators.toml")
