"""Which web addresses a session may reach.

Semantics (the profile contract): a pattern ``host`` matches that host exactly,
``*.host`` matches its subdomains (not the host itself); matching is on the host
only, any port, after IDNA normalisation and lower-casing. Only ``https`` is
accepted, except ``http`` to a host named exactly (not through a wildcard),
such as an intranet server or a loopback test site.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

# A DNS label as it stands after IDNA encoding.
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class PatternError(ValueError):
    """An allowlist pattern that is not a host name or ``*.`` plus a host name."""


def normalize_host(host: str) -> str:
    """Lower-case, drop one trailing dot and IDNA-encode a host name.

    Raises ValueError for something that is not a host name.
    """
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        return str(ipaddress.IPv6Address(host[1:-1]))
    if host.endswith("."):
        host = host[:-1]
    if not host:
        raise ValueError("empty host name")
    try:
        return str(ipaddress.IPv4Address(host))
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise ValueError(f"{host!r} is not a valid host name") from exc
    labels = ascii_host.split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"{host!r} is not a valid host name")
    return ascii_host


@dataclass(frozen=True)
class HostPattern:
    """One allowlist entry: an exact host, or (wildcard) every subdomain of it."""

    host: str
    wildcard: bool

    @classmethod
    def parse(cls, text: str, whole_tld: bool = False) -> HostPattern:
        """Read ``example.fr`` or ``*.example.fr``; raises PatternError otherwise.

        `whole_tld` admits ``*.fr``: only assisted mode may open a whole
        top-level domain, because a mediator sits beside the resident then.
        """
        raw = text.strip()
        if raw != text or not raw:
            raise PatternError("a pattern is a host name such as 'caf.fr' or '*.caf.fr'")
        if "://" in raw or "/" in raw or ":" in raw.strip("[]"):
            raise PatternError(
                f"{text!r} looks like an address; write only the host name, such as 'caf.fr'"
            )
        wildcard = raw.startswith("*.")
        rest = raw[2:] if wildcard else raw
        if "*" in rest:
            raise PatternError(
                f"{text!r}: a '*' may only stand alone at the start, as in '*.caf.fr'"
            )
        try:
            host = normalize_host(rest)
        except ValueError as exc:
            raise PatternError(f"{text!r} is not a valid host name") from exc
        if wildcard and "." not in host and not whole_tld:
            raise PatternError(
                f"{text!r} would allow a whole top-level domain; name a site, such as '*.caf.fr'"
            )
        return cls(host, wildcard)

    def matches(self, host: str) -> bool:
        """True when an already normalised `host` is allowed by this pattern."""
        if self.wildcard:
            return host.endswith("." + self.host)
        return host == self.host

    def __str__(self) -> str:
        return f"*.{self.host}" if self.wildcard else self.host


def url_host(parts: SplitResult) -> str | None:
    """The normalised host of a split URL, or None when it has none or a bad one."""
    try:
        raw = parts.hostname
    except ValueError:
        return None
    if not raw:
        return None
    try:
        # A browser decodes %XX in a host name before resolving it; so must we.
        return normalize_host(unquote(raw, errors="strict"))
    except ValueError:
        return None


_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")
_SPECIAL_SCHEME = re.compile(r"^\s*(?:https?|wss?|ftp|file):", re.IGNORECASE)


def as_browser_reads_it(url: str) -> str:
    """`url` the way a browser splits it, for the schemes it treats as special.

    Browsers drop tabs and newlines anywhere and read a backslash as a slash in
    http(s) addresses: ``https://evil.fr\\@caf.fr/`` goes to evil.fr, while
    Python's urlsplit would see caf.fr after the '@'.
    """
    url = url.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
                    "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f \t\n\r")
    url = url.translate(_TAB_OR_NEWLINE)
    if _SPECIAL_SCHEME.match(url):
        url = url.replace("\\", "/")
    return url


@dataclass(frozen=True)
class Allowlist:
    """A set of host patterns, with the scheme rule applied to whole URLs."""

    patterns: tuple[HostPattern, ...]

    @classmethod
    def of(cls, texts: Iterable[str]) -> Allowlist:
        """Build from pattern texts; raises PatternError on the first bad one."""
        return cls(tuple(HostPattern.parse(t) for t in texts))

    def __or__(self, other: Allowlist) -> Allowlist:
        seen = dict.fromkeys(self.patterns + other.patterns)
        return Allowlist(tuple(seen))

    def allows_host(self, host: str) -> bool:
        return any(p.matches(host) for p in self.patterns)

    def names_exactly(self, host: str) -> bool:
        return any(not p.wildcard and p.host == host for p in self.patterns)

    def allows_url(self, url: str) -> bool:
        """True when a resident may load `url` (https to an allowed host, or the http rule)."""
        try:
            parts = urlsplit(as_browser_reads_it(url))
        except ValueError:
            return False
        host = url_host(parts)
        if host is None:
            return False
        scheme = parts.scheme.lower()
        if scheme == "https":
            return self.allows_host(host)
        if scheme == "http":
            return self.names_exactly(host)
        return False
