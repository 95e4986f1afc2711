"""The allowlist matcher against a small reference model, on generated addresses.

Each address is built from parts whose meaning we know (the real host, the
scheme), then disguised the ways a hostile page or a curious resident would try:
upper case, a trailing dot, userinfo that names an allowed host, ports, IPv6
literals, percent-encoding, backslashes, tabs and newlines. The model says what a
browser would reach; the matcher must never allow more than the model, and must
allow the plain forms the model allows.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings, strategies as st

from kiosk.config.allowlist import Allowlist, HostPattern

LABELS = ["caf", "ameli", "impots", "gouv", "fr", "evil", "xn--bcher-kva", "a-b", "x1"]
TOPS = ["fr", "com", "gouv.fr"]


@st.composite
def hosts(draw: st.DrawFn) -> str:
    labels = draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=3))
    return ".".join([*labels, draw(st.sampled_from(TOPS))])


@st.composite
def patterns(draw: st.DrawFn) -> str:
    host = draw(hosts())
    return ("*." if draw(st.booleans()) else "") + host


def model_allows(host: str, scheme: str, pattern_texts: list[str]) -> bool:
    """What the profile contract says, written as plainly as possible."""
    exact = {p for p in pattern_texts if not p.startswith("*.")}
    suffixes = {p[1:] for p in pattern_texts if p.startswith("*.")}
    by_wildcard = any(host.endswith(s) for s in suffixes)
    if scheme == "https":
        return host in exact or by_wildcard
    if scheme == "http":
        return host in exact
    return False


@dataclass(frozen=True)
class Address:
    url: str
    real_host: str | None  # None: the browser reaches no host we could allow
    scheme: str


def swap_case(text: str, mask: list[bool]) -> str:
    padded = mask + [False] * len(text)
    return "".join(c.upper() if up else c for c, up in zip(text, padded, strict=False))


@st.composite
def disguised(draw: st.DrawFn, allowed: list[str]) -> Address:
    """An address to `real` host, dressed up so that it may look like an allowed one."""
    real = draw(hosts())
    scheme = draw(st.sampled_from(["https", "http", "HTTPS", "ftp", "javascript", "file"]))
    shown = swap_case(real, draw(st.lists(st.booleans(), max_size=30)))
    if draw(st.booleans()):
        shown += "."
    decoy = draw(st.sampled_from(allowed)).removeprefix("*.") if allowed else "caf.fr"
    userinfo = draw(st.sampled_from(["", f"{decoy}@", f"user:{decoy}@", f"{decoy}:443@"]))
    port = draw(st.sampled_from(["", ":443", ":8080", ":0"]))
    path = draw(st.sampled_from(["/", "", f"/{decoy}", f"?next=https://{decoy}/",
                                 f"#{decoy}", f"/@{decoy}"]))
    url = f"{scheme}://{userinfo}{shown}{port}{path}"
    return Address(url, real, scheme.lower())


@settings(max_examples=400, deadline=None)
@given(data=st.data(), allowed=st.lists(patterns(), min_size=1, max_size=4))
def test_matcher_agrees_with_the_model_on_disguised_addresses(
    data: st.DataObject, allowed: list[str]
) -> None:
    address = data.draw(disguised(allowed))
    verdict = Allowlist.of(allowed).allows_url(address.url)
    expected = address.real_host is not None and model_allows(
        address.real_host, address.scheme, allowed)
    assert verdict == expected, address.url


# Glue between a real host and an allowed one, with the host a browser then reaches
# ("real", "decoy", or None when the address is invalid), per the WHATWG URL standard.
TRICKS = {
    "\\@": "real",   # a backslash is a slash: the '@' is in the path
    "\\": "real",
    "\t@": "decoy",   # tabs and newlines vanish: plain userinfo
    "\n@": "decoy",
    "%5c@": "decoy",  # an encoded backslash stays in the userinfo
    "@@": "decoy",    # the last '@' ends the userinfo
    "%40": None,      # a host that decodes to one with '@' in it is invalid
}


@settings(max_examples=300, deadline=None)
@given(allowed=st.lists(patterns(), min_size=1, max_size=4), real=hosts(),
       trick=st.sampled_from(sorted(TRICKS)))
def test_a_backslash_or_an_encoded_at_never_lends_an_allowed_name(
    allowed: list[str], real: str, trick: str
) -> None:
    """`https://evil.fr\\@caf.fr/` reaches evil.fr in a browser, whatever Python thinks."""
    decoy = allowed[0].removeprefix("*.")
    reached = {"real": real, "decoy": decoy, None: None}[TRICKS[trick]]
    url = f"https://{real}{trick}{decoy}/"
    expected = reached is not None and model_allows(reached, "https", allowed)
    assert Allowlist.of(allowed).allows_url(url) == expected, url


@settings(max_examples=200, deadline=None)
@given(allowed=st.lists(patterns(), min_size=1, max_size=4),
       literal=st.sampled_from(["[::1]", "[2001:db8::1]", "127.0.0.1", "[::ffff:127.0.0.1]",
                                "2130706433", "0x7f000001", "017700000001"]))
def test_ip_literals_are_never_reached_through_host_patterns(
    allowed: list[str], literal: str
) -> None:
    """No pattern made of names lets an address literal through (every spelling of it)."""
    assert not Allowlist.of(allowed).allows_url(f"https://{literal}/")


@settings(max_examples=200, deadline=None)
@given(host=hosts(), allowed=st.lists(patterns(), min_size=1, max_size=4))
def test_percent_encoded_hosts_are_judged_by_what_they_decode_to(
    host: str, allowed: list[str]
) -> None:
    encoded = "".join(f"%{ord(c):02X}" if c.isalpha() and i % 2 else c
                      for i, c in enumerate(host))
    verdict = Allowlist.of(allowed).allows_url(f"https://{encoded}/")
    # Refusing an encoded spelling is safe; allowing it is only right for an allowed host.
    if verdict:
        assert model_allows(host, "https", allowed)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40))
def test_any_pattern_text_is_read_or_refused_cleanly(text: str) -> None:
    from kiosk.config.allowlist import PatternError
    try:
        pattern = HostPattern.parse(text)
    except PatternError:
        return
    assert pattern.host and "*" not in pattern.host


@settings(max_examples=300, deadline=None)
@given(url=st.text(max_size=80), allowed=st.lists(patterns(), min_size=1, max_size=3))
def test_any_text_as_an_address_gets_a_verdict_not_an_exception(
    url: str, allowed: list[str]
) -> None:
    assert Allowlist.of(allowed).allows_url(url) in (True, False)
