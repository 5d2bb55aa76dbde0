"""Scoring a crawl's output by the records contract: the last record per id wins."""

from __future__ import annotations

from typing import Any

import pytest

from bench.story_scores import (
    chain_end,
    export_partition,
    last_records,
    overtaken,
    pair_score,
    records_partition,
    same_groups,
    score_stories,
)
from bench.syndication_web import WebPage


def page(name: str, story: str, kind: str, layout: str = "divs") -> WebPage:
    copy_of = None if kind in ("original", "followup", "short") else f"http://{story}.test/a"
    return WebPage(f"http://{name}.test/{name}", name, story, kind, copy_of, name, "", layout)


# Story s1: original a, verbatim copy b, excerpt c. Story s2: original d, padded copy e.
# Hard negatives: follow-up f, brief g.
PAGES = [
    page("a", "s1", "original", "semantic"),
    page("b", "s1", "verbatim"),
    page("c", "s1", "excerpt", "table"),
    page("d", "s2", "original"),
    page("e", "s2", "padded", "bare-divs"),
    page("f", "f1", "followup"),
    page("g", "g1", "short"),
]
URL = {p.site: p.url for p in PAGES}
FOLDED = {frozenset("abc"), frozenset("de"), frozenset("f"), frozenset("g")}  # the truth


def article(name: str, **extra: Any) -> dict[str, Any]:
    return {"id": name, "url": URL[name], "duplicate_of": None, **extra}


def copy(name: str, of: str, **extra: Any) -> dict[str, Any]:
    return {"id": name, "url": URL[name], "duplicate_of": of, **extra}


def labels(partition: dict[str, str]) -> set[frozenset[str]]:
    found: dict[str, set[str]] = {}
    for url, label in partition.items():
        found.setdefault(label, set()).add(url.rsplit("/", 1)[1])
    return {frozenset(g) for g in found.values()}


def test_records_without_kind_group_by_duplicate_of() -> None:
    records = [
        article("a"), copy("b", "a"), article("c"), article("d"), copy("e", "d"),
        article("f"), article("g"),
    ]  # fmt: skip
    assert labels(records_partition(records)) == {
        frozenset("ab"),
        frozenset("c"),
        frozenset("de"),
        frozenset("f"),
        frozenset("g"),
    }
    score = score_stories(PAGES, records)
    assert score.records.precision == 1.0
    assert score.records.recall == pytest.approx(2 / 4)  # ab, de of ab, ac, bc, de
    assert score.folded == 2 and score.original_article == 2
    assert score.excerpt_articles == 1 and score.negatives_merged == 0
    assert score.not_folded == {("excerpt", "table"): 1}
    assert score.records_written == 7 and score.pages_written == 7
    assert score.export is None and score.f1_equal is None
    assert score.groups_not_one_article == 0 and score.chain_agrees


def test_the_last_record_per_id_wins_and_chains_are_followed() -> None:
    """b came first and was kept; a and c joined later and a became the article: b was
    re-emitted as a copy of a, and c still points at b, which is now a copy."""
    records = [
        article("b"), copy("a", "b"), article("c"), article("d"), copy("e", "d"),
        article("f"), article("g"),
        article("a"), copy("b", "a"), copy("c", "b"),
    ]  # fmt: skip
    last = last_records(records)
    assert last["b"]["duplicate_of"] == "a" and last["a"]["duplicate_of"] is None
    assert list(last)[-3:] == ["a", "b", "c"]  # in the order of their last write
    assert chain_end(last, "c") == "a"
    assert labels(records_partition(records)) == FOLDED
    score = score_stories(PAGES, records)
    assert score.records.recall == 1.0 and score.original_article == 2
    assert score.excerpt_articles == 0 and not score.kept_instead
    assert score.records_written == 10 and score.pages_written == 7


