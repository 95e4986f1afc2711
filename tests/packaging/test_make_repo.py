"""`make repo` (scripts/make-repo.sh) publishes a signed apt repository that apt trusts.

A throwaway GnuPG key signs a repository of tiny `borne` packages built with
dpkg-deb (the real package is not needed); apt, in a private configuration that
trusts only that key through `Signed-By`, must read it as a file:// repository,
and must refuse it once its Release file is tampered with.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "make-repo.sh"
KEYRING = "borne-archive-keyring.asc"


@dataclass(frozen=True)
class SigningKey:
    home: Path
    fingerprint: str

    def environment(self) -> dict[str, str]:
        return {**os.environ, "GNUPGHOME": str(self.home)}


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningKey]:
    """A passphrase-less ed25519 signing key in a GnuPG home of its own."""
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key",
                    "Borne test repository <repo@example.invalid>", "ed25519", "sign", "never"],
                   env=env, check=True, capture_output=True)
    listing = subprocess.run(["gpg", "--batch", "--with-colons", "--list-secret-keys"],
                             env=env, check=True, capture_output=True, text=True).stdout
    fingerprint = next(line.split(":")[9] for line in listing.splitlines()
                       if line.startswith("fpr:"))
    yield SigningKey(home, fingerprint)
    # gpg-agent, started for the key, would outlive the test otherwise.
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, check=False)


def build_deb(folder: Path, version: str, architecture: str = "all") -> Path:
    """A minimal `borne` package: a control file and one documentation file."""
    tree = folder / f"borne-{version}"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN" / "control").write_text(
        "Package: borne\n"
        f"Version: {version}\n"
        "Section: misc\n"
        "Priority: optional\n"
        f"Architecture: {architecture}\n"
        "Maintainer: Borne tests <tests@example.invalid>\n"
        "Description: test package for the repository script\n", encoding="utf-8")
    doc = tree / "usr" / "share" / "doc" / "borne"
    doc.mkdir(parents=True)
    (doc / "README").write_text("test\n", encoding="utf-8")
    deb = folder / f"borne_{version}_{architecture}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(tree), str(deb)],
                   check=True, capture_output=True)
    return deb


def make_repo(key: SigningKey, repo: Path, *debs: Path,
              ) -> subprocess.CompletedProcess[str]:
    env = {**key.environment(), "REPO_KEY": key.fingerprint, "REPO_DIR": str(repo)}
    return subprocess.run([str(SCRIPT), *map(str, debs)], env=env, capture_output=True,
                          text=True, timeout=60)


class PrivateApt:
    """apt-get and apt-cache that read only our sources and trust only their Signed-By."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        for sub in ("sources", "state/lists/partial", "cache/archives/partial"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        self.options = [
            "-o", "Dir::Etc::sourcelist=/dev/null",
            "-o", f"Dir::Etc::sourceparts={folder / 'sources'}",
            "-o", "Dir::Etc::trusted=/dev/null",
            "-o", "Dir::Etc::trustedparts=/dev/null",
            "-o", "Dir::Etc::preferences=/dev/null",
            "-o", "Dir::Etc::preferencesparts=/dev/null",
            "-o", f"Dir::State={folder / 'state'}",
            "-o", "Dir::State::status=/dev/null",
            "-o", f"Dir::Cache={folder / 'cache'}",
            "-o", "APT::Architecture=amd64",
            "-o", "APT::Architectures=amd64",
            # As root apt downloads as _apt, who cannot read the test's temporary folder.
            "-o", "APT::Sandbox::User=root",
            "-o", "Debug::NoLocking=true",
        ]

    def add_source(self, name: str, uri: str, suite: str, key: Path) -> None:
        (self.folder / "sources" / f"{name}.sources").write_text(
            f"Types: deb\nURIs: {uri}\nSuites: {suite}\nComponents: main\n"
            f"Signed-By: {key}\n", encoding="utf-8")

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([tool, *self.options, *args], capture_output=True, text=True,
                              timeout=60, env={**os.environ, "LC_ALL": "C"})


