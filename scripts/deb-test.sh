#!/usr/bin/env bash
# Install the packages of dist/ into a fresh Debian 12 root, the way IT staff
# would (apt resolves every dependency from the archive), use the kiosk's
# commands, check what the package put in place, then remove and purge it and
# check that nothing it created is left. Prints how long it took and what the
# terminal costs on disk.
#
# Needs root (mmdebstrap in root mode, chroot, mounts) and the network, or a
# mirror in the machine's apt sources, which the new root uses.
set -euo pipefail
cd "$(dirname "$0")/.."

REPO=$PWD
WORK=$REPO/build/deb-test
ROOT=$WORK/root
SOURCES=${DEB_TEST_SOURCES:-/etc/apt/sources.list.d/debian.sources}
[ -f "$SOURCES" ] || SOURCES=/etc/apt/sources.list

say() { printf '[deb-test] %s\n' "$*" >&2; }
fail() { printf '[deb-test] FAILED: %s\n' "$*" >&2; exit 1; }
ok() { printf '[deb-test] ok: %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || fail "run as root (mmdebstrap, chroot and mounts need it)"
command -v mmdebstrap >/dev/null || fail "mmdebstrap is missing: run make setup"
shopt -s nullglob
borne_debs=(dist/borne_*_all.deb)
ttkb_debs=(dist/python3-ttkbootstrap_*_all.deb)
[ ${#borne_debs[@]} -eq 1 ] && [ ${#ttkb_debs[@]} -eq 1 ] \
    || fail "expected one borne and one python3-ttkbootstrap package in dist/: run make deb"

# --- the root and its mounts ------------------------------------------------

unmount_root() {
    local mountpoint
    for mountpoint in dev/shm proc sys; do
        if mountpoint -q "$ROOT/$mountpoint"; then
            umount -l "$ROOT/$mountpoint" || say "could not unmount $ROOT/$mountpoint"
        fi
    done
}

mount_root() {
    mount -t proc proc "$ROOT/proc"
    mount -t sysfs -o ro sysfs "$ROOT/sys"
    # The root's own /dev (mmdebstrap made its device nodes), not the host's:
    # a tmpfs for /dev/shm, where sessions go when /run/user is absent.
    mkdir -p "$ROOT/dev/shm"
    mount -t tmpfs -o mode=1777,size=64m shm "$ROOT/dev/shm"
}

XVFB_PID=
finish() {
    local status=$?
    [ -z "$XVFB_PID" ] || kill "$XVFB_PID" 2>/dev/null || true
    unmount_root
    if [ "$status" -eq 0 ]; then
        rm -rf "$ROOT"
    else
        say "the root is kept for a look: $ROOT (deleted at the next run)"
    fi
}

# Run a command in the root with a plain environment, as root or as $AS.
in_root() {
    chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"
}
# The same as the kiosk user, in a mount namespace whose root is the root made
# here (pivot_root, not chroot): the kernel refuses user namespaces to a
# chrooted process, and Chromium's sandbox needs them.
as_kiosk_pivoted() {
    mkdir -p "$ROOT/tmp/old-root"
    unshare --mount sh -c '
        mount --make-rprivate / && mount --rbind "$0" "$0" && cd "$0" &&
        pivot_root . tmp/old-root && cd / && umount -l /tmp/old-root &&
        exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"' \
        "$ROOT" runuser -u kiosk -- "$@"
    local status=$?
    rmdir "$ROOT/tmp/old-root" 2>/dev/null || true
    return $status
}
as_kiosk() {
    chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        runuser -u kiosk -- "$@"
}

root_kib() { du -sx --block-size=1K "$ROOT" | cut -f1; }

# --- checks -------------------------------------------------------------------

check_file() {  # path mode owner:group
    local path=$1 mode=$2 owner=$3 actual
    [ -e "$ROOT$path" ] || fail "$path is missing"
    actual=$(in_root stat -c '%a %U:%G' "$path")
    [ "$actual" = "$mode $owner" ] || fail "$path is '$actual', expected '$mode $owner'"
    ok "$path ($mode $owner)"
}

check_absent() {
    [ ! -e "$ROOT$1" ] && [ ! -L "$ROOT$1" ] || fail "$1 is still there after $2"
}

check_commands() {
    local out status
    out=$(in_root kiosk --version) || fail "kiosk --version exited with status $?"
    [ "$out" = "borne $VERSION" ] || fail "kiosk --version says '$out', expected 'borne $VERSION'"
    ok "kiosk --version: $out"

    out=$(in_root kiosk profile check /etc/kiosk/profile.toml 2>&1) \
        || { printf '%s\n' "$out" >&2; fail "kiosk profile check refused the installed profile"; }
    printf '%s\n' "$out" | grep -q '^/etc/kiosk/profile.toml: OK$' \
        || fail "kiosk profile check did not end with OK"
    ok "kiosk profile check /etc/kiosk/profile.toml"

    # As the kiosk user, with no display: the display check must fail (and so
    # the exit status is 1), every other check must pass or only warn.
    status=0
    out=$(as_kiosk kiosk doctor 2>&1) || status=$?
    printf '%s\n' "$out" | sed 's/^/    /' >&2
    [ "$status" -eq 1 ] || fail "kiosk doctor exited with $status, expected 1 (no display)"
    printf '%s\n' "$out" | grep -q '^FAIL  display ' || fail "kiosk doctor did not report the missing display"
    local unexpected
    unexpected=$(printf '%s\n' "$out" | grep '^FAIL' | grep -v '^FAIL  display ' || true)
    [ -z "$unexpected" ] || fail "kiosk doctor found problems besides the display: $unexpected"
    for name in tk chromium profile policies disk; do
        printf '%s\n' "$out" | grep -q "^OK    $name " || fail "kiosk doctor: '$name' is not OK"
    done
    if printf '%s\n' "$out" | grep -q 'guard allows'; then
        fail "kiosk doctor: the installed Chromium policy does not list the profile's sites"
    fi
    ok "kiosk doctor: only the display fails"
}

# The installed session on a virtual screen of this machine (X's abstract
# socket reaches into the root): /usr/libexec/borne/xsession as the kiosk user,
# as borne.service starts it but on Xvfb instead of Xorg on tty1. It must set
# the keyboard of /etc/default/keyboard (French here), turn blanking off, start
# openbox and the kiosk, whose home screen and hidden browser must come up with
# Chromium's sandbox on. 1024x768, so that the default profile's home screen
# needs ttkbootstrap's scroll bar; the screen is saved as
# build/deb-test/kiosk-run.png for a look.
check_session_runs() {
    local display log pid status=0 wmcheck calls
    command -v Xvfb >/dev/null || fail "Xvfb is missing: run make setup"
    display=$(scripts/free-display.sh)
    Xvfb ":$display" -screen 0 1024x768x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
    XVFB_PID=$!
    for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
    # A display taken by a server this machine's /tmp does not show (another
    # mount namespace) makes Xvfb give up: never draw on someone else's screen.
    sleep 0.5
    kill -0 "$XVFB_PID" 2>/dev/null \
        || { cat "$WORK/xvfb.log" >&2; fail "Xvfb could not start on :$display (above)"; }

    as_kiosk_pivoted env DISPLAY=":$display" python3 -c '
import tkinter
from kiosk.ui.widgets import themed_scrollbar
root = tkinter.Tk()
themed_scrollbar(root, lambda *args: None).pack()
root.update()
root.destroy()' >"$WORK/ttkbootstrap.log" 2>&1 \
        || { cat "$WORK/ttkbootstrap.log" >&2; fail "ttkbootstrap's scroll bar does not work (above)"; }
    ok "ttkbootstrap's themed scroll bar works with Debian's Tk and Pillow"

    # What the Debian installer writes for a French keyboard.
    printf 'XKBMODEL="pc105"\nXKBLAYOUT="fr"\nXKBVARIANT="latin9"\nXKBOPTIONS=""\n' \
        >"$ROOT/etc/default/keyboard"
    # setxkbmap and xset as the session finds them, noting their arguments: the
    # Xvfb of these machines accepts a new keyboard layout or screen saver
    # setting without applying it, and has no DPMS, so the arguments are what
    # can be checked.
    mkdir -p "$ROOT/tmp/probe"
    for tool in setxkbmap xset; do
        printf '#!/bin/sh\necho "%s $*" >>/tmp/probe/calls\nexec /usr/bin/%s "$@"\n' \
            "$tool" "$tool" >"$ROOT/tmp/probe/$tool"
        chmod 755 "$ROOT/tmp/probe/$tool"
    done
    : >"$ROOT/tmp/probe/calls"
    chmod 666 "$ROOT/tmp/probe/calls"
    log=$WORK/kiosk-run.log
    as_kiosk_pivoted env DISPLAY=":$display" PATH=/tmp/probe:/usr/sbin:/usr/bin:/sbin:/bin \
        timeout --signal=TERM --kill-after=10 20 /usr/libexec/borne/xsession >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 150); do
        grep -q 'browser ready for the next session' "$log" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    sleep 1
    DISPLAY=":$display" import -window root "$WORK/kiosk-run.png" 2>/dev/null \
        || say "no screenshot (ImageMagick's import failed)"
    wmcheck=$(DISPLAY=":$display" xprop -root _NET_SUPPORTING_WM_CHECK 2>&1 || true)
    wait "$pid" || status=$?
    kill "$XVFB_PID" 2>/dev/null || true
    wait "$XVFB_PID" 2>/dev/null || true
    XVFB_PID=
    calls=$(cat "$ROOT/tmp/probe/calls")
    rm -rf "$ROOT/etc/default/keyboard" "$ROOT/tmp/probe"
    rmdir "$ROOT/tmp/old-root" 2>/dev/null || true
    sed 's/^/    /' "$log" >&2
    ! grep -q 'Traceback' "$log" || fail "kiosk run raised an exception (log above)"
    ! grep -q '^xsession:' "$log" || fail "the session script reported a problem (log above)"
    printf '%s\n' "$calls" | grep -qx 'setxkbmap -model pc105 -layout fr -variant latin9 -option ' \
        || fail "the session did not set the keyboard of /etc/default/keyboard: $calls"
    ok "the session set the keyboard of /etc/default/keyboard (fr, latin9)"
    printf '%s\n' "$calls" | grep -qx 'xset s off s noblank' \
        && printf '%s\n' "$calls" | grep -qx 'xset -dpms' \
        || fail "the session did not turn blanking and DPMS off: $calls"
    ok "the session turned screen blanking and DPMS off"
    printf '%s\n' "$wmcheck" | grep -q 'window id' || fail "openbox did not start in the session"
    ok "the session started openbox"
    grep -q 'screen: home' "$log" || fail "kiosk run did not show its home screen (log above)"
    grep -q 'browser ready for the next session' "$log" \
        || fail "kiosk run did not get its browser ready (log above)"
    ! grep -q 'without its sandbox' "$log" || fail "Chromium ran without its sandbox"
    grep -q 'signal 15: stopping' "$log" \
        || fail "kiosk run ended by itself (status $status) before it was stopped (log above)"
    ok "kiosk run: home screen and browser up as the kiosk user, sandbox on, stopped cleanly"
}

check_installed_files() {
    check_file /usr/bin/kiosk 755 root:root
    check_file /etc/kiosk/profile.toml 644 root:root
    in_root dpkg-query -W -f='${Conffiles}\n' borne | grep -q ' /etc/kiosk/profile.toml ' \
        || fail "/etc/kiosk/profile.toml is not a conffile"
    ok "/etc/kiosk/profile.toml is a conffile"
    check_file /etc/chromium/policies/managed/borne.json 644 root:root
    in_root python3 - <<'PY' || fail "the installed Chromium policy is not the profile's policy"
import json
from pathlib import Path
from kiosk.browser.policies import profile_policy
from kiosk.config.load import load_profile
installed = json.loads(Path("/etc/chromium/policies/managed/borne.json").read_text())
expected = profile_policy(load_profile(Path("/etc/kiosk/profile.toml")).allowlist())
raise SystemExit(0 if installed == expected else 1)
PY
    ok "the Chromium policy is the lockdown plus the profile's sites"
    check_file /usr/share/borne/openbox/rc.xml 644 root:root
    check_file /usr/libexec/borne/xsession 755 root:root
    check_file /etc/X11/xorg.conf.d/50-borne.conf 644 root:root
    check_file /lib/systemd/system/borne.service 644 root:root
    check_file /usr/share/man/man1/kiosk.1.gz 644 root:root
    check_file /var/lib/kiosk 750 kiosk:kiosk
}

check_user() {
    local entry shadow
    entry=$(in_root getent passwd kiosk) || fail "no kiosk user"
    IFS=: read -r _ _ uid gid _ home shell <<<"$entry"
    [ "$uid" -lt 1000 ] || fail "the kiosk user is not a system user (uid $uid)"
    [ "$home" = /var/lib/kiosk ] || fail "the kiosk user's home is $home"
    [ "$shell" = /usr/sbin/nologin ] || fail "the kiosk user's shell is $shell"
    [ "$(in_root getent group kiosk | cut -d: -f3)" = "$gid" ] \
        || fail "the kiosk user's primary group is not the kiosk group"
    shadow=$(in_root getent shadow kiosk | cut -d: -f2)
    case "$shadow" in '*'*|'!'*) ;; *) fail "the kiosk user has a password" ;; esac
    ok "kiosk user: system uid $uid, home /var/lib/kiosk, no password, no shell"
}

