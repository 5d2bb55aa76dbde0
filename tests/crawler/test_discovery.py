"""The pure discovery logic: candidates from a page, robots.txt and common paths, and
what a fetched candidate is."""

from __future__ import annotations

from crawler.discovery import (
    Candidate,
    Found,
    choose,
    common_candidates,
    declared_and_anchor_links,
    index_loop,
    plan,
    rank,
    read_candidate,
    robots_candidates,
)
from tests.conftest import rss_feed

HOME = "http://news.test/"


def test_declared_feeds_are_found_resolved_and_kept_on_the_site():
    page = """<html><head>
    <link rel="alternate" type="application/rss+xml; charset=utf-8" href="/feed.xml">
    <link rel="alternate" type="application/atom+xml" href="http://www.news.test/atom">
    <link rel="alternate" type="application/feed+json" href="feed.json">
    <link rel="alternate" type="application/rss+xml" href="http://partner.test/rss">
    <link rel="alternate" hreflang="fr" href="/fr/">
    <link rel="stylesheet" type="application/rss+xml" href="/not-alternate">
    <link rel="alternate" type="application/rss+xml" href="/comments/feed">
    </head><body></body></html>"""
    found, refused = declared_and_anchor_links(page, "http://news.test/world/")
    assert [c.url for c in found] == [
        "http://news.test/feed.xml",
        "http://www.news.test/atom",
        "http://news.test/world/feed.json",
    ]
    assert {c.origin for c in found} == {"declared"}
    assert [(r.url, r.reason) for r in refused] == [("http://partner.test/rss", "off_site_link")]


def test_feed_looking_anchors_are_candidates():
    page = """<a href="/rss.xml">RSS</a> <a href="/world/feed/">feed</a>
    <a href="/about">About</a> <a href="/story-about-rss-readers-today">story</a>
    <a href="?feed=rss2">wp</a> <a href="mailto:x@news.test">mail</a>"""
    found, _ = declared_and_anchor_links(page, HOME)
    assert [c.url for c in found] == [
        "http://news.test/rss.xml",
        "http://news.test/world/feed/",
        "http://news.test/?feed=rss2",
    ]
    assert {c.origin for c in found} == {"anchor"}


def test_robots_sitemaps_of_the_site_only():
    text = "Sitemap: /sitemap.xml\nSitemap: http://cdn.other.test/s.xml\n"
    assert robots_candidates(text, "http://news.test/robots.txt") == [
        Candidate("http://news.test/sitemap.xml", "robots")
    ]


def test_plan_orders_by_origin_dedupes_and_bounds():
    common = common_candidates(HOME)
    assert common[0].url == "http://news.test/news-sitemap.xml"
    declared = Candidate("http://news.test/rss.xml", "declared")
    chosen = plan([*common, declared], limit=4)
    assert [c.url for c in chosen] == [
        "http://news.test/rss.xml",
        "http://news.test/news-sitemap.xml",
        "http://news.test/sitemap-news.xml",
        "http://news.test/sitemap_news.xml",
    ]
    assert len(plan(common + common, limit=100)) == len(common)


NEWS_SITEMAP = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://news.test/a</loc><news:news><news:publication_date>2024-03-01</news:publication_date>
<news:title>A</news:title></news:news></url>
<url><loc>http://news.test/b</loc><news:news><news:publication_date>2024-03-05</news:publication_date>
<news:title>B</news:title></news:news></url></urlset>"""


def test_a_news_sitemap_is_read_with_its_newest_date():
    reading = read_candidate(NEWS_SITEMAP, "http://news.test/news-sitemap.xml")
    assert (reading.kind, reading.entries, reading.newest) == (
        "news_sitemap",
        ["http://news.test/a", "http://news.test/b"],
        "2024-03-05",
    )


def test_a_gzipped_sitemap_is_read():
    import gzip

    reading = read_candidate(gzip.compress(NEWS_SITEMAP), "http://news.test/sitemap.xml.gz")
    assert (reading.kind, len(reading.entries)) == ("news_sitemap", 2)


def test_a_feed_a_sitemap_and_an_index_are_told_apart():
    feed = rss_feed(["http://news.test/a", "http://elsewhere.test/b"]).encode()
    reading = read_candidate(feed, "http://news.test/feed.xml", "application/rss+xml")
    assert (reading.kind, reading.entries) == ("feed", ["http://news.test/a"])
    plain = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://news.test/a</loc></url></urlset>'
    assert read_candidate(plain, "http://news.test/sitemap.xml").kind == "sitemap"
    index = b"<sitemapindex><sitemap><loc>http://news.test/s1.xml</loc></sitemap></sitemapindex>"
    reading = read_candidate(index, "http://news.test/sitemap_index.xml")
    assert (reading.kind, reading.children) == ("sitemap_index", ["http://news.test/s1.xml"])


def test_bad_candidates_each_have_a_reason():
    html = b"<!DOCTYPE html><html><body>Not found, but 200</body></html>"
    assert read_candidate(html, "http://news.test/rss").problem.reason == "feed_is_html"  # type: ignore[union-attr]
    junk = read_candidate(b"{not xml", "http://news.test/feed")
    assert junk.problem is not None and junk.problem.reason == "not_feed_or_sitemap"
    feed = rss_feed(["http://elsewhere.test/b"]).encode()
    off = read_candidate(feed, "http://news.test/feed.xml")
    assert off.problem is not None and off.problem.reason == "off_site_entries"


def test_index_loops_and_ranks():
    assert index_loop("http://news.test/index.xml", ["http://news.test/index.xml#x"])
    assert not index_loop("http://news.test/s1.xml", ["http://news.test/index.xml"])
    assert sorted(["sitemap", "feed", "news_sitemap"], key=rank) == [
        "news_sitemap",
        "feed",
        "sitemap",
    ]


def test_choose_prefers_news_sitemaps_and_feeds_then_sitemaps_then_the_start_page():
    def found(url: str, kind: str, articles: int, sampled: int = 3) -> Found:
        return Found(url, kind, 10, None, articles, sampled)

    start = found("/", "start", 3)
    general = found("/sitemap.xml", "sitemap", 3)
    feed = found("/rss", "feed", 2)
    news = found("/news.xml", "news_sitemap", 3)
    comments = found("/comments", "feed", 1)  # 1/3 articles: under the share
    assert choose([start, general, feed, news, comments], 0.5) == [news, feed]
    assert choose([start, general, comments], 0.5) == [general]
    assert choose([start, comments, found("/empty", "feed", 0, 0)], 0.5) == [start]
    assert choose([comments], 0.5) == []
    assert news.describe() == "news sitemap: 10 entries, 3/3 sampled pages are articles"
