import pytest
from parsel import Selector

from crawler.pagekind import looks_like_article

LONG = " ".join(["word"] * 30)


@pytest.mark.parametrize(
    ("url", "page", "expected"),
    [
        ("http://s.test/x", '<meta property="og:type" content="article">', True),
        (
            "http://s.test/x",
            '<script type="application/ld+json">{"@type":"NewsArticle"}</script>',
            True,
        ),
        ("http://s.test/2013/12/10/story/", "", True),
        ("http://s.test/news/algeria-libya-step-up-security", "", True),
        ("http://s.test/stories/201312090456.html", "", True),
        ("http://s.test/", "", False),
        ("http://s.test/tag/security/", f"<p>{LONG}</p>" * 5, False),
        ("http://s.test/about/", "", False),
        ("http://s.test/archive/2024/", "", False),
        ("http://s.test/author/jane-doe-smith-jones", "", False),
        ("http://s.test/archive/20250303/mayor-opens-new-bridge.html", "", True),
        ("http://s.test/archive/2019/12345.html", "", True),
        ("http://s.test/x", f"<p>{LONG}</p>" * 3, True),
        ("http://s.test/x", f"<p>{LONG}</p>", False),
    ],
)
def test_looks_like_article(url, page, expected):
    assert (
        looks_like_article(url, Selector(text=f"<html><head></head><body>{page}</body></html>"))
        is expected
    )
