"""Chaos: many runs over one state, with operator mistakes and kill -9 at random moments.

The promise an operator relies on (README, Running from cron): whatever goes wrong, every
record ends up written exactly once in the union of the files the runs wrote, and folding
them (each id's latest revision) gives every article page once. The
web grows from run to run, as a feed does, so most runs have new pages to write. Each
run here draws a mistake (bad lines in its URL list, output that cannot be written, `-O`
onto a file with records, an unknown argument, a disk that fills up) and maybe a kill -9
at a random moment; after them, one clean run. Then the union of every output file must
hold each record once and fold to each page once: none lost, none twice.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import crawl_command, fold, read_jsonl, story_web

RUNS = 24
STORIES, COPIES = 48, 12
PAGES = [f"http://news.test/story-{n}.html" for n in range(STORIES)] + [
    f"http://mirror.test/copy-{n}.html" for n in range(COPIES)
]
SLOW = {"DOWNLOAD_DELAY": "0.1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
MISTAKES = ("none", "bad_lines", "unwritable", "overwrite", "unknown_argument", "full_disk")
BAD_LINES = ("www.example.com/page", "not a url", "ftp://news.test/story-1.html", "http://")
FULL_DISK = "tests.full_disk.FullDiskStorage"


def _run(
    rng: random.Random, workdir: Path, proxy: str, n: int, mistake: str, order: list[str]
) -> tuple[int, str]:
    """One run with the given mistake, killed at a random moment half the time."""
    lines = order[: 4 + 3 * n]  # the pages published by now
    rng.shuffle(lines)
    if mistake == "bad_lines":
        for bad in rng.sample(BAD_LINES, 2):
            lines.insert(rng.randrange(len(lines) + 1), bad)
    (workdir / f"urls-{n}.txt").write_text("\n".join(lines) + "\n")
    args = {"file": f"urls-{n}.txt"}
    if mistake == "unknown_argument":
        args["sinse"] = "2d"
    settings = dict(SLOW)
    if mistake == "full_disk":
        settings["FEED_STORAGES"] = json.dumps({"": FULL_DISK, "file": FULL_DISK})
        settings["FULL_DISK_AFTER"] = str(rng.randint(0, 4))
    flags = rng.choice([[], ["-o", "shared.jsonl"], ["-O", f"fresh-{n}.jsonl"]])
    if mistake == "unwritable":
        flags = ["-O", rng.choice(["/proc/newsfold.jsonl", "urls-0.txt/out.jsonl"])]
    elif mistake == "overwrite":
        written = [p.name for p in workdir.glob("*.jsonl") if p.stat().st_size]
        flags = ["-O", rng.choice(written or ["shared.jsonl"])]
    command, env = crawl_command("urls", workdir, args=args, settings=settings, output=None)
    env["http_proxy"] = proxy
    process = subprocess.Popen([*command, *flags], cwd=workdir, env=env, stderr=subprocess.DEVNULL)
    killed = ""
    if rng.random() < 0.5:
        try:
            process.wait(timeout=rng.uniform(0.2, 4.0))
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            killed = " killed"
    return process.wait(timeout=180), killed


@pytest.mark.parametrize("seed", [11])
def test_mistakes_and_kills_lose_no_page_and_write_none_twice(seed, make_web, tmp_path):
    rng = random.Random(seed)
    server = make_web(story_web(STORIES, COPIES))
    workdir = tmp_path / "run"
    workdir.mkdir()
    order = rng.sample(PAGES, len(PAGES))  # copies appear before or after their originals
    outcomes: Counter[str] = Counter()
    for n in range(RUNS):
        mistake = rng.choice(MISTAKES)
        code, killed = _run(rng, workdir, server.address, n, mistake, order)
        outcomes[f"{mistake}: exit {code}{killed}"] += 1
    code, _ = _run(random.Random(0), workdir, server.address, RUNS, "none", order)
    assert code == 0, (workdir / "crawl.log").read_text()[-3000:]

    files = [path for path in workdir.rglob("*.jsonl") if path.is_file()]
    records = [record for path in files for record in read_jsonl(path)]
    # A page's record is written again (a higher revision) when its story changes; each
    # record, an id at a revision, must be there once, and folding them gives each page.
    written = Counter((record["id"], record["revision"]) for record in records)
    pages = Counter(record["url"] for record in fold(records))
    lost = [url for url in PAGES if url not in pages]
    twice = [key for key, count in written.items() if count > 1]
    print(
        f"{RUNS} runs + 1 clean: {dict(sorted(outcomes.items()))}; {len(files)} files, "
        f"{len(records)} records for {len(PAGES)} pages; lost {len(lost)}, "
        f"written twice {len(twice)}"
    )
    assert not lost and not twice
    assert set(pages) == set(PAGES) and max(pages.values()) == 1
    assert not list(workdir.rglob("*.part"))
    # Each mistake ends the way the README says, unless a kill came first.
    expected = {
        "none": {0},
        "bad_lines": {0},
        "unwritable": {3},
        "overwrite": {0, 3},
        "unknown_argument": {3},
        "full_disk": {0, 8},
    }
    for outcome in outcomes:
        mistake, _, exit_code = outcome.removesuffix(" killed").partition(": exit ")
        assert outcome.endswith(" killed") or int(exit_code) in expected[mistake], outcome
