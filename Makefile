# The two commands a newcomer needs: `make run` and `make test`.
# Both install what is missing first (scripts/setup.sh is idempotent).

VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint bench clean

setup:
	@scripts/setup.sh

run: setup
	@scripts/run.sh

lint: setup
	$(BIN)/ruff check kiosk tests bench
	$(BIN)/mypy

test: setup lint
	@scripts/test.sh

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist *.egg-info kiosk/locale/*/ tests/artifacts
