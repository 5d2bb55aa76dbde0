"""A run's place in the state: one at a time, a unique name, and repair after a kill.

Cron starts runs on a timer, so a run may start while the last is still going, and any
run may be killed at any moment. A run therefore takes the state's lock first (waiting
up to `LOCK_WAIT`), then repairs what killed runs left behind, before it does anything
else. Output is written to `NAME.part` and renamed when complete (see
`crawler.feedstorage`); a killed run leaves its `.part` files, and its records that never
reached them are still marked written in the state. Repair keeps the complete lines of
each `.part` file, adds them to its final name, and gives the records that are not in it
back to the state (by id and revision), which writes them again: every record is
written exactly once. A WARC file's `.part` (`crawler.warc_writer`) is cut the same way,
to its last whole response/request pair, and published: the records written before the
kill point into it, so it is kept, not removed.
A run whose output could not be written (a full disk) repairs itself the same way when
it closes. No step ever replaces a file that holds records: publishing joins the new
lines to what the final file already holds.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from crawler.items import latest_revisions
from crawler.state.base import StateLocked
from crawler.state.per_crawler import state_for
from crawler.state.runs import RunLog
from crawler.stats import LOCKED
from crawler.warc_writer import whole_end

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

PART = ".part"


@dataclass
class Run:
    """This run: its name (also the `%(time)s` of its output files) and what it repaired."""

    id: str
    started: datetime
    store: RunLog
    files: list[dict[str, Any]] = field(default_factory=list)  # {"path"[, "kind": "warc"]}
    repaired: list[dict[str, Any]] = field(default_factory=list)
    pruned: int = 0  # earlier runs whose files and manifest KEEP_RUNS removed
    output_errors: list[dict[str, str]] = field(default_factory=list)  # {"path", "error"}

    # Outputs other than the feeds (WARC files) that finish when the run closes; the
    # manifest finishes them before it lists the files, whatever order signals run in.
    closers: list[Callable[[], None]] = field(default_factory=list)

    def add_file(self, final: str, kind: str | None = None) -> None:
        """Record an output file before it is written, so a kill can be repaired."""
        if all(entry["path"] != final for entry in self.files):
            self.files.append({"path": final, **({"kind": kind} if kind else {})})
            with self.store.transaction():
                self.store.update_run(self.id, files=json.dumps(self.files))

    def output_failed(self, path: Path, error: BaseException) -> bool:
        """Note that an output file could not be written; True the first time for it."""
        if any(entry["path"] == str(path) for entry in self.output_errors):
            return False
        self.output_errors.append({"path": str(path), "error": describe(error)})
        return True

    def feed_files(self) -> list[dict[str, Any]]:
        return [entry for entry in self.files if "kind" not in entry]

    def close_outputs(self) -> None:
        while self.closers:
            self.closers.pop(0)()

    def finish(self, status: str, manifest: Path | None = None) -> None:
        with self.store.transaction():
            self.store.update_run(
                self.id,
                status=status,
                ended=datetime.now(UTC).isoformat(timespec="seconds"),
                manifest=str(manifest) if manifest else None,
            )

    def repair_own_output(self) -> dict[str, Any] | None:
        """After a failed write: keep what reached the files, give back the rest, as the
        next run would after a kill. None when that too fails (the disk is still full):
        the run then stays `running`, and the next run repairs it."""
        try:
            return repair(self.store, {"id": self.id, "files": json.dumps(self.files)}, "failed")
        except OSError as error:
            logger.error(
                "Could not repair the output of run %s now (%s): the next run will",
                self.id,
                describe(error),
            )
            return None


def describe(error: BaseException) -> str:
    """An OS error as one line: "No space left on device: 'out.jsonl'"."""
    if isinstance(error, OSError) and error.strerror:
        where = f": {error.filename!r}" if error.filename else ""
        return f"{error.strerror}{where}"
    return str(error) or type(error).__name__


def run_name(moment: datetime, taken: set[str]) -> str:
    """The run's time as Scrapy writes `%(time)s`, made unique among earlier runs."""
    base = moment.replace(microsecond=0, tzinfo=None).isoformat().replace(":", "-")
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}-{number}"
    return name


def part_path(final: str | Path) -> Path:
    return Path(f"{final}{PART}")


