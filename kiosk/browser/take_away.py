"""The address a resident may take home ("Take it with me").

A page's address may carry personal data in its query string or fragment (a file
number, a search, a token) and, rarely, a name and password before the host. What
the kiosk hands to a phone keeps only the scheme, the host, the port and the path.
"""

from __future__ import annotations

from urllib.parse import SplitResult, quote, urlsplit

WEB_SCHEMES = ("http", "https")


def strip_for_take_away(url: str) -> str | None:
    """`url` without its query string, fragment and user information, or None when it
    is no web page a phone could open (the kiosk's own pages, data:, file:, about:...)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES or not host:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _default_port(scheme):
        netloc += f":{port}"
    # Characters a phone's reader could take apart differently are escaped once.
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~") or "/"
    return SplitResult(scheme, netloc, path, "", "").geturl()


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80
