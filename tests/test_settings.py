"""Every environment variable the kiosk reads is read in kiosk/settings.py, and documented."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kiosk import settings

PACKAGE = Path(__file__).resolve().parent.parent / "kiosk"
README = PACKAGE.parent / "README.md"


def environment_reads(path: Path) -> list[int]:
    """Lines where `path` reads a variable: os.environ.get, os.getenv, os.environ[...]."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = ast.unparse(node.func)
            if target in ("os.environ.get", "os.getenv", "environ.get"):
                lines.append(node.lineno)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            lines.append(node.lineno)
    return lines


def test_only_settings_reads_the_environment() -> None:
    readers = {str(path.relative_to(PACKAGE)): found for path in PACKAGE.rglob("*.py")
               if (found := environment_reads(path)) and path.name != "settings.py"}
    assert readers == {}


def test_the_scan_finds_a_read() -> None:
    assert environment_reads(PACKAGE / "settings.py")


@pytest.mark.parametrize("name", sorted(settings.VARIABLES))
def test_each_variable_is_in_the_readme(name: str) -> None:
    assert f"`{name}`" in README.read_text(encoding="utf-8")


def test_defaults_and_overrides() -> None:
    default = settings.Settings.from_environment({})
    assert default.state_dir == Path("/var/lib/kiosk")
    assert default.session_root is None and default.private_policy
    assert default.host_resolver_rules is None
    custom = settings.Settings.from_environment({
        "KIOSK_STATE_DIR": "/tmp/state", "KIOSK_SESSION_ROOT": "/tmp/s",
        "KIOSK_PRIVATE_POLICY": "0", "KIOSK_HOST_RESOLVER_RULES": "MAP * 127.0.0.1"})
    assert custom.state_dir == Path("/tmp/state") and custom.session_root == Path("/tmp/s")
    assert not custom.private_policy and custom.host_resolver_rules == "MAP * 127.0.0.1"


@pytest.mark.parametrize(("given", "seconds"), [("3", 3.0), ("0.5", 0.5), ("", 10.0),
                                                 ("soon", 10.0), ("0", 10.0), ("-4", 10.0)])
def test_a_page_may_stay_silent_a_positive_number_of_seconds(given: str, seconds: float) -> None:
    found = settings.Settings.from_environment({"KIOSK_PAGE_SILENT_SECONDS": given})
    assert found.page_silent_seconds == seconds
