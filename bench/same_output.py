"""`make bench-same`: the same crawls by two checkouts, compared record by record.

A refactor must not change what newsfold writes. This runs the same crawls with the
current tree and with a base revision (checked out with `git worktree add --detach` into
a temporary folder) and compares what each wrote:

- the demo: `sample/sources.toml` over the bundled sample sites (the `news` spider, as
  `sample/demo.py` runs it);
- the syndication web of `bench.syndication_web` (every layout family and copy kind, hard
  negatives), crawled by the `urls` spider as `bench.dedup` crawls it, originals first and
  copies first;
- one site of each layout family of `bench.layout_web`, crawled by the `site` spider from
  their home pages.

The inputs (sites, sources, URL lists) are written once, by the current tree, and served
to both sides, so only the crawler's code differs. Each crawl subprocess imports its own
checkout: PYTHONPATH is that checkout, set absolutely, ahead of the editable install, and
every crawl prints the `crawler` and `pipelines` it imported, which is checked. Crawls run
one request at a time from one FIFO queue, extraction in the crawl's process
(`EXTRACT_WORKERS=0`), so that two runs of one checkout write the same records.

Compared, per crawl: the records (JSON Lines, keyed by `id` and `revision`), the
`scrapy clusters --min-size 1` export (keyed by `cluster_id`) and `scrapy stories
--min-size 1` (keyed by `id`), each with the fields that differ between two runs of one
checkout normalised (`VOLATILE`: fetch times, run names and times, temporary paths); and
the manifest's counts (`totals`, per source counts, records per file, exit code, finish
reason), not its whole shape, which features extend. Prints a table and the first
differences in full; exits 1 on any difference, 2 when a crawl or an export fails or a
crawl writes nothing.

    python -m bench.same_output [--base HEAD~1] [--originals 40] [--pages 12] [--raw]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.dedup import CRAWL, ORDERED, crawl_env, read_jsonl
from bench.layout_web import FAMILIES, build, site_for
from bench.sites import serve
from bench.syndication_web import COPY_KINDS, DEV_SET, LAYOUTS, build_web

ROOT = Path(__file__).resolve().parents[1]
Record = dict[str, Any]

# One request at a time, FIFO, extraction in the crawl's own process: the pages are met,
# extracted and folded in the same order in every run, so the records are the same.
SAME_ORDER = {**CRAWL, **ORDERED, "EXTRACT_WORKERS": "0", "LOG_LEVEL": "INFO"}
# Fields that differ between two runs of one checkout on the same input (found with
# `--raw --base HEAD`: records' and stories' `fetched_at`, the manifest's `run`, `started`
# and `finished`; its files' paths are the work folders, replaced by `<work>`).
VOLATILE = frozenset({"fetched_at", "run", "started", "finished"})
# The manifest's top-level counts, with `exit` (the crawl process's exit code); its
# `totals`, `sources` (these counts of each) and `files` are read apart.
MANIFEST_COUNTS = ("exit", "exit_code", "finish_reason")
SOURCE_COUNTS = ("fetched", "articles", "copies", "dropped", "skipped", "errors", "text_chars")
SYNDICATION_ORDERS = ("originals-first", "copies-first")
# Printed before a crawl's arguments: which code the crawl imported, from inside it.
PROBE = (
    "import sys, crawler, pipelines; "
    "print('imported', crawler.__file__, pipelines.__file__, file=sys.stderr, flush=True); "
    "sys.argv[0] = 'scrapy'; "
    "from scrapy.cmdline import execute; execute()"
)


# --- The crawls --------------------------------------------------------------------------------


@dataclass
class Crawl:
    """One crawl both sides run: the spider's arguments, its proxy, the files it reads."""

    name: str
    spider: str
    args: dict[str, str]
    proxy: str
    files: dict[str, str] = field(default_factory=dict)  # name in the work folder -> text


@dataclass
class Output:
    """What one side's crawl wrote, read back."""

    records: list[Record]
    clusters: list[Record]
    stories: list[Record]
    manifest: Record
    exit_code: int
    imported: str  # the `crawler` package the crawl imported, as it printed it
    failures: list[str]  # commands that failed, or "no records"


