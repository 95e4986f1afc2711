"""The profile loader on generated documents: a clean error or a valid profile, never a crash.

A town's IT person edits the profile by hand; whatever they write, the kiosk
must answer with a message naming the place (ProfileError), not a traceback.
The documents are the default profile with values swapped for anything TOML can
hold, keys removed and keys added, and raw text of every kind.
"""

from __future__ import annotations

import copy
import datetime
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk.config.load import load_profile, packaged_default_profile
from kiosk.config.schema import Profile
from kiosk.config.validate import build_profile
from kiosk.errors import ProfileError

DEFAULT = tomllib.loads(packaged_default_profile().read_text(encoding="utf-8"))
HERE = Path("generated.toml")

scalars = (
    st.text(max_size=30)
    | st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
    | st.datetimes(max_value=datetime.datetime(9999, 1, 1))
    | st.dates()
    | st.times()
    | st.sampled_from(["", "*.fr", "https://", "javascript:alert(1)", "fr", "ar", "xx",
                       "https://caf.fr/", "http://[::1]/", "../../etc/passwd", "\u202e"])
)
toml_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=12,
)


def paths_in(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a parsed TOML document (dict keys and list indexes)."""
    found: list[tuple[Any, ...]] = []
    children: list[tuple[Any, Any]] = (
        list(node.items()) if isinstance(node, dict)
        else list(enumerate(node)) if isinstance(node, list) else [])
    for key, child in children:
        found.append((*prefix, key))
        found += paths_in(child, (*prefix, key))
    return found


ALL_PATHS = paths_in(DEFAULT)


def parent_of(document: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        document = document[key]
    return document


@st.composite
def mutated_profiles(draw: st.DrawFn) -> dict[str, Any]:
    document = copy.deepcopy(DEFAULT)
    for _ in range(draw(st.integers(1, 4))):
        live = [p for p in paths_in(document)]
        if not live:
            break
        path = draw(st.sampled_from(live))
        parent = parent_of(document, path)
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(toml_values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(toml_values)
    return document


def assert_valid(profile: Profile) -> None:
    """What the rest of the kiosk relies on in a profile that loaded."""
    assert profile.procedures, "a valid profile has at least one procedure"
    for procedure in profile.procedures:
        assert procedure.allow.allows_url(procedure.start_url), procedure.id
        assert procedure.title, procedure.id
    timing = profile.session
    assert 0 < timing.idle_warning < timing.idle_timeout <= timing.max_duration


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=mutated_profiles())
def test_a_changed_default_profile_loads_or_is_refused_with_a_message(
    document: dict[str, Any]
) -> None:
    try:
        profile = build_profile(document, HERE)
    except ProfileError as error:
        assert str(error).strip(), "a refusal says why"
        return
    assert_valid(profile)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=st.dictionaries(st.sampled_from(sorted(DEFAULT)) | st.text(max_size=8),
                                toml_values, max_size=6))
def test_any_document_loads_or_is_refused_with_a_message(document: dict[str, Any]) -> None:
    try:
        profile = build_profile(document, HERE)
    except ProfileError as error:
        assert str(error).strip()
        return
    assert_valid(profile)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_file_content_loads_or_is_refused_with_a_message(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "profile.toml"
        path.write_bytes(raw)
        try:
            load_profile(path)
        except ProfileError as error:
            assert str(error).strip()
