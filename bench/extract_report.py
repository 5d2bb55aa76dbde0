"""The extraction benchmarks' report: newsfold beside plain trafilatura, and the pages
that moved, for both development sets (`bench.extract`, `bench.extract_eval`)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

Scores = dict[str, dict[str, float | bool]]


class Tallied(Protocol):
    """What a set's tally gives the report."""

    failures: list[dict[str, Any]]
    scores: Scores

    def figures(self, pages: int) -> Mapping[str, float | int]: ...


def report(
    heading: str, tallies: Mapping[str, Tallied], pages: int, args: argparse.Namespace
) -> None:
    """The figures of newsfold beside plain trafilatura, the pages where newsfold does
    worse, and the misses and scores asked for (`--failures`, `--scores`, `--against`)."""
    print(heading)
    print(f"{'':<16}" + "".join(f"{name:>18}" for name in tallies))
    figures = {name: tally.figures(pages) for name, tally in tallies.items()}
    for metric in figures["newsfold"]:
        row = "".join(f"{fmt(figures[name][metric]):>18}" for name in tallies)
        print(f"{metric:<16}{row}")
    if args.failures:
        args.failures.write_text(
            json.dumps(tallies["newsfold"].failures, indent=1, ensure_ascii=False)
        )
    against_baseline(tallies["newsfold"].scores, tallies["trafilatura 2.3"].scores)
    keep_scores(tallies["newsfold"].scores, args.scores, args.against)


WORSE_BY = 0.01  # a page's score must drop by more than this to be listed as worse


def keep_scores(scores: Scores, path: Path | None, against: Path | None) -> None:
    """Write the per-page scores to `path`; print the pages worse than in `against`."""
    if path:
        path.write_text(json.dumps(scores, indent=0, sort_keys=True))
    if against:
        before = json.loads(against.read_text())
        worse = changes(before, scores, worse=True)
        better = changes(before, scores, worse=False)
        print(f"\nagainst {against}: {len(better)} pages better, {len(worse)} worse:")
        print("\n".join(worse) or "  none")


def against_baseline(scores: Scores, baseline: Scores) -> None:
    """Print the pages where newsfold scores below plain trafilatura, page by page."""
    worse = changes(baseline, scores, worse=True)
    better = changes(baseline, scores, worse=False)
    print(f"\nagainst plain trafilatura: {len(better)} pages better, {len(worse)} worse:")
    print("\n".join(worse) or "  none")


def changes(before: Scores, after: Scores, worse: bool) -> list[str]:
    """Each page with a score lower (or higher) than before: a figure moved by more than
    `WORSE_BY`, a check lost (or won)."""
    sign = 1 if worse else -1
    lines = []
    for page, now in sorted(after.items()):
        then = before.get(page, {})
        moved = [
            f"{metric} {then[metric]} -> {value}"
            for metric, value in now.items()
            if metric in then and sign * (float(then[metric]) - float(value)) > WORSE_BY
        ]
        if moved:
            lines.append(f"  {page}: {', '.join(moved)}")
    return lines


def fmt(value: float) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)
