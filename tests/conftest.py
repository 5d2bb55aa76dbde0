"""Fixtures: a real HTTP server for sites on loopback, and real `scrapy crawl` runs.

The server is `sample/serve.py` started as a subprocess on port 0 (it prints its
address); crawls run the `scrapy crawl` command line an operator would, so settings,
the add-on, spiders, pipelines and feed exports are all the real ones.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from bench.sites import serve
from bench.words import WORDS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SITES = ROOT / "sample" / "sites"
SCHEMAS = ROOT / "crawler" / "schemas"

# CI sets these, so that a missing server binary fails the run instead of skipping tests.
REQUIRE = {"redis": "NEWSFOLD_REQUIRE_REDIS", "browser": "NEWSFOLD_REQUIRE_CHROMIUM"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by what it needs (`tests.markers`)."""
    from tests.markers import needs

    for item in items:
        for marker in sorted(needs(item)):
            item.add_marker(marker)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A browser test skips without chromium, before its crawl (fails in CI)."""
    if item.get_closest_marker("browser") is not None:
        from bench.browser import CHROMIUM

        require_binary("browser", "chromium", shutil.which(CHROMIUM))


_running: list[pytest.Item] = []  # the test being run, for `require_marker`


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Any:
    _running.append(item)
    try:
        return (yield)
    finally:
        _running.pop()


def require_marker(marker: str, what: str) -> None:
    """Fail a test that does `what` without its marker: the marking missed it."""
    if _running and _running[-1].get_closest_marker(marker) is None:
        pytest.fail(
            f"{_running[-1].nodeid} {what} but is not marked `{marker}`: "
            f"mark it by hand or teach tests/markers.py to find it",
            pytrace=False,
        )


def require_binary(marker: str, binary: str, path: str | None) -> None:
    """Skip a test whose server binary is missing, or fail it where CI asks for it."""
    if path:
        return
    reason = f"{binary} is not installed (make {binary})"
    if os.environ.get(REQUIRE[marker]) == "1":
        pytest.fail(f"{reason}, and {REQUIRE[marker]}=1 requires it", pytrace=False)
    pytest.skip(reason)


def validate_records(records: list[dict[str, Any]]) -> None:
    """Every record must satisfy the shipped JSON Schema of its kind."""
    validators = {
        kind: Draft202012Validator(json.loads((SCHEMAS / f"{kind}.schema.json").read_text()))
        for kind in ("article", "copy")
    }
    for record in records:
        kind = "article" if record.get("duplicate_of") is None else "copy"
        validators[kind].validate(record)


class SitesServer:
    """`sample/serve.py` over a folder of sites, in a subprocess."""

    def __init__(self, root: Path):
        self.process, self.address = serve(root)
        assert self.address.startswith("http://127.0.0.1:"), self.address

    def url(self, host: str, path: str = "/") -> str:
        """A direct loopback URL for a page of one site."""
        return f"{self.address}/{host}{path}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def sample_server() -> Iterator[SitesServer]:
    server = SitesServer(SAMPLE_SITES)
    yield server
    server.stop()


@pytest.fixture
def make_web(tmp_path: Path) -> Iterator[Callable[[dict[str, str | bytes]], SitesServer]]:
    """Serve a web given as {"host/path": content}; a path ending in / is an index.html."""
    servers: list[SitesServer] = []

    def make(files: dict[str, str | bytes]) -> SitesServer:
        root = tmp_path / f"web{len(servers)}"
        for name, content in files.items():
            path = root / (name + "index.html" if name.endswith("/") else name)
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            path.write_bytes(data)
        servers.append(SitesServer(root))
        return servers[-1]

    yield make
    for server in servers:
        server.stop()


@dataclass
class CrawlResult:
    returncode: int
    records: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str
    workdir: Path
    files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def current(self) -> list[dict[str, Any]]:
        """The records folded: each id's last (highest revision) record."""
        return fold(self.records)

    @property
    def articles(self) -> list[dict[str, Any]]:
        return [r for r in self.current if r["duplicate_of"] is None]

    @property
    def copies(self) -> list[dict[str, Any]]:
        return [r for r in self.current if r["duplicate_of"] is not None]


