"""The installed `newsfold` console command, run as an operator runs it: from a folder
outside the checkout, with no SCRAPY_SETTINGS_MODULE or PYTHONPATH to find the project."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.misc import walk_modules_iter

from crawler.exitcodes import FAILED_TO_START
from crawler.spiders.base import NewsSpider
from tests.conftest import ROOT, TEST_SETTINGS, read_jsonl, story_web, validate_records

NEWSFOLD = Path(sys.executable).parent / "newsfold"
LOADER = get_spider_loader(Settings({"SPIDER_MODULES": ["crawler.spiders"]}))
SPIDERS: dict[str, type[NewsSpider]] = {}
for spider_name in sorted(LOADER.list()):
    spider_class = LOADER.load(spider_name)
    assert issubclass(spider_class, NewsSpider), spider_name  # whose arguments are declared
    SPIDERS[spider_name] = spider_class


def newsfold(*args: str, cwd: Path, proxy: str | None = None) -> subprocess.CompletedProcess[str]:
    if not NEWSFOLD.exists():
        pytest.fail(f"no console script at {NEWSFOLD}: install the project (make install)")
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"SCRAPY_SETTINGS_MODULE", "PYTHONPATH", "http_proxy"}
    }
    if proxy:
        env["http_proxy"] = proxy
    return subprocess.run(
        [str(NEWSFOLD), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    assert not folder.resolve().is_relative_to(ROOT)
    return folder


def flat(text: str) -> str:
    """Help text with its wrapping undone (argparse also breaks lines after a hyphen)."""
    return " ".join(re.sub(r"(?<=\w-)\n\s+(?=\w)", "", text).split())


@pytest.mark.crawl  # `make demo`, or `newsfold crawl`, in a subprocess
def test_a_crawl_from_another_folder_writes_its_output_and_state_there(make_web, elsewhere):
    server = make_web(story_web(3))
    (elsewhere / "sources.toml").write_text(
        '[[source]]\nname = "News"\nfeeds = ["http://news.test/feed.xml"]\n'
    )
    settings = [part for name, value in TEST_SETTINGS.items() for part in ("-s", f"{name}={value}")]
    done = newsfold(
        "crawl", "news", "-a", "sources=sources.toml", *settings, cwd=elsewhere,
        proxy=server.address,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    articles = list((elsewhere / "output").glob("articles-*.jsonl"))
    assert len(articles) == 1, sorted(elsewhere.rglob("*"))
    records = read_jsonl(articles[0])
    validate_records(records)
    assert sorted(record["url"] for record in records) == [
        f"http://news.test/story-{n}.html" for n in range(3)
    ]
    assert (elsewhere / "state" / "newsfold.sqlite").is_file()
    assert len(list((elsewhere / "output").glob("manifest-*.json"))) == 1


def test_help_lists_the_commands_and_every_spider(elsewhere):
    done = newsfold("--help", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    project_commands = [
        module.__name__.rsplit(".", 1)[1]
        for module in walk_modules_iter("crawler.commands")
        if hasattr(module, "Command")
    ]
    assert {"crawl", "clusters", "stories"} <= set(project_commands)
    for command in [*project_commands, "fetch", "shell"]:  # the project's and Scrapy's
        assert any(line.split()[:1] == [command] for line in lines), command
    for name, spider in SPIDERS.items():
        assert spider.summary, f"the {name} spider has no summary"
        assert any(line.split()[:1] == [name] and spider.summary in line for line in lines), name


def declared_arguments(spider: type[NewsSpider]) -> list[str]:
    """The `-a` arguments the spider parses: its `__init__` parameters and its bases'."""
    names: dict[str, None] = {}
    for klass in spider.__mro__:
        if issubclass(klass, NewsSpider):
            for parameter in inspect.signature(klass.__init__).parameters.values():
                if parameter.name != "self" and parameter.kind is not parameter.VAR_KEYWORD:
                    names[parameter.name] = None
    return list(names)


@pytest.mark.parametrize("name", sorted(SPIDERS))
def test_crawl_spider_help_lists_each_argument_with_its_meaning(elsewhere, name):
    done = newsfold("crawl", name, "--help", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    text = flat(done.stdout)
    assert "-O FILE" in text and "-s NAME=VALUE" in text  # Scrapy's crawl options
    assert SPIDERS[name].summary in text
    documented = {argument.name: argument for argument in SPIDERS[name].arguments()}
    for argument in declared_arguments(SPIDERS[name]):
        meaning = documented[argument].help
        assert meaning, f"-a {argument} of the {name} spider says nothing of what it means"
        assert f"-a {argument}={documented[argument].value} {flat(meaning)}" in text


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (
            ["crawl", "nwes"],
            FAILED_TO_START,
            f"no spider named 'nwes' (did you mean news?); the spiders are {', '.join(SPIDERS)}",
        ),
        (
            ["crawl", "urls", "-a", "sinse=2d"],
            FAILED_TO_START,
            "-a sinse: the urls spider takes no such argument (did you mean since?)",
        ),
        (["crwal", "news"], 2, "newsfold: no command named 'crwal' (did you mean crawl?)"),
    ],
)
def test_a_mistake_is_one_line_and_an_exit_code(elsewhere, args, code, line):
    done = newsfold(*args, cwd=elsewhere)
    assert done.returncode == code
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert line in done.stderr
    assert list(elsewhere.iterdir()) == [], "nothing was written"