check_unit() {
    local out
    # --man=no: the root has no man-db; the man page itself is checked above.
    out=$(in_root systemd-analyze verify --man=no borne.service 2>&1) \
        || { printf '%s\n' "$out" >&2; fail "systemd-analyze verify refused borne.service"; }
    if printf '%s\n' "$out" | grep -i 'borne' >&2; then
        fail "systemd-analyze verify has remarks on borne.service (above)"
    fi
    ok "systemd-analyze verify borne.service"
    [ "$(in_root systemctl is-enabled borne.service 2>&1)" = enabled ] \
        || fail "borne.service is not enabled"
    ok "borne.service is enabled"
}

# As the kiosk user (no display needed): what it must not change refuses it, what
# it needs it gets. The granted rights are the control: were as_kiosk broken, they
# would fail rather than let every refusal pass.
check_kiosk_rights() {
    local path dir sums_before sums_after
    local kept="/etc/kiosk/profile.toml /etc/kiosk/mediators.toml \
        /etc/chromium/policies/managed/borne.json /usr/bin/kiosk \
        /usr/lib/python3/dist-packages/kiosk/__init__.py"
    printf '246813\n246813\n' | in_root kiosk mediator add Camille >"$WORK/mediator.log" 2>&1 \
        || { cat "$WORK/mediator.log" >&2; fail "kiosk mediator add failed"; }
    check_file /etc/kiosk/mediators.toml 640 root:kiosk
    as_kiosk sh -c ': >/var/lib/kiosk/.probe && rm /var/lib/kiosk/.probe' \
        || fail "the kiosk user cannot write its own /var/lib/kiosk"
    as_kiosk kiosk mediator list --file /etc/kiosk/mediators.toml | grep -q Camille \
        || fail "the kiosk user cannot read the mediators file"
    sums_before=$(in_root sha256sum $kept)
    for path in $kept; do
        ! as_kiosk sh -c 'printf x >>"$1"' sh "$path" 2>/dev/null \
            || fail "the kiosk user could write $path"
    done
    for dir in /etc/kiosk /etc/chromium/policies/managed /usr/share/borne /usr/libexec/borne \
        /usr/lib/python3/dist-packages/kiosk /lib/systemd/system; do
        ! as_kiosk sh -c ': >"$1/borne-probe"' sh "$dir" 2>/dev/null \
            || fail "the kiosk user could create a file in $dir"
    done
    sums_after=$(in_root sha256sum $kept)
    [ "$sums_before" = "$sums_after" ] || fail "a file changed while the kiosk user tried to write it"
    ok "kiosk user: writes only its state, reads the mediators' hashes, changes no profile, policy or program"
}