def fold(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each id's current record: the one with the highest revision, the last on a tie
    (in first-seen order of the ids)."""
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        earlier = latest.get(record["id"])
        if earlier is None or record.get("revision", 0) >= earlier.get("revision", 0):
            latest[record["id"]] = record
    return list(latest.values())


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


TEST_SETTINGS = {
    "ALLOW_PRIVATE_NETWORKS": "True",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "INFO",
}


def crawl_command(
    spider: str,
    workdir: Path,
    args: dict[str, str] | None = None,
    settings: dict[str, str] | None = None,
    proxy: str | None = None,
    output: str | None = "out.jsonl",
    state: str = "state.sqlite",
) -> tuple[list[str], dict[str, str]]:
    """The `scrapy crawl SPIDER` command line and environment for a run in `workdir`."""
    require_marker("crawl", "starts a crawl")
    workdir.mkdir(parents=True, exist_ok=True)
    chosen = {
        **TEST_SETTINGS,
        "STATE_URL": f"sqlite:///{workdir / state}",
        "STATS_FILE": str(workdir / "stats.json"),
        "LOG_FILE": str(workdir / "crawl.log"),
        **(settings or {}),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    for name, value in (args or {}).items():
        command += ["-a", f"{name}={value}"]
    for name, value in chosen.items():
        command += ["-s", f"{name}={value}"]
    if output:
        command += ["-O", output]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": str(ROOT)}
    env.pop("http_proxy", None)
    if proxy:
        env["http_proxy"] = proxy
    return command, env


def collect(
    workdir: Path, returncode: int, stderr: str = "", output: str | None = "out.jsonl"
) -> CrawlResult:
    """What a finished run left in `workdir`: output, stats, log and output/ files."""
    log_path = workdir / "crawl.log"
    log = (log_path.read_text() if log_path.exists() else "") + stderr
    stats_path = workdir / "stats.json"
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    records = read_jsonl(workdir / output) if output and (workdir / output).exists() else []
    files = (
        {p.name: read_jsonl(p) for p in sorted((workdir / "output").glob("*.jsonl"))}
        if (workdir / "output").is_dir()
        else {}
    )
    return CrawlResult(returncode, records, stats, log, workdir, files)


def run_crawl(spider: str, workdir: Path, **kwargs: Any) -> CrawlResult:
    """Run `scrapy crawl SPIDER` in `workdir` (see `crawl_command`) and collect the results."""
    command, env = crawl_command(spider, workdir, **kwargs)
    done = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=300
    )
    return collect(workdir, done.returncode, done.stderr, kwargs.get("output", "out.jsonl"))


@pytest.fixture
def crawl(tmp_path: Path) -> Callable[..., CrawlResult]:
    """`crawl(spider, args=..., settings=..., proxy=...)` in this test's folder."""

    def run(spider: str, **kwargs: Any) -> CrawlResult:
        kwargs.setdefault("workdir", tmp_path / "run")
        return run_crawl(spider, **kwargs)

    return run


def prose(seed: int, paragraphs: int = 6, words: int = 45) -> list[str]:
    """Deterministic filler paragraphs: different seeds give texts with no shared shingles."""
    import random

    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        sentence = [rng.choice(WORDS) for _ in range(words)]
        out.append(" ".join(sentence).capitalize() + ".")
    return out


def article_page(
    title: str,
    paragraphs: list[str],
    published: str | None = None,
    author: str | None = "Amina Diallo",
    site_name: str = "Test Times",
    head: str = "",
) -> str:
    """A plain article page with the usual furniture around the text."""
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    byline = f'<p class="byline">By <span class="author">{author}</span></p>' if author else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | {site_name}</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="{site_name}">
{meta}{f'<meta name="author" content="{author}">' if author else ""}{head}</head>
<body><header><nav><a href="/">Home</a> <a href="/world/">World</a></nav></header>
<main><article><h1>{title}</h1>{byline}{body}</article></main>
<footer><p>Copyright 2024 {site_name}</p></footer></body></html>"""


def rss_feed(links: list[str], title: str = "Test Times") -> str:
    """An RSS 2.0 feed listing the given article URLs."""
    items = "".join(
        f"<item><title>Story {n}</title><link>{link}</link></item>" for n, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.test/</link>{items}</channel></rss>"
    )


# The sources file of `story_web`: its two sites, read through their feeds.
STORY_WEB_SOURCES = """
[[source]]
name = "News"
feeds = ["http://news.test/feed.xml"]

[[source]]
name = "Mirror"
feeds = ["http://mirror.test/feed.xml"]
"""


def story_web(stories: int, copies: int = 0) -> dict[str, str | bytes]:
    """`stories` distinct articles on news.test, and `copies` of the first ones on
    mirror.test, each site with its own feed (`/feed.xml`)."""
    files: dict[str, str | bytes] = {}
    for n in range(stories):
        files[f"news.test/story-{n}.html"] = article_page(f"Story number {n}", prose(n))
    for n in range(copies):
        files[f"mirror.test/copy-{n}.html"] = article_page(
            f"Story number {n}", prose(n), site_name="Mirror"
        )
    files["news.test/feed.xml"] = rss_feed(
        [f"http://news.test/story-{n}.html" for n in range(stories)]
    )
    files["mirror.test/feed.xml"] = rss_feed(
        [f"http://mirror.test/copy-{n}.html" for n in range(copies)]
    )
    return files


def start_redis(folder: Path, appendonly: bool = False) -> Any:
    """A `RedisServer`, or a skip (a failure in CI) without `redis-server`."""
    from bench.redis_server import RedisServer

    require_marker("redis", "starts redis-server")
    require_binary("redis", "redis-server", shutil.which("redis-server"))
    return RedisServer(folder, appendonly=appendonly)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[Any]:
    """A fresh `redis-server` on a free loopback port (see `bench.redis_server`)."""
    server = start_redis(tmp_path / "redis")
    yield server
    server.stop()


@pytest.fixture
def durable_redis(tmp_path: Path) -> Iterator[Any]:
    """A `redis-server` that keeps its keys across a restart (append-only file)."""
    server = start_redis(tmp_path / "redis", appendonly=True)
    yield server
    server.stop()


# The backend contract: every test taking `state_url` or `store` runs once per entry, a
# fresh state's `STATE_URL` made from the test's request and folder (a backend's server
# is a fixture of its own). A new backend is one entry here.
STATE_BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], str]] = {
    "sqlite": lambda request, folder: f"sqlite:///{folder}/state.sqlite",
    "redis": lambda request, folder: str(request.getfixturevalue("redis_server").url),
}


@pytest.fixture(params=list(STATE_BACKENDS))
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh state of each backend, by its `STATE_URL` (reopen it with `open_state`)."""
    return STATE_BACKENDS[request.param](request, tmp_path)


@pytest.fixture
def store(state_url: str) -> Iterator[Any]:
    """An open state store of each backend, closed after the test."""
    from crawler.state import open_state

    opened = open_state(state_url)
    yield opened
    opened.close()
