#!/usr/bin/env bash
# The whole suite with the real components, and the package test.
#
# With no argument: the package test (`make deb-test`: a fresh Debian root, mostly
# downloading and unpacking) runs beside the tests that do not start the kiosk, then
# the end-to-end tests run alone, as they are the ones a busy machine can upset.
# With arguments: pytest with them, nothing else.
# pytest's "no tests ran" (5) is a failure either way.
set -uo pipefail
cd "$(dirname "$0")/.."

pytest_part() {
    .venv/bin/python -m pytest "$@"
    local status=$?
    if [ "$status" -eq 5 ]; then
        echo "pytest collected no tests: that is a failure" >&2
        return 1
    fi
    return "$status"
}

if [ "$#" -gt 0 ]; then
    pytest_part "$@"
    exit $?
fi

mkdir -p build
package_log=build/deb-test.log
make --no-print-directory deb-test >"$package_log" 2>&1 &
package=$!

pytest_part --ignore=tests/e2e tests
units=$?
echo "--- waiting for the package test (make deb-test, its log in $package_log)"
wait "$package"
package_status=$?
cat "$package_log"

pytest_part tests/e2e
e2e=$?

echo "--- tests without the kiosk: status $units; package test: status $package_status;" \
    "end-to-end tests: status $e2e"
[ "$units" -eq 0 ] && [ "$package_status" -eq 0 ] && [ "$e2e" -eq 0 ]
