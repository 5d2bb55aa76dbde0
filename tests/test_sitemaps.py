import pytest

from crawler.sitemaps import SitemapError, parse_sitemap

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://s.test/a</loc><lastmod>2013-12-12</lastmod>
<news:news><news:publication><news:name>S</news:name><news:language>en</news:language>
</news:publication><news:publication_date>2013-12-11T07:00:00+00:00</news:publication_date>
<news:title>Story A</news:title></news:news></url>
<url><loc>http://s.test/about</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://s.test/news.xml</loc></sitemap></sitemapindex>"""

BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol2;</loc></url></urlset>"""


def test_news_fields_are_kept():
    sitemap = parse_sitemap(NEWS)
    assert sitemap.kind == "urlset"
    first, second = sitemap.entries
    assert (first.loc, first.news_title, first.news_published, first.lastmod) == (
        "http://s.test/a",
        "Story A",
        "2013-12-11T07:00:00+00:00",
        "2013-12-12",
    )
    assert (second.loc, second.news_title) == ("http://s.test/about", None)


def test_index():
    sitemap = parse_sitemap(INDEX)
    assert sitemap.kind == "sitemapindex"
    assert [e.loc for e in sitemap.entries] == ["http://s.test/news.xml"]


def test_entities_are_not_expanded():
    sitemap = parse_sitemap(BOMB)
    assert all("lollol" not in e.loc for e in sitemap.entries)


@pytest.mark.parametrize("body", [b"<html><body>hi</body></html>", b"", b"not xml at all"])
def test_not_a_sitemap(body):
    with pytest.raises(SitemapError):
        parse_sitemap(body)
