"""Failed starts through the real `scrapy crawl`: one line naming the mistake, exit 3.

None of these needs a web server: each run stops before its first request.
"""

from __future__ import annotations

import subprocess

import pytest

from crawler.exitcodes import FAILED_TO_START
from tests.conftest import CrawlResult, collect, crawl_command

DEAD = "http://127.0.0.1:9/nothing-listens-here.html"  # the discard port: refused at once


def the_one_error(result: CrawlResult) -> str:
    """The failed start's single ERROR line; no traceback anywhere at the default level."""
    assert result.returncode == FAILED_TO_START, result.log[-3000:]
    assert "Traceback" not in result.log
    errors = [line for line in result.log.splitlines() if " ERROR: " in line]
    assert len(errors) == 1, errors
    assert "Failed to start (exit code 3): " in errors[0]
    return errors[0].split("Failed to start (exit code 3): ", 1)[1]


def test_a_missing_urls_file(crawl):
    result = crawl("urls", args={"file": "nope.txt"})
    assert the_one_error(result).startswith("-a file=nope.txt: no such file (relative to ")


def test_a_missing_sources_file(crawl):
    result = crawl("news", args={"sources": "nope.toml"})
    assert the_one_error(result).startswith("-a sources=nope.toml: no such file")


def test_a_depth_that_is_not_a_number(crawl):
    result = crawl("site", args={"start": DEAD, "depth": "two"})
    assert the_one_error(result) == (
        "-a depth='two': use a whole number >= 0, the links to follow from the start pages "
        "(default 2)"
    )


def test_a_since_that_is_not_an_age_or_date(crawl):
    result = crawl("feeds", args={"feeds": DEAD, "since": "last week"})
    assert the_one_error(result).startswith("-a since='last week': use an age such as 90m")


def test_a_toml_syntax_error_names_file_line_and_column(crawl, tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "x"\nfeeds ["{DEAD}"]\n')
    result = crawl("news", args={"sources": str(sources)})
    assert the_one_error(result) == (
        f"-a sources={sources}: not valid TOML: Expected '=' after a key in a key/value pair "
        "(at line 3, column 7)"
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (f'name = "x"\nfeeds = "{DEAD}"', "source 1 ('x'): feeds must be a list of URLs"),
        (f'name = "x"\nstart = ["{DEAD}"]\ndepth = "2"', "source 1 ('x'): depth must be"),
        (f'name = 3\nfeeds = ["{DEAD}"]', "source 1: name must be text"),
        (f'name = "x"\nsitemaps = ["{DEAD}", 7]', "source 1 ('x'): sitemaps item 2 is 7"),
    ],
)
def test_wrong_types_in_a_sources_file_name_the_source_and_key(crawl, tmp_path, table, message):
    sources = tmp_path / "sources.toml"
    sources.write_text(f"[[source]]\n{table}\n")
    result = crawl("news", args={"sources": str(sources)})
    error = the_one_error(result)
    assert error.startswith(f"{sources}: ") and message in error
    assert result.stats == {}, "nothing was crawled (feeds were once read letter by letter)"


def test_a_setting_value_of_the_wrong_kind_names_the_setting(crawl):
    result = crawl("urls", args={"urls": DEAD}, settings={"LOCK_WAIT": "abc"})
    assert the_one_error(result) == "-s LOCK_WAIT='abc': use a number of seconds >= 0"


def test_a_misspelled_spider_lists_the_spiders(crawl):
    result = crawl("nwes", args={"urls": DEAD})
    assert the_one_error(result) == (
        "no spider named 'nwes' (did you mean news?); "
        "the spiders are discover, feeds, news, site, sitemaps, urls, warc"
    )


@pytest.mark.parametrize(
    ("spider", "args", "message"),
    [
        (
            "urls",
            {"urls": DEAD, "sinse": "2d"},
            "-a sinse: the urls spider takes no such argument (did you mean since?); "
            "it takes -a file=, -a urls=, -a since=",
        ),
        (
            "site",
            {"start": DEAD, "dept": "1"},
            "-a dept: the site spider takes no such argument (did you mean depth?); "
            "it takes -a start=, -a file=, -a depth=, -a since=",
        ),
        (
            "news",
            {"source": "sources.toml"},
            "-a source: the news spider takes no such argument (did you mean sources?); "
            "it takes -a sources=, -a since=",
        ),
    ],
)
def test_an_unknown_argument_is_refused_with_the_valid_ones(crawl, spider, args, message):
    assert the_one_error(crawl(spider, args=args)) == message