check_upgrade_keeps_edits() {
    echo '# edited on this terminal' >>"$ROOT/etc/kiosk/profile.toml"
    in_root apt-get install -y -q --reinstall "/tmp/$(basename "${borne_debs[0]}")" >"$WORK/reinstall.log" 2>&1 \
        || { tail -20 "$WORK/reinstall.log" >&2; fail "reinstalling borne failed"; }
    grep -q '^# edited on this terminal$' "$ROOT/etc/kiosk/profile.toml" \
        || fail "reinstalling borne lost the local edit of /etc/kiosk/profile.toml"
    [ "$(in_root getent passwd kiosk | cut -d: -f3)" = "$(stat -c %u "$ROOT/var/lib/kiosk")" ] \
        || fail "/var/lib/kiosk changed owner on reinstall"
    ok "reinstalling keeps the edited profile and the kiosk user"
}

check_remove() {
    in_root apt-get remove -y -q borne >"$WORK/remove.log" 2>&1 \
        || { tail -20 "$WORK/remove.log" >&2; fail "apt-get remove borne failed"; }
    check_absent /usr/bin/kiosk "remove"
    check_absent /etc/chromium/policies/managed/borne.json "remove"
    check_absent /lib/systemd/system/borne.service "remove"
    [ -e "$ROOT/etc/kiosk/profile.toml" ] || fail "remove deleted the profile (only purge may)"
    [ -e "$ROOT/etc/kiosk/mediators.toml" ] || fail "remove deleted the mediators (only purge may)"
    ok "remove: the program, the policy and the unit are gone; the profile and mediators stay"
}

