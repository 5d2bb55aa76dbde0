"""Every layout family, crawled whole by the real `site` spider: no chrome, exact titles.

One site of 30 articles per family (`bench.layout_web`), crawled from its home page
through the real spider and pipelines. No line of any record's text may be one the
article did not publish; every title is exact from the site's fourth record on (its
first pages are what its template is learned from); every article is extracted whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.layout_web import FAMILIES, LayoutPage, build, site_for
from bench.layouts import score_family
from tests.conftest import SitesServer, run_crawl

PAGES = 30


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[LayoutPage]]:
    root = tmp_path_factory.mktemp("layouts") / "sites"
    return root, build(root, pages=PAGES, seed=11)


@pytest.fixture(scope="module")
def server(web: tuple[Path, list[LayoutPage]]) -> Iterator[SitesServer]:
    server = SitesServer(web[0])
    yield server
    server.stop()


@pytest.mark.parametrize("family", FAMILIES)
def test_a_site_of_each_family_comes_out_clean(family, web, server, tmp_path):
    host = site_for(family).host
    result = run_crawl(
        "site", tmp_path / family, args={"start": f"http://{host}/"}, proxy=server.address
    )
    assert result.returncode == 0, result.log[-2000:]
    score = score_family(family, web[1], result.records)
    assert score.missing == []
    assert score.chrome == []
    assert score.wrong_titles == []
    assert score.recall >= 0.98, score.lost[:5]
