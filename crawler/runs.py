"""A run's place in the state: one at a time, a unique name, and repair after a kill.

Cron starts runs on a timer, so a run may start while the last is still going, and any
run may be killed at any moment. A run therefore takes the state's lock first (waiting
up to `LOCK_WAIT`), then repairs what killed runs left behind, before it does anything
else. Output is written to `NAME.part` and renamed when complete (see
`crawler.feedstorage`); a killed run leaves its `.part` files, and its records that never
reached them are still marked written in the state. Repair keeps the complete lines of
each `.part` file, renames it to its final name, and forgets the records that are not in
it, so the next fetch of those pages writes them: every record is written exactly once.
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
from crawler.state import StateLocked, StateStore, state_for

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

PART = ".part"


@dataclass
class Run:
    """This run: its name (also the `%(time)s` of its output files) and what it repaired."""

    id: str
    started: datetime
    store: StateStore
    files: list[dict[str, Any]] = field(default_factory=list)  # {"path", "append"}
    repaired: list[dict[str, Any]] = field(default_factory=list)

    def add_file(self, final: str, append: bool) -> None:
        """Record an output file before it is written, so a kill can be repaired."""
        if all(entry["path"] != final for entry in self.files):
            self.files.append({"path": final, "append": append})
            with self.store.transaction():
                self.store.update_run(self.id, files=json.dumps(self.files))

    def finish(self, status: str) -> None:
        with self.store.transaction():
            self.store.update_run(
                self.id, status=status, ended=datetime.now(UTC).isoformat(timespec="seconds")
            )


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


def publish(part: Path, final: Path, append: bool) -> None:
    """Give a finished `.part` file its final name in one step (appended to it if asked)."""
    if append and final.exists():
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


def repair(store: StateStore, run: dict[str, Any]) -> dict[str, Any]:
    """Make a killed run's output whole and forget the records it never wrote."""
    found: list[dict[str, Any]] = []
    files = []
    for entry in json.loads(run["files"] or "[]"):
        final = Path(entry["path"])
        part = part_path(final)
        path = part if part.exists() else final
        if not path.exists():
            continue
        records, end = complete_lines(path)
        found += records
        if path == part:
            with part.open("r+b") as handle:
                handle.truncate(end)
            publish(part, final, entry["append"])
        files.append({"path": str(final), "records": len(records)})
    delivered = latest_revisions(found)
    with store.transaction():
        lost = store.undeliver(run["id"], delivered)
        store.update_run(run["id"], status="killed")
    report = {"run": run["id"], "files": files, "written": len(delivered), "redo": lost}
    logger.warning(
        "Run %s did not finish (killed?): kept %d records in %d files; %d records it did "
        "not write will be written again",
        run["id"],
        len(delivered),
        len(files),
        lost,
    )
    return report


def begin(store: StateStore, spider: str, wait: float) -> Run:
    """Take the state, repair killed runs, and register this one."""
    exclusive = store.lock(wait)
    running = store.runs(status="running")
    repaired = [repair(store, run) for run in running if exclusive or is_dead(run)]
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
            return Run(name, started, store, repaired=repaired)
        taken.add(name)  # another worker took this name a moment ago


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
                state_for(crawler), crawler.spidercls.name, crawler.settings.getfloat("LOCK_WAIT")
            )
        except StateLocked as error:
            crawler.stats.set_value("newsfold/locked", 1)
            logger.error("Not started: %s", error)
            raise
        _runs[crawler] = run
    return run


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """`FEED_URI_PARAMS`: `%(time)s` is the run's unique name, so runs never share a file."""
    return {**params, "time": run_for(spider.crawler).id}