def plan(work: Path, originals: int, pages: int, seed: int) -> tuple[list[Crawl], list[Any]]:
    """The inputs, written and served once for both sides: the crawls and the servers."""
    source = DEV_SET if DEV_SET.is_dir() else None
    web = build_web(work / "syndication", originals=originals, seed=seed, source=source)
    kinds = {p.kind for p in web.pages}
    layouts = {p.layout for p in web.pages}
    missing = (set(COPY_KINDS) - kinds) | (set(LAYOUTS) - layouts)
    if missing:
        raise SystemExit(f"the syndication web of {originals} originals lacks {sorted(missing)}")
    build(work / "layouts", pages, seed)
    servers = []
    proxies = {}
    for name, root in (
        ("demo", ROOT / "sample" / "sites"),
        ("syndication", work / "syndication"),
        ("layouts", work / "layouts"),
    ):
        server, proxies[name] = serve(root)
        servers.append(server)
    sources = (ROOT / "sample" / "sources.toml").read_text(encoding="utf-8")
    demo = Crawl("demo", "news", {"sources": "sources.toml"}, proxies["demo"])
    demo.files["sources.toml"] = sources
    crawls = [demo]
    for order in SYNDICATION_ORDERS:
        urls = "\n".join(web.ordered_urls(order, seed)) + "\n"
        crawls.append(
            Crawl(order, "urls", {"file": "urls.txt"}, proxies["syndication"], {"urls.txt": urls})
        )
    starts = ",".join(f"http://{site_for(family).host}/" for family in FAMILIES)
    crawls.append(Crawl("layouts", "site", {"start": starts}, proxies["layouts"]))
    return crawls, servers


def run_crawl(crawl: Crawl, checkout: Path, work: Path) -> Output:
    """`crawl` by the code of `checkout`, in `work`; then its clusters and stories."""
    work.mkdir(parents=True)
    for name, text in crawl.files.items():
        (work / name).write_text(text, encoding="utf-8")
    state = f"sqlite:///{work / 'state.sqlite'}"
    settings = {**SAME_ORDER, "STATE_URL": state, "LOG_FILE": str(work / "crawl.log")}
    command = ["crawl", crawl.spider]
    for name, value in crawl.args.items():
        command += ["-a", f"{name}={value}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    command += ["-o", str(work / "records.jsonl")]
    done = scrapy(command, checkout, work, crawl.proxy)
    imported = next((line for line in done.stderr.splitlines() if line.startswith("imported ")), "")
    want = [str(checkout / "crawler" / "__init__.py"), str(checkout / "pipelines" / "__init__.py")]
    if imported.split()[1:] != want:
        raise SystemExit(f"the crawl in {work} imported {imported!r}, not {checkout}'s code")
    failures = [] if done.returncode == 0 else [f"crawl exit {done.returncode}"]
    exports = {}
    for name in ("clusters", "stories"):
        out = work / f"{name}.jsonl"
        export = [name, "--min-size", "1", "-o", str(out), "-s", f"STATE_URL={state}"]
        code = scrapy(export, checkout, work, None).returncode
        if code:
            failures.append(f"{name} exit {code}")
        exports[name] = read_jsonl(out) if out.exists() else []
    manifests = sorted(work.glob("manifest-*.json"))
    records = read_jsonl(work / "records.jsonl") if (work / "records.jsonl").exists() else []
    if not records:
        failures.append("no records")
    return Output(
        records,
        exports["clusters"],
        exports["stories"],
        json.loads(manifests[-1].read_text()) if manifests else {},
        done.returncode,
        imported.split()[1],
        failures,
    )


def scrapy(
    args: list[str], checkout: Path, cwd: Path, proxy: str | None
) -> subprocess.CompletedProcess[str]:
    """A Scrapy command of the project run by the code of `checkout` alone."""
    env = {**crawl_env(proxy), "PYTHONPATH": str(checkout.resolve())}
    command = [sys.executable, "-c", PROBE, *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def run_side(crawls: list[Crawl], checkout: Path, work: Path) -> dict[str, Output]:
    return {crawl.name: run_crawl(crawl, checkout, work / crawl.name) for crawl in crawls}


# --- Comparing ---------------------------------------------------------------------------------


def normalise(value: Any, paths: Mapping[str, str] | None = None) -> Any:
    """`value` with every `VOLATILE` field blanked and each of `paths` (a temporary folder
    -> its name) replaced, at any depth."""
    paths = paths or {}
    if isinstance(value, dict):
        return {k: "<volatile>" if k in VOLATILE else normalise(v, paths) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, paths) for v in value]
    if isinstance(value, str):
        for path, name in paths.items():
            value = value.replace(path, name)
    return value


def keyed(records: Iterable[Record], key: tuple[str, ...]) -> dict[str, list[Record]]:
    """Records by their key (`id@revision`, say); a key written twice keeps both."""
    found: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        found["@".join(str(record.get(k)) for k in key)].append(record)
    return found


@dataclass
class Difference:
    crawl: str
    part: str
    key: str
    base: Any
    head: Any

    def lines(self) -> list[str]:
        """The difference in full: the fields that differ, or the record one side lacks."""
        head = f"{self.crawl} {self.part} {self.key}:"
        if self.base is None or self.head is None:
            side = "base" if self.head is None else "head"
            only = self.base if self.head is None else self.head
            return [f"{head} only in {side}: {json.dumps(only, ensure_ascii=False)}"]
        if not (isinstance(self.base, dict) and isinstance(self.head, dict)):
            return [f"{head} base {self.base!r}", f"{' ' * len(head)} head {self.head!r}"]
        lines = [head]
        for name in sorted(set(self.base) | set(self.head)):
            old, new = self.base.get(name, "<absent>"), self.head.get(name, "<absent>")
            if old != new:
                lines.append(f"  {name}: base {json.dumps(old, ensure_ascii=False)}")
                lines.append(f"  {' ' * len(name)}  head {json.dumps(new, ensure_ascii=False)}")
        return lines


@dataclass
class Tally:
    compared: int = 0
    identical: int = 0
    differing: int = 0
    only_base: int = 0
    only_head: int = 0

    def add(self, other: Tally) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def compare(
    crawl: str, part: str, base: list[Record], head: list[Record], key: tuple[str, ...]
) -> tuple[Tally, list[Difference]]:
    """Normalised records of both sides matched by `key`: a tally and each difference."""
    tally, differences = Tally(), []
    old, new = keyed(base, key), keyed(head, key)
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name, []), new.get(name, [])
        for n in range(max(len(a), len(b))):
            x, y = (a[n] if n < len(a) else None), (b[n] if n < len(b) else None)
            tally.compared += 1
            if x is None:
                tally.only_head += 1
            elif y is None:
                tally.only_base += 1
            elif x == y:
                tally.identical += 1
                continue
            else:
                tally.differing += 1
            differences.append(Difference(crawl, part, name, x, y))
    return tally, differences


