import pytest

from crawler.items import Document, Page
from pipelines.clean import NotAnArticle, clean_page
from tests.conftest import prose

TEXT = "\n".join(prose(1))


def page(url="http://news.test/2024/03/05/story.html", **doc) -> Page:
    doc.setdefault("text", TEXT)
    return Page(
        url=url,
        body=b"",
        encoding="utf-8",
        fetched_at="2024-03-05T10:00:00+00:00",
        doc=Document(**doc),
    )


def test_identity_from_same_site_canonical_only():
    cleaned = clean_page(page(canonical_url="http://news.test/story?utm_source=x"), 100, 0.5)
    assert cleaned.canonical_url == "http://news.test/story"
    reprint = clean_page(page(canonical_url="http://origin.test/story"), 100, 0.5)
    assert reprint.canonical_url == "http://news.test/2024/03/05/story.html"
    home = clean_page(page(canonical_url="http://news.test/"), 100, 0.5)
    assert home.canonical_url == "http://news.test/2024/03/05/story.html"
    assert reprint.site == "news.test"


def test_text_is_tidied_and_credits_taken_out():
    cleaned = clean_page(
        page(
            text="Headline\n  First   paragraph of the story. \n\n"
            + TEXT
            + "\nArticle by Ali Ba, Wire.",
            title="Headline",
        ),
        100,
        0.5,
    )
    doc = cleaned.doc
    assert doc is not None
    assert doc.text.startswith("First paragraph of the story.\n\n")
    assert doc.text.endswith(prose(1)[-1])
    assert [c.publisher for c in doc.credits] == ["Wire"]
    assert doc.authors == ["Ali Ba"]  # from the credit, as the page named no author


@pytest.mark.parametrize(
    ("url", "doc", "reason"),
    [
        ("http://news.test/x", {"text": ""}, "empty"),
        ("http://news.test/x", {"text": "Too short."}, "too_short"),
        ("http://news.test/", {}, "home_page"),
        ("http://news.test/about-us/", {}, "service_page"),
        ("http://news.test/x", {"page_type": "collectionpage"}, "not_article_type"),
        (
            "http://news.test/x",
            {"page_type": "website", "published_source": "text"},
            "not_article_type",
        ),
        ("http://news.test/x", {"linked_fraction": 0.8}, "listing"),
    ],
)
def test_non_articles_are_refused_with_a_reason(url, doc, reason):
    with pytest.raises(NotAnArticle) as refused:
        clean_page(page(url, **doc), 400, 0.5)
    assert refused.value.reason == reason


def test_website_type_with_declared_date_is_an_article():
    cleaned = clean_page(page(page_type="website", published_source="meta"), 400, 0.5)
    assert cleaned.id
