"""Which profile the kiosk uses, reading it safely, and what `profile check` prints.

The profile is the first that exists of ``--profile PATH``, the system profile
and the packaged default, and it is used whole: procedure lists are never
merged across files, so what IT staff read in one file is what residents see.
"""

from __future__ import annotations

import stat
import tomllib
from importlib import resources
from pathlib import Path

from kiosk import settings
from kiosk.config.schema import Localized, Profile
from kiosk.config.validate import build_profile
from kiosk.errors import ProfileError, ProfileProblem

MAX_PROFILE_BYTES = 1_000_000


def packaged_default_profile() -> Path:
    """The default profile shipped inside the package (profiles/default.toml)."""
    return Path(str(resources.files("kiosk") / "data" / "default.toml"))


def choose_profile_path(cli_path: Path | None) -> Path:
    """The profile to use: the one asked for (even if missing: that is an error to
    report, not a reason to fall back), else the system one, else the default."""
    if cli_path is not None:
        return cli_path
    system = settings.current().system_profile
    if system.exists():
        return system
    return packaged_default_profile()


def load_profile(path: Path) -> Profile:
    """Read and fully validate the profile at `path`; raises ProfileError."""
    text = read_profile_text(path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _error(path, f"is not valid TOML: {error}.") from None
    return build_profile(document, path)


def read_profile_text(path: Path) -> str:
    """The file's text, after checking it is a readable, reasonably sized UTF-8 file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _error(path, "file not found.") from None
    except OSError as error:
        raise _error(path, f"cannot be read ({error.strerror or error}).") from None
    if stat.S_ISDIR(info.st_mode):
        raise _error(path, "is a folder, not a profile file; give the path of a .toml file.")
    if not stat.S_ISREG(info.st_mode):
        raise _error(path, "is not a regular file.")
    if info.st_size > MAX_PROFILE_BYTES:
        raise _error(path, f"is {info.st_size} bytes long; a profile is much smaller than "
                           f"{MAX_PROFILE_BYTES} bytes, is this the right file?")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _error(path, f"cannot be read ({error.strerror or error}).") from None
    return decode_utf8(path, data)


def decode_utf8(path: Path, data: bytes) -> str:
    try:
        # A byte-order mark is what some Windows editors add; it is harmless.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _error(path, f"is not UTF-8 text (bad byte at line {line}); save it as UTF-8."
                     ) from None


def _error(path: Path, message: str) -> ProfileError:
    return ProfileError([ProfileProblem(path, "", message)])


# -- what `kiosk profile check` says about a valid profile ----------------------------------


def profile_warnings(profile: Profile) -> list[str]:
    """Things that are allowed but that IT staff should look at twice."""
    warnings: list[str] = []
    default = profile.terminal.default_language
    for index, procedure in enumerate(profile.procedures):
        key = f"procedure[{index}]"
        if procedure.start_url.lower().startswith("http:"):
            warnings.append(f"{key}.start_url uses http:// (not encrypted): fine for an "
                            "intranet or a test site, never for a public procedure.")
        for name, text in (("title", procedure.title), ("other_ways", procedure.other_ways)):
            if text and not _has_language(text, default):
                warnings.append(f"{key}.{name} has no text in {default}, the terminal's first "
                                "language.")
        if not procedure.other_ways:
            warnings.append(f"{key}.other_ways is empty: residents will not see another way "
                            "(phone, desk) to do this procedure.")
    for index, group in enumerate(profile.groups):
        if not profile.procedures_in(group.id):
            warnings.append(f"group[{index}] ({group.id}) has no procedure: it is not shown.")
    help_ = profile.help
    if not (help_.desk or help_.phone):
        warnings.append("help has neither a desk nor a phone: residents are told nothing "
                        "about who can help them.")
    if profile.assisted.allow.patterns and any(
            p.wildcard and "." not in p.host for p in profile.assisted.allow.patterns):
        warnings.append("assisted.allow opens a whole top-level domain: a mediator must stay "
                        "with the resident.")
    if profile.assisted.idle_timeout < profile.session.idle_timeout:
        warnings.append("assisted.idle_timeout is shorter than session.idle_timeout.")
    return warnings


def _has_language(text: Localized, language: str) -> bool:
    return any(lang in (language, "") for lang, _ in text.values)


def summarize(profile: Profile) -> str:
    """A short account of the profile: what a resident will find, and its limits."""
    s, p = profile.session, profile.printing
    hosts = [str(pattern) for pattern in profile.allowlist().patterns]
    lines = [
        f"Terminal: {profile.terminal.name}",
        f"Languages: {', '.join(profile.terminal.languages)}",
        f"Groups: {len(profile.groups)}",
    ]
    default = profile.terminal.default_language
    for group in profile.groups:
        ids = [procedure.id for procedure in profile.procedures_in(group.id)]
        lines.append(f"  {group.id} ({group.title.get(default)}): {', '.join(ids) or '-'}")
    lines += [
        f"Procedures: {len(profile.procedures)}",
        f"Allowed hosts: {len(hosts)}: {', '.join(hosts)}",
        f"Session: countdown after {s.idle_timeout} s idle, lasting {s.idle_warning} s; "
        + (f"ends after {s.max_duration} s at most" if s.max_duration else "no maximum duration"),
        "Printing: " + (f"on, queue {p.queue or '(CUPS default)'}, {p.pages_per_session} pages "
                        "per session" if p.enabled else "off"),
        f"Scanning: {'on' if profile.scanning.enabled else 'off'}",
        f"USB storage: {profile.usb_storage.policy}",
        f"Assisted mode: {len(profile.assisted.allow.patterns)} more host pattern(s), "
        f"countdown after {profile.assisted.idle_timeout} s idle",
    ]
    return "\n".join(lines)
