# The two promises of the README: `make run` and `make test` work on a fresh machine
# with Python 3.11+. Everything is installed into .venv from the pinned lock file.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo training test unit journeys deploy-smoke lint bench package screenshots clean

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

# The practice notes with a training banner, for the induction course.
training: $(STAMP)
	$(BIN)/ips-desktop --training

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy ips_desktop

# The unit and integration tests, then the journeys: the shipped programs driven on a virtual
# screen through the accessibility tree (tests/journeys/). tools/system-packages installs what
# they need from the system (as root with apt-get) or says what is missing.
test: lint unit deploy-smoke journeys

unit: $(STAMP)
	tools/system-packages --ensure unit
	tools/with-secret-service $(BIN)/python -m pytest

# docs/deploy.md followed literally in an empty folder: install, relay, office, a laptop's record.
deploy-smoke: $(STAMP)
	$(BIN)/python tools/deploy-smoke

journeys: $(STAMP)
	tools/system-packages --ensure journeys
	tools/journeys

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

package: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pyinstaller==6.22.3 pyinstaller-hooks-contrib==2026.9
	$(BIN)/pyinstaller --noconfirm --clean build.spec
	dist/ips-desktop/ips-desktop --self-test

# The README's and the guide's pictures, from the real app at 1366×768, and docs/guide.md.
screenshots: $(STAMP)
	tools/system-packages --ensure journeys
	$(BIN)/python tools/screenshots docs/screenshots

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
