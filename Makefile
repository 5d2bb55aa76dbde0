# newsfold: `make demo` crawls the bundled sample sites offline; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install demo test lint check clean bench bench-extract bench-dedup

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) sample/demo.py

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

check: lint test

bench: bench-extract bench-dedup

# Extraction quality on ../shared/data/fundus-news-pages, newsfold beside plain trafilatura.
bench-extract: install
	$(PY) -m bench.extract

# Duplicate collapse on a generated syndication web, newsfold beside plain MinHashLSH.
bench-dedup: install
	$(PY) -m bench.dedup
	$(PY) -m bench.collapse_scale

clean:
	rm -rf output/demo state .pytest_cache .mypy_cache .ruff_cache
