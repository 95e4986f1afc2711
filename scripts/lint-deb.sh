#!/usr/bin/env bash
# lintian on the packages in dist/: any error or warning fails the build.
# Overrides live beside the packaging, each with its reason.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
debs=(dist/*.deb)
[ ${#debs[@]} -gt 0 ] || { echo "[lintian] no package in dist/: run make deb" >&2; exit 1; }
report=$(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    lintian --display-info --pedantic --display-experimental --tag-display-limit 0 "${debs[@]}" 2>&1 \
    | grep -v '^running with root privileges' || true)
if [ -n "$report" ]; then printf '%s\n' "$report" >&2; fi
if printf '%s\n' "$report" | grep -q '^[EW]: '; then
    echo "[lintian] FAILED: errors or warnings above" >&2
    exit 1
fi
echo "[lintian] no error, no warning" >&2
