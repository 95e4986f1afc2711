"""TOTP against RFC 6238's own test vectors (Appendix B), and the ±1 step window."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from kiosk.assisted import totp

SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
# (time, SHA-1, SHA-256, SHA-512), 8 digits, 30 s steps: RFC 6238, Appendix B.
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("moment", "sha1", "sha256", "sha512"), VECTORS)
def test_rfc_6238_vectors(moment: int, sha1: str, sha256: str, sha512: str) -> None:
    for algorithm, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        assert totp.code_at(SEEDS[algorithm], moment, digits=8, algorithm=algorithm) == expected


def test_six_digit_codes_verify_one_step_either_side_and_no_further() -> None:
    secret = totp.new_secret()
    key = totp.decode_secret(secret)
    now = 1_700_000_000.0
    assert totp.verify(secret, totp.code_at(key, now), now)
    assert totp.verify(secret, totp.code_at(key, now - 30), now)
    assert totp.verify(secret, totp.code_at(key, now + 30), now)
    far = totp.code_at(key, now - 90)
    assert far not in {totp.code_at(key, now + s) for s in (-30, 0, 30)}
    assert not totp.verify(secret, far, now)
    assert not totp.verify(secret, "12345", now) and not totp.verify(secret, "abcdef", now)
    assert totp.matching_step(secret, totp.code_at(key, now), now) == int(now // 30)


def test_secret_and_uri_are_what_authenticator_apps_read() -> None:
    secret = totp.new_secret()
    assert len(totp.decode_secret(secret)) == 20 and "=" not in secret
    uri = urlsplit(totp.provisioning_uri(secret, "Amina B."))
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/Borne%3AAmina%20B.")
    query = parse_qs(uri.query)
    assert query["secret"] == [secret] and query["digits"] == ["6"]
    assert query["period"] == ["30"] and query["issuer"] == ["Borne"]
    with pytest.raises(ValueError):
        totp.decode_secret("not base32!")
