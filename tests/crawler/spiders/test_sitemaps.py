import gzip
import zlib

from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawler.exitcodes import NOTHING_FOUND
from crawler.sitemaps import SITEMAP_MAX_BYTES, SITEMAP_MAX_URLS
from crawler.spiders.sitemaps import SitemapsSpider
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


def untitled(seed: int) -> str:
    """An article page without a title or date of its own, so the hints show."""
    return article_page("", prose(seed), author=None).replace("<title> | Test Times</title>", "")


def test_robots_sitemap_lines_as_sites_write_them(make_web, crawl):
    """Leading whitespace, any case, `Site-map:`, a forgotten colon, a BOM and CRLF, a
    relative URL; a robots.txt whose sitemap lines are all unusable is `no_sitemap`."""
    sitemap = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{}</loc></url></urlset>'
    files: dict[str, str | bytes] = {
        "a.test/robots.txt": "User-agent: *\nDisallow: /private/\n   sitemap: http://a.test/s.xml\n",
        "b.test/robots.txt": "User-agent: *\n\tSite-map: /sitemap.xml\n",
        "c.test/robots.txt": "\ufeffSitemap http://c.test/s.xml\r\nUser-agent: *\r\nDisallow:\r\n",
        "d.test/robots.txt": "User-agent: *\nSitemap: ftp://d.test/s.xml\nSitemap: not a url\n",
        "e.test/robots.txt": "SITEMAP: http://e.test/s.xml\nSitemap: ftp://e.test/old.xml\n",
        "b.test/sitemap.xml": sitemap.format("http://b.test/2.html"),
    }
    for n, host in enumerate("abcde", start=1):
        if host != "b":
            files[f"{host}.test/s.xml"] = sitemap.format(f"http://{host}.test/{n}.html")
    for n, host in enumerate("abcde", start=1):
        files[f"{host}.test/{n}.html"] = article_page(f"Story {n}", prose(40 + n))
    web = make_web(files)
    sites = ",".join(f"http://{host}.test" for host in "abcde")
    result = crawl("sitemaps", args={"sites": sites}, proxy=web.address)
    assert result.returncode == 0, result.log[-2000:]
    assert sorted(r["url"] for r in result.records) == [
        "http://a.test/1.html",
        "http://b.test/2.html",
        "http://c.test/3.html",
        "http://e.test/5.html",
    ]
    assert result.stats["newsfold/skipped/no_sitemap"] == 1
    assert result.stats["newsfold/skipped/bad_url"] == 1
    assert (
        "Skipped http://d.test/robots.txt (no_sitemap): no usable Sitemap line "
        "(line 2: 'ftp://d.test/s.xml'; line 3: 'not a url')" in result.log
    )
    assert (
        "Skipped http://e.test/robots.txt (bad_url): line 2: 'ftp://e.test/old.xml'" in result.log
    )


