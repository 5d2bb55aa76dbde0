"""A site's names, by the one rule titles, authors and stories share."""

import pytest

from crawler.best_page import publisher_keys
from crawler.site_identity import host_brand, host_names, is_site_name, site_names
from pipelines.extraction.authors import _Site
from pipelines.extraction.titles import Furniture


@pytest.mark.parametrize(
    ("site", "brand"),
    [
        ("mirror.co.uk", "mirror"),
        ("news.bbc.co.uk", "bbc"),
        ("ntv.com.tr", "ntv"),
        ("austria.info", "austria"),
        ("www.dw.com", "dw"),
        ("localhost:8080", ""),
        ("127.0.0.1:8080", ""),
        ("", ""),
    ],
)
def test_host_brand(site: str, brand: str) -> None:
    assert host_brand(site) == brand


def test_site_names() -> None:
    assert host_names("Harbour-Gazette.test:8080") == ("harbour-gazette.test", "harbour-gazette")
    assert site_names("The Gazette", "www.gazette.test") == [
        "The Gazette",
        "gazette.test",
        "gazette",
    ]
    assert is_site_name("GAZETTE", None, "gazette.test")
    assert not is_site_name("Gazette Sport", "The Gazette", "gazette.test")


def test_every_caller_reads_the_same_brand() -> None:
    """Titles and authors name news.bbc.co.uk's brand alike; stories match credits by the
    same names of the whole site."""
    assert Furniture.of([], "news.bbc.co.uk").is_site("BBC", loose=False)
    assert _Site.of(None, "news.bbc.co.uk").names_itself("BBC Newsroom")
    assert publisher_keys("www.bbc.co.uk", "BBC News") == ("bbcco", "bbccouk", "bbcnews")
