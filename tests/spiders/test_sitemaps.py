from crawler.exitcodes import NOTHING_FOUND
from tests.conftest import article_page, prose

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://news.test/a.html</loc><news:news>
<news:publication><news:name>T</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2024-03-05T08:00:00+00:00</news:publication_date>
<news:title>Sitemap title</news:title></news:news></url></urlset>"""


def test_sites_argument_reads_robots_index_and_news_sitemap(sample_server, crawl):
    result = crawl(
        "sitemaps", args={"sites": "http://sahelmonitor.test"}, proxy=sample_server.address
    )
    assert result.returncode == 0, result.log[-2000:]
    assert sorted(r["url"].rsplit("/", 1)[-1] for r in result.articles) == [
        "1174-mali-meningitis-vaccine-river-villages.html",
        "1187-algeria-libya-to-bolster-security-co-operation.html",
        "1195-niger-tahoua-onion-storage.html",
    ]
    assert result.stats["newsfold/dropped/home_page"] == 1
    assert result.stats["newsfold/dropped/service_page"] == 1


def test_news_sitemap_date_and_title_are_used(make_web, crawl):
    page = article_page("", prose(3), author=None).replace("<title> | Test Times</title>", "")
    web = make_web({"news.test/sitemap.xml": NEWS_SITEMAP, "news.test/a.html": page})
    result = crawl("sitemaps", args={"sitemaps": "http://news.test/sitemap.xml"}, proxy=web.address)
    (article,) = result.articles
    assert article["published"] == "2024-03-05T08:00:00+00:00"
    assert article["published_source"] == "sitemap"
    assert article["title"] == "Sitemap title"


def test_robots_without_sitemap_and_broken_sitemap_are_counted(make_web, crawl):
    web = make_web(
        {
            "a.test/robots.txt": "User-agent: *\nDisallow:\n",
            "b.test/sitemap.xml": "<html>not a sitemap</html>",
        }
    )
    result = crawl(
        "sitemaps",
        args={"sites": "http://a.test", "sitemaps": "http://b.test/sitemap.xml"},
        proxy=web.address,
        settings={"ROBOTSTXT_OBEY": "False"},
    )
    assert result.returncode == NOTHING_FOUND
    assert result.stats["newsfold/skipped/no_sitemap"] == 1
    assert result.stats["newsfold/skipped/bad_sitemap"] == 1


def test_unusable_sites_sitemaps_and_locs_are_counted_and_the_rest_read(make_web, crawl):
    urlset = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(
            f"<url><loc>{loc}</loc></url>"
            for loc in ("/1.html", "javascript:void(0)", "mailto:desk@a.test", "/2.html")
        )
        + "</urlset>"
    )
    web = make_web(
        {
            "a.test/robots.txt": "User-agent: *\nDisallow:\nSitemap: http://a.test/sitemap.xml\n",
            "a.test/sitemap.xml": urlset,
            "a.test/1.html": article_page("One", prose(81)),
            "a.test/2.html": article_page("Two", prose(82)),
            "news.test/sitemap.xml": NEWS_SITEMAP,
            "news.test/a.html": article_page("A", prose(83)),
        }
    )
    result = crawl(
        "sitemaps",
        args={
            "sites": "http://a.test,not a host,ftp://b.test",
            "sitemaps": "news.test/sitemap.xml,http://news.test/sitemap.xml",
        },
        proxy=web.address,
    )
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(r["title"] for r in result.articles) == ["A", "One", "Two"]
    assert result.stats["newsfold/skipped/bad_url"] == 5
    for logged in (
        "Skipped news.test/sitemap.xml (bad_url): -a sitemaps= item 1: no scheme",
        "Skipped not a host (bad_url): -a sites= item 2: bad host 'not a host'",
        "Skipped ftp://b.test (bad_url): -a sites= item 3: not http(s): ftp:",
        "Skipped javascript:void(0) (bad_url): not http(s)",
        "Skipped mailto:desk@a.test (bad_url): not http(s)",
    ):
        assert logged in result.log
