"""The Chromium managed policy Borne installs: what it says, for the package and a profile.

The static part, the same for every profile, is `static_policy()` (kept as
packaging/chromium/borne.json for reading; a test and the package build check
that they are equal). It blocks every site, so the installed kiosk needs the
whole policy for its profile, `profile_policy()`: the Debian package writes it
to /etc/chromium/policies/managed/borne.json when it is configured and before
each start of borne.service (`python3 -m kiosk.browser.policies --install`).
The CDP guard enforces the allowlist in every case; the policy is the second lock
that still holds if the guard were ever bypassed. `kiosk doctor` checks the
installed file against ESSENTIAL (see `kiosk.doctor.policy_status`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kiosk import settings
from kiosk.config.allowlist import Allowlist, HostPattern

POLICY_FILE_NAME = "borne.json"
DEFAULT_POLICY_DIR = Path("/etc/chromium/policies/managed")

# Blocked before the allowlist: "*" already covers them all, the explicit
# entries say what matters and stay blocked if someone narrows "*" later.
BLOCKED_URLS = [
    "*",
    "chrome://*",
    "chrome-untrusted://*",
    "chrome-extension://*",
    "devtools://*",
    "file://*",
    "view-source:*",
    "javascript://*",
    "data:*",
    "filesystem:*",
    "about:*",
]

# Always reachable: the blank page the browser waits on before a tile is
# tapped. Chromium's own network error page (chrome-error://) is not filtered.
ALWAYS_ALLOWED_URLS = ["about:blank"]

# The lockdown itself. Values follow Chromium's policy list: 1 for
# IncognitoModeAvailability = "disabled", 1 for DownloadRestrictions = "block
# malicious downloads and dangerous file types" (the kiosk wants receipts and
# forms, into the session folder, not programs), 0 for BrowserSignin =
# "disabled", 2 for Default*Setting = "block".
LOCKDOWN: dict[str, Any] = {
    # Not 2 ("never"): Chromium then refuses every DevTools attachment, the
    # kiosk's own over its pipe included ("Target.attachToTarget: Not allowed",
    # checked with Chromium 156), and the guard could not work. The DevTools
    # window stays shut because URLBlocklist blocks devtools:// (F12 then does
    # nothing), and the guard closes any DevTools window that would appear.
    "DeveloperToolsAvailability": 1,
    "PasswordManagerEnabled": False,
    "PasswordLeakDetectionEnabled": False,
    "AutofillAddressEnabled": False,
    "AutofillCreditCardEnabled": False,
    "BrowserSignin": 0,
    "SyncDisabled": True,
    "ExtensionInstallBlocklist": ["*"],
    "DownloadRestrictions": 1,
    "PromptForDownloadLocation": False,
    "AllowFileSelectionDialogs": False,
    # No File System Access API: sites fall back to <input type=file>, which the kiosk intercepts.
    "DefaultFileSystemReadGuardSetting": 2,
    "DefaultFileSystemWriteGuardSetting": 2,
    # Printing goes through the kiosk's own flow (preview, quota, CUPS).
    "PrintingEnabled": False,
    "IncognitoModeAvailability": 1,
    "BrowserGuestModeEnabled": False,
    "BrowserAddPersonEnabled": False,
    "DefaultBrowserSettingEnabled": False,
    "MetricsReportingEnabled": False,
    # An offline-first public box: no lookups to Google, no reports.
    "SafeBrowsingProtectionLevel": 0,
    "SafeBrowsingExtendedReportingEnabled": False,
    "SearchSuggestEnabled": False,
    "SpellcheckEnabled": False,
    "TranslateEnabled": False,
    "EditBookmarksEnabled": False,
    "BookmarkBarEnabled": False,
    # Neither F11 nor a page's requestFullscreen() may cover the kiosk's toolbar:
    # a page could then draw a fake toolbar or a fake "session ended" screen.
    "FullscreenAllowed": False,
    # No prefetch, prerender or preconnect: a navigation served from a
    # speculation rule would never pass the guard's request check.
    "NetworkPredictionOptions": 2,
    # Chromium's own ways to the internet: "Search ... for" in the text menu,
    # device choosers (with a "?" link to Google's help), sign-in, promotions.
    "DefaultSearchProviderEnabled": False,
    "DefaultWebUsbGuardSetting": 2,
    "DefaultSerialGuardSetting": 2,
    "DefaultWebHidGuardSetting": 2,
    "DefaultWebBluetoothGuardSetting": 2,
    "ComponentUpdatesEnabled": False,
    "PromotionsEnabled": False,
    "TaskManagerEndProcessEnabled": False,
    "BackgroundModeEnabled": False,
    "AllowDinosaurEasterEgg": False,
    # A PDF opens as a download, listed in the kiosk's Documents with its own
    # print button, not in Chromium's viewer with print and save buttons.
    "AlwaysOpenPdfExternally": True,
    "DefaultNotificationsSetting": 2,
    "DefaultGeolocationSetting": 2,
    "ScreenCaptureAllowed": False,
    "CommandLineFlagSecurityWarningsEnabled": False,
    "HideWebStoreIcon": True,
    "ShowHomeButton": False,
    "ImportSavedPasswords": False,
    "ImportAutofillFormData": False,
    # Two entries of the page's right-click menu that send the page elsewhere:
    # a QR code of its address, and its images to Google for descriptions.
    "QRCodeGeneratorEnabled": False,
    "AccessibilityImageLabelsEnabled": False,
    # No site may open an external application (mailto:, tel:, an app's own
    # scheme) without asking, and the question, were it ever asked, offers no
    # "always open". Neither is the lock: URLBlocklist "*" does not cover those
    # schemes (only "mailto:*" and the like would, one at a time), and Chromium
    # 156 runs xdg-email for a script's mailto: with no question at all. The lock
    # is that the handlers on the browser's PATH are stubs
    # (kiosk.browser.chromium.install_handler_stubs).
    "AutoLaunchProtocolsFromOrigins": [],
    "ExternalProtocolDialogShowAlwaysOpenCheckbox": False,
}

# The settings `kiosk doctor` insists on: without them a resident could leave
# the allowlist, open devtools or reach the file system.
ESSENTIAL: dict[str, Any] = {
    "DeveloperToolsAvailability": 1,
    "PasswordManagerEnabled": False,
    "AllowFileSelectionDialogs": False,
    "DefaultFileSystemReadGuardSetting": 2,
    "DefaultFileSystemWriteGuardSetting": 2,
    "IncognitoModeAvailability": 1,
    "BrowserGuestModeEnabled": False,
    "PrintingEnabled": False,
}
ESSENTIAL_LIST_ENTRIES: dict[str, tuple[str, ...]] = {
    "URLBlocklist": ("*", "devtools://*", "file://*", "chrome://*", "view-source:*"),
    "ExtensionInstallBlocklist": ("*",),
}


def static_policy() -> dict[str, Any]:
    """The part of the policy that is the same for every profile (the packaged file)."""
    return {
        "URLBlocklist": list(BLOCKED_URLS),
        "URLAllowlist": list(ALWAYS_ALLOWED_URLS),
        **LOCKDOWN,
    }


def url_filter(pattern: HostPattern) -> str:
    """One allowlist pattern in Chromium's URL filter format.

    In that format a bare host ``caf.fr`` matches the host *and all its
    subdomains*, while a leading dot ``.caf.fr`` matches that host only. So:
    - ``caf.fr`` (exact host in the profile) becomes ``.caf.fr``; no scheme, since
      the profile allows http to a host named exactly (an intranet server);
    - ``*.caf.fr`` (subdomains only) becomes ``https://caf.fr``: Chromium cannot
      say "subdomains but not the host", so the policy is a little wider than the
      profile here (it also lets ``caf.fr`` itself through), and the CDP guard,
      which applies the profile's exact meaning, closes that gap.
    """
    if pattern.wildcard:
        return f"https://{pattern.host}"
    return f".{pattern.host}"


def allowlist_urls(allowlist: Allowlist) -> list[str]:
    """URLAllowlist entries for an allowlist, in order, without duplicates."""
    entries = list(ALWAYS_ALLOWED_URLS)
    for pattern in allowlist.patterns:
        entry = url_filter(pattern)
        if entry not in entries:
            entries.append(entry)
    return entries


def guard_only_policy() -> dict[str, Any]:
    """The policy of a browser whose hosts only the guard filters (a root-run kiosk).

    The whole lockdown of the installed policy (no file dialogs, devtools,
    printing, incognito, password manager…) and its refused schemes, but no
    "everything else is blocked" rule: Chromium would then refuse an off-list
    popup or frame itself, with its own error page instead of the kiosk's.
    """
    policy = static_policy()
    policy["URLBlocklist"] = [url for url in BLOCKED_URLS if url != "*"]
    return policy


def profile_policy(allowlist: Allowlist) -> dict[str, Any]:
    """The whole policy for a profile: the static part plus its allowlist."""
    policy = static_policy()
    policy["URLAllowlist"] = allowlist_urls(allowlist)
    return policy


def write_policy(policy: dict[str, Any], path: Path) -> None:
    """Write a policy file atomically (world-readable: Chromium runs as the kiosk user)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(policy, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.chmod(0o644)
    tmp.replace(path)


def read_policy_dir(policy_dir: Path) -> dict[str, Any]:
    """The policies of every JSON file in `policy_dir`, merged as Chromium reads them:
    files in name order, a later file's value of a policy replacing an earlier one's.
    Unreadable or invalid files are skipped (`kiosk doctor` reports borne.json's own)."""
    merged: dict[str, Any] = {}
    try:
        files = sorted(p for p in policy_dir.iterdir() if p.suffix == ".json")
    except OSError:
        return merged
    for path in files:
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        if isinstance(value, dict):
            merged.update(value)
    return merged


def installed_policy(profile_path: Path) -> tuple[dict[str, Any], str | None]:
    """The policy to install for the profile at `profile_path`, and a problem if any.

    A profile that does not load gives the static policy (nothing but the blank
    page): the kiosk then shows its "out of service" screen, and a browser that
    could reach sites the broken file may not have meant is worse than none.
    """
    from kiosk.config.load import load_profile
    from kiosk.errors import ProfileError

    try:
        # Assisted mode's hosts too: Chromium cannot widen its policy while it runs, so
        # the guard alone keeps them from a resident who is not assisted.
        allowlist = load_profile(profile_path).allowlist(assisted=True)
    except ProfileError as error:
        return static_policy(), f"{profile_path}: {error.problems[0]}"
    return profile_policy(allowlist), None


def install_for_profile(profile: Path | None, output: Path | None) -> int:
    """Write the machine's policy from the profile `kiosk run` would use.

    Run as root before each start of the installed kiosk (borne.service) and when
    the package is configured, so that Chromium itself allows the profile's sites
    and nothing else. Exit status 0 even for a broken profile: the kiosk must
    still start, to show its "out of service" screen.
    """
    import sys

    from kiosk.config.load import choose_profile_path

    path = choose_profile_path(profile)
    target = output or settings.current().policy_dir / POLICY_FILE_NAME
    policy, problem = installed_policy(path)
    if problem:
        print(f"borne policy: the profile cannot be used ({problem}); "
              "Chromium will open no site", file=sys.stderr)
    write_policy(policy, target)
    print(f"borne policy: {target} written for {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Without arguments, regenerate packaging/chromium/borne.json from `static_policy()`;
    with --install, write the machine's policy for its profile."""
    import argparse

    parser = argparse.ArgumentParser(prog="python3 -m kiosk.browser.policies")
    parser.add_argument("--install", action="store_true",
                        help="write the installed policy for the profile the kiosk uses")
    parser.add_argument("--profile", type=Path, help="with --install: this profile instead")
    parser.add_argument("--output", type=Path, help="with --install: write here instead")
    args = parser.parse_args(argv)
    if args.install:
        return install_for_profile(args.profile, args.output)
    target = Path(__file__).resolve().parents[2] / "packaging" / "chromium" / POLICY_FILE_NAME
    write_policy(static_policy(), target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
