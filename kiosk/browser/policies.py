"""The Chromium managed policy Borne installs: what it says, for the package and a profile.

Two files in /etc/chromium/policies/managed, which Chromium reads together:

- borne.json, the lockdown, the same for every profile: the package installs it
  (packaging/chromium/borne.json, which equals `static_policy()`). It blocks
  every address ("*") and allows none;
- borne-sites.json, the profile's sites (`sites_policy()`, only URLAllowlist):
  written as root by `kiosk policy install` (`install_sites_policy`), to be run
  at installation (the Debian package's job, once it exists) and again by IT
  staff after each change of the profile. The kiosk itself runs unprivileged
  and cannot write there.

The two files never set the same policy: Chromium takes one file's value of a
policy that two files set, not their union. Without the sites file Chromium
opens no procedure at all, which fails safe, and `kiosk doctor` says so.
`profile_policy()` is both together, in one file (what a root-run kiosk gives
its browser in a private mount namespace). The CDP guard enforces the allowlist
in every case; the policy is the second lock that still holds if the guard were
ever bypassed. `kiosk doctor` checks the installed files against ESSENTIAL (see
`kiosk.doctor.policy_status`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kiosk.config.allowlist import Allowlist, HostPattern

POLICY_FILE_NAME = "borne.json"
SITES_FILE_NAME = "borne-sites.json"
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

# Always reachable, with the profile's sites: the blank page. Chromium's own
# network error page (chrome-error://) is not filtered.
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
    # "always open". Neither is the lock. Without URLBlocklist "*" (a root-run
    # kiosk's guard-only policy) Chromium 156 runs xdg-email for a script's
    # mailto: with no question at all; with it (the installed policy) Chromium
    # refused a script's mailto: in tests/e2e/test_hostile_pages.py, but that is
    # one case, not a promise for every scheme and gesture. The lock is that the
    # handlers on the browser's PATH are stubs
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
    """The part of the policy that is the same for every profile (the packaged file).

    No URLAllowlist: that is the sites file's (see the module's docstring).
    """
    return {"URLBlocklist": list(BLOCKED_URLS), **LOCKDOWN}


def sites_policy(allowlist: Allowlist) -> dict[str, Any]:
    """The part of the policy that depends on the profile: its sites (borne-sites.json)."""
    return {"URLAllowlist": allowlist_urls(allowlist)}


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
    policy["URLAllowlist"] = list(ALWAYS_ALLOWED_URLS)  # "about:*" must not take about:blank
    return policy


def profile_policy(allowlist: Allowlist) -> dict[str, Any]:
    """The whole policy for a profile: the static part plus its allowlist."""
    return {**static_policy(), **sites_policy(allowlist)}


def write_policy(policy: dict[str, Any], path: Path) -> None:
    """Write a policy file atomically (world-readable: Chromium runs as the kiosk user)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(policy, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.chmod(0o644)
    tmp.replace(path)


def install_sites_policy(allowlist: Allowlist, policy_dir: Path) -> Path:
    """Write the profile's sites file into `policy_dir` (root's job); returns its path."""
    path = policy_dir / SITES_FILE_NAME
    write_policy(sites_policy(allowlist), path)
    return path


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


def main() -> None:
    """Regenerate packaging/chromium/borne.json from `static_policy()`."""
    target = Path(__file__).resolve().parents[2] / "packaging" / "chromium" / POLICY_FILE_NAME
    write_policy(static_policy(), target)


if __name__ == "__main__":
    main()
