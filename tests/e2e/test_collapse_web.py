"""Duplicate collapse end to end: a generated syndication web crawled by the real spider.

Every copy kind is folded with its original, no hard negative is merged, and the story
clusters in the state are the same for two crawl orders.
"""

import pytest

from bench.dedup import clusters, score, state_partition
from bench.story_scores import pairs
from bench.syndication_web import Web, build_web
from tests.conftest import SitesServer, run_crawl


@pytest.fixture(scope="module")
def web(tmp_path_factory) -> Web:
    return build_web(tmp_path_factory.mktemp("web") / "sites", originals=24, seed=3, source=None)


@pytest.fixture(scope="module")
def server(web):
    server = SitesServer(web.root)
    yield server
    server.stop()


def crawl_in_order(web, server, workdir, seed):
    workdir.mkdir(parents=True)
    (workdir / "urls.txt").write_text("\n".join(web.article_urls(seed)) + "\n")
    result = run_crawl(
        "urls", workdir, args={"file": str(workdir / "urls.txt")}, proxy=server.address
    )
    assert result.returncode == 0, result.log[-2000:]
    return result, state_partition(workdir / "state.sqlite")


def test_every_copy_kind_folds_and_no_negative_merges(web, server, tmp_path):
    result, partition = crawl_in_order(web, server, tmp_path / "a", seed=1)
    figures = score(web, partition)
    assert figures["pages seen"] == len(web.pages)
    assert figures["pair precision"] == 1.0
    assert figures["pair recall"] == 1.0
    assert figures["excerpts folded"] == 1.0
    assert figures["negatives merged"] == 0
    kinds = {page.url: page.kind for page in web.pages}
    folded = {kinds[record["url"]] for record in result.copies}
    assert {"verbatim", "retitled", "credited", "edited", "padded"} <= folded


def test_clusters_do_not_depend_on_the_crawl_order(web, server, tmp_path):
    _, first = crawl_in_order(web, server, tmp_path / "a", seed=1)
    _, second = crawl_in_order(web, server, tmp_path / "b", seed=2)
    assert clusters(first) == clusters(second)
    assert pairs(first)
