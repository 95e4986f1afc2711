#!/usr/bin/env bash
# Build the PyInstaller one-folder bundle: DIST/borne/kiosk (DIST defaults to dist).
# Usage: scripts/build-bundle.sh [DIST [WORK]]; WORK holds PyInstaller's build files.
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${1:-dist}
work=${2:-build/pyinstaller}
exec .venv/bin/pyinstaller --noconfirm --log-level WARN \
    --distpath "$dist" --workpath "$work" packaging/pyinstaller/borne.spec
