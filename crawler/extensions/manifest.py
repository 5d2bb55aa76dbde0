"""The run's manifest: what it did, source by source, and which files it wrote.

A scheduler or a consumer should not have to read logs to learn whether a run went
well, which feed stopped answering, or which files are new. Each run writes
`manifest-RUN.json` next to its output (written, then renamed, like the output):
start and end, the exit code, totals, counts per source (fetched, articles, copies,
dropped, skipped and errors by reason, and the median text length of its articles),
the output files with their record counts, its WARC files (`warc_files`), and the
killed runs it repaired. A source
whose pages turn bad against its own earlier runs (`crawler.source_health`: a template
change, a block page) is a WARNING in the log and listed under `warnings`.

The extension also begins the run (`crawler.runs.run_for`) when the crawler is built,
so the state's lock is taken before any component writes to the state.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Spider, signals

from crawler.exitcodes import exit_code
from crawler.items import Article, Copy
from crawler.request_meta import SOURCE
from crawler.runs import Run, describe, run_for
from crawler.runstats import GROUPS, totals
from crawler.signals import page_refused
from crawler.source_health import read_manifests, run_warnings

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def source_counts() -> dict[str, Any]:
    return {"fetched": 0, "articles": 0, "copies": 0, **{group: {} for group in GROUPS}}


class RunManifest:
    def __init__(self, crawler: Crawler, run: Run):
        self.crawler = crawler
        self.run = run
        self.sources: defaultdict[str, dict[str, Any]] = defaultdict(source_counts)
        self.text_chars: defaultdict[str, list[int]] = defaultdict(list)  # per source
        self.file_counts: dict[str, int] = {}
        self.reason = "unknown"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        manifest = cls(crawler, run_for(crawler))
        connect = crawler.signals.connect
        connect(manifest.response_received, signal=signals.response_received)
        connect(manifest.item_scraped, signal=signals.item_scraped)
        connect(manifest.item_dropped, signal=signals.item_dropped)
        connect(manifest.page_refused, signal=page_refused)
        connect(manifest.feed_slot_closed, signal=signals.feed_slot_closed)
        connect(manifest.spider_closed, signal=signals.spider_closed)
        connect(manifest.feed_exporter_closed, signal=signals.feed_exporter_closed)
        return manifest

    def response_received(self, response: Response, request: Request) -> None:
        source = request.meta.get(SOURCE)
        if source:
            self.sources[source]["fetched"] += 1

    def item_scraped(self, item: Any, response: Response | None) -> None:
        source = response.meta.get(SOURCE) if response is not None else None
        if source:
            self.sources[source]["copies" if isinstance(item, Copy) else "articles"] += 1
            if isinstance(item, Article):
                self.text_chars[source].append(len(item.text))

    def item_dropped(self, item: Any, response: Response | None, exception: Exception) -> None:
        source = response.meta.get(SOURCE) if response is not None else None
        self._count(source, "dropped", getattr(exception, "reason", "dropped"))

    def page_refused(self, kind: str, reason: str, url: str, source: str | None) -> None:
        self._count(source, "skipped" if kind == "skipped" else "errors", reason)

    def _count(self, source: str | None, group: str, reason: str) -> None:
        if source:
            counts = self.sources[source][group]
            counts[reason] = counts.get(reason, 0) + 1

    def feed_slot_closed(self, slot: Any) -> None:
        path = getattr(slot.storage, "path", None)
        if path is not None:
            self.file_counts[str(path)] = int(slot.itemcount)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.reason = reason
        if not self.crawler.settings.getdict("FEEDS"):
            self.write()

    def feed_exporter_closed(self) -> None:
        self.write()

    def write(self) -> None:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        code = exit_code(stats, False, self.crawler.settings.getfloat("MAX_ERROR_RATIO"))
        self.run.close_outputs()
        repair = self.run.repair_own_output() if self.run.output_errors else None
        if repair is not None:
            files = repair["files"]
        else:
            files = [
                {"path": entry["path"], "records": self.file_counts.get(entry["path"], 0)}
                for entry in self.run.feed_files()
                if Path(entry["path"]).exists()
            ]
        warc_files = [
            entry["path"]
            for entry in self.run.files
            if entry.get("kind") == "warc" and Path(entry["path"]).exists()
        ]
        sources = {
            name: {**counts, "text_chars": _median(self.text_chars.get(name))}
            for name, counts in sorted(self.sources.items())
        }
        warnings = self._warnings(sources)
        manifest = {
            "run": self.run.id,
            "spider": self.crawler.spidercls.name if self.crawler.spidercls else None,
            "started": self.run.started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "finish_reason": self.reason,
            "exit_code": code,
            "totals": totals(stats),
            "sources": sources,
            "files": files,
            # the WARC files the run wrote (WARC out), then those it read (the warc spider)
            "warc_files": [*warc_files, *getattr(self.crawler.spider, "warc_files", [])],
            "output_errors": self.run.output_errors,
            "redo": repair["redo"] if repair is not None else 0,
            "repaired": self.run.repaired,
            "pruned": self.run.pruned,
            "warnings": warnings,
        }
        path = self._save(manifest)
        if self.run.output_errors and repair is None:
            return  # left `running`: the next run repairs it as it would a killed one
        self.run.finish("failed" if self.run.output_errors else "finished", path)

    def _warnings(self, sources: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
        """Sources that drifted against the manifests of this state's earlier runs."""
        try:
            runs = self.run.store.runs()
        except Exception as error:  # the manifest is written whatever the state does now
            logger.warning("Drift not checked: the state's runs cannot be read (%s)", error)
            return []
        earlier = [
            run["manifest"] for run in runs if run.get("manifest") and run["id"] != self.run.id
        ]
        warnings = run_warnings(read_manifests(earlier), sources, self.run.id)
        for warning in warnings:
            logger.warning("Source %s drifted: %s", warning["source"], warning["message"])
        return warnings

    def _save(self, manifest: dict[str, Any]) -> Path | None:
        """Write the manifest next to the output, or under `output/` when that folder is
        the one that failed."""
        feeds = self.run.feed_files()
        first = Path(feeds[0]["path"]).parent if feeds else Path("output")
        text = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
        for folder in dict.fromkeys([first, Path("output")]):
            path = folder / f"manifest-{self.run.id}.json"
            part = path.with_name(path.name + ".part")
            try:
                folder.mkdir(parents=True, exist_ok=True)
                part.write_text(text)
                os.replace(part, path)
            except OSError as error:
                logger.error("Cannot write the manifest %s: %s", path, describe(error))
                continue
            logger.info("Manifest of run %s: %s", self.run.id, path)
            return path
        return None


def _median(values: list[int] | None) -> int | None:
    return round(statistics.median(values)) if values else None
