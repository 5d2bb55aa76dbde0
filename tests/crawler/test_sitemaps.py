"""The sitemap reader on documents of every quirk met in the wild, whole and cut off.

Each fixture is built from its entries, so the byte offset at which each entry's closing
tag ends is known: every prefix of every fixture must read without raising anything but
`SitemapError`, and give exactly the entries whose closing tag it holds.
"""

import gzip
import zlib
from dataclasses import dataclass

import pytest

from crawler.sitemaps import (
    SITEMAP_MAX_BYTES,
    SITEMAP_MAX_URLS,
    SitemapEntry,
    SitemapError,
    gunzip,
    parse_sitemap,
    robots_sitemaps,
    sitemap_size_limit,
)

SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
IMAGE_NS = 'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"'
XHTML_NS = 'xmlns:xhtml="http://www.w3.org/1999/xhtml"'
BOM = "\ufeff"


@dataclass
class Fixture:
    body: bytes
    ends: list[tuple[int, SitemapEntry]]  # byte offset just past each entry's closing tag
    root_end: int  # byte offset just past the root's closing tag


def build(
    head: str,
    entries: list[tuple[str, SitemapEntry]],
    tail: str,
    encoding: str = "utf-8",
    separator: str = "\n",
) -> Fixture:
    """A document from its parts; `encoding` without a BOM (put one in `head`)."""
    text = head
    ends = []
    for markup, entry in entries:
        text += markup
        ends.append((len(text.encode(encoding)), entry))
        text += separator
    text += tail
    root_end = len(text.rstrip().encode(encoding))
    return Fixture(text.encode(encoding), ends, root_end)


def news(
    loc: str, title: str, published: str, title_markup: str | None = None
) -> tuple[str, SitemapEntry]:
    """A Google News entry, indented, and what it must read as."""
    markup = (
        f"<url>\n    <loc>{loc}</loc>\n    <news:news>\n"
        "      <news:publication><news:name>News Test</news:name>"
        "<news:language>en</news:language></news:publication>\n"
        f"      <news:publication_date>{published}</news:publication_date>\n"
        f"      <news:title>{title_markup or title}</news:title>\n    </news:news>\n  </url>"
    )
    return markup, SitemapEntry(loc, news_title=title, news_published=published)


def crlf(entry: tuple[str, SitemapEntry]) -> tuple[str, SitemapEntry]:
    return entry[0].replace("\n", "\r\n"), entry[1]


NEWS_CDATA = build(  # CRLF, BOM, indentation, CDATA titles with markup characters
    f'{BOM}<?xml version="1.0" encoding="UTF-8"?>\r\n<urlset {SITEMAP_NS} {NEWS_NS}>\r\n  ',
    [
        crlf(
            news(
                "https://news.test/2024/03/05/mali-vaccine.html",
                "Mali: vaccine <reaches> river villages & towns",
                "2024-03-05T08:00:00+00:00",
                "<![CDATA[Mali: vaccine <reaches> river villages & towns]]>",
            )
        ),
        (
            "<url><loc>https://news.test/about.html</loc><lastmod>2024-01-01</lastmod></url>",
            SitemapEntry("https://news.test/about.html", lastmod="2024-01-01"),
        ),
        crlf(
            news(
                "https://news.test/2024/03/06/niger-onions.html",
                "Niger: onion storage",
                "2024-03-06",
                "\n  <![CDATA[Niger: onion ]]><![CDATA[storage]]>\n",
            )
        ),
    ],
    "</urlset>\r\n",
    separator="\r\n  ",
)

IMAGES_AND_ALTERNATES = build(  # image:title is not a news title; loc after image:image
    f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {SITEMAP_NS} {IMAGE_NS} {XHTML_NS} '
    f"{NEWS_NS}>\n",
    [
        (
            "<url><image:image><image:loc>https://img.test/1.jpg</image:loc><image:title>Photo"
            "</image:title></image:image><loc>https://news.test/fr/élection.html</loc>"
            '<xhtml:link rel="alternate" hreflang="en" href="https://news.test/en/election.html"/>'
            '<xhtml:link rel="alternate" hreflang="fr" href="https://news.test/fr/élection.html"/>'
            "</url>",
            SitemapEntry("https://news.test/fr/élection.html"),
        ),
        (
            "<url><loc>https://news.test/ar/مقال.html</loc><lastmod>2024-03-05T10:00:00Z"
            "</lastmod><news:news><news:publication_date>2024-03-05T10:00:00Z"
            "</news:publication_date><news:title>عنوان الخبر</news:title></news:news>"
            '<xhtml:link rel="alternate" hreflang="ar" href="https://news.test/ar/مقال.html"/>'
            "</url>",
            SitemapEntry(
                "https://news.test/ar/مقال.html",
                lastmod="2024-03-05T10:00:00Z",
                news_title="عنوان الخبر",
                news_published="2024-03-05T10:00:00Z",
            ),
        ),
    ],
    "</urlset>",
)