def test_a_misspelled_setting_is_refused_with_the_likely_name(crawl, tmp_path):
    workdir = tmp_path / "run"
    result = crawl(
        "urls", args={"urls": DEAD}, settings={"STATE_ULR": f"sqlite:///{tmp_path}/mine.sqlite"}
    )
    assert the_one_error(result) == "-s STATE_ULR: no such setting; did you mean STATE_URL?"
    assert not (tmp_path / "mine.sqlite").exists() and not (workdir / "state").exists()


def test_an_unknown_setting_far_from_any_is_one_warning(crawl):
    result = crawl("urls", args={"urls": DEAD}, settings={"MY_PROJECT_FLAG": "1"})
    warnings = [line for line in result.log.splitlines() if "MY_PROJECT_FLAG" in line]
    assert len(warnings) == 1 and " WARNING: -s MY_PROJECT_FLAG: no component" in warnings[0]
    assert result.returncode != FAILED_TO_START  # the run went on


def test_a_list_with_no_usable_url_is_a_failed_start(crawl, tmp_path):
    listed = tmp_path / "urls.txt"
    listed.write_text("www.news.test/a\n# a comment\nnot a url\n")
    result = crawl("urls", args={"file": str(listed)})
    assert the_one_error(result) == (
        f"nothing to crawl: {listed} line 1: 'www.news.test/a': no scheme "
        "(write https://www.news.test/a) (and 1 more unusable entries)"
    )


def test_the_traceback_is_there_at_debug_level(crawl):
    result = crawl("site", args={"start": DEAD, "depth": "two"}, settings={"LOG_LEVEL": "DEBUG"})
    assert result.returncode == FAILED_TO_START
    assert "Failed to start (exit code 3): -a depth='two'" in result.log
    assert "Traceback" in result.log


def run_bounded(spider: str, workdir, timeout: float, **kwargs) -> CrawlResult:
    """A crawl that must end well before `timeout` (a wait of the wrong length fails it)."""
    command, env = crawl_command(spider, workdir, **kwargs)
    done = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout
    )
    return collect(workdir, done.returncode, done.stderr)


DOWN = "redis://127.0.0.1:9/0"


@pytest.mark.parametrize(
    "where",
    [
        {"STATE_URL": DOWN},  # the state, and the frontier with it
        {"STATE_URL": DOWN, "FRONTIER_URL": "local"},  # the state alone
        {"FRONTIER_URL": DOWN},  # the frontier alone, the state on SQLite
    ],
)
def test_redis_unreachable_at_start_waits_redis_retry_for_then_exits_3(tmp_path, where):
    result = run_bounded(
        "urls",
        tmp_path / "run",
        timeout=40,  # the default window is 60 s: this fails if the setting is not applied
        args={"urls": DEAD},
        settings={**where, "REDIS_RETRY_FOR": "1"},
    )
    error = the_one_error(result)
    assert "redis://127.0.0.1:9/0" in error and "REDIS_RETRY_FOR=1 s" in error
    assert "retrying for up to 1 s (REDIS_RETRY_FOR)" in result.log
    assert not (tmp_path / "run" / "state.sqlite").exists(), "no run was registered"


def test_a_crawl_says_when_it_creates_the_state_and_its_directory(crawl, tmp_path):
    state = tmp_path / "not" / "yet" / "s.sqlite"
    settings = {"STATE_URL": f"sqlite:///{state}"}
    first = crawl("urls", args={"urls": DEAD}, settings=settings, workdir=tmp_path / "first")
    assert (
        f"New state: created {state} (no earlier runs; every page is new), in the new "
        f"directory {tmp_path / 'not'}" in first.log
    )
    second = crawl("urls", args={"urls": DEAD}, settings=settings, workdir=tmp_path / "second")
    assert state.exists() and "New state" not in second.log
