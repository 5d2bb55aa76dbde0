import asyncio
import copy
import gzip
import json
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import Document, Hints, Page
from crawler.stats import DROPPED
from pipelines.extract import ExtractPipeline, Unparseable
from pipelines.extraction.document import extract_document, linked_fraction, prose_share
from tests.conftest import SAMPLE_SITES, article_page, prose

FUNDUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "fundus-news-pages"


def make_page(html: str | bytes, url="http://news.test/a.html", hints=None) -> Page:
    body = html.encode() if isinstance(html, str) else html
    return Page(
        url=url,
        body=body,
        encoding="utf-8",
        fetched_at="2024-03-10T00:00:00+00:00",
        hints=hints or Hints(),
    )


def test_plain_page():
    doc = extract_document(make_page(article_page("A title", prose(1), "2024-03-05T08:00:00Z")))
    assert doc.title == "A title"
    assert doc.text.splitlines()[-1] == prose(1)[-1]
    assert prose(1)[0] in doc.text
    assert (doc.published, doc.published_source) == ("2024-03-05T08:00:00+00:00", "meta")
    assert doc.authors == ["Amina Diallo"]
    assert doc.language == "en"
    assert doc.site_name == "Test Times"


def test_seed_like_reprint_keeps_publication_date_not_the_date_widget():
    path = SAMPLE_SITES / "libyaobserver.test/2013/12/10"
    html = next(path.glob("*/index.html")).read_text()
    doc = extract_document(make_page(html, "http://libyaobserver.test/2013/12/10/x/"))
    assert doc.published == "2013-12-10T06:00:00+00:00"
    assert "28 November 2023" not in doc.text
    assert "Check Also" not in doc.text


def test_hints_and_future_dates():
    page = make_page(
        article_page("A", prose(1), published="2031-01-01T00:00:00Z"),
        hints=Hints(published="2024-03-01T00:00:00+00:00", published_source="feed"),
    )
    doc = extract_document(page)
    assert (doc.published, doc.published_source) == ("2024-03-01T00:00:00+00:00", "feed")


@pytest.mark.parametrize("body", [b"", b"   ", b"\x00\x01\x02binary", b"<html></html>"])
def test_empty_and_junk_pages_give_no_text(body):
    assert extract_document(make_page(body)).text == ""


@pytest.mark.parametrize(
    "declaration",
    [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        '\ufeff<?xml version="1.0" encoding="UTF-8" ?>',
        "  <?xml version='1.0' encoding='iso-8859-1'?>\r\n",
        '<?xml version="1.0"?>',
    ],
)
def test_a_page_opening_with_an_xml_declaration_is_read(declaration):
    """XHTML pages declare their encoding before the doctype; lxml refuses such a
    declaration in a decoded page, which came back empty."""
    paragraphs = prose(31, paragraphs=5)
    page = article_page("Declared", paragraphs, "2024-03-01T08:00:00+00:00")
    doc = extract_document(make_page((declaration + page).encode("utf-8")))
    assert doc.title == "Declared"
    assert all(paragraph in doc.text for paragraph in paragraphs)


@pytest.mark.parametrize("control", [c for c in range(1, 32) if chr(c) not in "\t\n\r"])
def test_control_characters_in_the_markup_do_not_empty_the_page(control):
    """Stray control characters (a CMS pasting from a word processor): trafilatura
    returned nothing for a tree holding one."""
    paragraphs = prose(32, paragraphs=5)
    marked = [f"{paragraphs[0]}{chr(control)} tail", *paragraphs[1:]]
    doc = extract_document(make_page(article_page("Marked", marked, "2024-03-01T08:00:00+00:00")))
    assert paragraphs[-1] in doc.text and "tail" in doc.text


def test_linked_fraction():
    assert (
        linked_fraction("A headline link\nAnother link\n", {"A headline link", "Another link"})
        == 1.0
    )
    assert linked_fraction("Plain text line", {"A headline link"}) == 0.0


@pytest.mark.skipif(not FUNDUS.is_dir(), reason="development set not present")
def test_real_pages_from_the_development_set():
    """A few real pages: the expected title is found and most of the body is there."""
    checked = 0
    for name in ("us/APNews", "uk/TheGuardian", "de/SpiegelOnline"):
        pages = sorted(FUNDUS.glob(f"{name}_*.html.gz"))
        expected = next(iter(json.loads((FUNDUS / f"{name}.json").read_text()).values()))
        if not pages:
            continue
        doc = extract_document(
            make_page(
                gzip.decompress(pages[0].read_bytes()),
                url=f"https://{name.split('/')[1].lower()}.test/a",
            )
        )
        paragraphs = expected["body"]["sections"][0]["paragraphs"]
        assert paragraphs[0][:60] in doc.text
        checked += 1
    assert checked >= 2