MINIMAL = build(  # no declaration, no namespace, no whitespace
    "<urlset>",
    [
        (
            f"<url><loc>http://s.test/{n}.html</loc><lastmod>2024-03-0{n}</lastmod></url>",
            SitemapEntry(f"http://s.test/{n}.html", lastmod=f"2024-03-0{n}"),
        )
        for n in range(1, 5)
    ],
    "</urlset>",
    separator="",
)

PREFIXED = build(  # prefixed sitemap namespace, an old news namespace, references of all kinds
    '<?xml version="1.0"?>\n<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"'
    ' xmlns:n="http://www.google.com/schemas/sitemap-news/0.84">\n',
    [
        (
            "<sm:url><sm:loc>https://news.test/story?id=3&page=2&amp;utm=x</sm:loc>"
            "<n:news><n:title>Court &amp; council&nbsp;meet over caf&eacute; &#233;tude"
            " &unknown; R&D</n:title><n:publication_date>2024-03-07T06:00:00-05:00"
            "</n:publication_date></n:news></sm:url>",
            SitemapEntry(
                "https://news.test/story?id=3&page=2&utm=x",
                news_title="Court & council meet over café étude &unknown; R&D",
                news_published="2024-03-07T06:00:00-05:00",
            ),
        ),
        (
            "<sm:url>\n\t<sm:loc>\n\t\thttps://news.test/a&amp;b.html\n\t</sm:loc>\n</sm:url>",
            SitemapEntry("https://news.test/a&b.html"),
        ),
    ],
    "</sm:urlset>\n",
)

LATIN1 = build(
    '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
    f'<urlset {SITEMAP_NS} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n',
    [
        news("https://news.test/societe.html", "Café société à Dakar", "2024-03-08"),
        news("https://news.test/marche.html", "Marché: prix en baisse", "2024-03-09"),
    ],
    "</urlset>",
    encoding="iso-8859-1",
)

INDEX = build(
    f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {SITEMAP_NS}>',
    [
        (
            f"<sitemap><loc>https://news.test/sitemap-{n}.xml.gz</loc>"
            f"<lastmod>2024-03-0{n}T00:00:00Z</lastmod></sitemap>",
            SitemapEntry(
                f"https://news.test/sitemap-{n}.xml.gz", lastmod=f"2024-03-0{n}T00:00:00Z"
            ),
        )
        for n in range(1, 4)
    ],
    "</sitemapindex>",
)

UTF16 = build(
    f'{BOM}<?xml version="1.0" encoding="UTF-16"?><urlset {SITEMAP_NS} {NEWS_NS}>',
    [
        news("https://news.test/ja/記事.html", "日本語の見出し", "2024-03-10"),
        (
            "<url><loc>https://news.test/ja/2.html</loc></url>",
            SitemapEntry("https://news.test/ja/2.html"),
        ),
    ],
    "</urlset>",
    encoding="utf-16-le",
)

FIXTURES = {
    "news-cdata-crlf-bom": NEWS_CDATA,
    "images-and-alternates": IMAGES_AND_ALTERNATES,
    "minimal": MINIMAL,
    "prefixed-and-references": PREFIXED,
    "latin1": LATIN1,
    "index": INDEX,
    "utf16": UTF16,
}


@pytest.mark.parametrize("name", FIXTURES)
def test_whole_document(name: str) -> None:
    fixture = FIXTURES[name]
    sitemap = parse_sitemap(fixture.body)
    assert sitemap.kind == ("sitemapindex" if name == "index" else "urlset")
    assert sitemap.entries == [entry for _, entry in fixture.ends]
    assert not sitemap.truncated


