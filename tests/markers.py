"""Which tests start a crawl, need redis-server, drive chromium or start a subprocess:
found, not hand-marked; and the tests measured slow.

A test is marked when it, or a fixture it uses (at any depth), calls one of the ROOTS
below, directly or through a helper of its own module: the calls are read from each
module's syntax tree, so a new test that crawls through `run_crawl`, the `crawl`
fixture, or a module helper built on them is marked without anyone remembering to.
`crawl_command` and the Redis fixtures also check at run time that their test carries
the marker (`tests.conftest`), so a crawl the reading misses fails loudly instead of
slowing down `make test-fast`.
"""

from __future__ import annotations

import ast
import inspect
from functools import cache
from pathlib import Path
from typing import Any

import pytest

# marker -> the names whose call means the test needs it
ROOTS: dict[str, frozenset[str]] = {
    "crawl": frozenset({"run_crawl", "crawl_command", "CrawlerProcess", "CrawlerRunner"}),
    "redis": frozenset({"RedisServer", "redis_server", "durable_redis"}),
    "browser": frozenset({"chromium_page"}),
    # A subprocess is a Python that imports Scrapy (the CLI, `scrapy report`): 1-3 s each.
    "slow": frozenset({"subprocess"}),
}

# Tests over 0.5 s that start no crawl, server, browser or subprocess (`make test-fast`
# leaves them out), by node id prefix, as `--durations=0` measured them.
SLOW = (
    # 10.7 s: extraction in two worker processes and in the crawl's own
    "tests/pipelines/test_extract.py::test_worker_processes_give_the_same_documents",
    # 3.5 s and 2.7 s: sitemaps of 50,000 URLs
    "tests/crawler/test_sitemaps.py::test_a_sitemap_over_the_protocols_url_limit_is_read_whole",
    "tests/crawler/spiders/test_sitemaps.py::test_a_sitemap_over_the_protocols_url_limit_is_counted",
    # 1.7 s: a real Retry-After wait of 1 s
    "tests/crawler/middlewares/test_retry_after.py::test_middleware_waits_gives_up_or_retries",
    # 0.9-1.5 s each: every prefix of a feed parsed
    "tests/crawler/test_parse_feed.py::test_every_prefix_of_a_feed_gives_exactly_its_complete_entries",
    # 0.9 s: a real engine with AutoThrottle
    "tests/crawler/middlewares/test_robots_delay.py::test_crawl_delay_for_our_agent_is_capped",
    # 0.7 s each
    "tests/pipelines/extraction/test_embedded.py::test_a_shell_page_gets_its_story_from_its_scripts",
    "tests/pipelines/test_collapse.py::test_the_stories_and_their_articles_do_not_depend_on",
)
# Fixtures that take over 0.5 s to build: a test using one (or given its name as a
# parameter, for `request.getfixturevalue`) is slow.
SLOW_FIXTURES = {
    "real",  # 1.6 s: the syndication web built from the shared real pages
}


def _called(node: ast.AST) -> set[str]:
    """The names a function calls or reads."""
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            names.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.add(sub.attr)
    return names


@cache
def _module_needs(path: Path) -> dict[str, frozenset[str]]:
    """For each marker, the functions of a module that need it, through its own helpers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            calls.setdefault(node.name, set()).update(_called(node))
    needs = {}
    for marker, roots in ROOTS.items():
        found = set(roots)
        while grown := {f for f, names in calls.items() if f not in found and names & found}:
            found |= grown
        needs[marker] = frozenset(found)
    return needs


def _function_needs(function: Any) -> set[str]:
    """The markers a test or fixture function needs by what its own body calls."""
    try:
        path = Path(inspect.getfile(function))
    except TypeError:
        return set()
    if path.suffix != ".py" or "tests" not in path.parts:
        return set()
    name = function.__name__
    return {marker for marker, found in _module_needs(path).items() if name in found}


def needs(item: pytest.Item) -> set[str]:
    """The markers an item needs: by its own body, its fixtures' bodies and names, a
    `redis` parameter of a backend fixture (`state_url`), and the measured slow lists."""
    found: set[str] = set()
    function = getattr(item, "function", None)
    if function is not None:
        found |= _function_needs(function)
    info = getattr(item, "_fixtureinfo", None)
    fixtures = set(getattr(item, "fixturenames", ()))
    for name in fixtures:
        for marker, roots in ROOTS.items():
            if name in roots:
                found.add(marker)
        for fixturedef in info.name2fixturedefs.get(name, ()) if info else ():
            found |= _function_needs(fixturedef.func)
    callspec = getattr(item, "callspec", None)
    params = {v for v in callspec.params.values() if isinstance(v, str)} if callspec else set()
    if "redis" in params:
        found.add("redis")
    if item.nodeid.startswith(SLOW) or SLOW_FIXTURES & (fixtures | params):
        found.add("slow")
    return found
