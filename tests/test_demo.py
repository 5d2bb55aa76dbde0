"""The demo web: one story on five sites (origin, reprint like the seed page, retitled copy,
copy with dateline and promo, excerpt), other articles, and pages that are not articles."""

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SAMPLE_SITES, validate_records

SEED = ROOT.parent / "shared" / "seed" / "allafrica-reprint.txt"
STORY_FIRST = "Chaos in Libya has prompted Algerian authorities"
STORY_LAST = "given that stability in Libya means a safer Algeria."
STORY_URLS = {
    "http://africawire.test/stories/201312090456.html",
    "http://libyaobserver.test/2013/12/10/libya-algeria-libya-to-bolster-security-co-operation/",
    "http://maghrebpost.test/news/20131210-algeria-libya-border-security.html",
    "http://sahelmonitor.test/article/1187-algeria-libya-to-bolster-security-co-operation.html",
    "http://briefs.test/brief/20131212-algeria-libya-security-cooperation.html",
}
# Page furniture of the sample templates, none of which may reach an article's text.
BOILERPLATE = re.compile(
    r"^(?:Check Also|Related Posts|Most Popular|Trending|Comments are closed\.|Share:.*|"
    r"Tweet|Copy link|Facebook|Twitter|WhatsApp)$|Tuesday\s*,\s*28 November 2023|Home /|"
    r"Article by Walid Ramzi|originally published here|Read the full story|Also read:|"
    r"Sign up:|All rights reserved|©|\(allAfrica\)",
    re.MULTILINE,
)


@pytest.fixture(scope="module")
def demo(sample_server, tmp_path_factory):
    from tests.conftest import run_crawl

    return run_crawl(
        "news",
        tmp_path_factory.mktemp("demo"),
        args={"sources": str(ROOT / "sample" / "sources.toml")},
        proxy=sample_server.address,
    )


def test_the_story_is_written_once_with_its_four_copies(demo):
    assert demo.returncode == 0, demo.log[-3000:]
    story = [r for r in demo.records if r["url"] in STORY_URLS]
    kept = [r for r in story if r["duplicate_of"] is None]
    assert len(story) == 5
    assert len(kept) == 1
    (article,) = kept
    assert {c["duplicate_of"] for c in story if c is not article} == {article["id"]}
    assert article["text"].startswith(STORY_FIRST)
    assert article["text"].count(STORY_FIRST) == 1


def test_each_copy_kind_is_folded_by_the_right_rule(demo):
    """Full copies fold by Jaccard, the excerpt by containment, whichever page came first.

    A copy's evidence is its most similar page of the story, not necessarily the kept one:
    when the excerpt came first, the first full copy can only be contained in it, and each
    later full copy is a Jaccard match of that one.
    """
    excerpt = "briefs.test"
    by_site = {r["site"]: r for r in demo.records if r["url"] in STORY_URLS}
    kept_site = next(site for site, r in by_site.items() if r["duplicate_of"] is None)
    copies = {site: r for site, r in by_site.items() if site != kept_site}
    by_containment = {s for s, r in copies.items() if r["method"] == "containment"}
    for copy in copies.values():
        if copy["method"] == "containment":
            assert copy["similarity"] < 0.5 and copy["containment"] >= 0.9, copy
        else:
            assert copy["method"] == "jaccard", copy
            assert copy["similarity"] >= 0.9, copy
    if kept_site == excerpt:
        assert by_containment, copies
    else:
        assert by_containment == {excerpt}, copies


def test_other_articles_are_distinct_and_clean(demo):
    distinct = [r for r in demo.articles if r["url"] not in STORY_URLS]
    assert len(distinct) == 12
    assert len({r["id"] for r in demo.records}) == len(demo.records)
    for article in demo.articles:
        assert not BOILERPLATE.search(article["text"]), (article["url"], article["text"][:300])
        assert STORY_LAST not in article["text"] or article["url"] in STORY_URLS
        assert article["title"] and "|" not in article["title"]
        assert article["published"] and article["published"] < "2014-02"
        assert article["authors"], article["url"]
        assert article["language"] == "en"


def test_the_seed_like_reprint_alone_comes_out_clean_with_its_credits(sample_server, tmp_path):
    from tests.conftest import run_crawl

    reprint = next(u for u in STORY_URLS if "libyaobserver" in u)
    result = run_crawl("urls", tmp_path, args={"urls": reprint}, proxy=sample_server.address)
    (article,) = result.records
    assert [c["raw"] for c in article["credits"]] == [
        "Article by Walid Ramzi, allAfrica.",
        "This article was originally published here.",
    ]
    assert article["credits"][0]["publisher"] == "allAfrica"
    assert article["credits"][1]["original_url"] == (
        "http://africawire.test/stories/201312090456.html"
    )
    assert article["authors"] == ["Walid Ramzi"]
    assert article["published"] == "2013-12-10T06:00:00+00:00"
    assert article["title"] == "Libya: Algeria, Libya to Bolster Security Co-Operation"
    assert article["text"].startswith(STORY_FIRST)
    assert article["text"].endswith(STORY_LAST)
    assert not BOILERPLATE.search(article["text"])
    if SEED.exists():  # the sample reprint carries the seed page's story, word for word
        lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
        story = [line for line in lines[lines.index(article["title"]) + 1 :] if line]
        story = story[: story.index("Article by Walid Ramzi, allAfrica.")]
        assert article["text"].split("\n\n") == story


def test_pages_that_are_not_articles_are_dropped_with_reasons(demo):
    urls = {r["url"] for r in demo.records}
    assert not any(u.rstrip("/").endswith((".test", "about.html", "about")) for u in urls)
    assert not any("/section/" in u or "/tag/" in u or "/category/" in u for u in urls)
    assert demo.stats["newsfold/dropped/home_page"] == 1
    assert demo.stats["newsfold/dropped/service_page"] == 1
    assert demo.stats["newsfold/articles"] == 13
    assert demo.stats["newsfold/copies"] == 4


def test_records_match_the_schema(demo):
    validate_records(demo.records)


def test_make_demo_script_prints_the_folded_story(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "sample" / "demo.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Folded story" in done.stdout
    assert done.stdout.count("  copy   ") == 4
    assert "13 articles, 4 copies" in done.stdout
    assert SAMPLE_SITES.is_dir()


def test_clusters_command_exports_the_story_with_its_original(demo):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "clusters",
            "-s",
            f"STATE_URL=sqlite:///{demo.workdir / 'state.sqlite'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (story,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert story["size"] == 5
    assert {m["url"] for m in story["members"]} == STORY_URLS
    assert story["original"]["url"] == "http://africawire.test/stories/201312090456.html"
    assert story["original"]["why"].startswith("credited by")
    assert story["text"].startswith(STORY_FIRST)
    relations = sorted(m["relation"] for m in story["members"])
    assert relations == ["copy", "copy", "copy", "copy", "kept"]
