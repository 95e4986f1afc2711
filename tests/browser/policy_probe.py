"""Run inside a private mount namespace with the shipped policy installed (see test_policy_live).

Prints one JSON object: what a resident sees for each case, with the policy and the
guard both active, as on a installed kiosk.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parent), str(HERE)]

from browser_helpers import BLOCKED_TITLE, Events, allowlist  # noqa: E402
from harness import wait_for  # noqa: E402
from procedure_site import Site  # noqa: E402

from kiosk.browser.chromium import handler_log  # noqa: E402
from kiosk.browser.policies import DEFAULT_POLICY_DIR, profile_policy, write_policy  # noqa: E402
from kiosk.browser.session import BrowserSession  # noqa: E402
from kiosk.events import NavigationBlocked  # noqa: E402


def try_mailto(browser: BrowserSession, site: Site, session_dir: Path) -> list[str]:
    """Which handler stubs Chromium ran for a tapped mailto: (none: the policy refused it)."""
    browser.open(site.url("/"))
    wait_for(lambda: browser.evaluate("document.readyState") == "complete", 5)
    browser.evaluate("location.href = 'mailto:someone@example.org'", user_gesture=True)
    time.sleep(1.0)
    log = handler_log(session_dir)
    return log.read_text(encoding="utf-8").split() if log.exists() else []


def main() -> None:
    write_policy(profile_policy(allowlist()), DEFAULT_POLICY_DIR / "borne.json")
    site = Site().start()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="probe", dir="/tmp") as tmp:
        events = Events()
        browser = BrowserSession(
            session_dir=Path(tmp), allowlist=allowlist(), language="fr", help_lines=(),
            bounds=(0, 80, 1280, 944), publish=events.publish, host_resolver_rules=site.rules)
        try:
            browser.start()

            def text() -> str:
                return str(browser.evaluate("document.body ? document.body.innerText : ''"))

            def seen() -> dict[str, str]:
                # Settled: the site's page, or the kiosk's page (which may replace an
                # error page a moment after it appears).
                wait_for(lambda: "Procedure start" in text() or BLOCKED_TITLE in text(), 5)
                return {"href": str(browser.evaluate("location.href")), "text": text()[:300]}

            def show(url: str) -> dict[str, str]:
                browser.open(url)
                return seen()

            def tap(element_id: str) -> dict[str, str]:
                show(site.url("/"))
                browser.evaluate(f"document.getElementById({element_id!r}).click()",
                                 user_gesture=True)
                time.sleep(0.5)
                return seen()

            results["allowed"] = show(site.url("/"))
            results["blocked"] = show(site.url("/page", host="blocked.example"))
            results["redirect"] = show(site.url("/redirect"))
            results["file"] = show("file:///etc/passwd")
            results["link"] = tap("to-blocked")
            results["popup"] = tap("open-blocked")
            results["handlers_asked"] = try_mailto(browser, site, Path(tmp))
            results["pages"] = [
                t["url"] for t in browser.cdp.send("Target.getTargets")["targetInfos"]
                if t["type"] == "page"] if browser.cdp else []
            results["events"] = [{"host": e.host} for e in events.of(NavigationBlocked)]
            results["hosts"] = sorted(site.log.hosts())
        finally:
            results["survivors"] = browser.close()
            site.stop()
    print(json.dumps(results))


if __name__ == "__main__":
    os.environ.setdefault("DISPLAY", "")
    main()