def manifest_counts(manifest: Record) -> dict[tuple[str, ...], Any]:
    """The counts of a run's manifest, flat: its exit code and finish reason, each total,
    each count of each source, the records of each file (by file name)."""
    counts: dict[tuple[str, ...], Any] = {
        (name,): manifest[name] for name in MANIFEST_COUNTS if name in manifest
    }
    for name, value in (manifest.get("totals") or {}).items():
        counts["totals", name] = value
    for source, figures in (manifest.get("sources") or {}).items():
        for name in SOURCE_COUNTS:
            if name in figures:
                counts["sources", source, name] = figures[name]
    for written in manifest.get("files") or []:
        counts["files", Path(str(written.get("path"))).name] = written.get("records")
    return counts


def field_of(key: tuple[str, ...]) -> str:
    """The manifest field a count is of: `sources.*.articles` for every source's articles."""
    if key[0] == "sources":
        return f"sources.*.{key[-1]}"
    return "files.*" if key[0] == "files" else ".".join(key)


def compare_manifests(
    crawl: str, base: Record, head: Record
) -> tuple[Tally, list[Difference], set[str]]:
    """The counts both manifests have, compared; the fields only one side's version writes
    (a feature added or removed since the base: reported, not a difference)."""
    old, new = manifest_counts(base), manifest_counts(head)
    old_fields, new_fields = {field_of(k) for k in old}, {field_of(k) for k in new}
    shape = {f"{f} (base only)" for f in old_fields - new_fields}
    shape |= {f"{f} (head only)" for f in new_fields - old_fields}
    common = old_fields & new_fields
    keys = sorted({k for k in (*old, *new) if field_of(k) in common})
    a = {_shown(k): old.get(k, "<absent>") for k in keys}
    b = {_shown(k): new.get(k, "<absent>") for k in keys}
    if a == b:
        return Tally(compared=1, identical=1), [], shape
    return Tally(compared=1, differing=1), [Difference(crawl, "manifest", "counts", a, b)], shape


def _shown(key: tuple[str, ...]) -> str:
    return key[0] + "".join(f"[{part}]" for part in key[1:])


PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("records", ("id", "revision")),
    ("clusters", ("cluster_id",)),
    ("stories", ("id",)),
)


def compare_outputs(
    crawl: str,
    base: Output,
    head: Output,
    base_paths: Mapping[str, str],
    head_paths: Mapping[str, str],
    raw: bool = False,
) -> tuple[dict[str, Tally], list[Difference], set[str]]:
    """Both sides' outputs of one crawl: a tally per part, the differences, and the
    manifest fields only one side writes."""
    tallies: dict[str, Tally] = {}
    differences: list[Difference] = []

    def norm(value: Any, paths: Mapping[str, str]) -> Any:
        return value if raw else normalise(value, paths)

    for part, key in PARTS:
        tally, found = compare(
            crawl,
            part,
            norm(getattr(base, part), base_paths),
            norm(getattr(head, part), head_paths),
            key,
        )
        tallies[part] = tally
        differences += found
    base_manifest = {**norm(base.manifest, base_paths), "exit": base.exit_code}
    head_manifest = {**norm(head.manifest, head_paths), "exit": head.exit_code}
    tallies["manifest"], found, shape = compare_manifests(crawl, base_manifest, head_manifest)
    differences += found
    return tallies, differences, shape


