"""The report's figures and markup, from rows as the state gives them."""

from __future__ import annotations

import json
import re

from crawler.report_data import build_report, lag_bucket, lag_hours
from crawler.report_html import render, script_json
from tests.conftest import prose

HOSTILE = "</script><script>alert(1)</script>&amp;"
PARAGRAPHS = prose(1)
TEXT = "\n\n".join(PARAGRAPHS)


def row(cluster: str, doc: str, site: str, relation: str, **fields):
    base = {
        "cluster": cluster,
        "id": doc,
        "url": f"http://{site}/{doc}",
        "site": site,
        "title": "Floods in the north",
        "published": "2026-03-01T08:00:00+00:00",
        "text": TEXT,
        "relation": relation,
        "method": None,
        "similarity": None,
        "containment": None,
    }
    return {**base, **fields}


ROWS = [
    row("a", "a", "wire.test", "article"),
    row(
        "a",
        "b",
        "daily.test",
        "copy",
        method="jaccard",
        similarity=0.97,
        published="2026-03-01T10:30:00+00:00",
    ),
    # Matched through the excerpt (its evidence says containment), a reprint all the same.
    row(
        "a",
        "c",
        "post.test",
        "copy",
        method="containment",
        similarity=0.3,
        title="Rain!",
        published="2026-03-02",
    ),
    row(
        "a",
        "d",
        "brief.test",
        "copy",
        method="containment",
        similarity=0.3,
        text="\n\n".join(PARAGRAPHS[:2]),
        published=None,
    ),
    row(
        "a",
        "e",
        "daily.test",
        "copy",
        method="jaccard",
        similarity=0.75,
        text="\n\n".join(PARAGRAPHS[:4] + prose(2)[:2]),
        published="2026-02-28T08:00:00+00:00",
    ),
    row(
        "a",
        "f",
        "promo.test",
        "copy",
        method="containment",
        similarity=0.7,
        text="\n\n".join(PARAGRAPHS + prose(3)[:2]),
        published="2026-03-01T08:00:00+00:00",
    ),
    row("z", "z", HOSTILE, "article", title=HOSTILE),
]


def test_kinds_lags_and_the_matrix():
    report = build_report(ROWS, [], [])
    story = report.stories[0]
    assert [(c.site, c.kind) for c in story.copies] == [
        ("daily.test", "edited"),  # dated a day before the article, sorted first
        ("promo.test", "padded"),
        ("daily.test", "verbatim"),
        ("post.test", "retitled"),
        ("brief.test", "excerpt"),
    ]
    assert story.copies[3].method == "containment", "the match stays as the state has it"
    assert dict(report.lags) == {"before": 1, "< 1 h": 1, "1-6 h": 1, "6-24 h": 1, "no date": 1}
    assert report.matrix == {
        ("wire.test", "daily.test"): 1,
        ("wire.test", "post.test"): 1,
        ("wire.test", "brief.test"): 1,
        ("wire.test", "promo.test"): 1,
    }
    assert lag_hours("2026-03-01T08:00:00+00:00", "2026-03-02") == 16.0
    assert lag_bucket(None) == "no date" and lag_bucket(24 * 40) == "> 4 w"


def test_crawled_strings_cannot_break_out_of_the_page():
    assert script_json({"t": HOSTILE}) == (
        '{"t":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u0026amp;"}'
    )
    page = render(
        build_report(
            ROWS, [], [{"run": "r1", "started": "2026-03-01", "sources": {HOSTILE: {"fetched": 3}}}]
        )
    )
    assert HOSTILE not in page and "<script>alert" not in page
    assert page.count("<script") == 2  # the data and the page's own script
    data = re.search(r'id="stories-data">(.*?)</script>', page, re.S)
    assert data is not None and HOSTILE in json.dumps(json.loads(data.group(1)))
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;" in page  # health
