import json

from tests.conftest import article_page, prose, rss_feed


def test_unusable_urls_of_a_sources_file_are_counted_by_source_and_line(make_web, crawl, tmp_path):
    web = make_web(
        {
            "news.test/feed.xml": rss_feed(["http://news.test/a.html", "http://news.test/b.html"]),
            "news.test/a.html": article_page("A", prose(91)),
            "news.test/b.html": article_page("B", prose(92)),
            "site.test/story.html": article_page("Story", prose(93)),
        }
    )
    sources = tmp_path / "sources.toml"
    sources.write_text(
        "[[source]]\n"
        'name = "Wire"\n'
        'feeds = ["http://news.test/feed.xml",\n'
        '         "news.test/other.xml"]\n'  # line 4
        "\n"
        "[[source]]\n"
        'name = "Site"\n'
        'sitemaps = ["ftp://site.test/sitemap.xml"]\n'  # line 8
        'start = ["http://site.test/story.html"]\n'
        "depth = 0\n"
    )
    result = crawl("news", args={"sources": str(sources)}, proxy=web.address)
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(r["title"] for r in result.articles) == ["A", "B", "Story"]
    assert result.stats["newsfold/skipped/bad_url"] == 2
    assert (
        f"Skipped news.test/other.xml (bad_url): {sources} line 4 (source 'Wire', feeds): "
        "no scheme (write https://news.test/other.xml)" in result.log
    )
    assert (
        f"Skipped ftp://site.test/sitemap.xml (bad_url): {sources} line 8 (source 'Site', "
        "sitemaps): not http(s): ftp: URLs are not fetched" in result.log
    )
    (manifest,) = (json.loads(p.read_text()) for p in result.workdir.glob("manifest-*.json"))
    assert manifest["totals"]["skipped"] == {"bad_url": 2}
    assert manifest["sources"]["Wire"]["skipped"] == {"bad_url": 1}
    assert manifest["sources"]["Wire"]["articles"] == 2
    assert manifest["sources"]["Site"]["skipped"] == {"bad_url": 1}
    assert manifest["sources"]["Site"]["articles"] == 1


def test_a_sources_file_with_no_usable_url_does_not_start(crawl, tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "x"\nfeeds = ["news.test/feed.xml"]\n')
    result = crawl("news", args={"sources": str(sources)})
    assert result.returncode == 3
    assert (
        f"Failed to start (exit code 3): nothing to crawl: {sources} line 3 (source 'x', feeds): "
        "'news.test/feed.xml': no scheme (write https://news.test/feed.xml)" in result.log
    )
