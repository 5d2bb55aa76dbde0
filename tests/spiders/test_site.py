from crawler.exitcodes import NOTHING_FOUND


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
