import pytest

from crawler.urls import canonical_url, is_private_address, is_private_host, site_of, url_id


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