check_purge() {
    in_root apt-get purge -y -q borne python3-ttkbootstrap >"$WORK/purge.log" 2>&1 \
        || { tail -20 "$WORK/purge.log" >&2; fail "apt-get purge borne failed"; }
    ! in_root getent passwd kiosk >/dev/null || fail "the kiosk user is still there after purge"
    ! in_root getent group kiosk >/dev/null || fail "the kiosk group is still there after purge"
    local path
    for path in /var/lib/kiosk /etc/kiosk /etc/chromium/policies/managed/borne.json \
        /lib/systemd/system/borne.service /etc/systemd/system/graphical.target.wants/borne.service \
        /etc/X11/xorg.conf.d/50-borne.conf /usr/share/borne /usr/libexec/borne \
        /usr/lib/python3/dist-packages/kiosk /usr/lib/python3/dist-packages/ttkbootstrap \
        /var/lib/systemd/deb-systemd-helper-enabled/borne.service.dsh-also; do
        check_absent "$path" "purge"
    done
    local left
    left=$(in_root find / -xdev \( -nouser -o -nogroup \) -print 2>/dev/null | head -5)
    [ -z "$left" ] || fail "files of the removed kiosk user are left: $left"
    ok "purge: no user, group, state, profile, policy, unit or files of the kiosk left"
}

