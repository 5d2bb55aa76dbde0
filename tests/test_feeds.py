import pytest

from crawler.feeds import FeedError, parse_feed

RSS2 = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>http://a.test/1?utm_source=rss</link>
<pubDate>Tue, 10 Dec 2013 06:00:00 +0000</pubDate></item>
<item><title>No link</title></item></channel></rss>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://a.test/"><title>A</title><link>http://a.test/</link></channel>
<item rdf:about="http://a.test/2"><title>Two</title><link>http://a.test/2</link>
<dc:date>2013-12-09T08:15:00Z</dc:date></item></rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>M</title><id>urn:x</id><updated>2013-12-10T00:00:00Z</updated>
<entry><title>Three</title><link rel="alternate" href="/3"/><id>urn:3</id>
<published>2013-12-10T09:00:00Z</published><updated>2013-12-11T09:00:00Z</updated></entry>
</feed>"""


def test_rss2():
    entries = parse_feed(RSS2, "http://a.test/feed")
    assert [(e.url, e.title, e.published) for e in entries] == [
        ("http://a.test/1?utm_source=rss", "One", "2013-12-10T06:00:00+00:00")
    ]


def test_rdf():
    (entry,) = parse_feed(RDF, "http://a.test/rdf")
    assert (entry.url, entry.title, entry.published) == (
        "http://a.test/2",
        "Two",
        "2013-12-09T08:15:00+00:00",
    )


def test_atom_relative_link_and_published_over_updated():
    (entry,) = parse_feed(ATOM, "http://m.test/atom.xml")
    assert entry.url == "http://m.test/3"
    assert entry.published == "2013-12-10T09:00:00+00:00"


@pytest.mark.parametrize("body", [b"", b"<html><body>not a feed</body></html>", b"\x00\xff junk"])
def test_not_a_feed(body):
    with pytest.raises(FeedError):
        parse_feed(body, "http://a.test/feed")
