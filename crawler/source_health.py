"""Each source's health over its runs, and the drift flag: a source that changed under us.

A site that redesigns its template or starts answering with a block page does not fail:
it answers 200, and its pages are dropped one by one as empty or too short, or skipped as
bot challenges. Every run looks fine on its own; only against the source's own history
does the jump show. So each run's figures per source are kept in its manifest
(`crawler.extensions.manifest`), and this module reads them back as series and judges
the newest run of a source against the median of its earlier runs: the median, because
one bad night in the history must not make the next bad night look normal.

Pure logic, no Scrapy: the manifest extension and the report both call it.
"""

from __future__ import annotations

import json
import logging
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# Skip reasons that say the page itself was not what it should be (as opposed to a page
# not fetched: seen, robots, older than `since`): they count with the drops.
BAD_SKIPS = ("bot_challenge", "empty_body", "binary_body", "not_html")
# Drops and skips that are an empty extraction: the page gave no text at all.
EMPTY = ("empty", "empty_body")

# The drift rule, and why each number:
# - a run is judged, and counts as history, only with at least MIN_PAGES pages fetched from
#   the source: below that one odd page moves the share by 10 points or more;
# - at least MIN_HISTORY earlier runs: a median of one or two runs is one or two nights;
# - the newest HISTORY runs before it: the source's recent self, not last year's layout;
# - flagged when the share of bad pages (dropped, or refused as block pages, bot
#   challenges or empty bodies) rises by at least JUMP over the median (a quarter of the
#   pages) and to at least RATIO times it (so a noisy source at 40% is not flagged at
#   65%), or when the median text length of its articles falls under SHRINK of its usual
#   median (a template change that cuts the story short), over at least MIN_ARTICLES.
MIN_PAGES = 10
MIN_HISTORY = 3
HISTORY = 10
JUMP = 0.25
RATIO = 2.0
SHRINK = 0.5
MIN_ARTICLES = 3


@dataclass
class RunHealth:
    """One source's figures in one run, as its manifest gives them."""

    run: str
    started: str
    pages: int = 0
    articles: int = 0
    copies: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    text_chars: int | None = None  # median text length of its article records
    drift: str | None = None  # why the run is flagged against the source's history

    @classmethod
    def of(cls, run: str, started: str, counts: dict[str, Any]) -> RunHealth:
        """From a manifest's counts of one source; a figure that is not a count (a manifest
        edited by hand, another version's) counts as 0, so a run never fails on it."""
        chars = counts.get("text_chars")
        return cls(
            run,
            started,
            count_of(counts.get("fetched")),
            count_of(counts.get("articles")),
            count_of(counts.get("copies")),
            reasons_of(counts.get("dropped")),
            reasons_of(counts.get("skipped")),
            reasons_of(counts.get("errors")),
            chars if isinstance(chars, int) and chars > 0 else None,
        )

    @property
    def drops(self) -> int:
        return sum(self.dropped.values())

    @property
    def empty(self) -> int:
        return sum(self.dropped.get(r, 0) + self.skipped.get(r, 0) for r in EMPTY)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def bad(self) -> int:
        """Pages fetched that gave no record for a reason of the page's own."""
        return self.drops + sum(self.skipped.get(reason, 0) for reason in BAD_SKIPS)

    @property
    def bad_share(self) -> float:
        return self.bad / self.pages if self.pages else 0.0


def count_of(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 0


def reasons_of(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        return {}
    return {str(reason): count_of(count) for reason, count in value.items()}


def drift(history: Sequence[RunHealth], now: RunHealth) -> str | None:
    """Why `now` breaks with the source's own `history` (earlier runs, oldest first), or
    None. See the thresholds above."""
    if now.pages < MIN_PAGES:
        return None
    earlier = [run for run in history if run.pages >= MIN_PAGES][-HISTORY:]
    if len(earlier) < MIN_HISTORY:
        return None
    usual = statistics.median(run.bad_share for run in earlier)
    share = now.bad_share
    if share >= usual + JUMP and share >= RATIO * usual:
        reasons = {**now.dropped, **{r: now.skipped[r] for r in BAD_SKIPS if r in now.skipped}}
        top = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items(), key=_count))
        return (
            f"{now.bad} of {now.pages} pages dropped or refused ({share:.0%}: {top}) against "
            f"a median of {usual:.0%} in its {len(earlier)} earlier runs: a template change "
            "or a block page?"
        )
    lengths = [run.text_chars for run in earlier if run.text_chars]
    if now.text_chars and now.articles >= MIN_ARTICLES and len(lengths) >= MIN_HISTORY:
        usual_chars = statistics.median(lengths)
        if now.text_chars < SHRINK * usual_chars:
            return (
                f"median text length {now.text_chars} characters against {usual_chars:.0f} "
                f"in its {len(lengths)} earlier runs: a template change cutting the story?"
            )
    return None


def _count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def read_manifests(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """The manifests at these paths, by run (oldest first); a missing or unreadable one
    is left out with a debug line (`KEEP_RUNS` prunes them, other machines keep theirs)."""
    found: dict[str, dict[str, Any]] = {}
    for path in paths:
        try:
            manifest = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            logger.debug("Manifest %s not read: %s", path, error)
            continue
        if (
            isinstance(manifest, dict)
            and isinstance(manifest.get("run"), str)
            and isinstance(manifest.get("sources") or {}, dict)
            and all(isinstance(counts, dict) for counts in (manifest.get("sources") or {}).values())
        ):
            found[manifest["run"]] = manifest
    return [found[run] for run in sorted(found, key=lambda run: _started(found[run]))]


def _started(manifest: dict[str, Any]) -> tuple[str, str]:
    return str(manifest.get("started") or ""), str(manifest["run"])


def health_series(manifests: Sequence[dict[str, Any]]) -> dict[str, list[RunHealth]]:
    """Each source's runs (oldest first, as `manifests` come), each judged against the
    runs before it."""
    series: dict[str, list[RunHealth]] = {}
    for manifest in manifests:
        for source, counts in (manifest.get("sources") or {}).items():
            runs = series.setdefault(source, [])
            now = RunHealth.of(manifest["run"], str(manifest.get("started") or ""), counts)
            now.drift = drift(runs, now)
            runs.append(now)
    return dict(sorted(series.items()))


def run_warnings(
    earlier: Sequence[dict[str, Any]], sources: dict[str, dict[str, Any]], run: str
) -> list[dict[str, str]]:
    """The drift warnings of this run's `sources` against the `earlier` manifests."""
    series = health_series(earlier)
    warnings = []
    for source, counts in sorted(sources.items()):
        reason = drift(series.get(source, []), RunHealth.of(run, "", counts))
        if reason is not None:
            warnings.append({"source": source, "kind": "drift", "message": reason})
    return warnings