@pytest.mark.parametrize("name", FIXTURES)
def test_every_prefix_gives_exactly_its_complete_entries(name: str) -> None:
    """A cut anywhere (in a tag name, after a prefix such as `<xhtml:`, in CDATA, in an
    attribute, in a title, in a multi-byte character) never raises out of the reader and
    never yields an entry whose closing tag was not read."""
    fixture = FIXTURES[name]
    for size in range(len(fixture.body) + 1):
        expected = [entry for end, entry in fixture.ends if end <= size]
        try:
            sitemap = parse_sitemap(fixture.body[:size])
        except SitemapError:
            assert not expected, f"{name}[:{size}] refused; it holds {len(expected)} entries"
            continue
        assert sitemap.entries == expected, f"{name}[:{size}]"
        assert sitemap.truncated == (size < fixture.root_end), f"{name}[:{size}]"


def test_a_cut_just_after_a_namespace_prefix_keeps_the_complete_entries() -> None:
    """The cut that made `etree.QName` raise `Invalid tag name 'xhtml:'`."""
    body = IMAGES_AND_ALTERNATES.body
    cut = body.rindex(b"<xhtml:") + len(b"<xhtml:")
    sitemap = parse_sitemap(body[:cut])
    assert sitemap.truncated
    assert [entry.loc for entry in sitemap.entries] == ["https://news.test/fr/élection.html"]


def test_a_title_cut_in_its_cdata_is_not_read_as_a_title() -> None:
    body = NEWS_CDATA.body
    for marker in (b"<![CDATA[Niger", b"<![CDA"):
        sitemap = parse_sitemap(body[: body.rindex(marker) + len(marker)])
        assert all("CDATA" not in (entry.news_title or "") for entry in sitemap.entries)
        assert sitemap.entries[-1].loc == "https://news.test/about.html"


def test_entries_after_malformed_markup_are_read() -> None:
    """An undeclared prefix, a missing end tag, a `<` that is no tag, an empty `<>`."""
    body = (
        f"<urlset {SITEMAP_NS}><url><loc>http://s.test/1</loc><video:video><video:title>V"
        "</video:title></video:video></url><url><loc>http://s.test/2</loc><news:news>"
        "<news:title>T</news:title></url><url><loc>http://s.test/3</loc><news:news>"
        "<news:title>Prices < 5% <> up</news:title></news:news></url>"
        "<url><loc>http://s.test/4?a=1&amp;b=2</loc></url></urlset>"
    ).encode()
    sitemap = parse_sitemap(body)
    assert sorted(entry.loc for entry in sitemap.entries) == [
        "http://s.test/1",
        "http://s.test/2",
        "http://s.test/3",
        "http://s.test/4?a=1&b=2",  # not ?a=1b=2: named references survive the errors
    ]
    assert "Prices < 5% <> up" in {entry.news_title for entry in sitemap.entries}


def test_empty_urlset_is_empty_not_broken() -> None:
    sitemap = parse_sitemap(f'<?xml version="1.0"?><urlset {SITEMAP_NS}/>'.encode())
    assert (sitemap.kind, sitemap.entries, sitemap.truncated) == ("urlset", [], False)


def test_entities_are_not_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<urlset><url><loc>http://s.test/&lol2;</loc></url></urlset>"
    )
    assert all("lollol" not in entry.loc for entry in parse_sitemap(bomb).entries)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b" \r\n\t",
        b"<html><body>hi</body></html>",
        b"not xml at all",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b'<?xml version="1.0"?>\x01\x02<urlset <<< &&& >>>',
        b"<urlset><url><loc>http://s.test/go",  # truncated, not one complete entry
        b"Page not found\nTry the home page: /index.html\n",
    ],
)
def test_not_a_sitemap(body: bytes) -> None:
    with pytest.raises(SitemapError) as refused:
        parse_sitemap(body)
    assert refused.value.reason == "bad_sitemap"


def test_not_a_sitemap_names_its_root_element() -> None:
    with pytest.raises(SitemapError, match="<html>"):
        parse_sitemap(b"<!DOCTYPE html><html><head><title>x</title></head></html>")


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><title>E'
        b'</title><link href="http://s.test/1"/></entry></feed>',
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns="http://purl.org/rss/1.0/"><item rdf:about="http://s.test/2"><title>I'
        b"</title><link>http://s.test/2</link></item></rdf:RDF>",
        b'<rss version="2.0"><channel><title>Cut before any element closed',
    ],
)
def test_a_feed_is_recognised_for_the_feed_reader(body: bytes) -> None:
    sitemap = parse_sitemap(body)
    assert (sitemap.kind, sitemap.entries) == ("feed", [])


