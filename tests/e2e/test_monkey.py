"""A minute of the monkey (tests/monkey.py) on the real kiosk, with one fixed seed.

The kiosk runs as installed when this machine allows it (the kiosk user,
Chromium's sandbox, the machine's policy), else with its guard alone. The whole
ten minutes, with a random seed, is `make monkey`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from harness import XScreen
from kiosk_process import running_kiosk
from monkey import choose_mode, kiosk_env, monkey_profile, run_monkey
from procedure_site import Site

pytestmark = [pytest.mark.browser, pytest.mark.display]

SEED = 14
SECONDS = 60


def test_a_minute_of_random_input_leaves_the_kiosk_locked_and_clean(
    screen: XScreen, site: Site, tmp_path: Path, artifacts: Path
) -> None:
    mode = choose_mode()
    profile = tmp_path / "monkey.toml"
    profile.write_text(monkey_profile(site.port), encoding="utf-8")
    env = kiosk_env(mode, site, tmp_path)
    steps = (artifacts / "monkey-steps.log").open("w", encoding="utf-8")
    try:
        with running_kiosk(screen, tmp_path, "--profile", str(profile), env=env,
                           mode=mode) as kiosk:
            outcome = run_monkey(screen, kiosk, site, SEED, SECONDS,
                                 lambda line: print(line, file=steps, flush=True))
    finally:
        steps.close()
        if "KIOSK_SESSION_ROOT" in env:
            shutil.rmtree(env["KIOSK_SESSION_ROOT"], ignore_errors=True)
    print(outcome.summary())
    assert outcome.actions > 100, outcome.summary()
    assert outcome.procedures, "the monkey never reached a procedure: " + outcome.summary()
    assert outcome.problems == [], outcome.summary()
