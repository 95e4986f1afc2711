"""The managed policy Borne ships, and what `kiosk doctor` says about the installed one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness import SAMPLE_PROFILE

from kiosk.browser.policies import (
    LOCKDOWN,
    guard_only_policy,
    install_for_profile,
    profile_policy,
    read_policy_dir,
    static_policy,
    url_filter,
    write_policy,
)
from kiosk.config.allowlist import Allowlist, HostPattern
from kiosk.doctor import missing_lockdown, policy_status

REPO = Path(__file__).resolve().parents[2]
PACKAGED = REPO / "packaging" / "chromium" / "borne.json"


def test_packaged_file_is_the_static_policy() -> None:
    assert json.loads(PACKAGED.read_text(encoding="utf-8")) == static_policy()


def test_static_policy_blocks_everything_but_the_blank_page() -> None:
    policy = static_policy()
    assert policy["URLBlocklist"][0] == "*"
    for scheme in ("chrome://*", "file://*", "view-source:*", "javascript://*", "devtools://*"):
        assert scheme in policy["URLBlocklist"]
    # Every policy the browser gets still lets the blank page (empty frames, new windows) by.
    assert policy["URLAllowlist"] == ["about:blank"]
    assert "about:*" in guard_only_policy()["URLBlocklist"]
    assert guard_only_policy()["URLAllowlist"] == ["about:blank"]
    assert profile_policy(Allowlist.of(["caf.fr"]))["URLAllowlist"][0] == "about:blank"
    assert policy["PrintingEnabled"] is False
    assert policy["AllowFileSelectionDialogs"] is False
    # No File System Access API: sites use <input type=file>, which the kiosk intercepts.
    assert policy["DefaultFileSystemReadGuardSetting"] == 2
    assert policy["DefaultFileSystemWriteGuardSetting"] == 2
    # 2 would refuse the kiosk's own DevTools pipe: the guard could not attach.
    assert policy["DeveloperToolsAvailability"] == 1


def test_allowlist_patterns_in_chromiums_filter_format() -> None:
    # Chromium: ".host" is that host only; "host" is the host and its subdomains.
    assert url_filter(HostPattern.parse("caf.fr")) == ".caf.fr"
    assert url_filter(HostPattern.parse("*.caf.fr")) == "https://caf.fr"
    policy = profile_policy(Allowlist.of(["caf.fr", "*.caf.fr", "caf.fr", "ameli.fr"]))
    assert policy["URLAllowlist"] == ["about:blank", ".caf.fr", "https://caf.fr", ".ameli.fr"]
    assert {k: policy[k] for k in LOCKDOWN} == LOCKDOWN


@pytest.fixture
def policy_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KIOSK_POLICY_DIR", str(tmp_path))
    return tmp_path


def test_status_missing_file(policy_dir: Path) -> None:
    ok, detail, fix = policy_status(None)
    assert not ok and "missing" in detail
    assert "install the kiosk package again" in fix
    assert "/etc/chromium/policies/managed/borne.json" in fix


def test_status_not_json(policy_dir: Path) -> None:
    (policy_dir / "borne.json").write_text("{ not json")
    ok, detail, _ = policy_status(None)
    assert not ok and "not valid JSON" in detail


def test_status_not_an_object(policy_dir: Path) -> None:
    (policy_dir / "borne.json").write_text("[]")
    ok, detail, _ = policy_status(None)
    assert not ok and "JSON object" in detail


def test_status_names_missing_lockdown(policy_dir: Path) -> None:
    policy = static_policy()
    del policy["AllowFileSelectionDialogs"]
    policy["DefaultFileSystemWriteGuardSetting"] = 1
    policy["URLBlocklist"] = ["chrome://*"]
    write_policy(policy, policy_dir / "borne.json")
    ok, detail, _ = policy_status(None)
    assert not ok
    assert "AllowFileSelectionDialogs" in detail and "URLBlocklist" in detail
    assert "DefaultFileSystemWriteGuardSetting" in detail


def test_status_warns_that_devtools_never_breaks_the_kiosk(policy_dir: Path) -> None:
    policy = static_policy()
    policy["DeveloperToolsAvailability"] = 2
    write_policy(policy, policy_dir / "borne.json")
    ok, detail, _ = policy_status(None)
    assert not ok and "DeveloperToolsAvailability" in detail


def test_status_ok_for_the_installed_policy(policy_dir: Path) -> None:
    # What the package installs: the packaged lockdown plus the profile's sites.
    assert missing_lockdown(json.loads(PACKAGED.read_text(encoding="utf-8"))) == []
    assert install_for_profile(None, None) == 0
    ok, detail, fix = policy_status(None)
    assert ok, detail
    assert fix == ""


def test_status_fails_when_the_policy_refuses_the_profiles_sites(policy_dir: Path) -> None:
    # The packaged file alone blocks every site: Chromium shows "blocked by your
    # administrator" for each tile, whatever the guard allows.
    sample = SAMPLE_PROFILE
    (policy_dir / "borne.json").write_bytes(PACKAGED.read_bytes())
    ok, detail, fix = policy_status(sample)
    assert not ok
    assert "Chromium refuses them" in detail
    assert "systemctl restart borne" in fix
    from kiosk.config.load import load_profile

    write_policy(profile_policy(load_profile(sample).allowlist()), policy_dir / "borne.json")
    ok, detail, _ = policy_status(sample)
    assert ok and "refuses" not in detail


def test_the_policy_folder_is_read_as_chromium_reads_it(policy_dir: Path) -> None:
    write_policy({"URLAllowlist": ["a"], "PrintingEnabled": False}, policy_dir / "a.json")
    write_policy({"URLAllowlist": ["b"]}, policy_dir / "b.json")
    (policy_dir / "c.json").write_text("{ broken")
    (policy_dir / "notes.txt").write_text("{}")
    # Files in name order, the later file's value of a policy replacing the earlier's.
    assert read_policy_dir(policy_dir) == {"URLAllowlist": ["b"], "PrintingEnabled": False}

