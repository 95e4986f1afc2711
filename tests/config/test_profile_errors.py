"""Every kind of broken profile: one plain message naming the key, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config.load import load_profile
from kiosk.errors import ProfileError

VALID = """\
schema = 1

[terminal]
name = "Mairie de Test"
languages = ["fr", "en"]

[session]
idle_timeout = 300
idle_warning = 30
max_duration = 7200

[printing]
enabled = true
queue = ""
pages_per_session = 20

[scanning]
enabled = true

[usb_storage]
policy = "deny"

[help]
desk = "Accueil"
phone = "01 23 45 67 89"
hours = { fr = "9 h – 17 h", en = "9 am – 5 pm" }

[[group]]
id = "family"
title = { fr = "Famille", en = "Family" }

[[procedure]]
id = "caf"
group = "family"
title = { fr = "CAF", en = "Family benefits" }
start_url = "https://www.caf.fr/"
allow = ["caf.fr", "*.caf.fr"]
other_ways = "32 30"

[[procedure]]
id = "intranet"
group = "family"
title = "Intranet"
start_url = "http://intranet.mairie.test/"
allow = ["intranet.mairie.test"]

[assisted]
allow = ["*.gouv.fr"]
idle_timeout = 1200
"""


def edit(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


GROUP_BLOCK = '[[group]]\nid = "family"\ntitle = { fr = "Famille", en = "Family" }\n'

# (case id, profile text, the key the message must name, a fragment of the message)
CASES = [
    ("invalid-toml", edit('name = "Mairie de Test"', 'name = "Mairie'), "", "not valid TOML"),
    ("schema-missing", edit("schema = 1\n", ""), "schema", "required"),
    ("schema-wrong-version", edit("schema = 1", "schema = 2"), "schema", "schema 1 only"),
    ("schema-as-text", edit("schema = 1", 'schema = "1"'), "schema", "number 1"),
    ("terminal-missing", edit('[terminal]\nname = "Mairie de Test"\nlanguages = ["fr", "en"]\n',
                              ""), "terminal", "required"),
    ("terminal-not-table", edit('[terminal]\nname = "Mairie de Test"\nlanguages = ["fr", "en"]\n',
                                'terminal = "Mairie"\n'), "terminal", "table"),
    ("terminal-name-missing", edit('name = "Mairie de Test"\n', ""), "terminal.name", "required"),
    ("terminal-name-empty", edit('name = "Mairie de Test"', 'name = "  "'), "terminal.name",
     "empty"),
    ("terminal-name-number", edit('name = "Mairie de Test"', "name = 12"), "terminal.name",
     "text"),
    ("name-control-char", edit('name = "Mairie de Test"', 'name = "Mairie\\u0000"'),
     "terminal.name", "control character"),
    ("language-bad", edit('languages = ["fr", "en"]', 'languages = ["fr", "English"]'),
     "terminal.languages[1]", "language code"),
    ("language-twice", edit('languages = ["fr", "en"]', 'languages = ["fr", "fr"]'),
     "terminal.languages[1]", "twice"),
    ("languages-empty", edit('languages = ["fr", "en"]', "languages = []"),
     "terminal.languages", "non-empty"),
    ("typo-idle-timeout", edit("idle_timeout = 300", "idle_timout = 300"),
     "session.idle_timout", 'did you mean "idle_timeout"'),
    ("typo-top-level", edit("[scanning]", "[scaning]"), "scaning", 'did you mean "scanning"'),
    ("typo-procedure-key", edit('start_url = "https://www.caf.fr/"',
                                'start_url = "https://www.caf.fr/"\nstrat_url = "x"'),
     "procedure[0].strat_url", "not a known key"),
    ("idle-negative", edit("idle_timeout = 300", "idle_timeout = -5"), "session.idle_timeout",
     "between 5 and 14400"),
    ("idle-absurd", edit("idle_timeout = 300", "idle_timeout = 9999999"),
     "session.idle_timeout", "between 5 and 14400"),
    ("idle-as-text", edit("idle_timeout = 300", 'idle_timeout = "300"'), "session.idle_timeout",
     "whole number"),
    ("idle-as-float", edit("idle_timeout = 300", "idle_timeout = 300.5"),
     "session.idle_timeout", "whole number"),
    ("idle-as-bool", edit("idle_timeout = 300", "idle_timeout = true"), "session.idle_timeout",
     "whole number"),
    ("warning-zero", edit("idle_warning = 30", "idle_warning = 0"), "session.idle_warning",
     "between 3 and 600"),
    ("max-duration-short", edit("max_duration = 7200", "max_duration = 10"),
     "session.max_duration", "no limit"),
    ("session-not-table", edit("[session]\nidle_timeout = 300\nidle_warning = 30\n"
                               "max_duration = 7200\n", "").replace("schema = 1\n",
                                                                    "schema = 1\nsession = 300\n"),
     "session", "table"),
    ("printing-enabled-text", edit("enabled = true\nqueue", 'enabled = "yes"\nqueue'),
     "printing.enabled", "true or false"),
    ("printing-queue-space", edit('queue = ""', 'queue = "my printer"'), "printing.queue",
     "CUPS queue"),
    ("pages-negative", edit("pages_per_session = 20", "pages_per_session = -1"),
     "printing.pages_per_session", "between 1 and 500"),
    ("usb-policy-unknown", edit('policy = "deny"', 'policy = "allow"'), "usb_storage.policy",
     '"deny", "read-only", "read-write"'),
    ("usb-mediator-policy-deny",
     edit('policy = "deny"', 'policy = "deny"\nmediator_policy = "deny"'),
     "usb_storage.mediator_policy", '"", "read-only", "read-write"'),
    ("onscreen-keyboard-unknown",
     edit("[usb_storage]", '[accessibility]\nonscreen_keyboard = "sometimes"\n\n[usb_storage]'),
     "accessibility.onscreen_keyboard", '"auto", "always", "never"'),
    ("phone-letters", edit('phone = "01 23 45 67 89"', 'phone = "call us"'), "help.phone",
     "phone number"),
    ("hours-bad-language", edit('hours = { fr = "9 h – 17 h", en = "9 am – 5 pm" }',
                                'hours = { French = "9 h" }'), "help.hours.French",
     "language code"),
    ("groups-missing", edit(GROUP_BLOCK, ""), "group", "required"),
    ("group-not-array", edit(GROUP_BLOCK, '[group]\nid = "family"\ntitle = "Famille"\n'), "group",
     "[[group]]"),
    ("group-id-missing", edit('[[group]]\nid = "family"\n', "[[group]]\n"), "group[0].id",
     "required"),
    ("group-title-missing", edit('title = { fr = "Famille", en = "Family" }\n', ""),
     "group[0].title", "required"),
    ("group-bad-id", edit('[[group]]\nid = "family"', '[[group]]\nid = "Family Life"'),
     "group[0].id", "not a valid id"),
    ("group-duplicate", edit('[[procedure]]\nid = "caf"',
                             '[[group]]\nid = "family"\ntitle = "Encore"\n\n'
                             '[[procedure]]\nid = "caf"'), "group[1].id", "used twice"),
    ("procedures-missing", VALID.split("[[procedure]]")[0], "procedure", "required"),
    ("procedure-id-duplicate", edit('id = "intranet"', 'id = "caf"'), "procedure[1].id",
     "used twice"),
    ("procedure-id-missing", edit('id = "caf"\n', ""), "procedure[0].id", "required"),
    ("procedure-unknown-group", edit('group = "family"\ntitle = { fr = "CAF"',
                                     'group = "famly"\ntitle = { fr = "CAF"'),
     "procedure[0].group", 'did you mean "family"'),
    ("procedure-title-missing", edit('title = { fr = "CAF", en = "Family benefits" }\n', ""),
     "procedure[0].title", "required"),
    ("procedure-title-empty-table", edit('title = { fr = "CAF", en = "Family benefits" }',
                                         "title = {}"), "procedure[0].title", "at least one"),
    ("start-url-missing", edit('start_url = "https://www.caf.fr/"\n', ""),
     "procedure[0].start_url", "required"),
    ("start-url-javascript", edit('start_url = "https://www.caf.fr/"',
                                  'start_url = "javascript:alert(1)"'),
     "procedure[0].start_url", '"javascript:"'),
    ("start-url-file", edit('start_url = "https://www.caf.fr/"',
                            'start_url = "file:///etc/passwd"'), "procedure[0].start_url",
     '"file:"'),
    ("start-url-data", edit('start_url = "https://www.caf.fr/"',
                            'start_url = "data:text/html,hello"'), "procedure[0].start_url",
     '"data:"'),
    ("start-url-not-url", edit('start_url = "https://www.caf.fr/"', 'start_url = "www.caf.fr"'),
     "procedure[0].start_url", "https://"),
    ("start-url-ftp", edit('start_url = "https://www.caf.fr/"', 'start_url = "ftp://caf.fr/"'),
     "procedure[0].start_url", '"ftp:"'),
    ("start-url-host-not-allowed", edit('start_url = "https://www.caf.fr/"',
                                        'start_url = "https://www.impots.gouv.fr/"'),
     "procedure[0].start_url", "not in procedure[0].allow"),
    ("start-url-http-wildcard", edit('start_url = "https://www.caf.fr/"',
                                     'start_url = "http://www.caf.fr/"'),
     "procedure[0].start_url", "named exactly"),
    ("start-url-credentials", edit('start_url = "https://www.caf.fr/"',
                                   'start_url = "https://me:secret@www.caf.fr/"'),
     "procedure[0].start_url", "password"),
    ("start-url-space", edit('start_url = "https://www.caf.fr/"',
                             'start_url = "https://www.caf.fr/a b"'), "procedure[0].start_url",
     "spaces"),
    ("allow-missing", edit('allow = ["caf.fr", "*.caf.fr"]\n', ""), "procedure[0].allow",
     "required"),
    ("allow-empty", edit('allow = ["caf.fr", "*.caf.fr"]', "allow = []"), "procedure[0].allow",
     "empty"),
    ("allow-not-list", edit('allow = ["caf.fr", "*.caf.fr"]', 'allow = "caf.fr"'),
     "procedure[0].allow", "list"),
    ("allow-star", edit('allow = ["caf.fr", "*.caf.fr"]', 'allow = ["caf.fr", "*"]'),
     "procedure[0].allow[1]", "every site"),
    ("allow-tld", edit('allow = ["caf.fr", "*.caf.fr"]', 'allow = ["caf.fr", "*.fr"]'),
     "procedure[0].allow[1]", "top-level domain"),
    ("allow-url", edit('allow = ["caf.fr", "*.caf.fr"]', 'allow = ["https://caf.fr/"]'),
     "procedure[0].allow[0]", "host name"),
    ("allow-middle-star", edit('allow = ["caf.fr", "*.caf.fr"]', 'allow = ["caf.fr", "w*.caf.fr"]'),
     "procedure[0].allow[1]", "'*'"),
    ("allow-number", edit('allow = ["caf.fr", "*.caf.fr"]', 'allow = ["caf.fr", 42]'),
     "procedure[0].allow[1]", "host name"),
    ("allow-bad-host", edit('allow = ["caf.fr", "*.caf.fr"]', 'allow = ["caf.fr", "caf_.fr!"]'),
     "procedure[0].allow[1]", "not a valid host name"),
    ("assisted-star", edit('allow = ["*.gouv.fr"]', 'allow = ["*"]'), "assisted.allow[0]",
     "every site"),
    ("assisted-timeout-text", edit("idle_timeout = 1200", 'idle_timeout = "long"'),
     "assisted.idle_timeout", "whole number"),
    ("assisted-journal-text", edit("idle_timeout = 1200", 'idle_timeout = 1200\njournal = "yes"'),
     "assisted.journal", "true or false"),
    ("assisted-journal-days", edit("idle_timeout = 1200", "idle_timeout = 1200\njournal_days = 0"),
     "assisted.journal_days", "between 1 and 366"),
    ("other-ways-list", edit('other_ways = "32 30"', 'other_ways = ["32 30"]'),
     "procedure[0].other_ways", "table of languages"),
]


@pytest.mark.parametrize(("text", "key", "fragment"),
                         [pytest.param(t, k, f, id=name) for name, t, k, f in CASES])
def test_each_broken_profile_names_its_key(tmp_path: Path, text: str, key: str,
                                           fragment: str) -> None:
    path = tmp_path / "profile.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    problems = caught.value.problems
    matching = [p for p in problems if p.key == key and fragment in p.message]
    assert matching, f"no problem on {key!r} mentioning {fragment!r} in {problems}"
    assert all(p.file == path for p in problems)
    assert all(p.message.endswith((".", "?")) for p in problems)


def test_the_base_profile_of_the_table_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    path.write_text(VALID, encoding="utf-8")
    profile = load_profile(path)
    assert [p.id for p in profile.procedures] == ["caf", "intranet"]
    assert profile.allowlist().allows_url("https://wwwd.caf.fr/x")
    assert profile.allowlist().allows_url("http://intranet.mairie.test/")
    assert not profile.allowlist().allows_url("http://www.caf.fr/")
    assert profile.allowlist(assisted=True).allows_url("https://www.impots.gouv.fr/")
    assert (profile.assisted.journal, profile.assisted.journal_days) == (False, 90)


def test_the_assistance_journal_keys(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    path.write_text(edit("idle_timeout = 1200", "journal = true\njournal_days = 30"),
                    encoding="utf-8")
    assisted = load_profile(path).assisted
    assert (assisted.journal, assisted.journal_days) == (True, 30)


@pytest.mark.parametrize(("policy", "mediator", "resident_has", "mediator_has"), [
    ("deny", "", "deny", "deny"),
    ("read-only", "read-write", "read-only", "read-write"),
    ("deny", "read-only", "deny", "read-only"),
    ("read-write", "read-only", "read-write", "read-write"),  # never less than the resident
])
def test_the_usb_policy_while_a_mediator_assists(tmp_path: Path, policy: str, mediator: str,
                                                 resident_has: str, mediator_has: str) -> None:
    path = tmp_path / "profile.toml"
    path.write_text(edit('policy = "deny"', f'policy = "{policy}"\n'
                                            f'mediator_policy = "{mediator}"'), encoding="utf-8")
    usb = load_profile(path).usb_storage
    assert (usb.policy_while(False), usb.policy_while(True)) == (resident_has, mediator_has)


def test_all_problems_of_a_file_are_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    text = edit("idle_timeout = 300", "idle_timout = 300").replace('policy = "deny"',
                                                                   'policy = "open"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    keys = {p.key for p in caught.value.problems}
    assert {"session.idle_timout", "usb_storage.policy"} <= keys


@pytest.mark.parametrize("content", [b"\xff\xfeschema = 1\n", b'schema = 1\nname = "\xe9"\n'])
def test_a_file_that_is_not_utf8(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(content)
    with pytest.raises(ProfileError, match="not UTF-8"):
        load_profile(path)


def test_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="file not found"):
        load_profile(tmp_path / "nowhere.toml")
    with pytest.raises(ProfileError, match="is a folder"):
        load_profile(tmp_path)


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    assert load_profile(path).terminal.name == "Mairie de Test"


def run_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", "profile", "check", str(path)],
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("name", ["typo-idle-timeout", "start-url-javascript", "invalid-toml"])
def test_profile_check_exits_2_with_the_key_and_no_traceback(tmp_path: Path, name: str) -> None:
    text, key = next((t, k) for n, t, k, _ in CASES if n == name)
    path = tmp_path / "profile.toml"
    path.write_text(text, encoding="utf-8")
    result = run_check(path)
    assert result.returncode == 2
    assert f"{path}: {key}" in result.stderr if key else str(path) in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_profile_check_prints_a_summary_of_a_good_profile(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    path.write_text(VALID, encoding="utf-8")
    result = run_check(path)
    assert result.returncode == 0, result.stderr
    assert "Procedures: 2" in result.stdout
    assert "caf.fr, *.caf.fr, intranet.mairie.test" in result.stdout
    assert "countdown after 300 s idle" in result.stdout
    assert "procedure[1].start_url uses http://" in result.stderr


def test_profile_check_of_unreadable_paths_exits_2(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.toml", tmp_path):
        result = run_check(path)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
