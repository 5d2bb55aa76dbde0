"""bench.same_output's comparison, without a crawl: what it reports and what it forgives."""

from __future__ import annotations

import copy
from typing import Any

from bench.same_output import Output, compare_outputs, normalise

WORK = {"/tmp/newsfold-same-x/run-base": "<work>"}
HEAD_WORK = {"/tmp/newsfold-same-x/run-head": "<work>"}


def record(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "id": f"id{n}",
        "revision": 1,
        "kind": "article",
        "title": f"Story {n}",
        "text": "Words.",
        "fetched_at": "2026-12-07T09:00:00+00:00",
        "cluster_id": f"c{n}",
        **changes,
    }


def manifest(side: str, **sources: dict[str, Any]) -> dict[str, Any]:
    return {
        "run": f"2026-12-07T09-0{len(side)}-00",
        "started": "2026-12-07T09:00:00+00:00",
        "finished": "2026-12-07T09:00:03+00:00",
        "exit_code": 0,
        "finish_reason": "finished",
        "totals": {"requests": 3, "articles": 2, "dropped": {"too_short": 1}},
        "sources": sources or {"A": {"fetched": 3, "articles": 2}},
        "files": [{"path": f"/tmp/newsfold-same-x/run-{side}/demo/records.jsonl", "records": 2}],
        "warnings": [],
    }


def output(side: str, records: list[dict[str, Any]], **manifest_changes: Any) -> Output:
    clusters = [{"cluster_id": r["cluster_id"], "size": 1, "title": r["title"]} for r in records]
    stories = copy.deepcopy(records)
    return Output(
        records, clusters, stories, {**manifest(side), **manifest_changes}, 0, "crawler", []
    )


def compared(base: Output, head: Output) -> tuple[dict[str, Any], list[Any], set[str]]:
    return compare_outputs("demo", base, head, WORK, HEAD_WORK)


def test_a_second_run_that_differs_only_in_fetch_times_and_run_names_is_the_same() -> None:
    base = output("base", [record(1), record(2)])
    head = output("head", [record(1, fetched_at="2026-12-08T10:00:00+00:00"), record(2)])
    tallies, differences, shape = compared(base, head)
    assert differences == []
    assert shape == set()
    assert tallies["records"].compared == tallies["records"].identical == 2
    assert tallies["manifest"].identical == 1


def test_a_changed_title_is_reported_in_records_clusters_and_stories() -> None:
    base = output("base", [record(1), record(2)])
    head = output("head", [record(1), record(2, title="Story two")])
    tallies, differences, _ = compared(base, head)
    assert {part: t.differing for part, t in tallies.items()} == {
        "records": 1,
        "clusters": 1,
        "stories": 1,
        "manifest": 0,
    }
    lines = differences[0].lines()
    assert lines[0] == "demo records id2@1:"
    assert lines[1:] == ['  title: base "Story 2"', '         head "Story two"']


def test_a_missing_record_is_reported_on_the_side_that_has_it() -> None:
    base = output("base", [record(1), record(2)])
    head = output("head", [record(1)])
    tallies, differences, _ = compared(base, head)
    assert (tallies["records"].only_base, tallies["records"].only_head) == (1, 0)
    assert differences[0].lines()[0].startswith("demo records id2@1: only in base: {")
    # A record written again (a second revision) is a record of its own.
    tallies, _, _ = compared(head, output("head", [record(1), record(1, revision=2)]))
    assert (tallies["records"].only_base, tallies["records"].only_head) == (0, 1)


def test_manifest_counts_are_compared_and_fields_one_version_lacks_are_not() -> None:
    records = [record(1)]
    base = output("base", records, sources={"A": {"fetched": 3, "articles": 2}})
    head = output("head", records, sources={"A": {"fetched": 3, "articles": 2, "text_chars": 9}})
    _, differences, shape = compared(base, head)
    assert differences == []
    assert shape == {"sources.*.text_chars (head only)"}

    fewer = output("head", records, totals={"requests": 3, "articles": 2, "dropped": {}})
    _, differences, _ = compared(base, fewer)
    assert [d.part for d in differences] == ["manifest"]
    assert '  totals[dropped]: base {"too_short": 1}' in differences[0].lines()


def test_normalise_blanks_volatile_fields_and_temporary_paths_at_any_depth() -> None:
    value = {"fetched_at": "x", "files": [{"path": "/tmp/newsfold-same-x/run-base/a.jsonl"}]}
    assert normalise(value, WORK) == {
        "fetched_at": "<volatile>",
        "files": [{"path": "<work>/a.jsonl"}],
    }