def test_a_chain_ending_nowhere_or_in_a_loop_stops() -> None:
    last = last_records([copy("a", "b"), copy("b", "a"), copy("c", "zz")])
    assert chain_end(last, "a") in {"a", "b"}
    assert chain_end(last, "c") == "zz"


def test_kind_and_cluster_id_win_over_duplicate_of() -> None:
    """With `kind` and `cluster_id`, the cluster groups pages and `kind` says which are copies."""
    records = [
        article("a", kind="article", cluster_id="k1"),
        copy("b", "a", kind="copy", cluster_id="k1"),
        copy("c", "b", kind="copy", cluster_id="k1"),
        article("d", kind="article", cluster_id="k2"),
        article("e", kind="copy", cluster_id="k2", duplicate_of="d"),
        article("f", kind="article", cluster_id="k3"),
        article("g", kind="article", cluster_id="k4"),
    ]
    assert labels(records_partition(records)) == FOLDED
    score = score_stories(PAGES, records)
    assert score.records.recall == 1.0 and score.chain_agrees
    stale = [*records, copy("c", "zz", kind="copy", cluster_id="k1")]  # an id with no record
    score = score_stories(PAGES, stale)
    assert score.records.recall == 1.0 and not score.chain_agrees


def test_the_wrong_article_and_merged_negatives_are_counted_where_they_are() -> None:
    records = [
        article("c"),
        copy("a", "c"),
        copy("b", "c"),  # the excerpt kept, the original a copy
        article("e"),
        copy("d", "e"),
        copy("f", "e"),
        article("g"),  # a follow-up merged into story s2
    ]
    score = score_stories(PAGES, records)
    assert score.original_article == 0 and score.excerpt_articles == 1
    assert score.kept_instead == {("excerpt", "table"): 1, ("padded", "bare-divs"): 1}
    assert score.negatives_merged == 1 and score.negatives == {("followup", "divs"): 1}
    assert score.records.precision == pytest.approx(4 / 6)


def test_export_scored_from_its_members_and_compared_with_the_records() -> None:
    records = [article("a"), copy("b", "a"), article("c"), article("d"), copy("e", "d")]
    export = [
        {"cluster_id": "a", "original": {"url": URL["a"]},
         "members": [{"url": URL[n]} for n in "abc"]},
        {"cluster_id": "d", "original": {"url": URL["e"]},
         "members": [{"url": URL[n]} for n in "de"]},
    ]  # fmt: skip
    assert labels(export_partition(export)) == {frozenset("abc"), frozenset("de")}
    score = score_stories(PAGES, records, export)
    assert score.export is not None and score.export.recall == 1.0
    assert score.records.recall < 1.0 and score.f1_equal is False
    assert score.export_agrees is False
    assert score.export_original == 1 and score.misnamed == {("original", "divs"): 1}
    assert score.not_folded_export == {}
    # f and g have no record: counted, and each stands alone
    assert score.pages_written == 5
    assert score.unwritten == {("followup", "divs"): 1, ("short", "divs"): 1}


def test_pair_score_and_same_groups() -> None:
    truth = {p.url: p.story for p in PAGES}
    perfect = pair_score(PAGES, truth)
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
    lumped = pair_score(PAGES, {p.url: "one" for p in PAGES})
    assert lumped.recall == 1.0 and lumped.precision == pytest.approx(4 / 21)
    assert same_groups({"x": "1", "y": "1"}, {"x": "7", "y": "7"})
    assert not same_groups({"x": "1", "y": "1"}, {"x": "1", "y": "2"})


def test_overtaken_counts_first_group_pages_written_after_the_second_began() -> None:
    groups = {URL["a"]: 0, URL["d"]: 0, URL["b"]: 1, URL["e"]: 1}
    in_order = [article("a"), article("d"), copy("b", "a"), copy("e", "d")]
    assert overtaken(in_order, groups) == 0
    swapped = [article("a"), copy("b", "a"), article("d"), copy("e", "d"), article("a")]
    assert overtaken(swapped, groups) == 1  # d; a written again later does not count