def candidate_versions(policy: str) -> list[str]:
    """The versions in an `apt-cache policy` version table, best first."""
    versions = []
    for line in policy.split("Version table:", 1)[-1].splitlines():
        fields = line.replace("***", "").split()
        if len(fields) == 2 and fields[1].isdigit():
            versions.append(fields[0])
    return versions


@pytest.fixture(scope="module")
def published(signing_key: SigningKey, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository where 1.0-1 then 1.1-1 were published, as two releases would be."""
    work = tmp_path_factory.mktemp("repo")
    repo = work / "apt"
    for version in ("1.0-1", "1.1-1"):
        result = make_repo(signing_key, repo, build_deb(work, version))
        assert result.returncode == 0, result.stderr
    return repo


def test_apt_updates_from_the_signed_repository_and_sees_the_newest(
        published: Path, tmp_path: Path) -> None:
    apt = PrivateApt(tmp_path / "apt")
    apt.add_source("borne", published.as_uri(), "bookworm", published / KEYRING)
    update = apt.run("apt-get", "update")
    assert update.returncode == 0, update.stdout + update.stderr
    assert "W:" not in update.stdout + update.stderr, update.stdout + update.stderr
    policy = apt.run("apt-cache", "policy", "borne")
    assert "Candidate: 1.1-1" in policy.stdout, policy.stdout
    assert candidate_versions(policy.stdout) == ["1.1-1"]


def test_the_snapshot_of_an_older_version_allows_a_rollback(
        published: Path, tmp_path: Path) -> None:
    snapshot = published / "dists" / "bookworm" / "snapshots" / "1.0-1"
    assert (snapshot / "InRelease").is_file()
    apt = PrivateApt(tmp_path / "apt")
    apt.add_source("borne", published.as_uri(), "bookworm", published / KEYRING)
    apt.add_source("borne-rollback", published.as_uri(), "bookworm/snapshots/1.0-1",
                   published / KEYRING)
    update = apt.run("apt-get", "update")
    assert update.returncode == 0, update.stdout + update.stderr
    assert "W:" not in update.stdout + update.stderr, update.stdout + update.stderr
    policy = apt.run("apt-cache", "policy", "borne")
    assert candidate_versions(policy.stdout) == ["1.1-1", "1.0-1"], policy.stdout
    # Its package is still in the pool although the distribution moved on.
    assert (published / "pool" / "main" / "b" / "borne" / "borne_1.0-1_all.deb").is_file()


def test_publishing_the_same_version_again_changes_nothing(
        signing_key: SigningKey, tmp_path: Path) -> None:
    deb = build_deb(tmp_path, "2.0-1", architecture="amd64")
    repo = tmp_path / "apt"
    assert make_repo(signing_key, repo, deb).returncode == 0
    packages = repo / "dists" / "bookworm" / "main" / "binary-amd64" / "Packages"
    before = packages.read_bytes()
    again = make_repo(signing_key, repo, deb)
    assert again.returncode == 0, again.stderr
    assert packages.read_bytes() == before
    assert b"Architecture: amd64" in before


def test_a_tampered_release_is_refused(published: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(published, copy)
    dist = copy / "dists" / "bookworm"
    # Claim a different Packages file than the one signed for: what an attacker would do.
    for name in ("InRelease", "Release"):
        text = (dist / name).read_text(encoding="utf-8")
        (dist / name).write_text(text.replace("Label: Borne", "Label: Borme"),
                                 encoding="utf-8")
    apt = PrivateApt(tmp_path / "apt")
    apt.add_source("borne", copy.as_uri(), "bookworm", copy / KEYRING)
    update = apt.run("apt-get", "update")
    output = update.stdout + update.stderr
    assert update.returncode != 0, output
    assert "BADSIG" in output, output
    policy = apt.run("apt-cache", "policy", "borne")
    assert "Candidate: 1.1-1" not in policy.stdout


def test_an_unknown_key_is_refused_before_anything_is_written(
        signing_key: SigningKey, tmp_path: Path) -> None:
    env = {**signing_key.environment(), "REPO_KEY": "0" * 40, "REPO_DIR": str(tmp_path / "r")}
    result = subprocess.run([str(SCRIPT), str(build_deb(tmp_path, "1.0-1"))], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "no secret key" in result.stderr
    assert not (tmp_path / "r").exists()
