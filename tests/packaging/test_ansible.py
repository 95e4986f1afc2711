"""The fleet's Ansible role and playbooks (packaging/ansible) are sound, offline.

ansible-lint (production profile) and `ansible-playbook --syntax-check` must pass; each
site's profile template must render into a profile the kiosk accepts; PINs never show
in Ansible's output; the maintenance-window script restarts the kiosk only when its
files changed since it started.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
ANSIBLE = ROOT / "packaging" / "ansible"
ROLE = ANSIBLE / "roles" / "borne_terminal"
BIN = Path(sys.executable).parent
APPLY_CHANGES = ROLE / "files" / "borne-apply-changes"


def ansible_environment(home: Path) -> dict[str, str]:
    """The .venv's tools first on PATH, Ansible's own files in a temporary home."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "ANSIBLE_HOME": str(home), "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
            "ANSIBLE_NOCOLOR": "1", "NO_COLOR": "1"}


def run_in_ansible_folder(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ANSIBLE, env=ansible_environment(home),
                          capture_output=True, text=True, timeout=120)


def test_ansible_lint_production_profile_passes_offline(tmp_path: Path) -> None:
    # .ansible-lint sets the production profile and offline mode; they are repeated
    # here so that a change of that file cannot weaken the test.
    result = run_in_ansible_folder(
        [str(BIN / "ansible-lint"), "--offline", "--profile", "production", "--nocolor"],
        tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Profile 'production' was required, and it passed" in result.stdout + result.stderr


@pytest.mark.parametrize("playbook", ["site.yml", "preview-profiles.yml"])
def test_playbook_syntax(playbook: str, tmp_path: Path) -> None:
    result = run_in_ansible_folder(
        [str(BIN / "ansible-playbook"), "--syntax-check", playbook], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_terminal_profile_renders_and_passes_profile_check(tmp_path: Path) -> None:
    out = tmp_path / "profiles"
    result = run_in_ansible_folder(
        [str(BIN / "ansible-playbook"), "preview-profiles.yml",
         "-e", f"borne_preview_dir={out}",
         "-e", f"borne_preview_check='{BIN / 'kiosk'} profile check %s'"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    inventory = yaml.safe_load((ANSIBLE / "inventory" / "hosts.yml").read_text("utf-8"))
    sites = inventory["all"]["children"]["borne_terminals"]["children"]
    hosts = {host: v for site in sites.values() for host, v in site["hosts"].items()}
    assert {p.stem for p in out.glob("*.toml")} == set(hosts)
    for host, host_vars in hosts.items():
        text = (out / f"{host}.toml").read_text(encoding="utf-8")
        assert f'name = "{host_vars["borne_terminal_name"]}"' in text


def test_a_broken_profile_is_refused_by_the_check(tmp_path: Path) -> None:
    result = run_in_ansible_folder(
        [str(BIN / "ansible-playbook"), "preview-profiles.yml",
         "--limit", "mairie_saint_exemple",
         "-e", f"borne_preview_dir={tmp_path / 'profiles'}",
         "-e", f"borne_preview_check='{BIN / 'kiosk'} profile check %s'",
         "-e", "borne_terminal_help_phone=call-us"], tmp_path)
    assert result.returncode != 0
    assert "help.phone" in result.stdout
    assert not list((tmp_path / "profiles").glob("*.toml"))


def tasks_of(path: Path) -> list[dict[str, Any]]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    assert isinstance(loaded, list)
    return [task for task in loaded if isinstance(task, dict)]


def test_every_task_that_handles_a_pin_hides_its_output() -> None:
    tasks = [t for path in sorted((ROLE / "tasks").glob("*.yml")) for t in tasks_of(path)]
    with_pins = [t for t in tasks if ".pin" in yaml.safe_dump(t)]
    assert with_pins, "the mediator tasks were not found"
    assert all(task.get("no_log") is True for task in with_pins), \
        [t["name"] for t in with_pins if t.get("no_log") is not True]


# -- the maintenance window's script -------------------------------------------------


def fake_tools(folder: Path, started: str, check_status: int) -> dict[str, str]:
    """`systemctl` (borne.service active since `started`) and `kiosk`, logging calls."""
    folder.mkdir()
    log = folder / "calls.log"
    (folder / "systemctl").write_text(
        "#!/bin/sh\n"
        f'echo "systemctl $*" >>{log}\n'
        'case "$1" in\n'
        "  is-active) exit 0 ;;\n"
        f'  show) echo "{started}" ;;\n'
        "esac\n", encoding="utf-8")
    (folder / "kiosk").write_text(
        f'#!/bin/sh\necho "kiosk $*" >>{log}\nexit {check_status}\n', encoding="utf-8")
    for tool in ("systemctl", "kiosk"):
        (folder / tool).chmod(0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}",
            "LC_ALL": "C", "TZ": "UTC"}


def calls(folder: Path) -> list[str]:
    log = folder / "calls.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def write_at(path: Path, text: str, when: float) -> Path:
    path.write_text(text, encoding="utf-8")
    os.utime(path, (when, when))
    return path


def kiosk_started(when: float) -> str:
    return time.strftime("%a %Y-%m-%d %H:%M:%S UTC", time.gmtime(when))


def test_the_kiosk_is_restarted_when_its_profile_changed_since_it_started(
        tmp_path: Path) -> None:
    start = time.time() - 3600
    tools = tmp_path / "bin"
    env = fake_tools(tools, kiosk_started(start), check_status=0)
    profile = write_at(tmp_path / "profile.toml", "schema = 1\n", start + 60)
    result = subprocess.run([str(APPLY_CHANGES), str(profile), str(tmp_path / "absent")],
                            env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert f"kiosk profile check {profile}" in calls(tools)
    assert calls(tools)[-1] == "systemctl restart borne.service"


def test_nothing_is_restarted_when_nothing_changed(tmp_path: Path) -> None:
    start = time.time() - 3600
    tools = tmp_path / "bin"
    env = fake_tools(tools, kiosk_started(start), check_status=0)
    profile = write_at(tmp_path / "profile.toml", "schema = 1\n", start - 60)
    mediators = write_at(tmp_path / "mediators.toml", "", start - 60)
    result = subprocess.run([str(APPLY_CHANGES), str(profile), str(mediators)],
                            env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert not [c for c in calls(tools) if c.startswith("systemctl restart")]


def test_a_changed_mediators_file_restarts_the_kiosk_too(tmp_path: Path) -> None:
    start = time.time() - 3600
    tools = tmp_path / "bin"
    env = fake_tools(tools, kiosk_started(start), check_status=0)
    profile = write_at(tmp_path / "profile.toml", "schema = 1\n", start - 60)
    mediators = write_at(tmp_path / "mediators.toml", "", start + 60)
    result = subprocess.run([str(APPLY_CHANGES), str(profile), str(mediators)],
                            env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert calls(tools)[-1] == "systemctl restart borne.service"


def test_a_broken_profile_is_not_taken_into_use(tmp_path: Path) -> None:
    start = time.time() - 3600
    tools = tmp_path / "bin"
    env = fake_tools(tools, kiosk_started(start), check_status=2)
    profile = write_at(tmp_path / "profile.toml", "schema = 2\n", start + 60)
    result = subprocess.run([str(APPLY_CHANGES), str(profile)],
                            env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "does not pass 'kiosk profile check'" in result.stderr
    assert not [c for c in calls(tools) if c.startswith("systemctl restart")]


# -- the systemd units the role installs -----------------------------------------------

UNITS = ["borne-stats.service", "borne-stats.timer",
         "borne-apply-changes.service", "borne-apply-changes.timer"]
#: Programs the units start that exist only on a terminal.
TERMINAL_PROGRAMS = ["/usr/bin/kiosk", "/usr/local/sbin/borne-apply-changes"]


def render_units(out: Path, home: Path) -> None:
    """The role's unit templates rendered with its defaults, as on a terminal."""
    playbook = home / "render-units.yml"
    play = [{
        "name": "Render the role's systemd units",
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "vars_files": [str(ROLE / "defaults" / "main.yml")],
        "vars": {"ansible_python_interpreter": sys.executable},
        "tasks": [{
            "name": "Render",
            "ansible.builtin.template": {"src": f"{ROLE / 'templates'}/{{{{ item }}}}.j2",
                                         "dest": f"{out}/{{{{ item }}}}", "mode": "0644"},
            "loop": UNITS,
        }],
    }]
    playbook.write_text(yaml.safe_dump(play, sort_keys=False), encoding="utf-8")
    result = subprocess.run([str(BIN / "ansible-playbook"), "-i", "localhost,", str(playbook)],
                            env=ansible_environment(home), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_role_systemd_units_are_valid(tmp_path: Path) -> None:
    out = tmp_path / "units"
    out.mkdir()
    render_units(out, tmp_path)
    result = subprocess.run(["systemd-analyze", "verify", *(f"./{unit}" for unit in UNITS)],
                            cwd=out, capture_output=True, text=True, timeout=60)
    # Only the programs missing from this machine may be reported.
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if line.strip() and not any(f"Command {program} is not executable" in line
                                            for program in TERMINAL_PROGRAMS)]
    assert problems == []


def test_every_maintenance_window_is_a_calendar_time_systemd_understands() -> None:
    files = [ROLE / "defaults" / "main.yml",
             *sorted((ANSIBLE / "inventory" / "group_vars").rglob("*.yml"))]
    windows = {str(values["borne_terminal_maintenance_window"]) for path in files
               if isinstance(values := yaml.safe_load(path.read_text("utf-8")), dict)
               and "borne_terminal_maintenance_window" in values}
    assert len(windows) >= 2
    for window in windows:
        result = subprocess.run(["systemd-analyze", "calendar", window],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"{window}: {result.stderr}"
