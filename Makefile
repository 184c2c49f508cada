# The two promises of the README: `make run` and `make test` work on a fresh machine
# with Python 3.11+. Everything is installed into .venv from the pinned lock file.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo test lint bench package screenshot clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -c 'import sys; sys.exit("IPS Desktop needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/ips-desktop

demo: $(STAMP)
	$(BIN)/ips-desktop --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy ips_desktop/domain ips_desktop/crypto ips_desktop/store ips_desktop/sync ips_desktop/office ips_desktop/reports ips_desktop/relay ips_desktop/selftest.py

test: lint
	tools/with-secret-service $(BIN)/python -m pytest

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

package: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pyinstaller==6.22.3 pyinstaller-hooks-contrib==2026.9
	$(BIN)/pyinstaller --noconfirm --clean build.spec
	dist/ips-desktop/ips-desktop --self-test

screenshot: $(STAMP)
	tools/screenshot docs/main-window.png

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
