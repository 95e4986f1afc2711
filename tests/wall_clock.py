"""Moving a program's wall clock, and only its wall clock, without touching the machine's.

A small library preloaded into the program (LD_PRELOAD, inherited by what it
starts) adds an offset, read from a file the test rewrites, to every wall-clock
reading: `clock_gettime` on the real-time clocks, `gettimeofday` and `time`.
The monotonic and boot clocks are left alone, as a real clock change leaves them.

Why not libfaketime: with FAKETIME_DONT_FAKE_MONOTONIC, its version 0.9.10
(Debian 12) turns Python 3.11's `time.sleep` (an absolute monotonic
`clock_nanosleep`) into EINVAL, and the browser crashes under it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

OFFSET_VARIABLE = "BORNE_TEST_WALL_CLOCK_OFFSET_FILE"

_SOURCE = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, void *);

static clock_gettime_fn real_clock_gettime;
static gettimeofday_fn real_gettimeofday;
static volatile long offset_seconds;
static volatile long checked_at = -1;  /* monotonic second of the last read */

static void find_real(void) {
    if (!real_clock_gettime)
        real_clock_gettime = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
    if (!real_gettimeofday)
        real_gettimeofday = (gettimeofday_fn)dlsym(RTLD_NEXT, "gettimeofday");
}

/* The offset in the file (seconds, signed), read again at most once a second. */
static long offset(void) {
    struct timespec now;
    find_real();
    real_clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec != checked_at) {
        checked_at = now.tv_sec;
        const char *path = getenv("OFFSET_VARIABLE");
        if (path) {
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd >= 0) {
                char text[32] = {0};
                if (read(fd, text, sizeof text - 1) > 0)
                    offset_seconds = strtol(text, NULL, 10);
                close(fd);
            }
        }
    }
    return offset_seconds;
}

static int is_wall_clock(clockid_t id) {
    return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI;
}

int clock_gettime(clockid_t id, struct timespec *ts) {
    find_real();
    int result = real_clock_gettime(id, ts);
    if (result == 0 && is_wall_clock(id))
        ts->tv_sec += offset();
    return result;
}

int gettimeofday(struct timeval *tv, void *tz) {
    find_real();
    int result = real_gettimeofday(tv, tz);
    if (result == 0 && tv)
        tv->tv_sec += offset();
    return result;
}

time_t time(time_t *out) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (out)
        *out = now.tv_sec;
    return now.tv_sec;
}
""".replace("OFFSET_VARIABLE", OFFSET_VARIABLE)


def build_shift_library(folder: Path) -> Path | None:
    """Compile the preload library into `folder`; None when no C compiler is installed."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    source = folder / "wall_clock_shift.c"
    library = folder / "wall_clock_shift.so"
    source.write_text(_SOURCE, encoding="ascii")
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", str(library), str(source),
                    "-ldl"], check=True, capture_output=True, text=True)
    library.chmod(0o755)
    return library


def set_offset(offset_file: Path, seconds: int) -> None:
    """Move the wall clock of the programs that read `offset_file` to real time + `seconds`."""
    temporary = offset_file.with_suffix(".new")
    temporary.write_text(f"{seconds}\n", encoding="ascii")
    temporary.chmod(0o644)
    temporary.replace(offset_file)
