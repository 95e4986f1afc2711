"""The canary search itself: it must find a planted token, and stop finding it once gone."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from canary import find_token, standard_roots


def new_token() -> str:
    return f"canary{uuid.uuid4().hex}"


def test_token_in_a_file_name_is_found_and_gone_after_removal(tmp_path: Path) -> None:
    token = new_token()
    planted = tmp_path / "deep" / "er" / f"receipt-{token}.pdf"
    planted.parent.mkdir(parents=True)
    planted.write_bytes(b"%PDF-1.4 nothing to see")

    assert find_token(token, [tmp_path]) == [planted]
    planted.unlink()
    assert find_token(token, [tmp_path]) == []


def test_token_in_binary_content_is_found_in_utf8_and_utf16(tmp_path: Path) -> None:
    token = new_token()
    utf8 = tmp_path / "Cookies"
    utf8.write_bytes(os.urandom(5000) + token.encode() + os.urandom(5000))
    utf16 = tmp_path / "000003.log"
    utf16.write_bytes(b"\x00\x01VALUE" + token.encode("utf-16-le") + b"\xff\xfe")
    clean = tmp_path / "Preferences"
    clean.write_bytes(b'{"token": "' + token[:-1].encode() + b'"}')

    assert find_token(token, [tmp_path]) == sorted([utf8, utf16])
    utf8.write_bytes(b"overwritten")
    utf16.unlink()
    assert find_token(token, [tmp_path]) == []


def test_token_split_across_read_chunks_is_found(tmp_path: Path) -> None:
    import canary

    token = new_token()
    big = tmp_path / "cache_data"
    cut = canary.CHUNK_BYTES - len(token) // 2
    big.write_bytes(b"a" * cut + token.encode() + b"b" * 100)

    assert find_token(token, [tmp_path]) == [big]


def test_links_are_reported_not_followed(tmp_path: Path) -> None:
    token = new_token()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(token)
    searched = tmp_path / "searched"
    searched.mkdir()
    link = searched / "shortcut"
    link.symlink_to(outside)

    assert find_token(token, [searched]) == []
    named = searched / "to-token"
    named.symlink_to(tmp_path / f"{token}.txt")
    assert find_token(token, [searched]) == [named]


def test_standard_roots_cover_dev_shm_and_the_session_root(tmp_path: Path) -> None:
    token = new_token()
    in_shm = Path("/dev/shm") / f"kiosk-test-{token}"
    session_root = tmp_path / "sessions"
    session_root.mkdir()
    (session_root / "form.txt").write_text(f"name={token}")
    try:
        in_shm.write_bytes(b"")
        roots = standard_roots(session_root, home=tmp_path / "home")
        assert find_token(token, roots) == sorted([in_shm, session_root / "form.txt"])
    finally:
        in_shm.unlink(missing_ok=True)
    assert find_token(token, [Path("/dev/shm"), session_root / "x"]) == []


def test_device_files_and_big_files_are_skipped(tmp_path: Path) -> None:
    import canary

    token = new_token()
    huge = tmp_path / "huge.bin"
    with huge.open("wb") as out:
        out.write(token.encode())
        out.truncate(canary.MAX_FILE_BYTES + 1)
    # /dev/zero and /dev/urandom would never end if they were read as files.
    assert find_token(token, [tmp_path, Path("/dev/zero"), Path("/dev/urandom")]) == []
