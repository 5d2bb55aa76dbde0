"""The run manifest: written next to the output, with counts per source."""

from __future__ import annotations

import json

from tests.conftest import STORY_WEB_SOURCES, article_page, prose, rss_feed, story_web


def test_the_manifest_counts_each_source_and_lists_the_files(make_web, crawl, tmp_path):
    files = story_web(3, copies=2)
    files["news.test/about.html"] = article_page("About us", prose(7))
    files["news.test/feed.xml"] = rss_feed(
        [*(f"http://news.test/story-{n}.html" for n in range(3)), "http://news.test/about.html"]
    )
    server = make_web(files)
    sources = tmp_path / "sources.toml"
    sources.write_text(STORY_WEB_SOURCES)
    first = crawl("news", args={"sources": str(sources)}, proxy=server.address, output=None)
    assert first.returncode == 0, first.log
    output = tmp_path / "run" / "output"
    (path,) = output.glob("manifest-*.json")
    manifest = json.loads(path.read_text())
    run = manifest["run"]
    assert path.name == f"manifest-{run}.json"
    assert manifest["spider"] == "news" and manifest["exit_code"] == 0
    assert manifest["finish_reason"] == "finished"
    assert manifest["started"] <= manifest["finished"]
    news, mirror = manifest["sources"]["News"], manifest["sources"]["Mirror"]
    # Which of a story's two pages is kept depends on which arrived first.
    assert news["fetched"] == 5 and news["articles"] + news["copies"] == 3
    assert news["dropped"] == {"service_page": 1} and news["skipped"] == news["errors"] == {}
    assert mirror["fetched"] == 3 and mirror["articles"] + mirror["copies"] == 2
    assert manifest["totals"]["articles"] + manifest["totals"].get("copies", 0) == 5
    assert sorted(f["path"].rsplit("/", 1)[1] for f in manifest["files"]) == [
        f"articles-{run}.jsonl",
        f"copies-{run}.jsonl",
    ]
    # A page met before the page that became its story's article is written again.
    rewritten = sum(v for k, v in first.stats.items() if k.startswith("newsfold/rewritten/"))
    assert sum(f["records"] for f in manifest["files"]) == 5 + rewritten

    crawl("news", args={"sources": str(sources)}, proxy=server.address, output=None)
    second = max(output.glob("manifest-*.json"))
    assert second != path
    assert json.loads(second.read_text())["sources"]["News"]["skipped"] == {"seen": 4}
