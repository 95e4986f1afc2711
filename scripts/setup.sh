#!/usr/bin/env bash
# Install what is missing, idempotently: Debian packages, the .venv with the
# project in it, and the compiled translations. A second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing_debian_packages() {
    local pkg
    grep -Ev '^\s*(#|$)' scripts/debian-packages.txt | while read -r pkg; do
        dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' \
            || echo "$pkg"
    done
}

install_debian_packages() {
    local missing
    missing=$(missing_debian_packages | tr '\n' ' ')
    [ -z "${missing// /}" ] && return 0
    say "installing Debian packages: $missing"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    # shellcheck disable=SC2086
    as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

python_is_usable() {
    # A CPython 3.11+ with Tk and venv/ensurepip.
    "$1" - <<'PY' >/dev/null 2>&1
import sys, tkinter, venv, ensurepip
assert sys.version_info >= (3, 11)
PY
}

choose_python() {
    local candidate
    for candidate in ${PYTHON:-} python3 /usr/bin/python3; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if python_is_usable "$candidate"; then command -v "$candidate"; return 0; fi
    done
    say "no Python 3.11+ with Tk and venv found (install python3-tk python3-venv)"
    return 1
}

venv_is_healthy() {
    [ -x .venv/bin/python ] && .venv/bin/python -c 'import tkinter' >/dev/null 2>&1
}

create_venv() {
    local python
    python=$(choose_python)
    if ! venv_is_healthy; then
        say "creating .venv with $python"
        rm -rf .venv
        "$python" -m venv .venv
    fi
    # Reinstall only when the project's declared dependencies changed.
    if [ ! -f .venv/.setup-stamp ] || [ pyproject.toml -nt .venv/.setup-stamp ] \
        || [ ! -x .venv/bin/kiosk ]; then
        say "installing the project and its Python dependencies into .venv"
        # pip's chatter goes to a log, shown only when the install fails.
        if ! { .venv/bin/python -m pip install -q --upgrade pip \
               && .venv/bin/python -m pip install -q -e '.[dev]'; } >.venv/pip.log 2>&1; then
            cat .venv/pip.log >&2
            say "installing the Python dependencies failed (see above)"
            exit 1
        fi
        touch .venv/.setup-stamp
    fi
}

compile_translations() {
    local po mo
    for po in kiosk/locale/*.po; do
        [ -e "$po" ] || continue
        mo="kiosk/locale/$(basename "$po" .po)/LC_MESSAGES/kiosk.mo"
        if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
            mkdir -p "$(dirname "$mo")"
            msgfmt --check -o "$mo" "$po"
        fi
    done
}

compile_bytecode() {
    # As an installed package is (dh-python compiles it): a start then reads the
    # bytecode instead of compiling every module, even where PYTHONDONTWRITEBYTECODE
    # is set. Stale files are recompiled, by their sources' times.
    .venv/bin/python -m compileall -q kiosk >/dev/null
}

install_debian_packages
create_venv
compile_translations
compile_bytecode
