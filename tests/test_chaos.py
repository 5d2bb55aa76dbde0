"""Chaos: many runs over one state, with operator mistakes and kill -9 at random moments.

The promise an operator relies on (README, Running from cron): whatever goes wrong, every
article page ends up written exactly once in the union of the files the runs wrote. The
web grows from run to run, as a feed does, so most runs have new pages to write. Each
run here draws a mistake (bad lines in its URL list, output that cannot be written, `-O`
onto a file with records, an unknown argument, a disk that fills up) and maybe a kill -9
at a random moment; after them, one clean run. Then the union of every output file must
hold each page once: none lost, none twice.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import crawl_command, read_jsonl, story_web

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
    written = Counter(record["url"] for path in files for record in read_jsonl(path))
    lost = [url for url in PAGES if url not in written]
    twice = {url: count for url, count in written.items() if count > 1}
    print(
        f"{RUNS} runs + 1 clean: {dict(sorted(outcomes.items()))}; {len(files)} files, "
        f"{sum(written.values())} records for {len(PAGES)} pages; lost {len(lost)}, "
        f"twice {len(twice)}"
    )
    assert not lost and not twice
    assert set(written) == set(PAGES)
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
