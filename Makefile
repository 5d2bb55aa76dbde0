# newsfold: `make demo` crawls the bundled sample sites offline; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install demo test test-fast lint check clean bench bench-extract bench-dedup bench-scale bench-throughput bench-report bench-same bench-warc redis-server chromium

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) sample/demo.py

test: install redis-server chromium
	$(PY) -m pytest

# The tests that start no crawl and need no redis-server or chromium: under a minute.
test-fast: install
	$(PY) -m pytest -m "not crawl and not redis and not slow and not browser"

# The Redis tests start their own redis-server (Debian's package) on a free loopback port.
redis-server:
	@command -v redis-server >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server >/dev/null && \
		{ $$SUDO service redis-server stop >/dev/null 2>&1 || true; }; }

# The report's tests and benchmark render it in Debian's headless chromium (Playwright
# drives it; no browser is downloaded).
chromium:
	@command -v chromium >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pre-commit validate-config .pre-commit-config.yaml
	$(VENV)/bin/mypy

check: lint test

bench: bench-extract bench-dedup bench-scale bench-throughput bench-report bench-warc

# Extraction quality on ../shared/data/fundus-news-pages and robustness on
# ../shared/data/trafilatura-eval, newsfold beside plain trafilatura; then a generated site
# of each layout family crawled whole (chrome lines, exact titles).
bench-extract: install
	$(PY) -m bench.extract
	$(PY) -m bench.extract --set trafilatura-eval
	$(PY) -m bench.layouts

# Duplicate collapse on a generated syndication web, newsfold beside plain MinHashLSH.
bench-dedup: install
	$(PY) -m bench.dedup
	$(PY) -m bench.collapse_scale

# One crawler process against two on one Redis (pages/s), collapse decisions/s on Redis,
# Redis memory per indexed article.
bench-scale: install redis-server
	$(PY) -m bench.scale

clean:
	rm -rf output/demo state .pytest_cache .mypy_cache .ruff_cache

# Crawl throughput against a bare trafilatura loop, and cost per page along a long crawl.
bench-throughput: install
	$(PY) -m bench.throughput --profile

# The syndication report of 10,000 generated stories: file size, time to write it, and
# time for headless chromium to load and draw it.
bench-report: install chromium
	$(PY) -m bench.report

# WARC in: the warc spider against a bare trafilatura loop, its peak memory on a 100 MB and
# a 1 GB WARC (generated under /tmp), warcio against FastWARC (installed here only, not a
# dependency of newsfold).
bench-warc: install
	-$(PY) -m pip install --quiet 'fastwarc>=2.0,<3'
	$(PY) -m bench.warc_in

# The same crawls (the demo, the syndication web in two orders, every layout family) by
# the current tree and by BASE, compared record by record; exit 1 on any difference.
# BASE is a git revision: the commit before a refactor (HEAD~1 by default), a tag.
BASE ?= HEAD~1
bench-same: install
	$(PY) -m bench.same_output --base $(BASE)
