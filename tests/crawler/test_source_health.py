"""The drift rule: a source's newest run against the median of its own earlier runs."""

from __future__ import annotations

import json

from crawler.source_health import (
    MIN_HISTORY,
    MIN_PAGES,
    RunHealth,
    drift,
    health_series,
    read_manifests,
    run_warnings,
)


def run(n: int, pages: int = 20, dropped: int = 1, chars: int | None = 2000) -> RunHealth:
    counts = {
        "fetched": pages,
        "articles": pages - dropped,
        "dropped": {"too_short": dropped},
        "text_chars": chars,
    }
    return RunHealth.of(f"run-{n}", f"2026-01-0{n}", counts)


def test_block_pages_after_a_steady_history_are_flagged():
    history = [run(n) for n in range(4)]
    assert drift(history, run(5, dropped=2)) is None  # 10% against 5%: noise
    reason = drift(history, run(5, dropped=15))
    assert reason is not None and "15 of 20 pages" in reason and "too_short 15" in reason


def test_a_source_always_half_dropped_is_not_flagged_for_a_little_more():
    history = [run(n, dropped=8) for n in range(4)]  # 40%
    assert drift(history, run(5, dropped=13)) is None  # 65% is not twice 40%
    assert drift(history, run(5, dropped=17)) is not None  # 85% is


def test_too_few_pages_or_runs_are_not_judged():
    assert drift([run(n) for n in range(MIN_HISTORY - 1)], run(5, dropped=15)) is None
    small = [run(n, pages=MIN_PAGES - 1, dropped=0) for n in range(5)]
    assert drift(small, run(5, dropped=15)) is None, "the history's runs are too small"
    assert drift([run(n) for n in range(4)], run(5, pages=MIN_PAGES - 1, dropped=9)) is None


def test_bot_challenges_count_and_pages_not_fetched_do_not():
    history = [run(n) for n in range(4)]
    blocked = RunHealth.of("r", "", {"fetched": 20, "skipped": {"bot_challenge": 12}})
    assert drift(history, blocked) is not None
    seen = RunHealth.of("r", "", {"fetched": 20, "skipped": {"seen": 500}})
    assert drift(history, seen) is None


def test_shorter_texts_after_a_template_change_are_flagged():
    history = [run(n) for n in range(4)]
    assert drift(history, run(5, chars=1200)) is None
    assert "median text length 900" in (drift(history, run(5, chars=900)) or "")


def test_series_flag_the_drifting_run_and_warnings_name_the_source(tmp_path):
    manifests = []
    for n in range(5):
        bad = 18 if n == 4 else 1
        manifest = {
            "run": f"r{n}",
            "started": f"2026-01-0{n + 1}T00:00:00+00:00",
            "sources": {
                "Drifting": {"fetched": 20, "dropped": {"empty": bad}},
                "Steady": {"fetched": 20, "dropped": {"empty": 1}},
            },
        }
        path = tmp_path / f"manifest-r{n}.json"
        path.write_text(json.dumps(manifest))
        manifests.append(path)
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "odd.json").write_text('{"run": "odd", "sources": {"Drifting": 3}}')
    odd = {"fetched": "many", "dropped": {"empty": None}, "text_chars": "long"}
    assert RunHealth.of("x", "", odd) == RunHealth("x", "", dropped={"empty": 0})
    others = [tmp_path / "broken.json", tmp_path / "odd.json", tmp_path / "gone"]
    read = read_manifests([*reversed(manifests), *others])
    assert [m["run"] for m in read] == ["r0", "r1", "r2", "r3", "r4"]
    series = health_series(read)
    assert [r.drift is not None for r in series["Drifting"]] == [False] * 4 + [True]
    assert not any(r.drift for r in series["Steady"])
    warnings = run_warnings(read[:4], read[4]["sources"], "r4")
    assert [(w["source"], w["kind"]) for w in warnings] == [("Drifting", "drift")]