# --- main ---------------------------------------------------------------------------

main() {
    local t0 t1 t2 t3 before after installed_kib ttkb_kib
    VERSION=$(dpkg-deb -f "${borne_debs[0]}" Version)
    unmount_root 2>/dev/null || true
    rm -rf "$WORK"
    mkdir -p "$WORK"
    trap finish EXIT

    t0=$(date +%s)
    say "creating a Debian 12 root with mmdebstrap (sources: $SOURCES)"
    mmdebstrap --quiet --variant=apt --mode=root bookworm "$ROOT" "$SOURCES" \
        >"$WORK/mmdebstrap.log" 2>&1 \
        || { tail -20 "$WORK/mmdebstrap.log" >&2; fail "mmdebstrap could not create the root"; }
    t1=$(date +%s)
    mount_root
    # No daemon starts inside the root (CUPS, the kiosk itself).
    printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
    chmod 755 "$ROOT/usr/sbin/policy-rc.d"
    cp "${borne_debs[0]}" "${ttkb_debs[0]}" "$ROOT/tmp/"

    say "installing borne and its dependencies from the archive"
    t2=$(date +%s)
    # mmdebstrap leaves no package lists behind: fetch them as a new machine would.
    in_root apt-get update -q >"$WORK/update.log" 2>&1 \
        || { tail -20 "$WORK/update.log" >&2; fail "apt-get update in the root failed"; }
    before=$(root_kib)
    in_root apt-get install -y -q "/tmp/$(basename "${borne_debs[0]}")" \
        "/tmp/$(basename "${ttkb_debs[0]}")" >"$WORK/install.log" 2>&1 \
        || { tail -30 "$WORK/install.log" >&2; fail "apt-get install of the packages failed"; }
    t3=$(date +%s)
    in_root apt-get clean
    after=$(root_kib)
    installed_kib=$(in_root dpkg-query -W -f='${Installed-Size}' borne)
    ttkb_kib=$(in_root dpkg-query -W -f='${Installed-Size}' python3-ttkbootstrap)
    ok "installed ($(grep -c '^Unpacking ' "$WORK/install.log") packages unpacked)"

    check_commands
    check_session_runs
    check_installed_files
    check_user
    check_kiosk_rights
    check_unit
    check_upgrade_keeps_edits
    check_remove
    check_purge

    say "all checks passed"
    say "time: root $((t1 - t0)) s, install with downloads $((t3 - t2)) s, whole test $(( $(date +%s) - t0 )) s"
    say "Installed-Size: borne $installed_kib KiB, python3-ttkbootstrap $ttkb_kib KiB"
    say "the root grew by $(( (after - before) / 1024 )) MiB with the kiosk and its dependencies (apt's cache cleaned, package lists not counted)"
}

main "$@"
