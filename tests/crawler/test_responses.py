import random

import pytest
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx_error

from crawler.responses import (
    CHALLENGE_MAX_BYTES,
    bot_challenge,
    choose_encoding,
    declares_entities,
    failure_reason,
    is_binary,
    is_empty,
)
from tests.conftest import article_page, prose
from tests.hostile_server import (
    ARABIC,
    CHALLENGES,
    FRENCH,
    JAPANESE,
    JAVASCRIPT_ARTICLE,
    XML_BOMB_PROLOGUE,
)


def page(text: list[str], meta: str | None = None) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    body = "".join(f"<p>{p}</p>" for p in text)
    return f"<html><head>{head}<title>T</title></head><body>{body}</body></html>"


AR, FR, JA = page(ARABIC), page(FRENCH), page(JAPANESE)


@pytest.mark.parametrize(
    ("content_type", "body", "encoding", "source", "corrected"),
    [
        # declared truthfully, in the header, the page or both
        ("text/html; charset=windows-1256", AR.encode("cp1256"), "cp1256", "header", False),
        ("text/html", page(ARABIC, "windows-1256").encode("cp1256"), "cp1256", "meta", False),
        ("text/html; charset=ISO-8859-1", FR.encode("latin-1"), "cp1252", "header", False),
        ("text/html; charset=Shift_JIS", JA.encode("shift_jis"), "cp932", "header", False),
        ("text/html; charset=utf-8", JA.encode(), "utf-8", "bytes", False),
        # valid multibyte UTF-8 wins over a single-byte claim, header or meta
        ("text/html; charset=iso-8859-1", FR.encode(), "utf-8", "bytes", True),
        ("text/html", page(ARABIC, "windows-1252").encode(), "utf-8", "bytes", True),
        # a utf-8 claim over bytes that are not UTF-8: the meta, then detection
        (
            "text/html; charset=utf-8",
            page(ARABIC, "windows-1256").encode("cp1256"),
            "cp1256",
            "meta",
            True,
        ),
        ("text/html; charset=utf-8", JA.encode("shift_jis"), "cp932", "detected", True),
        # a server-default header yields to the page's own different <meta charset>
        (
            "text/html; charset=iso-8859-1",
            page(ARABIC, "windows-1256").encode("cp1256"),
            "cp1256",
            "meta",
            True,
        ),
        # nothing declared
        ("text/html", AR.encode("cp1256"), "cp1256", "detected", False),
        ("text/html", b"<html><body><p>plain</p></body></html>", "utf-8", "default", False),
        # ASCII reads the same in any ASCII-compatible charset: nothing to correct
        (
            "text/html; charset=iso-8859-1",
            page(["plain"], "utf-8").encode(),
            "cp1252",
            "header",
            False,
        ),
        # byte order marks, and UTF-16 declared without one
        ("text/html; charset=iso-8859-1", b"\xef\xbb\xbf" + AR.encode(), "utf-8", "bom", True),
        ("text/html", FR.encode("utf-16"), "utf-16-le", "bom", False),
        ("text/html; charset=utf-16le", FR.encode("utf-16-le"), "utf-16-le", "header", False),
    ],
)
def test_choose_encoding(content_type, body, encoding, source, corrected):
    charset = choose_encoding(content_type, body)
    assert (charset.encoding, charset.source, charset.corrected) == (encoding, source, corrected)


def test_chosen_encoding_gives_the_text():
    body = page(ARABIC, "windows-1256").encode("cp1256")
    charset = choose_encoding("text/html; charset=utf-8", body)
    assert all(paragraph in body.decode(charset.encoding) for paragraph in ARABIC)


def test_empty_bodies():
    assert is_empty(b"") and is_empty(b" \r\n\t ")
    assert not is_empty(b"<html></html>")


@pytest.mark.parametrize(
    "body",
    [
        random.Random(1).randbytes(5000),
        b"\x89PNG\r\n\x1a\n" + b"IHDR" * 100,
        b"%PDF-1.7\n" + b"stream" * 100,
        b"\xff\xd8\xff\xe0" + b"JFIF" * 100,
        b"PK\x03\x04" + b"x" * 100,
        b"<html>" + b"\x01\x02\x03\x04" * 100 + b"</html>",  # control characters, no NUL
    ],
)
def test_binary_bodies(body):
    assert is_binary(body, "cp1252")


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        (article_page("A", prose(1)).encode(), "utf-8"),
        (JA.encode("shift_jis"), "cp932"),
        (AR.encode("cp1256"), "cp1256"),
        (FR.encode("utf-16"), "utf-16"),  # NUL bytes, but not once decoded
        (b"<html><body>\x0c<pre>a\tb\r\n</pre></body></html>", "utf-8"),
    ],
)
def test_text_bodies_are_not_binary(body, encoding):
    assert not is_binary(body, encoding)


