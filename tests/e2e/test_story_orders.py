"""One story crawled in different orders and over runs sharing a state, on both backends:
the records fold to the same stories with the original as article, whatever came first.

The story: an original, a credited copy, an edited copy, a padded copy and an excerpt on
five sites, beside a follow-up quoting two of its paragraphs and an unrelated article.
Each order is a sequence of runs (one `scrapy crawl urls` each), so which page the state
meets first is fixed: an excerpt and an edited copy that do not match each other before
the original joins them (a late bridge), copies before the original (a late original),
an excerpt before any full copy (a late fuller copy).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import (
    article_page,
    crawl_command,
    fold,
    prose,
    read_jsonl,
    run_crawl,
    validate_records,
)

BODY = prose(41, paragraphs=10)
PAGES = {
    "original": ("wire.test/story.html", "Wire", "2024-03-01T08:00:00+00:00", BODY),
    "credited": (
        "reprint.test/wire-story.html",
        "Reprint",
        "2024-03-02T08:00:00+00:00",
        ["Source: Wire", *BODY],
    ),
    "edited": (
        "edited.test/a/story.html",
        "Edited",
        "2024-03-02T12:00:00+00:00",
        [BODY[0], *BODY[5:]],  # the lead kept, the excerpt's body dropped
    ),
    "padded": (
        "padded.test/story.html",
        "Padded",
        "2024-03-02T10:00:00+00:00",
        [*BODY[:5], "Download the Padded app to follow this story as it develops.", *BODY[5:]],
    ),
    "excerpt": (
        "briefs.test/brief.html",
        "Briefs",
        "2024-03-03T07:00:00+00:00",
        [*BODY[:4], "Read the full story on Wire."],
    ),
    "follow-up": (
        "wire.test/follow-up.html",
        "Wire",
        "2024-03-05T08:00:00+00:00",
        [*prose(42, paragraphs=8), BODY[3], BODY[4]],
    ),
    "other": ("other.test/news.html", "Other", "2024-03-04T08:00:00+00:00", prose(43, 8)),
}
STORY = {"original", "credited", "edited", "padded", "excerpt"}
ORDERS = {
    "late bridge": [
        ["excerpt", "edited", "other"],
        ["original", "follow-up"],
        ["padded", "credited"],
    ],
    "late original": [
        ["credited", "padded", "excerpt", "edited", "other", "follow-up"],
        ["original"],
    ],
    "late fuller copy": [
        ["excerpt", "follow-up", "other"],
        ["padded", "credited", "edited", "original"],
    ],
}


def url(name: str) -> str:
    return f"http://{PAGES[name][0]}"


@pytest.fixture
def web(make_web):
    files = {}
    for name, (path, site, published, paragraphs) in PAGES.items():
        files[path] = article_page(
            f"{name.title()} headline", paragraphs, published, site_name=site
        )
    return make_web(files)


def export(command: str, workdir: Path, state_url: str) -> list[dict]:
    out = workdir / f"{command}.jsonl"
    args = [sys.executable, "-m", "scrapy", command, "--min-size", "1", "-o", str(out)]
    env = crawl_command("urls", workdir)[1]
    subprocess.run(
        [*args, "-s", f"STATE_URL={state_url}"], cwd=workdir, env=env, check=True, timeout=120
    )
    return read_jsonl(out)


@pytest.mark.parametrize("order", list(ORDERS))
def test_every_order_folds_to_the_original(order, web, state_url, tmp_path):
    settings = {"STATE_URL": state_url, "FRONTIER_URL": "local"}
    records: list[dict] = []
    for n, batch in enumerate(ORDERS[order]):
        workdir = tmp_path / f"run{n}"
        result = run_crawl(
            "urls",
            workdir,
            args={"urls": ",".join(url(name) for name in batch)},
            settings=settings,
            proxy=web.address,
        )
        assert result.returncode == 0, result.log[-3000:]
        records += result.records
    validate_records(records)
    revisions = [(r["id"], r["revision"]) for r in records]
    assert len(revisions) == len(set(revisions)), "a record written twice"
    current = {r["url"]: r for r in fold(records)}
    assert set(current) == {url(name) for name in PAGES}
    article = current[url("original")]
    assert article["kind"] == "article" and article["why"] == "credited by other pages"
    for name in STORY - {"original"}:
        copy = current[url(name)]
        assert copy["kind"] == "copy" and copy["duplicate_of"] == article["id"], (name, copy)
        assert copy["cluster_id"] == article["cluster_id"]
    for name in ("follow-up", "other"):
        assert current[url(name)]["kind"] == "article"
        assert current[url(name)]["cluster_id"] != article["cluster_id"]

    # The exports read the choice the records were written from.
    stories = export("stories", tmp_path, state_url)
    folded = sorted((r for r in current.values() if r["kind"] == "article"), key=lambda r: r["id"])
    exported = sorted(stories, key=lambda r: r["id"])
    assert [{**r, "fetched_at": None} for r in exported] == [
        {**r, "fetched_at": None} for r in folded
    ]
    (story,) = [s for s in export("clusters", tmp_path, state_url) if s["size"] > 1]
    assert story["kept"] == article["id"] and story["original"]["why"] == article["why"]
    assert {m["url"] for m in story["members"]} == {url(name) for name in STORY}
    assert json.dumps(story).count('"article"') == 1
