"""The proof of the wipe: a session plants a token everywhere, ends by idle timeout, and
the token is found nowhere on the machine; the next session sees nothing of it.

Everything runs for real: the kiosk process on Xvfb and openbox, its pre-started
Chromium under the lockdown policy, the test site on localhost, X idle time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from canary import PROFILE, find_token, open_canary_tile, reports, standard_roots
from harness import XScreen, wait_for, x_screen
from kiosk_process import KIOSK, KioskProcess, mode_params, running_kiosk
from procedure_site import Site
from prometheus_client.parser import text_string_to_metric_families
from screenshots import check_against_reference

pytestmark = [pytest.mark.browser, pytest.mark.display]

def descendants(pid: int) -> set[tuple[int, str]]:
    """(pid, start time) of every living process below `pid`: pids alone may be reused."""
    children: dict[int, list[int]] = {}
    starts: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z":
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        starts[int(entry.name)] = fields[19]
    found: set[tuple[int, str]] = set()
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.add((child, starts[child]))
        todo.extend(children.get(child, []))
    return found


def verified_wipes(kiosk: KioskProcess, exports: Path) -> float:
    """The verified wipes in the Prometheus export `kiosk stats` writes (and its CSV,
    written beside it, so that both can be searched)."""
    exports.mkdir(exist_ok=True)
    env = {**os.environ, "KIOSK_STATE_DIR": str(kiosk.state_dir)}
    prom = exports / "borne.prom"
    csv_out = subprocess.run([KIOSK, "stats", "--csv", "--prometheus", str(prom)], env=env,
                             capture_output=True, text=True, check=True, timeout=30).stdout
    (exports / "stats.csv").write_text(csv_out)
    for family in text_string_to_metric_families(prom.read_text()):
        if family.name == "borne_wipes_verified":
            return sum(sample.value for sample in family.samples
                       if sample.name.endswith("_total"))
    return 0.0


@pytest.mark.parametrize("mode", mode_params())
def test_nothing_of_a_session_is_left_after_an_idle_timeout(
    screen: XScreen, site: Site, tmp_path: Path, artifacts: Path, mode: str
) -> None:
    profile = tmp_path / "profile.toml"
    profile.write_text(PROFILE.format(port=site.port), encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    # A short session root: Chromium's sockets must fit in 107 bytes. The
    # production mode makes the kiosk user's home and session root itself.
    sessions = Path(tempfile.mkdtemp(prefix="canary-", dir="/dev/shm"))
    env = {} if mode == "production" else {"HOME": str(home), "KIOSK_SESSION_ROOT": str(sessions)}
    try:
        with running_kiosk(screen, tmp_path, "--profile", str(profile), env=env,
                           mode=mode) as kiosk:
            token = open_canary_tile(screen, kiosk, site, after=0)
            assert reports(site, "report")[0]["found"] == [""]
            assert not [r for r in reports(site, "report") if "error" in r], site.log.reports
            type_the_token(screen, site, token)
            assert wait_for(
                lambda: any(kiosk.session_root.glob(f"*/Documents/recu-{token}.txt")), 20), \
                ("the download did not land in the session's Documents; site: "
                 f"{site.log.paths('localhost')[-8:]}; kiosk:\n" + "\n".join(kiosk.lines[-30:]))
            session_processes = descendants(kiosk.proc.pid)
            assert session_processes, "no browser process under the kiosk"

            # Hands off: the countdown comes, then the wipe, then a fresh home screen.
            mark = len(kiosk.lines)
            kiosk.wait_for_screen("countdown", timeout=30, after=mark)
            shot = screen.screenshot(artifacts / "countdown.png")
            check_against_reference(shot, "countdown-1280x1024", same_screen=0.08)
            kiosk.wait_for_log(r"ending the session \(idle\)", timeout=30, after=mark)
            kiosk.wait_until_ready(after=mark)

            left = find_token(token, standard_roots(kiosk.session_root, home=kiosk.home))
            assert left == [], f"the token was found after the wipe in {left}"
            # The wipe checked itself, and the counters and their exports say so, and
            # nothing of what the resident did (the token was in an address too).
            exports = tmp_path / "exports"
            assert wait_for(lambda: verified_wipes(kiosk, exports) >= 1, 10)
            assert find_token(token, [exports, kiosk.state_dir]) == []
            assert token not in kiosk.log_text()
            survivors = session_processes & descendants(kiosk.proc.pid)
            assert not survivors, f"processes of the session survived: {survivors}"

            # The next resident opens the same procedure: nothing of the first is there.
            second = open_canary_tile(screen, kiosk, site, after=mark)
            assert second != token
            visit = reports(site, "report")[-1]
            assert visit["found"] == [""], f"the second session found {visit}"
            assert kiosk.stop() == 0
            left_at_exit = list(kiosk.session_root.iterdir())
            assert left_at_exit == [], "the kiosk left session folders when it stopped"
    finally:
        shutil.rmtree(sessions, ignore_errors=True)


def type_the_token(screen: XScreen, site: Site, token: str) -> None:
    """The resident types the token into the form; the page asks for its receipt when
    the field holds the token exactly. Should a key be lost on a busy machine, the
    resident clears the field and types again, before the idle countdown (6 s) comes."""
    def receipt_asked() -> bool:
        return f"/download/{token}" in site.log.paths("localhost")

    def field_empty() -> bool:
        typed = reports(site, "typed")
        return bool(typed) and typed[-1].get("length") == ["0"]

    for _attempt in range(3):
        screen.type_text(token)
        if wait_for(receipt_asked, 3):
            return
        screen.key("ctrl+a", "BackSpace")
        wait_for(field_empty, 2)
    raise AssertionError(f"the page never got the whole token; it reported {site.log.reports}")


@pytest.fixture
def screen() -> Iterator[XScreen]:
    # A screen of its own: the X idle time must not be reset by other tests.
    with x_screen(1280, 1024) as private:
        yield private
