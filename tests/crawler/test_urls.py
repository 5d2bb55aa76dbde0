import random

import pytest
from scrapy import Request

from crawler.urls import (
    canonical_url,
    is_private_address,
    is_private_host,
    site_of,
    url_id,
    url_problem,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTP://WWW.Example.COM:80/a/b?utm_source=x&b=2&a=1#frag",
            "http://www.example.com/a/b?a=1&b=2",
        ),
        ("https://news.test/story?fbclid=abc&id=7&gclid=z", "https://news.test/story?id=7"),
        ("https://news.test:8443/x", "https://news.test:8443/x"),
        ("https://news.test", "https://news.test/"),
        ("https://news.test/a?ref=home", "https://news.test/a?ref=home"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_url_id_is_stable_across_tracking_variants():
    assert url_id("https://news.test/a?utm_medium=rss") == url_id("https://NEWS.test/a#top")
    assert url_id("https://news.test/a") != url_id("https://news.test/b")
    assert len(url_id("https://news.test/a")) == 24


def test_site_of():
    assert site_of("https://www.news.test/a") == "news.test"
    assert site_of("http://127.0.0.1:8080/x") == "127.0.0.1:8080"
    assert site_of("https://news.test:443/") == "news.test"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
    ],
)
def test_private_addresses(address):
    assert is_private_address(address)


def test_public_and_names():
    assert not is_private_address("93.184.216.34")
    assert not is_private_address("news.test")
    assert is_private_host("localhost")
    assert is_private_host("api.localhost")
    assert is_private_host("[::1]")
    assert not is_private_host("news.example.com")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("www.example.com/page", "no scheme (write https://www.example.com/page)"),
        ("example.com", "no scheme (write https://example.com)"),
        ("localhost:8080/a", "no scheme (write https://localhost:8080/a)"),
        ("//cdn.example.com/a", "no scheme (write https://cdn.example.com/a)"),
        ("not a url", "no scheme: not a URL (a URL starts with https://)"),
        ("/relative/path.html", "no scheme: not a URL (a URL starts with https://)"),
        ("javascript:void(0)", "not http(s): javascript: URLs are not fetched"),
        ("mailto:desk@example.com", "not http(s): mailto: URLs are not fetched"),
        ("data:text/html,<p>hi</p>", "not http(s): data: URLs are not fetched"),
        ("TEL:+44123", "not http(s): tel: URLs are not fetched"),
        ("ftp://files.example.com/a", "not http(s): ftp: URLs are not fetched"),
        ("file:///etc/passwd", "not http(s): file: URLs are not fetched"),
        ("http:///path", "no host"),
        ("https://", "no host"),
        ("http://exa mple.com/", "bad host 'exa mple.com'"),
        ("http://example.com:port/", "malformed (Port could not be cast to integer value"),
        ("http://example.com:99999/", "malformed (Port out of range 0-65535)"),
        ("http://[::1/", "malformed (Invalid IPv6 URL)"),
        ("", "empty"),
    ],
)
def test_url_problem_says_what_is_wrong(url, problem):
    found = url_problem(url)
    assert found is not None and found.startswith(problem), found


@pytest.mark.parametrize(
    "url",
    [
        "https://news.test/a",
        "HTTP://NEWS.test:8080/a?b=1#c",
        "  https://news.test/with space  ",
        "https://münchen.test/straße",
        "http://127.0.0.1:8000/x",
        "https://user:pw@news.test/",
        "http://[::1]:8080/",
    ],
)
def test_url_problem_lets_fetchable_urls_through(url):
    assert url_problem(url) is None
    Request(canonical_url(url))


def test_a_url_without_a_problem_always_makes_a_request():
    """Garbage from feeds and pages: whatever passes the check must build a Request."""
    rng = random.Random(13)
    pieces = [
        "http",
        "https",
        "://",
        ":",
        "/",
        "//",
        "[",
        "]",
        "::1",
        "@",
        "?",
        "#",
        "%",
        "%zz",
        " ",
        "\t",
        "xn--",
        "news.test",
        "münchen",
        ".",
        "..",
        "-",
        "80",
        "99999",
        "javascript",
        "mailto",
        "\\",
        "<",
        "\x00",
        "é",
        "a",
        "1",
    ]
    built = 0
    starts = ["http://", "https://", "HTTPS://", "http:/", "", "javascript:", "http://news.test"]
    for _ in range(5000):
        rest = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        url = rng.choice(starts) + rest
        if url_problem(url) is None:
            Request(canonical_url(url))
            built += 1
    assert built > 500  # the check lets real URLs through, not only refuses
