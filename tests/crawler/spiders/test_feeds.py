from crawler.exitcodes import NOTHING_FOUND
from tests.conftest import article_page, prose, rss_feed

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>Feed title A</title><link>http://news.test/a.html?utm_source=rss</link>
<pubDate>Tue, 05 Mar 2024 08:00:00 +0000</pubDate></item>
<item><title>B</title><link>http://news.test/b.html</link></item>
</channel></rss>"""


def test_sample_rss_rdf_and_atom_feeds(sample_server, crawl):
    feeds = ",".join(
        [
            "http://africawire.test/tools/headlines/rdf/latest/headlines.rdf",
            "http://libyaobserver.test/feed/index.xml",
            "http://maghrebpost.test/atom.xml",
        ]
    )
    result = crawl("feeds", args={"feeds": feeds}, proxy=sample_server.address)
    assert result.returncode == 0, result.log[-2000:]
    by_site: dict[str, int] = {}
    for record in result.current:
        by_site[record["site"]] = by_site.get(record["site"], 0) + 1
    assert by_site == {"africawire.test": 4, "libyaobserver.test": 4, "maghrebpost.test": 3}
    assert len(result.copies) == 2


def test_feed_date_is_evidence_when_the_page_has_none(make_web, crawl):
    web = make_web(
        {
            "news.test/feed.xml": RSS,
            "news.test/a.html": article_page("Page title A", prose(1)),
            "news.test/b.html": article_page("B", prose(2), published="2024-03-06T09:00:00Z"),
        }
    )
    result = crawl("feeds", args={"feeds": "http://news.test/feed.xml"}, proxy=web.address)
    assert result.returncode == 0, result.log[-2000:]
    by_title = {r["title"]: r for r in result.articles}
    assert by_title["Page title A"]["published"] == "2024-03-05T08:00:00+00:00"
    assert by_title["Page title A"]["published_source"] == "feed"
    assert by_title["Page title A"]["url"] == "http://news.test/a.html"
    assert by_title["B"]["published_source"] == "meta"


def test_a_feed_that_is_not_a_feed_is_counted(make_web, crawl):
    web = make_web({"news.test/feed.xml": "<html><body>Moved</body></html>"})
    result = crawl("feeds", args={"feeds": "http://news.test/feed.xml"}, proxy=web.address)
    assert result.returncode == NOTHING_FOUND
    assert result.records == []
    assert result.stats["newsfold/skipped/bad_feed"] == 1
    assert "bad_feed" in result.log


def test_since_skips_feed_entries_dated_before_it(make_web, crawl):
    web = make_web(
        {
            "news.test/feed.xml": RSS,
            "news.test/a.html": article_page("Page title A", prose(1)),
            "news.test/b.html": article_page("B", prose(2), published="2024-03-06T09:00:00Z"),
        }
    )
    result = crawl(
        "feeds",
        args={"feeds": "http://news.test/feed.xml", "since": "2024-03-06"},
        proxy=web.address,
    )
    assert [r["url"] for r in result.records] == ["http://news.test/b.html"]  # B has no date
    assert result.stats["newsfold/skipped/older_than_since"] == 1


def test_parse_since():
    from datetime import UTC, datetime

    import pytest

    from crawler.config import ConfigError
    from crawler.spiders.base import parse_since

    now = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    assert parse_since("2d", now) == datetime(2024, 3, 8, 12, 0, tzinfo=UTC)
    assert parse_since("90m", now) == datetime(2024, 3, 10, 10, 30, tzinfo=UTC)
    assert parse_since("2024-03-01", now) == datetime(2024, 3, 1, tzinfo=UTC)
    assert parse_since(None, now) is None
    with pytest.raises(ConfigError, match="since="):
        parse_since("last week", now)


def test_links_that_cannot_be_fetched_are_counted_and_the_feed_read_on(make_web, crawl):
    bad = [
        "javascript:void(0)",
        "mailto:desk@news.test",
        "data:text/html,hi",
        "http://news.test:port/x.html",
        "ftp://news.test/c.html",
    ]
    links = ["http://news.test/a.html", *bad[:3], "/b.html", *bad[3:], "http://news.test/c.html"]
    web = make_web(
        {
            "news.test/feed.xml": rss_feed(links),
            **{
                f"news.test/{n}.html": article_page(n.upper(), prose(70 + i))
                for i, n in enumerate("abc")
            },
        }
    )
    result = crawl("feeds", args={"feeds": "http://news.test/feed.xml"}, proxy=web.address)
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(r["title"] for r in result.articles) == ["A", "B", "C"]
    assert result.stats["newsfold/skipped/bad_url"] == len(bad)
    for url in bad:
        assert f"Skipped http://news.test/feed.xml (bad_url): {url!r}: " in result.log
    assert "Traceback" not in result.log and "Spider error" not in result.log
