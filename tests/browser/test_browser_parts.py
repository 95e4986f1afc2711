"""The browser's small parts: command line, environment, names, URL checks, blocked page."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import signal
import subprocess
from html import escape
from pathlib import Path

import pytest
from harness import wait_for

from kiosk.browser.blocked_page import blocked_page_html
from kiosk.browser.chromium import (
    HANDLER_STUBS,
    START_URL,
    LaunchOptions,
    command_line,
    environment,
    handler_log,
    seed_profile,
)
from kiosk.browser.downloads import safe_file_name, unique_move
from kiosk.browser.guard import is_card_check, is_permitted, url_host_of
from kiosk.browser.reaper import group_members, kill_process_group, living
from kiosk.browser.session import accept_language
from kiosk.config.allowlist import Allowlist
from kiosk.i18n import gettext_for


def options(tmp_path: Path, rules: str | None = None) -> LaunchOptions:
    return LaunchOptions(tmp_path, (0, 80, 1280, 944), "fr", rules)


def test_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_CHROMIUM", "/opt/chromium/chrome")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    args = command_line(options(tmp_path, "MAP *.test 127.0.0.1"))
    assert args[0] == "/opt/chromium/chrome"
    for flag in ("--remote-debugging-pipe", f"--user-data-dir={tmp_path / 'profile'}",
                 "--no-first-run", "--disable-sync", "--disable-breakpad", "--lang=fr",
                 "--window-position=0,80", "--window-size=1280,944",
                 "--force-renderer-accessibility", "--password-store=basic",
                 f"--app={START_URL}"):
        assert flag in args
    # The tests' mapping first (the first rule that matches wins), then the calls home.
    assert ("--host-resolver-rules=MAP *.test 127.0.0.1, MAP accounts.google.com ~NOTFOUND, "
            "MAP update.googleapis.com ~NOTFOUND, MAP clients2.google.com ~NOTFOUND") in args
    assert "--no-sandbox" not in args
    assert "--incognito" not in args
    assert any(a.startswith("--disable-features=") and "Translate" in a for a in args)


def test_sandbox_is_dropped_only_for_root(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    args = command_line(options(tmp_path))
    assert "--no-sandbox" in args
    rules = [a for a in args if a.startswith("--host-resolver-rules=")]
    assert rules == ["--host-resolver-rules=MAP accounts.google.com ~NOTFOUND, "
                     "MAP update.googleapis.com ~NOTFOUND, MAP clients2.google.com ~NOTFOUND"]


def test_environment_keeps_everything_in_the_session(tmp_path: Path) -> None:
    env = environment(tmp_path, {"HOME": "/home/kiosk", "DISPLAY": ":5",
                                 "CHROMIUM_FLAGS": "--enable-remote-extensions"})
    assert env["DISPLAY"] == ":5"
    assert "CHROMIUM_FLAGS" not in env
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME",
                 "XDG_RUNTIME_DIR", "TMPDIR"):
        assert Path(env[name]).is_relative_to(tmp_path), name
        assert Path(env[name]).is_dir()
    assert (Path(env["XDG_RUNTIME_DIR"]).stat().st_mode & 0o777) == 0o700


def test_environment_puts_handler_stubs_first_on_the_path(tmp_path: Path) -> None:
    env = environment(tmp_path, {"PATH": "/usr/bin:/bin"})
    stubs, *system = env["PATH"].split(os.pathsep)
    assert Path(stubs).is_relative_to(tmp_path)
    assert system == ["/usr/bin", "/bin"]  # Debian's chromium launcher is a shell script
    assert environment(tmp_path, {})["PATH"].endswith(":/usr/bin:/bin")
    for name in ("xdg-open", "xdg-email"):
        ran = subprocess.run([name, "mailto:someone@example.org"], env=env, check=False,
                             capture_output=True, timeout=10)
        assert ran.returncode != 0 and ran.stdout == ran.stderr == b""
    assert sorted(os.listdir(stubs)) == sorted(HANDLER_STUBS)
    # Only the names: the address is the resident's.
    assert handler_log(tmp_path).read_text(encoding="utf-8") == "xdg-open\nxdg-email\n"


@pytest.mark.parametrize(("suggested", "expected"), [
    ("recu-caf.pdf", "recu-caf.pdf"),
    ("../../etc/passwd", "passwd"),
    ("..\\..\\boot.ini", "boot.ini"),
    (".bashrc", "bashrc"),
    ("...", "document"),
    ("", "document"),
    ("a\x00b\nc.pdf", "abc.pdf"),
    ("re:ç?u*.pdf", "re_ç_u_.pdf"),
    ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    # Arabic takes two bytes a letter: cut on the bytes, never inside a letter.
    ("ب" * 150 + ".pdf", "ب" * 98 + ".pdf"),
])
def test_safe_file_name(suggested: str, expected: str) -> None:
    assert safe_file_name(suggested) == expected


def test_a_long_name_in_three_byte_letters_fits_the_file_system(tmp_path: Path) -> None:
    name = safe_file_name("ሰላም" * 60 + ".pdf")  # Tigrinya: three bytes a letter
    (tmp_path / "download").write_text("receipt")
    moved = unique_move(tmp_path / "download", tmp_path, name)
    for _ in (2, 3):  # and room left for " (2)", " (3)"
        (tmp_path / "download").write_text("receipt")
        assert unique_move(tmp_path / "download", tmp_path, name).exists()
    assert moved.read_text() == "receipt"


def test_unique_move_never_replaces_a_file(tmp_path: Path) -> None:
    (tmp_path / "recu.pdf").write_text("first")
    for number in (2, 3):
        source = tmp_path / f"guid-{number}"
        source.write_text(str(number))
        moved = unique_move(source, tmp_path, "recu.pdf")
        assert moved.name == f"recu ({number}).pdf"
        assert not source.exists()
    assert (tmp_path / "recu.pdf").read_text() == "first"


def test_permitted_urls() -> None:
    allow = Allowlist.of(["caf.fr", "*.caf.fr", "intranet"])
    assert is_permitted("https://www.caf.fr/x?y=1", allow)
    assert is_permitted("https://caf.fr/", allow)
    assert is_permitted("http://intranet/", allow)
    assert not is_permitted("http://www.caf.fr/", allow)  # http only to exact names
    assert not is_permitted("https://evil.fr/", allow)
    assert is_permitted("blob:https://www.caf.fr/1234", allow)
    assert not is_permitted("blob:https://evil.fr/1234", allow)
    assert is_permitted(START_URL, allow)
    assert is_permitted("about:blank", allow)
    for url in ("file:///etc/passwd", "data:text/html,x", "chrome://settings",
                "javascript:alert(1)", "view-source:https://caf.fr/", "about:config"):
        assert not is_permitted(url, allow), url


def test_host_of_urls() -> None:
    assert url_host_of("https://WWW.Caf.FR:8443/p?q=secret") == "www.caf.fr"
    assert url_host_of("blob:https://caf.fr/1") == "caf.fr"
    assert url_host_of("file:///etc/passwd") == ""
    assert url_host_of("not a url") == ""


def test_accept_language() -> None:
    assert accept_language("ar") == "ar,fr,en"
    assert accept_language("fr") == "fr,en"
    assert accept_language("pt-BR") == "pt-BR,pt,fr,en"


def test_blocked_page_shows_the_host_escaped_and_a_back_button() -> None:
    html = blocked_page_html("<b>evil.example</b>", ("Accueil", "01 23"), "fr")
    assert "&lt;b&gt;evil.example&lt;/b&gt;" in html
    assert "<b>evil" not in html
    assert "history.back()" in html
    assert "Accueil<br>01 23" in html  # desk and phone each on its line
    assert 'lang="fr" dir="ltr"' in html
    assert 'dir="rtl"' in blocked_page_html("x.example", (), "ar")
    # It loads nothing from anywhere: its only address is its own inline icon, which
    # keeps the browser from asking the refused host for one.
    assert re.findall(r'(?:src|href)="([^"]*)"', html) == ["data:,"]


def test_the_card_check_page_names_no_bank_and_sends_to_the_desk() -> None:
    html = blocked_page_html("acs.bank.example", ("Accueil",), "fr", card_check=True)
    assert escape(gettext_for("fr", "This payment step needs the desk")) in html
    assert "acs.bank.example" not in html
    assert "Accueil" in html and "history.back()" in html


def test_a_card_check_is_known_by_the_fields_it_posts() -> None:
    def entries(body: bytes) -> list[dict[str, str]]:
        return [{"bytes": base64.b64encode(body).decode()}]

    assert is_card_check({"method": "POST", "postData": "creq=eyJ0aHJl"})
    assert is_card_check({"method": "POST", "postDataEntries": entries(b"PaReq=x&TermUrl=y&MD=z")})
    assert is_card_check({"method": "POST", "postData": "threeDSMethodData=abc"})
    assert not is_card_check({"method": "GET", "postData": "creq=x"})
    assert not is_card_check({"method": "POST", "postData": "name=creq&token=secret"})
    assert not is_card_check({"method": "POST", "postDataEntries": [{"bytes": "%%%"}]})
    assert not is_card_check({"method": "POST"})


def test_kill_process_group_ends_every_process_of_the_group_and_session() -> None:
    # A leader with two children that would outlive it: one in its process group,
    # one that moved to a group of its own but stays in the session.
    script = ("import os, subprocess, time\n"
              "subprocess.Popen(['sleep', '60'])\n"
              "subprocess.Popen(['python3', '-c', 'import os, time; os.setpgid(0, 0); "
              "time.sleep(60)'])\n"
              "time.sleep(60)\n")
    leader = subprocess.Popen(["python3", "-c", script], start_new_session=True)
    try:
        assert wait_for(lambda: len(living(group_members(leader.pid))) == 3, 10)
        assert kill_process_group(leader.pid, timeout=5) == []
        leader.wait(5)
        assert living(group_members(leader.pid)) == []
    finally:
        for pid, _, _ in group_members(leader.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        leader.wait(5)


def test_profile_starts_with_translation_and_password_saving_off(tmp_path: Path) -> None:
    seed_profile(tmp_path)
    preferences = json.loads((tmp_path / "profile" / "Default" / "Preferences").read_text())
    assert preferences["translate"] == {"enabled": False}
    assert preferences["credentials_enable_service"] is False