def table(tallies: Mapping[str, Mapping[str, Tally]]) -> list[str]:
    head = f"{'crawl':<18}{'part':<10}{'compared':>9}{'same':>7}{'differ':>7}"
    head += f"{'base only':>10}{'head only':>10}"
    lines = [head]
    total = Tally()
    for crawl, parts in tallies.items():
        for part, t in parts.items():
            total.add(t)
            lines.append(
                f"{crawl:<18}{part:<10}{t.compared:>9}{t.identical:>7}{t.differing:>7}"
                f"{t.only_base:>10}{t.only_head:>10}"
            )
    t = total
    lines.append(
        f"{'all':<28}{t.compared:>9}{t.identical:>7}{t.differing:>7}"
        f"{t.only_base:>10}{t.only_head:>10}"
    )
    return lines


# --- Main --------------------------------------------------------------------------------------


def checkout(rev: str, folder: Path) -> str:
    """`rev` checked out (detached) into `folder`; its commit."""
    sha = git("rev-parse", "--verify", f"{rev}^{{commit}}").strip()
    git("worktree", "add", "--detach", "--quiet", str(folder), sha)
    return sha


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def compare_sides(
    crawls: list[Crawl],
    sides: Mapping[str, Mapping[str, Output]],
    paths: Mapping[str, Mapping[str, str]],
    raw: bool,
) -> tuple[dict[str, dict[str, Tally]], list[Difference], set[str]]:
    """Every crawl's outputs, base against head."""
    tallies: dict[str, dict[str, Tally]] = {}
    differences: list[Difference] = []
    shapes: set[str] = set()
    for crawl in crawls:
        base, head = sides["base"][crawl.name], sides["head"][crawl.name]
        tallies[crawl.name], found, shape = compare_outputs(
            crawl.name, base, head, paths["base"], paths["head"], raw
        )
        differences += found
        shapes |= shape
    return tallies, differences, shapes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD~1", help="the revision to compare against")
    parser.add_argument("--originals", type=int, default=40, help="syndication web size")
    parser.add_argument("--pages", type=int, default=12, help="pages per layout family (11+)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shown", type=int, default=5, help="differences printed in full")
    parser.add_argument("--raw", action="store_true", help="compare without normalising")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    began = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="newsfold-same-"))
    trees = {"base": tmp / "base", "head": ROOT}
    try:
        sha = checkout(args.base, trees["base"])
        crawls, servers = plan(tmp / "web", args.originals, args.pages, args.seed)
        sides = {}
        try:
            for side, tree in trees.items():
                started = time.perf_counter()
                sides[side] = run_side(crawls, tree, tmp / f"run-{side}")
                print(f"{side}: {tree} ({time.perf_counter() - started:.0f} s)", flush=True)
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
    finally:
        if not args.keep:
            if trees["base"].exists():
                git("worktree", "remove", "--force", str(trees["base"]))
            shutil.rmtree(tmp, ignore_errors=True)
    paths = {
        side: {str(tmp / f"run-{side}"): "<work>", str(tree): "<checkout>"}
        for side, tree in trees.items()
    }
    tallies, differences, shapes = compare_sides(crawls, sides, paths, args.raw)
    head_sha = git("rev-parse", "HEAD").strip()
    dirty = " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    print(f"\nbase {args.base} = {sha[:10]}; head: the current tree ({head_sha[:10]}{dirty})")
    print(
        f"crawler imported by the crawls: base {sides['base']['demo'].imported}, "
        f"head {sides['head']['demo'].imported}"
    )
    print("\n".join(table(tallies)))
    if shapes:
        print(
            "manifest fields one side does not write (not compared): " + ", ".join(sorted(shapes))
        )
    for difference in differences[: args.shown]:
        print()
        print("\n".join(difference.lines()))
    if len(differences) > args.shown:
        print(f"\n... and {len(differences) - args.shown} more differences")
    print(f"\n{len(differences)} differences; {time.perf_counter() - began:.0f} s in all")
    if args.keep:
        print(f"kept: {tmp} (remove its worktree: git worktree remove --force {trees['base']})")
    failed = [
        f"{side} {name}: {', '.join(out.failures)}"
        for side, outputs in sides.items()
        for name, out in outputs.items()
        if out.failures
    ]
    if failed:
        print("failed (--keep keeps their logs): " + "; ".join(failed))
        return 2
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