def publish(part: Path, final: Path) -> None:
    """Give a finished `.part` file its final name in one step.

    Lines the final file holds already are kept (the new ones follow them), so no run,
    flag or repair ever destroys a record written before. Safe to repeat after a kill at
    any point: a part that the final file already ends with is not added twice, and an
    empty part leaves no file behind.
    """
    size = part.stat().st_size
    if not size:
        part.unlink()
        return
    if final.exists() and final.stat().st_size:
        if _ends_with(final, part, size):  # joined before a kill, not yet removed
            part.unlink()
            return
        joined = final.with_name(final.name + ".joining")
        with joined.open("wb") as out:
            for source in (final, part):
                with source.open("rb") as data:
                    shutil.copyfileobj(data, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(joined, final)
        part.unlink()
        return
    with part.open("rb") as data:
        os.fsync(data.fileno())
    os.replace(part, final)


def _ends_with(final: Path, part: Path, size: int) -> bool:
    if final.stat().st_size < size:
        return False
    with final.open("rb") as data:
        data.seek(-size, os.SEEK_END)
        return data.read() == part.read_bytes()


def complete_lines(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The records of a JSON Lines file up to its last complete line, and that line's end."""
    data = path.read_bytes()
    records: list[dict[str, Any]] = []
    end = 0
    for line in data.splitlines(keepends=True):
        if not line.endswith(b"\n"):
            break
        try:
            record = json.loads(line)
        except ValueError:
            break
        if isinstance(record, dict):
            records.append(record)
        end += len(line)
    return records, end


def repair(store: RunLog, run: dict[str, Any], status: str = "killed") -> dict[str, Any]:
    """Make a killed run's output whole and give back the records it never wrote."""
    found: list[dict[str, Any]] = []
    files = []
    warc_files = []
    for entry in json.loads(run["files"] or "[]"):
        final = Path(entry["path"])
        part = part_path(final)
        if entry.get("kind") == "warc":
            if part.exists():
                _repair_warc(part, final)
            if final.exists():
                warc_files.append(str(final))
            continue
        path = part if part.exists() else final
        if not path.exists():
            continue
        records, end = complete_lines(path)
        found += records
        if path == part:
            with part.open("r+b") as handle:
                handle.truncate(end)
            publish(part, final)
        if records:
            files.append({"path": str(final), "records": len(records)})
    delivered = latest_revisions(found)
    with store.transaction():
        lost = store.undeliver(run["id"], delivered)
        store.update_run(run["id"], status=status)
    report = {
        "run": run["id"],
        "files": files,
        "warc_files": warc_files,
        "written": len(delivered),
        "redo": lost,
    }
    logger.warning(
        "Run %s did not finish (%s): kept %d records in %d files; %d records it did "
        "not write will be written again",
        run["id"],
        "its output failed" if status == "failed" else "killed?",
        len(delivered),
        len(files),
        lost,
    )
    return report


def _repair_warc(part: Path, final: Path) -> None:
    """Cut a WARC part to its last whole pair and publish it (or remove it: no pair)."""
    size = part.stat().st_size
    with part.open("r+b") as handle:
        end, records = whole_end(handle)
        handle.truncate(end)
    publish(part, final)
    logger.warning(
        "WARC file %s of a run that did not finish: kept %d whole records, cut %d bytes",
        final,
        records,
        size - end,
    )


def begin(store: RunLog, spider: str, wait: float, keep: int = 0) -> Run:
    """Take the state, repair killed runs, prune old ones, and register this one."""
    exclusive = store.lock(wait)
    running = store.runs(status="running")
    repaired = [repair(store, run) for run in running if exclusive or is_dead(run)]
    pruned = prune(store, keep - 1) if keep else 0  # this run is one of the `keep`
    started = datetime.now(UTC)
    taken = {run["id"] for run in store.runs()}
    while True:
        name = run_name(started, taken)
        registered = store.begin_run(
            {
                "id": name,
                "pid": os.getpid(),
                "spider": spider,
                "started": started.isoformat(timespec="seconds"),
                "status": "running",
                "files": "[]",
            }
        )
        if registered:
            return Run(name, started, store, repaired=repaired, pruned=pruned)
        taken.add(name)  # another worker took this name a moment ago


def prune(store: RunLog, keep: int) -> int:
    """Delete the files and manifests of this machine's ended runs but the `keep` newest.

    Only a run's own files go (those named for it, as the default output is); a file that
    several runs append to (`-o out.jsonl`) is the operator's. The runs stay listed in the
    state, with no files, so a page they wrote is still known.
    """
    host = socket.gethostname()
    ended = [
        run
        for run in store.runs()
        if run["status"] != "running" and (run.get("host") or host) == host
    ]
    pruned = 0
    for run in ended[: max(len(ended) - keep, 0)]:
        paths = [Path(entry["path"]) for entry in json.loads(run["files"] or "[]")]
        paths = [path for path in paths if run["id"] in path.name]
        if run.get("manifest"):
            paths.append(Path(run["manifest"]))
        if not paths:
            continue
        for path in paths:
            path.unlink(missing_ok=True)
        with store.transaction():
            store.update_run(run["id"], files="[]", manifest=None)
        pruned += 1
    if pruned:
        logger.info("Removed the output files and manifests of %d old runs (KEEP_RUNS)", pruned)
    return pruned


def is_dead(run: dict[str, Any]) -> bool:
    """Whether a run marked running is gone: a process of this machine that has exited.

    Where the state has no exclusive lock (Redis), workers of other machines and live
    ones of this machine share it, and their runs are not ours to repair.
    """
    if (run.get("host") or socket.gethostname()) != socket.gethostname():
        return False
    try:
        pid = int(run["pid"])
        if pid == os.getpid():  # an earlier process had our pid: it has exited
            return True
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, TypeError, ValueError):
        return False
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """A killed child not yet reaped by its parent (as in the kill tests) still has a pid."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return False


_runs: WeakKeyDictionary[Crawler, Run] = WeakKeyDictionary()


def run_for(crawler: Crawler) -> Run:
    """The crawler's run, begun on first use (the lock is taken before anything is written)."""
    run = _runs.get(crawler)
    if run is None:
        assert crawler.spidercls is not None and crawler.stats is not None
        try:
            run = begin(
                state_for(crawler),
                crawler.spidercls.name,
                crawler.settings.getfloat("LOCK_WAIT"),
                crawler.settings.getint("KEEP_RUNS"),
            )
        except StateLocked as error:
            crawler.stats.set_value(LOCKED, 1)
            logger.error("Not started: %s", error)
            raise
        _runs[crawler] = run
    return run


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """`FEED_URI_PARAMS`: `%(time)s` is the run's unique name, so runs never share a file."""
    return {**params, "time": run_for(spider.crawler).id}
