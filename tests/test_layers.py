"""The layers of the design: the headless parts never use Tk.

Browser, session, stats, config and the doctor run on worker threads or without a
display; importing tkinter, the UI or the app (even inside a function, as a late
import) would tie them to the shell. Every import statement of the package is
read, at any depth, and followed from module to module.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("browser", "session", "stats", "config")
MODULES = ["kiosk.doctor", "kiosk.paths", "kiosk.bus", "kiosk.errors", "kiosk.i18n"]
HEADLESS = sorted([
    *(".".join(path.relative_to(REPO).with_suffix("").parts)
      for package in PACKAGES for path in (REPO / "kiosk" / package).glob("*.py")),
    *MODULES,
])
FORBIDDEN = ("tkinter", "ttkbootstrap", "kiosk.ui", "kiosk.app")
# The doctor's work is to check that Tk opens a window; the shell it must not reach.
OWN_CHECKS = {("kiosk.doctor", "tkinter")}


def source_of(module: str) -> Path | None:
    path = REPO.joinpath(*module.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def imports_of(module: str) -> frozenset[str]:
    """Every module `module` imports, wherever the import statement stands."""
    path = source_of(module)
    if path is None:
        return frozenset()
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(found)


def reached_from(module: str) -> dict[str, str]:
    """Each module reachable by imports from `module`, with the one that imports it."""
    seen: dict[str, str] = {}
    todo = [module]
    while todo:
        current = todo.pop()
        for name in imports_of(current):
            if name not in seen and (name.startswith("kiosk") or name in FORBIDDEN):
                seen[name] = current
                todo.append(name)
    return seen


def test_the_walk_finds_late_imports() -> None:
    assert "kiosk.browser.session" in reached_from("kiosk.session.controller")  # a late one
    assert "tkinter" in reached_from("kiosk.app")


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_never_imports_the_shell(module: str) -> None:
    bad = {name: by for name, by in reached_from(module).items()
           if name.startswith(FORBIDDEN) and (by, name) not in OWN_CHECKS}
    assert bad == {}, f"{module} reaches the shell: " + ", ".join(
        f"{name} (imported by {by})" for name, by in sorted(bad.items()))
