import asyncio

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import Document, Page
from crawler.stats import DROPPED
from pipelines import clean
from pipelines.extraction.cleaning import NotAnArticle, clean_page
from tests.conftest import prose

TEXT = "\n".join(prose(1))
# An introduction and linked teasers: what a section page typed as such shows.
SECTION: dict[str, object] = {
    "text": "\n".join([*prose(2), "Other story one", "Other story two"]),
    "linked_fraction": 0.3,
}


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
        ("http://news.test/x", {"page_type": "collectionpage", **SECTION}, "not_article_type"),
        (
            "http://news.test/x",
            {"page_type": "website", "published_source": "text", **SECTION},
            "not_article_type",
        ),
        ("http://news.test/x", {"page_type": "webpage", **SECTION}, "not_article_type"),
        ("http://news.test/x", {"linked_fraction": 0.8}, "listing"),
    ],
)
def test_non_articles_are_refused_with_a_reason(url, doc, reason):
    with pytest.raises(NotAnArticle) as refused:
        clean_page(page(url, **doc), 400, 0.5)
    assert refused.value.reason == reason


@pytest.mark.parametrize("page_type", ["website", "webpage", "collectionpage"])
def test_a_declared_type_is_outweighed_by_a_body_of_prose(page_type):
    """A CMS declaring og:type "website" on every page (here with no declared date) does
    not make its articles non-articles: paragraphs of prose with no link text outweigh it."""
    cleaned = clean_page(page(page_type=page_type, published_source="text"), 400, 0.5)
    assert cleaned.id
    short = page(page_type=page_type, published_source="text", text="\n".join(prose(3)[:2]))
    with pytest.raises(NotAnArticle) as refused:
        clean_page(short, 100, 0.5)
    assert refused.value.reason == "not_article_type"


def test_a_short_story_in_a_cjk_script_is_long_enough():
    """383 characters of Japanese are a whole news item; as many Latin ones are not."""
    japanese = "政府は三日、新たな経済対策を発表した。" * 20  # 380 characters
    assert clean_page(page(text=japanese), 400, 0.5).id
    with pytest.raises(NotAnArticle) as refused:
        clean_page(page(text="A short line of Latin text. " * 13), 400, 0.5)
    assert refused.value.reason == "too_short"


def test_website_type_with_declared_date_is_an_article():
    cleaned = clean_page(page(page_type="website", published_source="meta"), 400, 0.5)
    assert cleaned.id


def test_the_stage_drops_a_refused_page_with_its_message_and_reason():
    """Scrapy counts a drop by its class name (item_dropped_reasons_count/NotAnArticle),
    the manifest by its `reason`, newsfold's stats under `DROPPED`."""
    stats = get_crawler().stats
    assert stats is not None
    stage = clean.CleanPipeline(stats, 400, 0.5, None)
    with pytest.raises(clean.NotAnArticle) as dropped:
        asyncio.run(stage.process_item(page("http://news.test/")))
    assert type(dropped.value).__name__ == "NotAnArticle"
    assert str(dropped.value) == "not an article (home_page): http://news.test/"
    assert (dropped.value.reason, dropped.value.log_level) == ("home_page", "INFO")
    assert stats.get_value(DROPPED + "home_page") == 1
