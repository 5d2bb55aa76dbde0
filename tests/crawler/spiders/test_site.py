from crawler.exitcodes import NOTHING_FOUND
from tests.conftest import article_page, prose


def test_site_crawl_sends_only_articles_to_extraction(sample_server, crawl):
    result = crawl(
        "site", args={"start": "http://briefs.test/", "depth": "1"}, proxy=sample_server.address
    )
    assert result.returncode == 0, result.log[-2000:]
    assert {r["site"] for r in result.records} == {"briefs.test"}
    assert sorted(r["url"].rsplit("/", 1)[-1] for r in result.records) == [
        "20131212-algeria-libya-security-cooperation.html",
        "20140106-kenya-iten-cross-country.html",
        "20140113-malawi-voter-registration.html",
    ]
    assert result.stats["newsfold/site/not_article_like"] >= 3


def test_depth_zero_reads_only_the_start_page(sample_server, crawl):
    result = crawl(
        "site", args={"start": "http://briefs.test/", "depth": "0"}, proxy=sample_server.address
    )
    assert result.returncode == NOTHING_FOUND
    assert result.records == []
    assert result.stats.get("downloader/request_count", 0) <= 2  # robots.txt and the page


def test_unusable_start_pages_and_links_are_skipped(make_web, crawl):
    home = (
        "<html><body><h1>Site</h1>"
        '<a href="/story.html">Story</a> <a href="javascript:void(0)">Menu</a> '
        '<a href="mailto:desk@site.test">Mail</a> <a href="http://site.test:99999/x.html">X</a> '
        '<a href="http://site.test:port/y.html">Y</a> <a href="http://[::1/z.html">Z</a>'
        "</body></html>"
    )
    web = make_web(
        {"site.test/index.html": home, "site.test/story.html": article_page("Story", prose(94))}
    )
    result = crawl(
        "site",
        args={"start": "http://site.test/,site.test/,mailto:desk@site.test", "depth": "1"},
        proxy=web.address,
    )
    assert result.returncode == 0, result.log[-3000:]
    assert [r["title"] for r in result.articles] == ["Story"]
    assert result.stats["newsfold/skipped/bad_url"] == 2  # the two start entries
    assert "Skipped site.test/ (bad_url): -a start= item 2: no scheme" in result.log
    assert "Traceback" not in result.log and "Spider error" not in result.log
