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


EMPTY_FEEDS = {
    "rss": b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    b"<link>http://a.test/</link><description>Nothing today</description></channel></rss>",
    "atom": b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
    b"<title>M</title><id>urn:x</id><updated>2013-12-10T00:00:00Z</updated></feed>",
    "rdf": b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    b' xmlns="http://purl.org/rss/1.0/"><channel rdf:about="http://a.test/"><title>A</title>'
    b"<link>http://a.test/</link></channel></rdf:RDF>",
}


@pytest.mark.parametrize("content_type", [None, "application/rss+xml", "text/xml", "text/html"])
@pytest.mark.parametrize("dialect", EMPTY_FEEDS)
def test_a_valid_feed_without_entries_is_empty_not_bad(dialect, content_type):
    """Without a Content-Type (or with a non-XML one) feedparser flags the document as
    bozo; that says nothing about the feed, which is simply empty today."""
    assert parse_feed(EMPTY_FEEDS[dialect], "http://a.test/feed", content_type) == []


def test_the_content_type_charset_decodes_the_feed():
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        "<title>Новости дня</title><link>http://a.test/1</link></item></channel></rss>"
    ).encode("windows-1251")
    (entry,) = parse_feed(body, "http://a.test/feed", "text/xml; charset=windows-1251")
    assert entry.title == "Новости дня"


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><rss version="2.0"><<<&&&>>>',
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Cut',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>C</title><link href="http://a',
    ],
)
def test_a_broken_feed_with_no_whole_entry_stays_bad(body):
    with pytest.raises(FeedError) as refused:
        parse_feed(body, "http://a.test/feed", "application/rss+xml")
    assert refused.value.reason == "bad_feed"


def build_feed(head, items, tail):
    """A feed from its parts, and each entry with the byte offset just past its closing tag."""
    body = head.encode()
    ends = []
    for markup, entry in items:
        body += markup.encode()
        ends.append((len(body), entry))
        body += b"\n"
    return body + tail.encode(), ends


def numbered(markup: str, url: str, title: str) -> list[tuple[str, tuple[str, str, int]]]:
    """Entries 1 to 3 of a feed: `{n}` in each template is the entry's number."""
    return [(markup.format(n=n), (url.format(n=n), title.format(n=n), n)) for n in range(1, 4)]


FEED_FIXTURES = {
    "rss-cdata": build_feed(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>\n',
        numbered(
            "<item><title><![CDATA[Story {n} 日本 <b>&</b> more]]></title>"
            "<link>http://a.test/{n}.html?x=1&amp;y=2</link><description>d</description>"
            "<pubDate>Tue, 0{n} Mar 2024 08:00:00 +0000</pubDate></item>",
            "http://a.test/{n}.html?x=1&y=2",
            "Story {n} 日本 <b>&</b> more",
        ),
        "</channel></rss>",
    ),
    "atom": build_feed(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>M</title><id>urn:x</id>\r\n",
        numbered(
            '<entry><title type="html">Été {n}</title><id>urn:{n}</id>'
            '<link rel="alternate" href="http://a.test/é/{n}"/>'
            "<updated>2024-03-0{n}T08:00:00Z</updated></entry>",
            "http://a.test/é/{n}",
            "Été {n}",
        ),
        "</feed>",
    ),
    "rdf": build_feed(
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="http://a.test/"><title>A</title><link>http://a.test/</link>'
        "</channel>",
        numbered(
            '<item rdf:about="http://a.test/{n}"><title>Item {n}</title>'
            "<link>http://a.test/{n}</link><dc:date>2024-03-0{n}T08:00:00Z</dc:date></item>",
            "http://a.test/{n}",
            "Item {n}",
        ),
        "</rdf:RDF>",
    ),
}


@pytest.mark.parametrize("name", FEED_FIXTURES)
def test_every_prefix_of_a_feed_gives_exactly_its_complete_entries(name):
    """A cut feed gives the entries it completes, each with its date: never the entry cut
    off after its link (which feedparser reports without the date that followed)."""
    body, ends = FEED_FIXTURES[name]
    for size in range(len(body) + 1):
        expected = [
            (url, title, f"2024-03-0{n}T08:00:00+00:00")
            for end, (url, title, n) in ends
            if end <= size
        ]
        try:
            entries = parse_feed(body[:size], "http://a.test/feed", "application/xml")
        except FeedError as error:
            assert error.reason == "bad_feed"
            assert not expected, f"{name}[:{size}] refused; it holds {len(expected)} entries"
            continue
        assert [(e.url, e.title, e.published) for e in entries] == expected, f"{name}[:{size}]"


def rss_of(items: list[bytes]) -> bytes:
    return (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>'
        + b"".join(items)
        + b"</channel></rss>"
    )


def dated_item(number: int, extra: bytes = b"") -> bytes:
    return (
        b"<item><title>T%d%s</title><description>%s</description><link>http://a.test/%d?a=1&b=2"
        b"</link><pubDate>Tue, 05 Mar 2024 08:00:00 +0000</pubDate></item>"
        % (number, extra, extra, number)
    )


def test_a_feed_with_sloppy_references_cut_short_gives_its_closed_entries():
    body = rss_of([dated_item(0), dated_item(1, b" a&nbsp;b &eacute; R&D x < y"), dated_item(2)])
    entries = parse_feed(body, "http://a.test/feed", "application/rss+xml")
    assert entries[1].title == "T1 a\xa0b é R&D x < y"
    assert [e.url for e in entries] == [f"http://a.test/{n}?a=1&b=2" for n in range(3)]
    cut = parse_feed(body[: body.rindex(b"<pubDate>")], "http://a.test/feed", "application/rss+xml")
    assert [(e.url, e.published) for e in cut] == [
        (f"http://a.test/{n}?a=1&b=2", "2024-03-05T08:00:00+00:00") for n in range(2)
    ]


def test_a_feed_broken_mid_way_keeps_every_entry_feedparser_reads():
    """An unclosed attribute quote in unescaped HTML: the strict parsers lose the rest,
    feedparser's lenient one does not, and nothing is cut from what it reads."""
    body = rss_of([dated_item(n, b'<a href="x>y</a>' if n == 1 else b"") for n in range(4)])
    entries = parse_feed(body, "http://a.test/feed", "application/rss+xml")
    assert [e.url for e in entries] == [f"http://a.test/{n}?a=1&b=2" for n in range(4)]
