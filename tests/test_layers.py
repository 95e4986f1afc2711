"""The layers of the design: the headless parts never use Tk, and nothing imports upwards.

Browser, session, stats, config, assisted and the doctor run on worker threads or without a
display; importing tkinter, the UI or the app (even inside a function, as a late
import) would tie them to the shell. Every import statement of the package is
read, at any depth, and followed from module to module.

The layers, from the bottom: plain values (events, errors, settings, i18n); the
bus and the profile; the browser, the statistics and assisted mode's mediators,
lockout and journal; the session; the devices
(participants of the session); the UI; the
app and the doctor; the composition root; the command line. A module imports
only from its own package or from lower layers, and no import cycle exists.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("browser", "session", "stats", "config", "devices", "assisted")
MODULES = ["kiosk.doctor", "kiosk.settings", "kiosk.bus", "kiosk.errors", "kiosk.i18n",
           "kiosk.events"]
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


LAYERS: list[tuple[str, ...]] = [
    ("kiosk", "kiosk.events", "kiosk.errors", "kiosk.settings", "kiosk.i18n", "kiosk.files"),
    ("kiosk.bus", "kiosk.config"),
    ("kiosk.browser", "kiosk.stats", "kiosk.assisted"),
    ("kiosk.session",),
    # Assisted mode's participant stands with the devices: it is one of the session's.
    ("kiosk.devices", "kiosk.assisted.participant"),
    ("kiosk.ui",),
    ("kiosk.app", "kiosk.doctor"),
    ("kiosk.runner",),
    ("kiosk.cli",),
    ("kiosk.__main__",),
]


def package_of(module: str) -> str:
    """The layer entry that holds `module` (its package, or the module itself)."""
    best = ""
    for layer in LAYERS:
        for entry in layer:
            if (module == entry or module.startswith(entry + ".")) and len(entry) > len(best):
                best = entry
    return best


def rank(module: str) -> int:
    entry = package_of(module)
    return next(i for i, layer in enumerate(LAYERS) if entry in layer)


def all_modules() -> list[str]:
    return sorted(".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(
        ".__init__") for path in (REPO / "kiosk").rglob("*.py"))


def kiosk_imports(module: str) -> set[str]:
    """The kiosk modules `module` imports (names of functions resolved to their module)."""
    found = set()
    for name in imports_of(module):
        while name.startswith("kiosk") and source_of(name) is None and "." in name:
            name = name.rsplit(".", 1)[0]
        if name.startswith("kiosk") and source_of(name) is not None and name != module:
            found.add(name)
    return found


def test_every_module_has_a_layer() -> None:
    assert [m for m in all_modules() if not package_of(m)] == []


@pytest.mark.parametrize("module", all_modules())
def test_no_import_goes_up_a_layer(module: str) -> None:
    upward = sorted(name for name in kiosk_imports(module)
                    if rank(name) > rank(module)
                    or (rank(name) == rank(module)
                        and package_of(name) != package_of(module)
                        and package_of(module) != "kiosk"))
    assert upward == [], f"{module} imports from a higher or sibling layer: {upward}"


def test_there_is_no_import_cycle() -> None:
    graph = {m: kiosk_imports(m) for m in all_modules()}
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = "open"
        path.append(module)
        for name in sorted(graph.get(module, ())):
            if name.endswith("__init__") or name == "kiosk":
                continue
            if state.get(name) == "open":
                return [*path[path.index(name):], name]
            if name not in state and (cycle := visit(name)):
                return cycle
        state[module] = "done"
        path.pop()
        return []

    for module in graph:
        if module not in state:
            cycle = visit(module)
            assert cycle == [], " -> ".join(cycle)