@pytest.mark.parametrize("name", CHALLENGES)
def test_bot_challenges(name):
    assert bot_challenge(CHALLENGES[name].encode(), "utf-8")


@pytest.mark.parametrize(
    "html",
    [
        JAVASCRIPT_ARTICLE,  # quotes a challenge page in the article text
        article_page("Just a moment in history", prose(2)),  # a headline, not a title
        # real pages load bot-protection scripts and show "enable JavaScript" notices
        article_page(
            "A",
            prose(3),
            head='<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>'
            '<script src="https://js.datadome.co/tags.js"></script>'
            "<script>window._pxAppId = 'PX1';</script>",
        ).replace("<main>", "<main><noscript>Please enable JavaScript to view comments</noscript>"),
        # a short brief may quote a challenge phrase once in its own words
        article_page(
            "Portal down",
            [
                'Visitors were told to "enable JavaScript and cookies to continue" on Monday.',
                *prose(4, paragraphs=2),
            ],
        ),
    ],
)
def test_articles_are_not_bot_challenges(html):
    assert bot_challenge(html.encode(), "utf-8") is None


def test_a_big_page_is_never_taken_for_a_challenge():
    body = CHALLENGES["cloudflare"].encode() + b" " * CHALLENGE_MAX_BYTES
    assert bot_challenge(body, "utf-8") is None


@pytest.mark.parametrize(
    "body",
    [
        XML_BOMB_PROLOGUE.encode() + b"<rss/>",
        b'<?xml version="1.0"?>\n<!-- a comment -->\n<?pi x?>\n<!DOCTYPE rss [\n'
        b'<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss>&xxe;</rss>',
        (XML_BOMB_PROLOGUE + "<urlset/>").encode("utf-16"),
        b'<!DOCTYPE urlset [<!ENTITY big "' + b"x" * 1000 + b'">]><urlset>&big;</urlset>',
    ],
)
def test_entity_declarations_are_found(body):
    assert declares_entities(body)


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>',
        b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
        b' "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"></rss>',
        # an article about XML that quotes an entity declaration is still a feed
        b'<rss version="2.0"><channel><item><description><![CDATA[<!DOCTYPE x [<!ENTITY a "b">]>'
        b"]]></description></item></channel></rss>",
        b"",
        b"<!-- unterminated",
    ],
)
def test_documents_without_entity_declarations(body):
    assert not declares_entities(body)


def http_error(status: int) -> HttpError:
    return HttpError(Response("http://news.test/a", status=status), "Ignoring non-200 response")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (http_error(404), ("error", "http_404")),
        (http_error(503), ("error", "http_503")),
        (IgnoreRequest("Forbidden by robots.txt"), ("skipped", "robots_disallowed")),
        (IgnoreRequest("private network address 10.0.0.1"), ("skipped", "private_network")),
        (IgnoreRequest("max redirections reached"), ("skipped", "redirect_loop")),
        (
            IgnoreRequest("Ignored response <200 x> ... exceeded DOWNLOAD_MAXSIZE (16 B) ..."),
            ("skipped", "too_large"),
        ),
        (IgnoreRequest("something else"), ("skipped", "ignored")),
        (DownloadCancelledError(), ("skipped", "too_large")),
        (DownloadTimeoutError("Getting x took longer than 3.0 seconds."), ("error", "timeout")),
        (tx_error.TimeoutError(), ("error", "timeout")),
        (tx_error.TCPTimedOutError(), ("error", "timeout")),
        (CannotResolveHostError("no results for hostname lookup: x.test"), ("error", "dns")),
        (tx_error.DNSLookupError("x.test"), ("error", "dns")),
        (DownloadConnectionRefusedError(), ("error", "connection_refused")),
        (tx_error.ConnectionRefusedError(), ("error", "connection_refused")),
        (ResponseDataLossError(), ("error", "data_loss")),
        (DownloadFailedError("ConnectionLost"), ("error", "connection_failed")),
        (tx_error.ConnectionLost(), ("error", "connection_failed")),
        (ValueError("anything"), ("error", "download_failed")),
    ],
)
def test_failure_reason(error, expected):
    assert failure_reason(error) == expected