# Text sitemaps: one URL a line, UTF-8.

TEXT_LINES = [
    (BOM + "https://news.test/a.html", "https://news.test/a.html"),
    ("https://news.test/b.html?x=1&y=2", "https://news.test/b.html?x=1&y=2"),
    ("", None),
    ("   https://news.test/ünï.html   ", "https://news.test/ünï.html"),
    ("/relative/path.html", None),
    ("ftp://news.test/file.txt", None),
    ("HTTP://NEWS.TEST/C.HTML", "HTTP://NEWS.TEST/C.HTML"),
    ("\thttps://news.test/d.html", "https://news.test/d.html"),
]


def text_sitemap(breaks: list[str]) -> tuple[bytes, list[tuple[int, str]]]:
    """The text sitemap of TEXT_LINES with the given line breaks, and each URL with the
    byte offset at which its line has ended (the first character of its line break)."""
    body = b""
    ends = []
    for (line, url), line_break in zip(TEXT_LINES, breaks, strict=True):
        body += line.encode()
        if url:
            ends.append((len(body) + 1 if line_break else len(body), url))
        body += line_break.encode()
    return body, ends


def test_text_sitemap_reads_url_lines_and_numbers_the_others() -> None:
    body, ends = text_sitemap(["\r\n", "\n", "\n", "\r", "\n", "\r\n", "\n", ""])
    sitemap = parse_sitemap(body)
    assert sitemap.kind == "text"
    assert [entry.loc for entry in sitemap.entries] == [url for _, url in ends]
    assert sitemap.bad_lines == [(5, "/relative/path.html"), (6, "ftp://news.test/file.txt")]
    assert not sitemap.truncated


def test_text_sitemap_cut_short_keeps_only_lines_that_end() -> None:
    """A gzip stream that stopped: the last line may be a URL cut anywhere."""
    body, ends = text_sitemap(["\n", "\r\n", "\n", "\n", "\n", "\n", "\r\n", "\n"])
    for size in range(len(body) + 1):
        expected = [url for end, url in ends if end <= size]
        try:
            sitemap = parse_sitemap(body[:size], cut=True)
        except SitemapError:
            assert not expected, size
            continue
        assert [entry.loc for entry in sitemap.entries] == expected, size
        assert sitemap.truncated


def test_a_sitemap_over_the_protocols_url_limit_is_read_whole() -> None:
    urls = [f"https://news.test/{n}.html" for n in range(SITEMAP_MAX_URLS + 1)]
    for body in (
        "\n".join(urls),
        f"<urlset {SITEMAP_NS}>"
        + "".join(f"<url><loc>{u}</loc></url>" for u in urls)
        + "</urlset>",
    ):
        sitemap = parse_sitemap(body.encode())
        assert [entry.loc for entry in sitemap.entries] == urls
        assert sitemap.over_url_limit
    assert not parse_sitemap("\n".join(urls[:-1]).encode()).over_url_limit


def test_text_sitemap_of_only_bad_lines_is_not_a_sitemap() -> None:
    with pytest.raises(SitemapError, match="none of its 2 lines"):
        parse_sitemap(b"/a.html\nwww.news.test/b.html\n")


# gzip: up to the protocol's 50 MB, whatever DOWNLOAD_MAXSIZE says below that.


def test_size_limit_is_the_protocols_unless_download_maxsize_is_larger() -> None:
    assert SITEMAP_MAX_BYTES == 52_428_800
    assert sitemap_size_limit(16 * 1024 * 1024) == SITEMAP_MAX_BYTES
    assert sitemap_size_limit(100 * 1024 * 1024) == 100 * 1024 * 1024
    assert sitemap_size_limit(0) == 0  # Scrapy's "no limit"


def test_gunzip_whole_and_multi_member() -> None:
    body = MINIMAL.body
    assert gunzip(gzip.compress(body), SITEMAP_MAX_BYTES) == (body, True)
    halves = gzip.compress(body[:50]) + gzip.compress(body[50:])
    assert gunzip(halves, SITEMAP_MAX_BYTES) == (body, True)


