"""Every event declared in kiosk.events is published somewhere, and is a frozen value.

That each one is also handled is checked on the wired kiosk (tests/ui/test_wiring.py):
the subscriptions exist only once the app and the statistics are built.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from kiosk.events import Event, declared_events

PACKAGE = Path(__file__).resolve().parent.parent / "kiosk"
# `Publish(...)` is the session flow's effect that the app publishes as it is.
PUBLISHERS = ("publish", "_announce", "Publish")


def _called_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def published_names() -> dict[str, list[str]]:
    """Event class name -> the modules that publish it (``publish(Name(...))``)."""
    found: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _called_name(node.func).endswith(PUBLISHERS)):
                continue
            for argument in node.args[:1]:
                if isinstance(argument, ast.Call):
                    found.setdefault(_called_name(argument.func), []).append(
                        str(path.relative_to(PACKAGE)))
    return found


def test_the_scan_sees_publications() -> None:
    assert "session/controller.py" in published_names()["SessionWiped"]


@pytest.mark.parametrize("kind", declared_events(), ids=lambda k: k.__name__)
def test_each_declared_event_is_published(kind: type[Event]) -> None:
    assert kind.__name__ in published_names(), f"nothing publishes {kind.__name__}"


@pytest.mark.parametrize("kind", declared_events(), ids=lambda k: k.__name__)
def test_each_event_is_a_frozen_dataclass_of_plain_values(kind: type[Event]) -> None:
    assert dataclasses.is_dataclass(kind)
    assert kind.__dataclass_params__.frozen  # type: ignore[attr-defined]
    for field in dataclasses.fields(kind):
        assert "dict" not in str(field.type) and "list" not in str(field.type), field


def test_nothing_publishes_an_undeclared_event() -> None:
    declared = {k.__name__ for k in declared_events()}
    assert set(published_names()) <= declared
