"""Time-based one-time codes (RFC 6238), the optional second factor of a mediator.

The usual authenticator apps (FreeOTP, Aegis, Google Authenticator...) enrol
from the base32 secret or the otpauth:// URI printed by `kiosk mediator add --totp`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
WINDOW_STEPS = 1  # a phone's clock a little off still works
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommendation for SHA-1


def new_secret() -> str:
    """A fresh random secret, base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def decode_secret(secret: str) -> bytes:
    """The key bytes of a base32 secret (spaces, case and missing padding tolerated).

    Raises ValueError when it is not base32.
    """
    cleaned = secret.replace(" ", "").upper()
    padded = cleaned + "=" * (-len(cleaned) % 8)
    try:
        key = base64.b32decode(padded, casefold=False)
    except ValueError as error:  # binascii.Error is one
        raise ValueError("not a base32 secret") from error
    if not key:
        raise ValueError("an empty secret")
    return key


def code_at(key: bytes, moment: float, *, digits: int = DIGITS, step: int = STEP_SECONDS,
            algorithm: str = "sha1") -> str:
    """The code for `moment` (Unix time), as RFC 6238 computes it (HOTP of the time step)."""
    counter = int(moment // step)
    mac = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, algorithm)).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def matching_step(secret: str, code: str, moment: float) -> int | None:
    """The time step whose code `code` is, within one step of `moment`; None if none.

    Knowing the step lets the caller refuse a code seen already (a replay).
    """
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    key = decode_secret(secret)
    found: int | None = None
    # Every step is compared, without stopping early, so the time taken says nothing.
    for shift in range(-WINDOW_STEPS, WINDOW_STEPS + 1):
        at = moment + shift * STEP_SECONDS
        if hmac.compare_digest(code_at(key, at).encode(), code.encode()) and found is None:
            found = int(at // STEP_SECONDS)
    return found


def verify(secret: str, code: str, moment: float) -> bool:
    """Whether `code` is the secret's code at `moment`, one step before or after included."""
    return matching_step(secret, code, moment) is not None


def provisioning_uri(secret: str, account: str, issuer: str = "Borne") -> str:
    """The otpauth:// URI an authenticator app reads (from a QR code or pasted)."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1",
                       "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"