WIDGET_PAGE = """<html><head><title>Story</title></head><body>
<div class="top-bar">Tuesday, 28 November 2023</div>
<article><h1>Story</h1>{paragraphs}</article></body></html>"""


@pytest.mark.parametrize(
    ("url", "published", "source"),
    [
        ("http://news.test/story.html", None, None),
        ("http://news.test/2013/12/10/story.html", "2013-12-10", "url"),
    ],
)
def test_a_date_widget_showing_the_fetch_day_is_not_a_publication_date(url, published, source):
    html = WIDGET_PAGE.format(paragraphs="".join(f"<p>{p}</p>" for p in prose(4)))
    page = Page(
        url=url, body=html.encode(), encoding="utf-8", fetched_at="2023-11-28T09:00:00+00:00"
    )
    doc = extract_document(page)
    assert (doc.published, doc.published_source) == (published, source)
    assert "28 November 2023" not in doc.text


def test_modified_date_is_kept_apart_with_its_source():
    head = (
        '<meta property="article:published_time" content="2024-03-01T08:00:00Z">'
        '<meta property="article:modified_time" content="2024-03-04T08:00:00Z">'
    )
    doc = extract_document(make_page(article_page("A", prose(1), head=head, published=None)))
    assert (doc.published, doc.published_source) == ("2024-03-01T08:00:00+00:00", "meta")
    assert (doc.modified, doc.modified_source) == ("2024-03-04T08:00:00+00:00", "meta")


def test_a_comment_inside_a_paragraph_does_not_cut_the_text():
    paragraphs = prose(6)
    paragraphs[-1] = paragraphs[-1][:60] + "<!-- ad slot -->" + paragraphs[-1][60:]
    doc = extract_document(make_page(article_page("A", paragraphs)))
    assert doc.text.splitlines()[-1] == prose(6)[-1]


def test_worker_processes_give_the_same_documents_as_the_crawl_process():
    """EXTRACT_WORKERS only moves extraction to other processes; the result is the same."""
    bodies = [path.read_bytes() for path in sorted(SAMPLE_SITES.rglob("*.html"))]
    bodies += [gzip.decompress(p.read_bytes()) for p in sorted(FUNDUS.glob("*/*.html.gz"))[:40]]
    bodies.append(b"<html>" + b"<div>" * 100_000 + b"deep</html>")  # refused alike
    pages = [
        make_page(body, url=f"https://site{n}.test/story-{n}") for n, body in enumerate(bodies)
    ]

    async def through(pipeline: ExtractPipeline) -> list[Document | str]:
        pipeline.open_spider()
        results: list[Document | str] = []
        for page in pages:
            try:
                results.append((await pipeline.process_item(copy.deepcopy(page))).doc)
            except Unparseable as refused:
                results.append(refused.detail)
        pipeline.close_spider()
        return results

    stats = get_crawler().stats
    assert stats is not None
    in_process = asyncio.run(through(ExtractPipeline(stats, workers=0)))
    in_workers = asyncio.run(through(ExtractPipeline(stats, workers=2)))
    assert len(in_process) == len(pages) >= 20
    assert in_workers == in_process
    assert isinstance(in_process[-1], str) and "depth" in in_process[-1]


def test_a_text_of_menus_and_buttons_has_little_prose():
    """The fast pass's text is checked again when it is mostly short lines."""
    menus = "\n".join(["Skip to content", "Subscribe", "Sign In", "Today's paper"] * 60)
    story = "\n".join(prose(1, paragraphs=6))
    assert prose_share(menus) == 0.0
    assert prose_share(story) == 1.0
    assert prose_share(f"{story}\n{menus}") < 0.5 < prose_share(f"{story}\nSubscribe")
    assert prose_share("") == 0.0


def test_the_stage_drops_an_unparseable_page_with_its_message_and_reason():
    """Scrapy counts a drop by its class name (item_dropped_reasons_count/Unparseable),
    the manifest by its `reason`, newsfold's stats under `DROPPED`."""
    stats = get_crawler().stats
    assert stats is not None
    page = make_page(b"<html>" + b"<div>" * 100_000 + b"deep</html>")
    with pytest.raises(Unparseable) as dropped:
        asyncio.run(ExtractPipeline(stats, workers=0).process_item(page))
    assert type(dropped.value).__name__ == "Unparseable"
    message = str(dropped.value)
    assert message.startswith("unparseable page (nested deeper than the HTML parser allows: ")
    assert message.endswith("): http://news.test/a.html")
    assert dropped.value.detail in message
    assert (dropped.value.reason, dropped.value.log_level) == ("unparseable", "INFO")
    assert stats.get_value(DROPPED + "unparseable") == 1
