# The two commands a newcomer needs: `make run` and `make test`.
# Both install what is missing first (scripts/setup.sh is idempotent).

VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint bench clean deb deb-test

setup:
	@scripts/setup.sh

run: setup
	@scripts/run.sh

lint: setup
	$(BIN)/ruff check kiosk tests bench
	$(BIN)/mypy

test: setup lint
	@scripts/test.sh

# The Debian packages (borne and python3-ttkbootstrap) into dist/, then lintian.
deb: setup
	@scripts/build-deb.sh
	@scripts/lint-deb.sh

# Build, install into a fresh Debian 12 root, use, remove and purge.
deb-test: deb
	@scripts/deb-test.sh

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf --one-file-system $(VENV) build dist *.egg-info kiosk/locale/*/ tests/artifacts
