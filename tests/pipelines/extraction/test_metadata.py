from lxml import html

from pipelines.extraction.metadata import read_metadata

PAGE = """<html lang="en-GB"><head>
<title>Big story - The Daily</title>
<meta property="og:title" content="Big story">
<meta property="og:site_name" content="The Daily">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2013-12-10T06:00:00+00:00">
<meta property="article:tag" content="Libya"><meta property="article:tag" content="Security">
<meta name="description" content="What happened.">
<link rel="canonical" href="/2013/12/10/big-story/">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "WebSite", "name": "The Daily"},
 {"@type": ["NewsArticle"], "headline": "Big story, in full",
  "datePublished": "2013-12-09T08:15:00Z", "dateModified": "2013-12-11T00:00:00Z",
  "author": [{"@type": "Person", "name": "Walid Ramzi"},
             {"@type": "Organization", "name": "allAfrica"}],
  "publisher": {"@type": "Organization", "name": "Daily Ltd"}, "keywords": "a, b"}]}</script>
<script type="application/ld+json">{ broken json</script>
</head><body><p>Text <a href="/x">a link text</a></p></body></html>"""


def test_jsonld_wins_and_organisations_are_not_authors():
    found = read_metadata(html.document_fromstring(PAGE), "http://daily.test/x?y=1")
    assert found.headline == "Big story, in full"
    assert found.title == "Big story"
    assert found.authors == ["Walid Ramzi"]
    assert (found.published, found.published_source) == ("2013-12-09T08:15:00Z", "json-ld")
    assert found.modified == "2013-12-11T00:00:00Z"
    assert found.site_name == "The Daily"
    assert found.tags == ["a", "b"]
    assert found.language == "en-GB"
    assert found.canonical_url == "http://daily.test/2013/12/10/big-story/"
    assert found.page_type == "newsarticle"


def test_meta_only_page():
    page = PAGE.split('<script type="application/ld+json">{"@context"')[0] + "</head></html>"
    found = read_metadata(html.document_fromstring(page), "http://daily.test/")
    assert found.headline is None
    assert (found.published, found.published_source) == ("2013-12-10T06:00:00+00:00", "meta")
    assert found.tags == ["Libya", "Security"]
    assert found.page_type == "article"
    assert found.description == "What happened."


def test_listing_type_is_reported():
    page = """<html><head><script type="application/ld+json">
    {"@type": "CollectionPage", "name": "Africa"}</script></head><body></body></html>"""
    assert read_metadata(html.document_fromstring(page), "http://d.test/").page_type == (
        "collectionpage"
    )


def test_a_web_page_object_dates_the_page_before_a_meta_tag():
    """No article object, but a WebPage (a CMS's default) with its own datePublished: it
    wins over article:published_time, which such CMSs set at each save. An image's date
    says nothing of the page's."""
    page = html.document_fromstring(
        """<html><head>
<meta property="article:published_time" content="2024-03-05T09:00:00+00:00">
<script type="application/ld+json">[
 {"@type": "ImageObject", "datePublished": "2023-10-12"},
 {"@type": "WebPage", "datePublished": "2024-03-01T07:30:00+00:00"}]</script>
</head><body><p>Text.</p></body></html>"""
    )
    found = read_metadata(page, "https://news.test/story")
    assert (found.published, found.published_source) == ("2024-03-01T07:30:00+00:00", "json-ld")
    image_only = html.document_fromstring(
        """<html><head>
<meta property="article:published_time" content="2024-03-05T09:00:00+00:00">
<script type="application/ld+json">{"@type": "ImageObject", "datePublished": "2023-10-12"}
</script></head><body><p>Text.</p></body></html>"""
    )
    found = read_metadata(image_only, "https://news.test/story")
    assert (found.published, found.published_source) == ("2024-03-05T09:00:00+00:00", "meta")
