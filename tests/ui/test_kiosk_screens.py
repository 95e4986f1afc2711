"""The real kiosk process on screens of two sizes, driven with the keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import SAMPLE_PROFILE, x_screen
from kiosk_process import running_kiosk
from screenshots import check_against_reference, count_colour

FOCUS_RING = (0xD6, 0x5F, 0x00)
SIZES = [(1024, 768), (1280, 1024)]


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["1024x768", "1280x1024"])
def test_home_and_help_screens(width: int, height: int, tmp_path: Path, artifacts: Path) -> None:
    with x_screen(width, height) as screen, running_kiosk(
        screen, tmp_path, "--profile", str(SAMPLE_PROFILE)
    ) as kiosk:
        kiosk.wait_until_ready()
        screen.run("xdotool", "mousemove", str(width - 1), str(height - 1))
        home = screen.screenshot(artifacts / f"home-{width}x{height}.png")
        # The first tile has the keyboard focus, drawn as a thick orange ring.
        assert count_colour(home, FOCUS_RING) > 400
        check_against_reference(home, f"home-{width}x{height}")

        mark = len(kiosk.lines)
        screen.key("shift+Tab", "Return")  # backwards from the first tile: the help button
        kiosk.wait_for_screen("help", after=mark)
        help_shot = screen.screenshot(artifacts / f"help-{width}x{height}.png")
        check_against_reference(help_shot, f"help-{width}x{height}")

        mark = len(kiosk.lines)
        screen.key("Return")  # 'Back' has the focus
        kiosk.wait_for_screen("home", after=mark)


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["1024x768", "1280x1024"])
def test_broken_profile_shows_out_of_service_with_the_last_desk_details(
    width: int, height: int, tmp_path: Path, artifacts: Path
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(SAMPLE_PROFILE.read_text(encoding="utf-8").replace(
        "idle_timeout = 300", "idle_timout = 300"), encoding="utf-8")
    with x_screen(width, height) as screen:
        # A first run on the good profile remembers the desk details...
        with running_kiosk(screen, tmp_path, "--profile", str(SAMPLE_PROFILE)) as kiosk:
            kiosk.wait_for_screen("home")
        # ...which the out-of-service screen shows when the profile breaks.
        with running_kiosk(screen, tmp_path, "--profile", str(broken)) as kiosk:
            kiosk.wait_for_screen("out_of_service")
            assert kiosk.proc.poll() is None, "the kiosk must keep running, never drop to a desktop"
            log = kiosk.log_text()
            assert "session.idle_timout" in log and "idle_timeout" in log
            assert "Traceback" not in log
            screen.run("xdotool", "mousemove", str(width - 1), str(height - 1))
            shot = screen.screenshot(artifacts / f"out-of-service-{width}x{height}.png")
            check_against_reference(shot, f"out-of-service-{width}x{height}")
