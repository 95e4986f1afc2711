# The two commands a newcomer needs: `make run` and `make test`.
# Both install what is missing first (scripts/setup.sh is idempotent).

VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint bench soak monkey repo bundle clean deb deb-test i18n

setup:
	@scripts/setup.sh

run: setup
	@scripts/run.sh

lint: setup
	$(BIN)/ruff check kiosk tests bench
	$(BIN)/mypy

# The whole suite, and the package installed into a fresh Debian 12 root (so that
# every change is checked as IT staff will meet it): scripts/test.sh runs the package
# test beside the tests that do not start the kiosk, then the end-to-end tests.
test: setup lint
	@scripts/test.sh

# The Debian packages (borne and python3-ttkbootstrap) into dist/, then lintian.
deb: setup
	@scripts/build-deb.sh
	@scripts/lint-deb.sh

# Build, install into a fresh Debian 12 root, use, remove and purge.
deb-test: deb
	@scripts/deb-test.sh

# The translations: extract the resident-visible strings of kiosk/ into
# kiosk/locale/kiosk.pot, bring every kiosk/locale/<lang>.po up to it, then say
# what is left to translate. A new language is one more .po (see the README).
i18n: setup
	$(BIN)/python scripts/catalogues.py update
	$(BIN)/python scripts/catalogues.py check

# Every benchmark, each beside its reference measured in the same run, then one table
# (also in bench/results.json); about 15 minutes on two cores. The session loop runs
# again on 2 GiB of memory and one CPU (bench/floor.py, about 2.5 minutes):
# BENCH_FLOOR=0 leaves that out, BENCH_SESSIONS=N shortens the normal loop (100).
bench: setup
	$(BIN)/python -m bench

# Many sessions in one kiosk process (SOAK_SESSIONS=1000 by default, about 2 h on
# two cores), watching memory, fds, threads, processes and leftovers: bench/soak.py.
soak: setup
	$(BIN)/python -m pip install -q -e '.[dev,soak]' >/dev/null
	$(BIN)/python -m bench.soak

# Random keys, chords, clicks and drags on the real kiosk (tests/monkey.py), then
# checks that it is still locked, alone on the screen, clean and leak-free:
# MONKEY_SECONDS=600 by default; MONKEY_SEED=N replays a run (the seed is printed).
monkey: setup
	$(BIN)/python tests/monkey.py

# Publish dist/*.deb into a signed apt repository for the terminals (docs/deploy.md):
#   make repo REPO_KEY=<fingerprint of a secret GPG key> [REPO_DIR=dist/apt]
# bookworm, main, amd64; serve REPO_DIR over HTTP(S) or copy it to the terminals.
repo: setup
	@REPO_KEY="$(REPO_KEY)" REPO_DIR="$(REPO_DIR)" scripts/make-repo.sh

# The one-folder bundle for distributions other than Debian: dist/borne/kiosk.
bundle: setup
	@scripts/build-bundle.sh

clean:
	rm -rf --one-file-system $(VENV) build dist *.egg-info kiosk/locale/*/ tests/artifacts
