#!/usr/bin/env bash
# Publish .deb files into a signed apt repository for the fleet's terminals.
#
#   REPO_KEY=<fingerprint> [REPO_DIR=dist/apt] scripts/make-repo.sh [PACKAGE.deb...]
#
# With no file named, every dist/*.deb is published (what `make deb` produced).
# The repository is a plain folder (serve it with any web server, or copy it):
#   REPO_DIR/dists/bookworm/{InRelease,Release,Release.gpg}, main, amd64
#   REPO_DIR/pool/...                 the packages
#   REPO_DIR/borne-archive-keyring.asc  the public key terminals trust (signed-by=)
# Architecture-independent packages (python3-ttkbootstrap) are listed for amd64 too.
#
# Rolling back: Debian 12's reprepro keeps one version of a package in a distribution,
# so each publication of a `borne` version also takes a snapshot of the distribution,
# dists/bookworm/snapshots/<version>/, signed like it; its packages stay in the pool.
# A terminal pinned to an older version gets that snapshot as a second source (the
# Ansible role does it, see docs/deploy.md).
#
# The key is taken from the caller's GnuPG home (GNUPGHOME or ~/.gnupg); it must hold
# the secret key of REPO_KEY, without a passphrase prompt (or with gpg-agent holding it).
set -euo pipefail
# Paths given by the caller are taken from where they called, then we work from the
# source tree (dist/ is there).
repo_dir=$(realpath -m -- "${REPO_DIR:-$(dirname "$0")/../dist/apt}")
args=()
for deb in "$@"; do args+=("$(realpath -m -- "$deb")"); done
cd "$(dirname "$0")/.."

CODENAME=bookworm
COMPONENT=main
ARCHITECTURES=amd64
KEYRING_NAME=borne-archive-keyring.asc

say() { printf '[repo] %s\n' "$*" >&2; }
fail() { say "$*"; exit 2; }

[ -n "${REPO_KEY:-}" ] || fail "REPO_KEY is not set: give the fingerprint of the signing key (gpg --list-secret-keys)."
command -v reprepro >/dev/null || fail "reprepro is missing: run 'make setup' (or apt-get install reprepro)."
command -v gpg >/dev/null || fail "gpg is missing: run 'make setup' (or apt-get install gnupg)."

# The full fingerprint of a secret key, so that a short id or a typo is caught here.
fingerprint=$(gpg --batch --with-colons --list-secret-keys -- "$REPO_KEY" 2>/dev/null \
    | awk -F: '$1 == "fpr" { print $10; exit }') \
    || true
[ -n "$fingerprint" ] || fail "no secret key '$REPO_KEY' in ${GNUPGHOME:-~/.gnupg}: cannot sign the repository."

REPO_DIR=$repo_dir
if [ "${#args[@]}" -gt 0 ]; then
    debs=("${args[@]}")
else
    shopt -s nullglob
    debs=(dist/*.deb)
    shopt -u nullglob
fi
[ "${#debs[@]}" -gt 0 ] || fail "no .deb to publish: run 'make deb' first, or name the files."
for deb in "${debs[@]}"; do
    dpkg-deb --field "$deb" Package >/dev/null 2>&1 || fail "$deb is not a readable .deb."
done

mkdir -p "$REPO_DIR/conf"
# Written at every run: the settings above and the key are the truth, not an old copy.
cat >"$REPO_DIR/conf/distributions" <<CONF
Origin: Borne
Label: Borne
Codename: $CODENAME
Architectures: $ARCHITECTURES
Components: $COMPONENT
Description: Borne, the public access kiosk, and what it needs beyond Debian $CODENAME
SignWith: $fingerprint
CONF

reprepro="reprepro --basedir $REPO_DIR --silent"
for deb in "${debs[@]}"; do
    say "publishing $(dpkg-deb --show --showformat="\${Package} \${Version}" "$deb")"
    # An identical version already there is skipped: publishing twice is harmless.
    $reprepro --component "$COMPONENT" includedeb "$CODENAME" "$deb"
done
$reprepro export "$CODENAME"

# A snapshot per published borne version: what a pinned terminal rolls back to.
version=$($reprepro --list-format '${version}\n' list "$CODENAME" borne | head -n 1)
if [ -n "$version" ]; then
    snapshot=${version//:/_}
    if [ ! -d "$REPO_DIR/dists/$CODENAME/snapshots/$snapshot" ]; then
        $reprepro gensnapshot "$CODENAME" "$snapshot"
        say "snapshot dists/$CODENAME/snapshots/$snapshot (for a rollback to borne $version)"
    fi
fi

gpg --batch --yes --armor --output "$REPO_DIR/$KEYRING_NAME" --export "$fingerprint"
say "repository ready in $REPO_DIR (signed by $fingerprint)"
say "terminals trust it with $REPO_DIR/$KEYRING_NAME in /etc/apt/keyrings (see docs/deploy.md)"
