"""The automatic markers (`tests.markers`) and the skip-or-fail of a missing server binary."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import require_binary, require_marker
from tests.markers import _module_needs


def test_a_test_is_marked_through_its_modules_helpers(tmp_path: Path) -> None:
    module = tmp_path / "tests" / "test_sample.py"
    module.parent.mkdir()
    module.write_text(
        "def helper(w):\n    return run_crawl('urls', w)\n\n"
        "def indirect(w):\n    return helper(w)\n\n"
        "def test_crawls(tmp_path):\n    indirect(tmp_path)\n\n"
        "def test_redis(redis_server):\n    assert redis_server\n\n"
        "def test_plain():\n    assert 1\n"
    )
    needs = _module_needs(module)
    assert {"helper", "indirect", "test_crawls"} <= needs["crawl"]
    assert "test_redis" in needs["redis"]
    assert not any("test_plain" in found for found in needs.values())


def test_a_missing_binary_skips_and_fails_where_required(monkeypatch) -> None:
    monkeypatch.delenv("NEWSFOLD_REQUIRE_REDIS", raising=False)
    require_binary("redis", "redis-server", "/usr/bin/redis-server")
    with pytest.raises(pytest.skip.Exception, match="redis-server is not installed"):
        require_binary("redis", "redis-server", None)
    monkeypatch.setenv("NEWSFOLD_REQUIRE_REDIS", "1")
    with pytest.raises(pytest.fail.Exception, match="NEWSFOLD_REQUIRE_REDIS=1 requires it"):
        require_binary("redis", "redis-server", None)


def test_a_server_started_by_an_unmarked_test_fails_it(request: pytest.FixtureRequest) -> None:
    """This test is not marked `redis`: starting a server for it fails it."""
    assert request.node.get_closest_marker("redis") is None
    with pytest.raises(pytest.fail.Exception, match="starts redis-server but is not marked"):
        require_marker("redis", "starts redis-server")