def test_gunzip_of_a_cut_stream_gives_its_complete_entries() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    document = NEWS_CDATA.body
    packed = b"".join(  # flushed every 100 bytes, so that a cut stream still gives output
        compressor.compress(document[at : at + 100]) + compressor.flush(zlib.Z_FULL_FLUSH)
        for at in range(0, len(document), 100)
    )
    assert gunzip(packed, SITEMAP_MAX_BYTES) == (document, False)  # no end-of-stream marker
    body, whole = gunzip(packed[: len(packed) * 2 // 3], SITEMAP_MAX_BYTES)
    assert not whole and document.startswith(body)
    sitemap = parse_sitemap(body, cut=True)
    assert sitemap.truncated
    assert sitemap.entries == [e for end, e in NEWS_CDATA.ends if end <= len(body)] != []


def test_gunzip_refuses_past_its_limit_and_unreadable_gzip() -> None:
    packed = gzip.compress(b" " * 100_001)
    assert gunzip(packed, 100_001)[1]
    with pytest.raises(SitemapError) as refused:
        gunzip(packed, 100_000)
    assert refused.value.reason == "too_large"
    with pytest.raises(SitemapError) as refused:
        gunzip(b"\x1f\x8b\x08\x00garbage", SITEMAP_MAX_BYTES)
    assert refused.value.reason == "bad_sitemap"


def test_a_sitemap_past_download_maxsize_within_the_protocol_is_read_whole() -> None:
    """20 MB (DOWNLOAD_MAXSIZE is 16 MiB): comment padding compresses to a few KB."""
    padding = (b"<!--" + b" " * 1000 + b"-->\n") * (20 * 1024)
    body = b"<urlset><url><loc>http://s.test/1</loc></url>" + padding
    body += b"<url><loc>http://s.test/2</loc></url></urlset>"
    unpacked, whole = gunzip(gzip.compress(body), sitemap_size_limit(16 * 1024 * 1024))
    assert whole and len(unpacked) > 20_000_000
    assert [e.loc for e in parse_sitemap(unpacked).entries] == [
        "http://s.test/1",
        "http://s.test/2",
    ]


# robots.txt


@pytest.mark.parametrize(
    "line, url",
    [
        ("Sitemap: https://a.test/s.xml", "https://a.test/s.xml"),
        ("   Sitemap: https://a.test/s.xml", "https://a.test/s.xml"),
        ("\tsitemap:https://a.test/s.xml", "https://a.test/s.xml"),
        ("SITEMAP: https://a.test/s.xml   ", "https://a.test/s.xml"),
        ("Site-map: https://a.test/s.xml", "https://a.test/s.xml"),
        ("Sitemaps: https://a.test/s.xml", "https://a.test/s.xml"),
        ("Sitemap : https://a.test/s.xml", "https://a.test/s.xml"),
        ("Sitemap https://a.test/s.xml", "https://a.test/s.xml"),  # the colon forgotten
        ("Sitemap: https://a.test/s.xml # the news sitemap", "https://a.test/s.xml"),
        ("Sitemap: /news-sitemap.xml", "http://robots.test/news-sitemap.xml"),
        ("Sitemap: //cdn.test/s.xml.gz", "http://cdn.test/s.xml.gz"),
        (BOM + "Sitemap: https://a.test/s.xml", "https://a.test/s.xml"),
    ],
)
def test_robots_sitemap_line(line: str, url: str) -> None:
    text = f"User-agent: *\nDisallow: /private/\n{line}\n"
    if line.startswith(BOM):
        text = line + "\nUser-agent: *\n"
    assert robots_sitemaps(text, "http://robots.test/robots.txt") == ([url], [])


@pytest.mark.parametrize(
    "line",
    [
        "Disallow: /sitemap.xml",
        "# Sitemap: https://a.test/s.xml",
        "User-agent: sitemap-bot",
        "Sitemap:",
        "Sitemap-Link https://a.test/s.xml extra words",
    ],
)
def test_robots_lines_that_name_no_sitemap(line: str) -> None:
    assert robots_sitemaps(f"User-agent: *\n{line}\n", "http://robots.test/robots.txt") == (
        [],
        [],
    )


def test_robots_unusable_sitemap_lines_are_numbered() -> None:
    text = (
        "Sitemap: ftp://a.test/s.xml\r\nSitemap: not a url\rSitemap: http://[::1\n"
        "Sitemap: https://a.test/ok.xml\nSitemap: https://a.test/ok.xml\n"
    )
    assert robots_sitemaps(text, "http://robots.test/robots.txt") == (
        ["https://a.test/ok.xml"],
        [(1, "ftp://a.test/s.xml"), (2, "not a url"), (3, "http://[::1")],
    )
