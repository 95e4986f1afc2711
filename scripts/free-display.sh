#!/usr/bin/env bash
# Print the number of an X display nobody uses.
for n in $(seq 20 99); do
    if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then echo "$n"; exit 0; fi
done
echo "no free X display number" >&2
exit 1