def cut_gzip(complete: bytes, cut: bytes) -> bytes:
    """A gzip stream holding `complete`, then `cut`, and ending there (no end marker)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    packed = compressor.compress(complete) + compressor.flush(zlib.Z_FULL_FLUSH)
    return packed + compressor.compress(cut) + compressor.flush(zlib.Z_SYNC_FLUSH)


def test_cut_text_feed_and_big_sitemaps(make_web, crawl):
    """A news sitemap cut just after `<xhtml:`; text sitemaps, whole and gzipped and cut
    inside a URL; a feed listed as a sitemap; an index of a 20 MB gzipped sitemap (past
    DOWNLOAD_MAXSIZE's 16 MiB, within the protocol's 50 MB)."""
    news = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset '
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    ) + "".join(
        f"<url><loc>http://news.test/{name}.html</loc><news:news><news:publication_date>"
        f"2024-03-0{n}T08:00:00+00:00</news:publication_date><news:title><![CDATA[Title {name}"
        f" & more]]></news:title></news:news>"
        f'<xhtml:link rel="alternate" hreflang="fr" href="http://news.test/fr/{name}.html"/></url>\n'
        for n, name in enumerate("abc", start=1)
    )
    news = news[: news.rindex("<xhtml:") + len("<xhtml:")]
    text_lines = "\r\n".join(
        [
            "\ufeffhttp://text.test/t1.html",
            "/relative.html",
            "http://text.test/t2.html",
            "not a url",
            "",
        ]
    )
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><item>'
        "<title>Feed title</title><link>http://feed.test/f1.html</link>"
        "<pubDate>Tue, 05 Mar 2024 08:00:00 +0000</pubDate></item></channel></rss>"
    )
    padding = (b"<!--" + b" " * 1000 + b"-->\n") * (20 * 1024)
    big = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>http://big.test/b1.html</loc></url>"
        + padding
        + b"<url><loc>http://big.test/b2.html</loc></url></urlset>"
    )
    files: dict[str, str | bytes] = {
        "news.test/cut.xml": news,
        "text.test/sitemap.txt": text_lines,
        "text.test/cut.txt.gz": cut_gzip(
            b"http://text.test/t3.html\nhttp://text.test/t4.html\n", b"http://text.test/t5.htm"
        ),
        "feed.test/listed-as-sitemap.xml": rss,
        "big.test/index.xml": '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>http://big.test/big.xml.gz</loc></sitemap></sitemapindex>",
        "big.test/big.xml.gz": gzip.compress(big),
    }
    pages = {
        "news.test": "abc",
        "text.test": ["t1", "t2", "t3", "t4", "t5"],
        "feed.test": ["f1"],
        "big.test": ["b1", "b2"],
    }
    for seed, (host, name) in enumerate(
        ((host, name) for host, names in pages.items() for name in names), start=60
    ):
        files[f"{host}/{name}.html"] = untitled(seed)
    web = make_web(files)
    sitemaps = [
        "http://news.test/cut.xml",
        "http://text.test/sitemap.txt",
        "http://text.test/cut.txt.gz",
        "http://feed.test/listed-as-sitemap.xml",
        "http://big.test/index.xml",
    ]
    result = crawl("sitemaps", args={"sitemaps": ",".join(sitemaps)}, proxy=web.address)
    assert result.returncode == 0, result.log[-2000:]
    by_url = {r["url"]: r for r in result.records}
    assert sorted(by_url) == [
        "http://big.test/b1.html",
        "http://big.test/b2.html",  # after 20 MB
        "http://feed.test/f1.html",
        "http://news.test/a.html",
        "http://news.test/b.html",
        "http://text.test/t1.html",
        "http://text.test/t2.html",
        "http://text.test/t3.html",
        "http://text.test/t4.html",
    ]
    assert result.stats["newsfold/requests/article"] == len(by_url)  # never c.html nor t5.htm
    for n, name in enumerate("ab", start=1):
        record = by_url[f"http://news.test/{name}.html"]
        assert record["title"] == f"Title {name} & more"
        assert record["published"] == f"2024-03-0{n}T08:00:00+00:00"
        assert record["published_source"] == "sitemap"
    feed_record = by_url["http://feed.test/f1.html"]
    assert (feed_record["title"], feed_record["published_source"]) == ("Feed title", "feed")
    assert result.stats["newsfold/sitemaps/truncated"] == 2  # cut.xml, cut.txt.gz
    assert result.stats["newsfold/skipped/bad_url"] == 2  # /relative.html, not a url
    assert "Skipped http://text.test/sitemap.txt (bad_url): line 2: '/relative.html'" in result.log
    assert "Sitemap http://feed.test/listed-as-sitemap.xml is a feed" in result.log
    for reason in ("bad_sitemap", "too_large", "bad_feed"):
        assert f"newsfold/skipped/{reason}" not in result.stats


def test_news_spider_reads_robots_quirks_skips_old_entries_and_empty_feeds(
    make_web, crawl, tmp_path
):
    news = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        + "".join(
            f"<url><loc>http://quirk.test/{day}.html</loc><news:news><news:publication_date>"
            f"2024-03-{day}T08:00:00Z</news:publication_date><news:title>Day {day}</news:title>"
            "</news:news></url>"
            for day in ("01", "10")
        )
        + "</urlset>"
    )
    web = make_web(
        {
            "quirk.test/robots.txt": "User-agent: *\n  Site-map: http://quirk.test/news.xml\n",
            "quirk.test/news.xml": news,
            "quirk.test/empty.xml": '<?xml version="1.0"?><rss version="2.0"><channel>'
            "<title>Quiet</title><link>http://quirk.test/</link></channel></rss>",
            "quirk.test/01.html": untitled(81),
            "quirk.test/10.html": untitled(82),
        }
    )
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "Quirky"\nsitemaps = ["http://quirk.test"]\n'
        'feeds = ["http://quirk.test/empty.xml"]\n'
    )
    result = crawl("news", args={"sources": str(sources), "since": "2024-03-05"}, proxy=web.address)
    assert result.returncode == 0, result.log[-2000:]
    (record,) = result.records
    assert (record["url"], record["title"]) == ("http://quirk.test/10.html", "Day 10")
    assert result.stats["newsfold/skipped/older_than_since"] == 1
    assert not [key for key in result.stats if key.startswith("newsfold/skipped/bad_")]


def sitemaps_spider(settings: dict[str, int] | None = None) -> SitemapsSpider:
    """The real spider under a crawler that is not started, to call its callbacks."""
    crawler = get_crawler(SitemapsSpider, settings or {})
    spider = SitemapsSpider.from_crawler(crawler, sitemaps="http://s.test/sitemap.txt")
    crawler.spider = spider
    return spider


def test_a_sitemap_over_the_protocols_url_limit_is_counted():
    """(test_sitemaps.py shows all its entries are read.)"""
    spider = sitemaps_spider()
    body = "\n".join(f"http://s.test/{n}.html" for n in range(SITEMAP_MAX_URLS + 1)).encode()
    request = Request("http://s.test/sitemap.txt")
    response = TextResponse(request.url, body=body, request=request)
    first = next(iter(spider.parse_sitemap(response)))
    assert first is not None and first.url == "http://s.test/0.html"
    assert spider.crawler.stats is not None
    assert spider.crawler.stats.get_value("newsfold/sitemaps/over_url_limit") == 1


def test_sitemap_requests_may_be_as_large_as_the_protocol_allows():
    """Scrapy's download handler and HttpCompressionMiddleware both honour the request's
    `download_maxsize`; robots.txt and everything else keep DOWNLOAD_MAXSIZE."""
    spider = sitemaps_spider({"DOWNLOAD_MAXSIZE": 16 * 1024 * 1024})
    assert spider.sitemap_request("http://s.test/news.xml").meta["download_maxsize"] == (
        SITEMAP_MAX_BYTES
    )
    assert "download_maxsize" not in spider.sitemap_request("http://s.test/robots.txt").meta
    larger = sitemaps_spider({"DOWNLOAD_MAXSIZE": 100 * 1024 * 1024})
    assert larger.sitemap_request("http://s.test/a.xml.gz").meta["download_maxsize"] == (
        100 * 1024 * 1024
    )


BAD_LOCS = ["http://[::1", "javascript:alert(1)", "mailto:a@news.test", "http://a.test:99999/"]


def test_entries_no_request_can_be_made_of_are_counted_and_the_rest_read():
    """Before, the first such entry raised out of the callback: the rest were lost."""
    spider = sitemaps_spider()
    locs = [loc for bad in BAD_LOCS for loc in (bad, f"/ok/{len(bad)}.html")]
    urlset = "<urlset>" + "".join(f"<url><loc>{loc}</loc></url>" for loc in locs) + "</urlset>"
    rss = '<rss version="2.0"><channel><title>T</title>' + "".join(
        f"<item><title>{n}</title><link>{loc}</link></item>" for n, loc in enumerate(locs)
    )
    for body in (urlset, rss + "</channel></rss>"):
        request = Request("http://s.test/sitemap.xml")
        response = TextResponse(request.url, body=body.encode(), request=request)
        assert [r and r.url for r in spider.parse_sitemap(response)] == [
            f"http://s.test/ok/{len(bad)}.html" for bad in BAD_LOCS
        ]
    assert spider.crawler.stats is not None
    # feedparser itself leaves out the link with the malformed IPv6 host
    assert spider.crawler.stats.get_value("newsfold/skipped/bad_url") == 2 * len(BAD_LOCS) - 1


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
        "Skipped http://a.test/sitemap.xml (bad_url): 'javascript:void(0)': not http(s)",
        "Skipped http://a.test/sitemap.xml (bad_url): 'mailto:desk@a.test': not http(s)",
    ):
        assert logged in result.log
