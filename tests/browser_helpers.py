"""Helpers shared by the browser tests: the test site module, events, the allowlist."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from event_log import Events as Events  # re-exported: the browser tests import it here

from kiosk.config.allowlist import Allowlist
from kiosk.i18n import gettext_for

if TYPE_CHECKING:
    from kiosk.browser.session import BrowserSession

BOUNDS = (0, 80, 1280, 944)

# The session speaks French, the kiosk's first language.
BLOCKED_TITLE = gettext_for("fr", "This site is not available on this terminal")
CARD_CHECK_TITLE = gettext_for("fr", "This payment step needs the desk")


def allowlist() -> Allowlist:
    return Allowlist.of(["caf.borne.test", "connect.borne.test", "forms.example"])


SessionFactory = Callable[[Path], tuple["BrowserSession", Events]]


def installed_policy() -> dict[str, Any]:
    """The policy an installed kiosk has for the tests' allowlist."""
    from kiosk.browser.policies import profile_policy

    return profile_policy(allowlist())


def guard_only() -> dict[str, Any]:
    from kiosk.browser.policies import guard_only_policy

    return guard_only_policy()


# The two set-ups every escape test runs under: the guard alone (a root-run kiosk's
# policy, without the "block every other site" rule) and the installed policy.
POLICIES: dict[str, Callable[[], dict[str, Any]]] = {
    "guard-only": guard_only, "installed": installed_policy}


def skip_unless_policy_can_apply(name: str) -> None:
    """The installed policy reaches Chromium through a private mount namespace, as root."""
    import pytest

    from kiosk.browser.chromium import running_as_root

    if name == "installed" and not running_as_root():
        pytest.skip("the installed policy is given in a private mount namespace, as root")
