"""The story an application's scripts carry, for shells that show none."""

import json

from lxml import html

from crawler.items import Document, Page
from pipelines.extraction.document import extract_document
from pipelines.extraction.embedded import embedded_html

PARAS = [
    "The council voted on Tuesday to build a bridge over the canal after years of talks.",
    "Work starts in spring and should take three years, the mayor said after the vote.",
    "The province pays a third of the cost; the state has yet to decide on its share.",
    "Shipping on the canal will be closed for two weeks while the piers are built.",
]
STORY = "".join(f"<p>{p}</p>" for p in PARAS) + "$$ARTICLEAD$$"
ESCAPED_LT = "\\u003c"  # "<" as applications write it inside their scripts
SHELL = (
    '<html><head><meta property="og:type" content="article"><title>Bridge</title>{head}</head>'
    '<body><div id="__next"><p class="loading">Loading…</p></div>{scripts}</body></html>'
)


def next_data(story: str) -> str:
    data = json.dumps({"props": {"pageProps": {"article": {"contentHtml": story}}}})
    data = data.replace("<", ESCAPED_LT)
    return f'<script id="__NEXT_DATA__" type="application/json">{data}</script>'


def flight(story: str) -> str:
    chunk = json.dumps([1, story]).replace("<", ESCAPED_LT)
    header = '<script>self.__next_f.push([1,"24:T1b7b,"])</script>'
    return f"{header}<script>self.__next_f.push({chunk})</script>"


def test_html_in_the_application_data_escaped_once_or_twice_is_found():
    for scripts in (next_data(STORY), flight(STORY), flight(json.dumps(STORY))):
        tree = html.document_fromstring(SHELL.format(head="", scripts=scripts))
        found = embedded_html(tree)
        assert found is not None and PARAS[3] in found and "$$" not in found


def extracted(page: str) -> Document:
    fetched = "2025-01-01T00:00:00+00:00"
    return extract_document(
        Page(
            url="http://app.test/story/1/", body=page.encode(), encoding="utf-8", fetched_at=fetched
        )
    )


def test_a_shell_page_gets_its_story_from_its_scripts_and_a_page_with_text_keeps_its_own():
    doc = extracted(SHELL.format(head="", scripts=next_data(STORY)))
    assert doc.text.split("\n") == PARAS and doc.text_source == "script"
    shown = "".join(f"<p>{p} And more words to show.</p>" for p in PARAS)
    scripts = next_data("<p>x</p>" * 3 + STORY)
    doc = extracted(f"<html><body><article><h1>Bridge</h1>{shown}</article>{scripts}</body></html>")
    assert doc.text_source == "trafilatura" and "And more words" in doc.text
    # JSON-LD and scripts with fewer than three paragraphs are not read.
    few = SHELL.format(head="", scripts=next_data("<p>One.</p><p>Two.</p>" + "x" * 400))
    assert embedded_html(html.document_fromstring(few)) is None
