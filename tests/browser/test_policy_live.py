"""The shipped policy and the guard together, as on an installed kiosk.

The policy must sit in /etc/chromium/policies/managed, which tests do not touch:
the probe runs in a private mount namespace where a tmpfs covers /etc/chromium,
so only that Chromium sees the policy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import BLOCKED_TITLE
from harness import XScreen

from kiosk.browser.chromium import HANDLER_STUBS

pytestmark = [pytest.mark.browser, pytest.mark.display]

HERE = Path(__file__).resolve().parent
SETUP = ("mount -t tmpfs none /etc/chromium && mkdir -p /etc/chromium/policies/managed && "
         'exec "$0" "$1"')


def can_use_private_mounts() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None or not Path("/etc/chromium").is_dir():
        return False
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                           capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not can_use_private_mounts(), reason="needs root and mount namespaces")
def test_policy_and_guard_together(screen: XScreen) -> None:
    result = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", SETUP,
         sys.executable, str(HERE / "policy_probe.py")],
        env=screen.env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    seen: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    # The guard still drives Chromium (DeveloperToolsAvailability=2 would refuse it).
    assert "Procedure start" in seen["allowed"]["text"]
    # Whatever stops a site first, the policy or the guard, the resident gets the
    # kiosk's page naming the host, and the blocked server is never contacted.
    for case in ("blocked", "redirect", "link", "popup"):
        text = seen[case]["text"]
        assert BLOCKED_TITLE in text, (case, text)
        assert "blocked.example" in text, case
    assert "root:x:0:0" not in seen["file"]["text"]
    assert BLOCKED_TITLE in seen["file"]["text"]
    assert seen["hosts"] == ["caf.borne.test"]
    assert {"host": "blocked.example"} in seen["events"]
    # URLBlocklist "*" does not cover mailto: (only a "mailto:*" entry would, one
    # scheme at a time; checked with Chromium 156): the handler Chromium runs is
    # the stub first on its PATH, which opens nothing.
    assert "xdg-email" in seen["handlers_asked"]
    assert set(seen["handlers_asked"]) <= set(HANDLER_STUBS)
    assert len(seen["pages"]) == 1  # one window
    assert seen["survivors"] == []
