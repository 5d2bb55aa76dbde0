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
ORIGIN = "http://africawire.test/stories/201312090456.html"
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


def test_the_story_folds_to_its_original_with_its_four_copies(demo):
    assert demo.returncode == 0, demo.log[-3000:]
    story = [r for r in demo.current if r["url"] in STORY_URLS]
    kept = [r for r in story if r["duplicate_of"] is None]
    assert len(story) == 5
    assert len(kept) == 1
    (article,) = kept
    assert article["url"] == ORIGIN and article["why"].startswith("credited by")
    assert {c["duplicate_of"] for c in story if c is not article} == {article["id"]}
    assert {c["cluster_id"] for c in story} == {article["cluster_id"]}
    assert article["text"].startswith(STORY_FIRST)
    assert article["text"].count(STORY_FIRST) == 1


def test_each_copy_kind_is_folded_by_the_right_rule(demo):
    """Full copies fold by Jaccard, the excerpt by containment, whichever page came first.

    A copy's evidence is its most similar page of the story, not necessarily the article:
    when the excerpt came first, the first full copy can only be contained in it, and each
    later full copy is a Jaccard match of that one.
    """
    excerpt = "briefs.test"
    by_site = {r["site"]: r for r in demo.current if r["url"] in STORY_URLS}
    copies = {site: r for site, r in by_site.items() if r["kind"] == "copy"}
    assert set(copies) == set(by_site) - {"africawire.test"}
    for copy in copies.values():
        if copy["method"] == "containment":
            assert copy["similarity"] < 0.5 and copy["containment"] >= 0.9, copy
        else:
            assert copy["method"] == "jaccard", copy
            assert copy["similarity"] >= 0.9, copy
    assert copies[excerpt]["method"] == "containment"


def test_other_articles_are_distinct_and_clean(demo):
    distinct = [r for r in demo.articles if r["url"] not in STORY_URLS]
    assert len(distinct) == 12
    revisions = [(r["id"], r["revision"]) for r in demo.records]
    assert len(set(revisions)) == len(revisions), "a record written twice"
    for article in demo.articles:
        assert not BOILERPLATE.search(article["text"]), (article["url"], article["text"][:300])
        assert STORY_LAST not in article["text"] or article["url"] in STORY_URLS
        assert article["title"] and "|" not in article["title"]
        assert article["published"] and article["published"] < "2014-02"
        assert article["authors"], article["url"]
        assert article["language"] == "en"


DEMO_ORDERS = {
    "excerpt first": [["briefs"], ["maghrebpost", "sahelmonitor", "africawire", "libyaobserver"]],
    "copies first": [["maghrebpost", "briefs", "libyaobserver", "sahelmonitor"], ["africawire"]],
    "original first": [["africawire"], ["briefs", "maghrebpost", "libyaobserver", "sahelmonitor"]],
}


@pytest.mark.parametrize("order", list(DEMO_ORDERS))
def test_the_original_is_kept_whatever_the_crawl_order(order, sample_server, tmp_path):
    """Runs sharing a state meet the story's pages in a set order; the records fold to the
    original as the story's article, with the other four as its copies."""
    from tests.conftest import fold, run_crawl

    by_site = {url.split("/")[2].split(".")[0]: url for url in STORY_URLS}
    records = []
    for n, batch in enumerate(DEMO_ORDERS[order]):
        urls = ",".join(by_site[site] for site in batch)
        result = run_crawl("urls", tmp_path / f"run{n}", args={"urls": urls},
                           settings={"STATE_URL": f"sqlite:///{tmp_path / 'state.sqlite'}"},
                           proxy=sample_server.address)  # fmt: skip
        assert result.returncode == 0, result.log[-3000:]
        records += result.records
    current = {r["url"]: r for r in fold(records)}
    assert set(current) == STORY_URLS
    article = current[ORIGIN]
    assert article["kind"] == "article" and article["why"].startswith("credited by")
    assert all(
        r["kind"] == "copy" and r["duplicate_of"] == article["id"]
        for url, r in current.items()
        if url != ORIGIN
    )


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
    assert (len(demo.articles), len(demo.copies)) == (13, 4)
    # One record per page as it is processed, then the records a later page changed.
    own = demo.stats["newsfold/articles"] + demo.stats.get("newsfold/copies", 0)
    rewritten = sum(v for k, v in demo.stats.items() if k.startswith("newsfold/rewritten/"))
    assert own == 17 and len(demo.records) == own + rewritten


def test_records_match_the_schema(demo):
    validate_records(demo.records)


@pytest.mark.crawl  # `make demo`, or `newsfold crawl`, in a subprocess
def test_make_demo_script_prints_the_folded_story(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "sample" / "demo.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (
        "sitemaps: http://sahelmonitor.test/sitemap-news.xml  # news sitemap: 3 entries"
        in done.stdout
    )
    assert "Folded story" in done.stdout
    assert done.stdout.count("  copy   ") == 4
    assert "13 articles, 4 copies" in done.stdout
    assert done.stdout.rstrip().endswith("Report: output/demo/report.html")
    report = (ROOT / "output" / "demo" / "report.html").read_text()
    assert "Libya: Algeria, Libya to Bolster Security Co-Operation" in report
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
    assert story["original"]["url"] == ORIGIN
    assert story["original"]["why"].startswith("credited by")
    assert story["text"].startswith(STORY_FIRST)
    relations = sorted(m["relation"] for m in story["members"])
    assert relations == ["article", "copy", "copy", "copy", "copy"]
    article = next(r for r in demo.current if r["url"] == ORIGIN)
    assert story["cluster_id"] == article["cluster_id"] and story["kept"] == article["id"]
