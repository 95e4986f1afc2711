#!/usr/bin/env bash
# Build the Debian packages into dist/: borne, and python3-ttkbootstrap (not in
# Debian 12) from its PyPI source release, pinned by version and SHA-256.
#
# Everything is built in copies under build/deb/ with Debian's own Python and
# a clean environment: nothing from a pyenv, a virtualenv or PYTHONPATH leaks
# into the packages, and the git tree is left as it was.
set -euo pipefail
cd "$(dirname "$0")/.."

TTKB_VERSION=1.10.1
TTKB_SHA256=53925525c4104f9e345627500dced2d0392ad74324b2a81467aaee3ffbe1a474
TTKB_URL=https://files.pythonhosted.org/packages/e7/9e/22845f8e68415f4246342f3eccc5939991445098e8c1c0cf60c459755d22/ttkbootstrap-$TTKB_VERSION.tar.gz

REPO=$PWD
WORK=$REPO/build/deb
CACHE=$REPO/build/cache
DIST=$REPO/dist

say() { printf '[deb] %s\n' "$*" >&2; }
die() { printf '[deb] FAILED: %s\n' "$*" >&2; exit 1; }

# Debian's tools only, whatever the caller's shell has set up.
clean_env() {
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$WORK/home" LANG=C.UTF-8 \
        DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-}" SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" "$@"
}

fetch_ttkbootstrap() {
    local tarball=$CACHE/ttkbootstrap-$TTKB_VERSION.tar.gz
    mkdir -p "$CACHE"
    if [ ! -f "$tarball" ]; then
        say "downloading ttkbootstrap $TTKB_VERSION from PyPI"
        curl -fsSL --retry 3 -o "$tarball.part" "$TTKB_URL" || die "cannot download $TTKB_URL"
        mv "$tarball.part" "$tarball"
    fi
    if ! echo "$TTKB_SHA256  $tarball" | sha256sum --check --quiet -; then
        rm -f "$tarball"
        die "ttkbootstrap-$TTKB_VERSION.tar.gz does not have the expected SHA-256 (deleted)"
    fi
    echo "$tarball"
}

build_ttkbootstrap() {
    local tarball src
    tarball=$(fetch_ttkbootstrap)
    src=$WORK/ttkbootstrap-$TTKB_VERSION
    tar -xzf "$tarball" -C "$WORK"
    cp -r packaging/ttkbootstrap-debian "$src/debian"
    ln -sf "$tarball" "$WORK/ttkbootstrap_$TTKB_VERSION.orig.tar.gz"
    say "building python3-ttkbootstrap"
    (cd "$src" && clean_env dpkg-buildpackage -us -uc -b) >"$WORK/ttkbootstrap.log" 2>&1 \
        || { tail -40 "$WORK/ttkbootstrap.log" >&2; die "python3-ttkbootstrap (log: $WORK/ttkbootstrap.log)"; }
}

build_borne() {
    local version src
    version=$(dpkg-parsechangelog -l debian/changelog -S Version)
    src=$WORK/borne-$version
    mkdir -p "$src"
    # The files git knows, edited or not, plus new ones it does not ignore
    # (a file deleted but not yet committed is still listed: skip it).
    git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' file; do
            [ -e "$file" ] || [ -L "$file" ] && printf '%s\0' "$file"
        done \
        | tar --null -T - -cf - | tar -xf - -C "$src"
    say "building borne $version"
    (cd "$src" && clean_env dpkg-buildpackage -us -uc -b) >"$WORK/borne.log" 2>&1 \
        || { tail -40 "$WORK/borne.log" >&2; die "borne (log: $WORK/borne.log)"; }
}

main() {
    command -v dpkg-buildpackage >/dev/null || die "dpkg-buildpackage is missing: run make setup"
    SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l debian/changelog -S Timestamp)
    rm -rf "$WORK"
    mkdir -p "$WORK/home" "$DIST"
    build_ttkbootstrap
    build_borne
    rm -f "$DIST"/*.deb
    cp "$WORK"/*.deb "$DIST"/
    say "packages in dist/:"
    (cd "$DIST" && ls -1 ./*.deb) >&2
}

main "$@"
