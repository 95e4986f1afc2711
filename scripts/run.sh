#!/usr/bin/env bash
# Start the kiosk on the embedded default profile. With a display, a window there
# (--windowed, so a developer is not locked out); with none, a virtual screen.
set -euo pipefail
cd "$(dirname "$0")/.."

display_works() {
    [ -n "${DISPLAY:-}" ] && xdpyinfo >/dev/null 2>&1
}

if display_works; then
    echo "[run] starting the kiosk in a window on $DISPLAY (Ctrl-C to stop)" >&2
    exec .venv/bin/kiosk run --windowed "$@"
fi

number=$(scripts/free-display.sh)
export DISPLAY=":$number"
size=${KIOSK_SCREEN:-1280x1024}
# The screen and the window manager in sessions of their own: Ctrl-C reaches the
# kiosk alone, and they are stopped after it (its last wipe still needs them).
setsid Xvfb "$DISPLAY" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
cleanup() {
    trap - EXIT INT TERM
    if [ -n "${kiosk:-}" ]; then
        kill "$kiosk" 2>/dev/null || true
        wait "$kiosk" 2>/dev/null || true
    fi
    kill "${wm:-}" "$xvfb" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
setsid openbox --config-file packaging/openbox/rc.xml >/dev/null 2>&1 &
wm=$!
cat >&2 <<MSG
[run] No display found: the kiosk runs on a virtual screen, DISPLAY=$DISPLAY ($size).
[run] Look at it:   DISPLAY=$DISPLAY import -window root /tmp/kiosk.png
[run] Press keys:   DISPLAY=$DISPLAY xdotool key Tab Return
[run] Stop it with Ctrl-C.
MSG
.venv/bin/kiosk run "$@" &
kiosk=$!
wait "$kiosk"
