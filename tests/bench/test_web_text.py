"""The extraction audit of the syndication web: chrome, lost text, and copies vs originals."""

from __future__ import annotations

import random
from pathlib import Path

from bench.syndication_web import Web, WebPage, synthetic_words
from bench.web_text import (
    chrome_runs,
    layout_table,
    read_page,
    read_web,
    same_day,
    story_matches,
    unmatched,
)


def page(url: str, story: str, kind: str, layout: str = "divs") -> WebPage:
    when = "2025-03-03T23:30:00-05:00"
    return WebPage(url, "x.test", story, kind, None, "A headline", when, layout)


def test_chrome_lost_text_and_captions() -> None:
    blocks = ["LAGOS (Reuters) — First para­graph of the story, long enough to shingle well.",
              "Officials leave the harbour on Monday. Photo: Sam Sato/AFP",
              "Second paragraph of the story, also long enough to be shingled.",
              "Third paragraph that the extractor will lose on the way out."]  # fmt: skip
    tags = ["p", "caption", "p", "p"]
    record = {
        "title": "A headline",
        "published": "2025-03-04T04:30:00+00:00",
        "text": "Home\n\nFirst paragraph of the story, long enough to shingle well.\n\n"
        "Second paragraph of the story, also long enough to be shingled.",
    }
    result = read_page(page("u", "s", "wire"), blocks, tags, record)
    assert result.chrome == ["Home"]  # the soft hyphen in the page is no chrome
    assert result.lost == [blocks[3]]  # the first, only its dateline gone, is not lost
    assert result.captions == (0, 1) and result.dateline is False
    assert result.title_right and result.day_right
    assert 0 < result.precision < 1 and 0 < result.recall < 1
    missing = read_page(page("u", "s", "original"), blocks, tags, None)
    assert not missing.written and missing.dateline is None


def test_chrome_glued_to_the_story_and_in_its_lead() -> None:
    """Legacy table cells come out as one line: the date widget, headline and byline
    glued to the first paragraph. Words case-folding splits ("İzmir") are no chrome."""
    body = "İzmir itfaiyesi yangına müdahale etti. " + synthetic_words(random.Random(2), 80)
    text = f"| | Monday, 12 May 2025 A headline By Sam Sato - Posted 03/04/2025 {body} |"
    runs = chrome_runs(text, body)
    assert [run for _, run in runs] == [
        "Monday, 12 May 2025 A headline By Sam Sato - Posted 03/04/2025"
    ]
    result = read_page(page("u", "s", "original"), [body], ["p"], {"text": text})
    assert result.lead and result.chrome == [runs[0][1]] and not result.lost
    late = read_page(page("u", "s", "original"), [body], ["p"], {"text": f"{body}\n\nHome"})
    assert late.chrome == ["Home"] and not late.lead


def test_same_day_in_the_page_zone() -> None:
    truth = "2025-03-03T23:30:00-05:00"
    assert same_day("2025-03-04T04:30:00+00:00", truth)  # the same moment
    assert same_day("2025-03-03", truth) and not same_day("2025-03-04", truth)
    assert not same_day(None, truth) and not same_day("soon", truth)


def test_copies_against_their_original(tmp_path: Path) -> None:
    rng = random.Random(1)
    story = [synthetic_words(rng, 60) for _ in range(8)]
    other = [synthetic_words(rng, 60) for _ in range(8)]
    pages = [
        page("o", "s", "original"),
        page("v", "s", "verbatim", "table"),
        page("x", "s", "excerpt", "bare-divs"),
        page("n", "s", "edited", "nested-table"),
    ]
    texts = {"o": story, "v": story, "x": story[:4], "n": other}
    web = Web(tmp_path, pages, texts, {u: ["p"] * len(t) for u, t in texts.items()})
    records = [{"url": u, "text": "\n\n".join(t), "title": "A headline"} for u, t in texts.items()]
    direct, unreachable = story_matches(web, records)
    verdict = {m.copy.url: (m.matches, m.candidate) for m in direct}
    assert verdict == {"v": (True, True), "x": (True, True), "n": (False, False)}
    assert unreachable == {("edited", "nested-table"): 1}
    assert unmatched(direct)[0] == "  edited on nested-table (original on divs), rules: 1"
    rows = layout_table(read_web(web, records))
    assert rows[0].split()[:3] == ["layout", "pages", "no"] and len(rows) == 5
